"""Judged round r14: on the default's own (tight) topics, are names that tell a topic from its neighbours, or names
as precise as the documents allow, accepted more often than the default's?

Since round r13 the default fit splits topics below tightness 0.55 and sends members below a cosine of 0.4 to the
outliers: topics are smaller and more of them sit side by side (138 on the Debian descriptions). The judges of r13
accepted the default's names of the coherent ones most of the time, but rejected broad names of narrow topics
("Server response" for FTP, NNTP and POP commands, "Stack manipulation" for frames and tracebacks, "String
manipulation" for quoting and escaping, "Mathematical software (gnu)"): the prompt asks for the kind of thing or the
field all documents belong to, chosen (round r7) when topics were broader. Two variants of the prompt, each with
the default's evidence (twelve diverse documents of 16 tokens, ten keywords) and worked examples:

``contrast``
    the prompt also lists the three nearest topics (by the cosine of their centres) with four keywords each, and
    asks for a name precise enough to tell this topic from them (the worked examples list made-up neighbours);
``precise``
    the prompt asks for the subject all of the documents share, as precisely as possible while covering all of them.

The models are r13's tight fits (``bench/work/r13/CORPUS-tight``: the default's topics, see
``bench/bench_tight_judged.py``); 20 topics per corpus drawn with seed 14, each labelled by both variants (only the
sampled topics, with the other topics' names taken, as when every topic is labelled: a repeat is asked again, and
what still repeats gets a distinguishing keyword); the default's name is the one the model
holds (written with every topic labelled). A judge reads up to eight members never shown to a labeler and the
distinct names (the default's, each variant's, the keyword label) shuffled under letters. Instruction:
bench/judged/JUDGING.md, word for word.

The build file's seconds per topic are not timings: part of the answers came from the answer cache.

Steps: ``build`` (bench/judged/r14/build/CORPUS.json), ``packets``, ``score`` (bench/results/label_variants.json),
``--table``.

usage: python bench/bench_label_variants.py build|packets|score [--corpora ...] [--threads 2] [--table]
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import judged_scores as judged  # noqa: E402
from bench_mixed import percent  # noqa: E402
from bench_units_judged import kind_scored  # noqa: E402
from judged_scores import LANGUAGE_NAMES, LLM  # noqa: E402

CORPORA = ("python-stdlib", "debian-reference-zh", "debian-reference-de", "debian")
ROUND = "r14"
MODELS = HERE / "work" / "r13"
RESULTS = HERE / "results" / "label_variants.json"
SAMPLE = 20
SEED = 14
NEIGHBOURS = 3
NEIGHBOUR_WORDS = 4
SYSTEMS = ("topiclens", "contrast", "precise", "keywords")

ASK_EN = {
    "contrast": ("Nearby topics of the same collection, with their keywords: [NEIGHBOURS].\n"
                 "Write a short label (two to six words) that names what all of these documents have in common, "
                 "precisely enough to tell this topic apart from the nearby ones, as a heading in a report would name "
                 "it, not the subject of one or two of them. Answer with the label only, nothing else."),
    "precise": ("Write a short label (two to six words) that names the subject all of these documents share, as "
                "precisely as you can while still covering all of them, as a heading in a report would name it, not "
                "the subject of one or two of them. Answer with the label only, nothing else."),
}
HEAD_EN = ("These documents come from different parts of one topic:\n[DOCUMENTS]\n"
           "Keywords of the whole topic: [KEYWORDS].\n")
ASK_ZH = {
    "contrast": ("同一文集中相邻主题的关键词：[NEIGHBOURS]。\n"
                 "请写一个简短的中文标签，像报告中的小标题那样，说出所有这些文档的共同点，要足够具体，能把这个主题和相邻的主题"
                 "区分开，而不是其中一两篇的内容。只回答标签本身，不要写其他内容。"),
    "precise": ("请写一个简短的中文标签，像报告中的小标题那样，尽可能具体地说出所有这些文档共同的主题，"
                "同时要涵盖全部文档，而不是其中一两篇的内容。只回答标签本身，不要写其他内容。"),
}
HEAD_ZH = "以下文档来自同一个主题的不同部分：\n[DOCUMENTS]\n整个主题的关键词：[KEYWORDS]。\n"
# The worked examples' made-up neighbours (the first example: eating meat; the second: musical instruments).
EXAMPLE_NEIGHBOURS = {
    "en": ("renewable energy, solar, wind, power; water pollution, rivers, fertiliser, farms; organic gardening, "
           "compost, soil, vegetables",
           "singing, choir, voice, songs; concert halls, tickets, orchestra, seats; sound recording, microphones, "
           "mixing, studio"),
    "de": ("erneuerbare Energie, Solar, Wind, Strom; Wasserverschmutzung, Flüsse, Dünger, Höfe; Biogarten, Kompost, "
           "Boden, Gemüse",
           "Gesang, Chor, Stimme, Lieder; Konzertsäle, Karten, Orchester, Plätze; Tonaufnahme, Mikrofone, "
           "Abmischung, Studio"),
    "zh": ("可再生能源, 太阳能, 风能, 电力；水污染, 河流, 化肥, 农场；有机园艺, 堆肥, 土壤, 蔬菜",
           "唱歌, 合唱, 嗓音, 歌曲；音乐厅, 门票, 管弦乐团, 座位；录音, 麦克风, 混音, 录音棚"),
}


def template(variant: str, language: str) -> str:
    """The variant's prompt template (``[NEIGHBOURS]`` still in it for ``contrast``)."""
    return (HEAD_ZH + ASK_ZH[variant]) if language == "zh" else (HEAD_EN + ASK_EN[variant])


