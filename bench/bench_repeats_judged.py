"""Judged round r15: a label that still repeats another topic's after the re-ask, renamed together with it, or given
a distinguishing keyword?

When two topics' labels are the same after the topic was asked again with the labels already taken listed, the
default labeler appends the topic's best keyword that the label lacks ("Mathematical software (gnu)", "Perl modules
(devel)"). Over rounds r13 and r14 the judges accepted such names in 4 of 20 judgements (2 of 10 names), where
about 60 % of names were accepted in general. The candidate (``after``): the topics whose labels still repeat one
another (the same words) are renamed together, one prompt per group showing each topic's keywords and three
documents and asking for names that tell them apart (the joint-disambiguation prompt,
``TopicLabeler.disambiguate``, used for exact repeats only: ``LLMLabeler(disambiguate=1.0)`` with labels compared
by their words); a keyword is appended only to what still repeats.

The models are r13's tight fits (``bench/work/r13/CORPUS-tight``: the default's topics, see
``bench/bench_tight_judged.py``), labelled in r13 by the default labeler (``before``). Each is labelled again with
the candidate (the same first answers and re-asks, from the answer cache; the group prompts are new). An item is a
topic whose label changed: up to eight members never shown to a labeler, the label before, the label after and the
keyword label, shuffled under letters. Instruction: bench/judged/JUDGING.md, word for word. The judges preferred the
default: the candidate is not taken. (Built at commit ebc5ad9: since, German labels are put in the nominative, which
a build today would count as changes too.) ``bench/bench_german_case.py`` (round r16) judges changed labels the same
way, with these functions.

Steps: ``build`` (bench/judged/r15/build/CORPUS.json), ``packets``, ``score`` (bench/results/repeats_judged.json),
``--table``.

usage: python bench/bench_repeats_judged.py build|packets|score [--corpora ...] [--threads 2] [--table]
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import judged_scores as judged  # noqa: E402
from bench_label_variants import tight_topics_packet  # noqa: E402
from bench_mixed import percent  # noqa: E402
from bench_units_judged import kind_scored  # noqa: E402
from judged_scores import LLM  # noqa: E402

CORPORA = ("python-stdlib", "debian-reference-zh", "debian-reference-de", "debian")
ROUND = "r15"
MODELS = HERE / "work" / "r13"
RESULTS = HERE / "results" / "repeats_judged.json"
SYSTEMS = ("before", "after", "keywords")
REPEAT = 1.0  # the word-overlap similarity of labels with the same words


def build(corpus: str, threads: int) -> Path:
    """See the module docstring; returns the build file."""
    from topiclens import LLMLabeler
    from topiclens.labeling import disambiguate, engine

    # labels compared by their words, not their embeddings: only those with the same words form a group
    engine.label_similarity = lambda labels, encode: disambiguate.label_similarity(labels, None)
    return build_changed(ROUND, corpus, threads, LLMLabeler(LLM, disambiguate=REPEAT))


def build_changed(round_name: str, corpus: str, threads: int, labeler) -> Path:
    """r13's tight fit of ``corpus`` labelled again by ``labeler``: the build file of ``round_name`` lists every topic
    whose label changed, with its label before and after, its keyword label and the rows a labeler saw."""
    from topiclens import TopicModel
    from topiclens.labeling.clean import keyword_label

    model = TopicModel.load(MODELS / f"{corpus}-tight", threads=threads, verbose=False)
    before = list(model.labels_)
    evidence = model.label_evidence_ or [[] for _ in model.topic_ids_]
    again = model.label_topics(labeler)
    out: dict = {"corpus": corpus, "llm": LLM, "language": model.language_, "model": f"bench/work/r13/{corpus}-tight",
                 "topics": len(model.topic_ids_), "label_stats": again.label_stats_, "changed": {}}
    for at, topic in enumerate(model.topic_ids_):
        if again.labels_[at] != before[at]:
            out["changed"][str(topic)] = {"size": model.topic_sizes_[at],
                                          "names": {"before": before[at], "after": again.labels_[at],
                                                    "keywords": keyword_label(model.keywords_[at])},
                                          "seen": judged.seen_rows(model, evidence, at)}
            print(corpus, topic, out["changed"][str(topic)]["names"], flush=True)
    print(f"{corpus}: {len(out['changed'])} of {out['topics']} labels changed; {again.label_stats_}", flush=True)
    return judged.write_build(round_name, corpus, out)


def packets(corpus: str) -> None:
    """The packet of ``corpus`` and, apart, its key (see the module docstring); none for a corpus without a change."""
    packets_changed(ROUND, corpus)


def packets_changed(round_name: str, corpus: str) -> None:
    """The packet of a round's changed labels on ``corpus`` and, apart, its key; none for a corpus without a change."""
    data = judged.read_build(round_name, corpus)
    if not data["changed"]:
        print(f"{corpus}: no label changed, no packet")
        return
    tight_topics_packet(round_name, corpus, data["language"], data["changed"], SYSTEMS, kind="changed")


def score(corpora: list[str]) -> dict:
    """Unblinded results (see the module docstring), written to bench/results/repeats_judged.json."""
    return score_changed(ROUND, corpora, RESULTS)


def score_changed(round_name: str, corpora: list[str], results: Path) -> dict:
    """A round's unblinded verdicts on changed labels, per corpus, written to ``results``."""
    import json

    found: dict = {"round": round_name, "llm": LLM, "corpora": {}}
    for corpus in corpora:
        data = judged.read_build(round_name, corpus)
        entry = {"topics": data["topics"], "changed": len(data["changed"]), "label_stats": data["label_stats"]}
        if data["changed"]:
            _, key, verdicts = judged.round_files(round_name, corpus)
            items = [item for item in key["items"] if item["rows"]]
            agree = judged.judges_agree(items, verdicts)
            entry.update({"topics_judged": len(items), "judges": len(verdicts), "agreement": agree["accept"],
                          **kind_scored(items, verdicts)})
        found["corpora"][corpus] = entry
        print(corpus, json.dumps(entry))
    results.write_text(json.dumps(found, indent=1) + "\n")
    return found


def table() -> str:
    """The documentation's table from bench/results/repeats_judged.json."""
    return table_changed(RESULTS, "keyword appended (before)", "renamed together (after)")


def table_changed(results: Path, before: str, after: str) -> str:
    """The documentation's table of a round of changed labels (``before`` and ``after`` head their columns)."""
    import json

    rows = json.loads(results.read_text())["corpora"]
    lines = [f"| corpus | topics | labels changed (judged) | {before} accepted (first) | {after} accepted (first) | "
             "keyword label accepted | judges, agreement |", "|---|---|---|---|---|---|---|"]
    for corpus, found in rows.items():
        if not found["changed"]:
            lines.append(f"| {corpus} | {found['topics']} | 0 | – | – | – | – |")
            continue
        names = found["names"]
        cells = [f"{percent(names[s]['accepted'])} ({percent(names[s]['first'])})" for s in ("before", "after")]
        lines.append(f"| {corpus} | {found['topics']} | {found['changed']} ({found['topics_judged']}) | "
                     f"{cells[0]} | {cells[1]} | {percent(names['keywords']['accepted'])} | "
                     f"{found['judges']}, {percent(found['agreement'])} |")
    return "\n".join(lines)


if __name__ == "__main__":
    judged.round_main(__doc__, CORPORA, build, packets, score, table)