def neighbour_lines(state, chosen: list[int]) -> dict[int, str]:
    """Each chosen topic's nearest topics (cosine of the centres), four readable keywords each, '; '-joined."""
    from topiclens.labeling.keyword_filter import readable_keywords

    ids = list(state.topic_ids)
    centres = np.asarray(state.centroids, dtype=np.float64)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True).clip(1e-12)
    similarity = centres @ centres.T
    lines = {}
    for topic in chosen:
        at = ids.index(topic)
        order = [int(j) for j in np.argsort(-similarity[at], kind="stable") if j != at][:NEIGHBOURS]
        lines[topic] = "; ".join(", ".join(w for w, _ in readable_keywords(state.keywords[j])[:NEIGHBOUR_WORDS])
                                 for j in order)
    return lines


def variant_labels(model, chosen: list[int], variant: str, threads: int) -> tuple[dict[int, str], float]:
    """The sampled topics' labels written by ``variant`` (see the module docstring), and seconds per topic."""
    from topiclens import LLMLabeler
    from topiclens.labeling.clean import truncate
    from topiclens.labeling.engine import TopicLabeler
    from topiclens.llm.prompts import fill, label_examples, label_messages
    from topiclens.llm.registry import make_llm
    from topiclens.ops.labeling import prepare

    fitted = model.fitted_
    _, order, evidence, _ = prepare(fitted, LLMLabeler(LLM), topics=chosen)
    language = fitted.state.language
    neighbours = neighbour_lines(fitted.state, order)
    shown = template(variant, language)
    examples_neighbours = EXAMPLE_NEIGHBOURS.get(language, EXAMPLE_NEIGHBOURS["en"])

    class VariantLabeler(TopicLabeler):
        def _messages(self, topic, taken=(), remind_language=False):
            documents = [truncate(d, self.doc_tokens, self._count) for d in topic.documents]
            asked = label_messages(documents, topic.keywords, shown.replace("[NEIGHBOURS]", neighbours[topic.topic]),
                                   self.language, taken, [], remind_language)
            shots = []  # the worked examples, each with its own made-up neighbours, filled as the default fills them
            for (docs, words, label), near in zip(label_examples(self.language), examples_neighbours):
                shots += [{"role": "user", "content": fill(shown.replace("[NEIGHBOURS]", near), docs, words)},
                          {"role": "assistant", "content": label}]
            return [asked[0], *shots, asked[-1]]

    backend = make_llm(LLM, threads=threads, verbose=False)
    engine = VariantLabeler(backend, language=language, doc_tokens=LLMLabeler().doc_tokens, verbose=True)
    clock = time.perf_counter()
    # The other topics' names (the model's) are taken, as the default's are when every topic is labelled: a
    # repeat is asked again, and what still repeats gets a distinguishing keyword.
    sampled = set(order)
    others = [label for topic, label in zip(model.topic_ids_, model.labels_) if topic not in sampled]
    labels, _ = engine.label(evidence, taken=others)
    seconds = (time.perf_counter() - clock) / max(1, len(order))
    return {topic: label for topic, label in zip(order, labels)}, seconds


def build(corpus: str, threads: int) -> Path:
    """See the module docstring; returns the build file."""
    from topiclens import TopicModel
    from topiclens.labeling.clean import keyword_label

    model = TopicModel.load(MODELS / f"{corpus}-tight", threads=threads, verbose=False)
    state = model.fitted_.state
    evidence = model.label_evidence_ or [[] for _ in model.topic_ids_]
    sizes = {str(t): model.topic_sizes_[at] for at, t in enumerate(model.topic_ids_)}
    chosen = [int(t) for t in judged.sampled_topics(sizes, SAMPLE, SEED)]
    out: dict = {"corpus": corpus, "llm": LLM, "language": state.language, "model": f"bench/work/r13/{corpus}-tight",
                 "sample": {"n": SAMPLE, "seed": SEED}, "seconds_per_topic": {}, "topics": {}}
    written = {}
    for variant in ("contrast", "precise"):
        written[variant], out["seconds_per_topic"][variant] = variant_labels(model, chosen, variant, threads)
    for topic in chosen:
        at = model.topic_ids_.index(topic)
        out["topics"][str(topic)] = {
            "size": model.topic_sizes_[at],
            "names": {"topiclens": model.labels_[at], **{v: written[v][topic] for v in written},
                      "keywords": keyword_label(model.keywords_[at])},
            "seen": judged.seen_rows(model, evidence, at)}
        print(corpus, topic, out["topics"][str(topic)]["names"], flush=True)
    path = judged.write_build(ROUND, corpus, out)
    return path


def packets(corpus: str) -> None:
    """The packet of ``corpus`` and, apart, its key (see the module docstring)."""
    data = judged.read_build(ROUND, corpus)
    tight_topics_packet(ROUND, corpus, data["language"], data["topics"], SYSTEMS)


def tight_topics_packet(round_name: str, corpus: str, language: str, topics: dict, systems: tuple[str, ...],
                        kind: str = "tight") -> None:
    """A packet of topics of r13's tight fit of ``corpus`` (``topics``: id -> its size, the names under each system
    and the rows a labeler saw), shuffled, with its key (each item of ``kind``; also used by round r15)."""
    from label_corpora import load

    from topiclens import TopicModel

    records, _ = load(corpus)
    model = TopicModel.load(MODELS / f"{corpus}-tight", threads=1, verbose=False)
    items = []
    for topic, found in topics.items():
        seen = set(found["seen"])
        rows = [int(r) for r in np.flatnonzero(model.topics_ == int(topic)) if int(r) not in seen]
        items.append({"kind": kind, "topic": int(topic), "size": found["size"], "rows": rows,
                      "names": found["names"]})
    rng = random.Random(f"{round_name}/{corpus}")
    rng.shuffle(items)
    judged.write_packet(round_name, corpus, LANGUAGE_NAMES[language], items, records, rng,
                        {"systems": list(systems)})


def score(corpora: list[str]) -> dict:
    """Unblinded results (see the module docstring), written to bench/results/label_variants.json."""
    results: dict = {"round": ROUND, "llm": LLM, "corpora": {}}
    for corpus in corpora:
        data, key, verdicts = judged.round_files(ROUND, corpus)
        items = [item for item in key["items"] if item["rows"]]
        agree = judged.judges_agree(items, verdicts)
        results["corpora"][corpus] = {"topics_judged": len(items), "judges": len(verdicts),
                                      "agreement": agree["accept"], "coherent_agreement": agree["coherent"],
                                      **kind_scored(items, verdicts)}
        print(corpus, json.dumps(results["corpora"][corpus]))
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    return results


def table() -> str:
    """The documentation's table from bench/results/label_variants.json."""
    results = json.loads(RESULTS.read_text())["corpora"]
    shown = {"topiclens": "the default", "contrast": "`contrast`", "precise": "`precise`", "keywords": "keyword label"}
    lines = ["| corpus | topics judged | coherent | " + " | ".join(f"{shown[s]} accepted (first)" for s in SYSTEMS)
             + " | judges, agreement |", "|---|---|---|" + "---|" * len(SYSTEMS) + "---|"]
    for corpus, found in results.items():
        names = found["names"]
        lines.append(f"| {corpus} | {found['topics_judged']} | {percent(found['coherent'])} | " + " | ".join(
            f"{percent(names[s]['accepted'])} ({percent(names[s]['first'])})" for s in SYSTEMS)
            + f" | {found['judges']}, {percent(found['agreement'])} |")
    return "\n".join(lines)


if __name__ == "__main__":
    judged.round_main(__doc__, CORPORA, build, packets, score, table)
