"""Judged round r12: topics of long documents fitted whole (``long_documents='passages'``) or with each passage a
unit (``'split'``), as a reader sees them.

On the two long-document corpora of bench/bench_long_documents.py (the machine's manual pages, the Python
Library Reference's pages), the same TopicModel (int8 all-MiniLM-L6-v2, seed 42) is fitted both ways and its
topics are labelled by the default labeler (the bundled LLM). A judge reads, for each sampled topic, up to eight
of its members drawn at random (whole pages for 'passages', passages for 'split'; the first 400 characters of
each, as in every round; never one the labeler was shown), and two names under letters: the LLM label and the
keyword label; the items of both fits are shuffled into one packet per corpus, and nothing says which fit an item
comes from. Instruction: bench/judged/JUDGING.md, word for word.

Steps: ``build`` (fit, label, write bench/judged/r12/build/CORPUS.json; the models go to bench/work/r12/),
``packets`` (bench/judged/r12/packets/ and, apart, keys/), ``score`` (bench/results/long_documents_judged.json:
per corpus and reading, the coherent share of the judged topics weighted by their documents (a passage counts as
its share of its document), how often each name was accepted and ranked first, and the judges' agreement);
``--table`` prints the documentation's table.

usage: python bench/bench_units_judged.py build|packets|score [--corpora manpages,pydoc] [--threads 2] [--table]
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
from bench_mixed import names_scored, percent  # noqa: E402
from judged_scores import LLM  # noqa: E402

CORPORA = ("manpages", "pydoc")
READINGS = ("passages", "split")
ROUND = "r12"
WORK = HERE / "work" / ROUND
RESULTS = HERE / "results" / "long_documents_judged.json"


def corpus_texts(corpus: str) -> tuple[list[str], list[str]]:
    from bench_fit import read_corpus

    return read_corpus(HERE / "work" / f"{corpus}.jsonl.gz")


def topic_documents(model) -> dict[int, float]:
    """Documents per topic: a passage counts as its share of its document."""
    from topiclens.io.units import unit_shares

    split = model.long_documents_ == "split"
    weights = unit_shares(model.corpus_) if split else np.ones(len(model.topics_))
    return {t: round(float(weights[model.topics_ == t].sum()), 3) for t in model.topic_ids_}


def build(corpus: str, threads: int) -> Path:
    """See the module docstring; returns the build file."""
    from topiclens import LLMLabeler, TopicModel
    from topiclens.evaluate import agreement
    from topiclens.labeling.clean import keyword_label

    docs, gold = corpus_texts(corpus)
    out: dict = {"corpus": corpus, "llm": LLM, "documents": len(docs), "readings": {}}
    for reading in READINGS:
        model = TopicModel(embedding_model="minilm-int8", long_documents=reading, seed=42, threads=threads,
                           verbose=False, language="en").fit(docs)
        clock = time.perf_counter()
        model.label_topics(LLMLabeler(LLM), inplace=True)
        seconds = time.perf_counter() - clock
        model.save(WORK / f"{corpus}-{reading}")
        evidence = model.label_evidence_ or [[] for _ in model.topic_ids_]
        sizes = topic_documents(model)
        out["readings"][reading] = {
            "units": len(model.topics_), "nmi": round(agreement(gold, model.document_topics_)["nmi"], 4),
            "seconds_per_topic": round(seconds / max(1, len(model.topic_ids_)), 2), "label_stats": model.label_stats_,
            "topics": {str(t): {"documents": sizes[t], "label": model.labels_[at],
                                "keywords": keyword_label(model.keywords_[at]),
                                "seen": judged.seen_rows(model, evidence, at)}
                       for at, t in enumerate(model.topic_ids_)}}
        print(f"{corpus} {reading}: {len(model.topic_ids_)} topics, NMI {out['readings'][reading]['nmi']}", flush=True)
    path = judged.write_build(ROUND, corpus, out)
    return path


def packets(corpus: str) -> None:
    """The packet of ``corpus`` and, apart, its key (see the module docstring)."""
    from topiclens import TopicModel

    data = judged.read_build(ROUND, corpus)
    records: list[dict] = []
    items = []
    for reading in READINGS:
        model = TopicModel.load(WORK / f"{corpus}-{reading}", threads=1, verbose=False)
        offset = len(records)
        records += [{"text": text} for text in model.corpus_.texts]
        found = data["readings"][reading]["topics"]
        for topic in judged.sampled_topics({t: 1 for t in found}):
            seen = set(found[topic]["seen"])
            rows = [offset + int(r) for r in np.flatnonzero(model.topics_ == int(topic)) if int(r) not in seen]
            items.append({"kind": reading, "topic": int(topic), "size": found[topic]["documents"], "rows": rows,
                          "names": {"topiclens": found[topic]["label"], "keywords": found[topic]["keywords"]}})
    rng = random.Random(f"{ROUND}/{corpus}")
    rng.shuffle(items)
    judged.write_packet(ROUND, corpus, "English", items, records, rng, {"systems": ["topiclens", "keywords"]})


def score(corpora: list[str]) -> dict:
    """Unblinded results (see the module docstring), written to bench/results/long_documents_judged.json."""
    results: dict = {"round": ROUND, "llm": LLM, "corpora": {}}
    for corpus in corpora:
        data, key, verdicts = judged.round_files(ROUND, corpus)
        agree = judged.judges_agree(key["items"], verdicts)
        readings = {}
        for reading in READINGS:
            items = [item for item in key["items"] if item["kind"] == reading]
            built = data["readings"][reading]
            readings[reading] = {
                "topics": len(built["topics"]), "topics_judged": len(items), "units": built["units"],
                "nmi": built["nmi"], "seconds_per_topic": built["seconds_per_topic"],
                **kind_scored(items, verdicts)}
        results["corpora"][corpus] = {"documents": data["documents"], "judges": len(verdicts),
                                      "agreement": agree["accept"], "coherent_agreement": agree["coherent"],
                                      "readings": readings}
        print(corpus, json.dumps(results["corpora"][corpus]))
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    return results


def kind_scored(items: list[dict], verdicts: dict) -> dict:
    """The judges' verdicts on the items of one kind (one fit, one reading): the coherent share (by documents),
    the coherent-or-partly share, and each name's acceptance and first place."""
    return {"coherent": coherent_share(items, verdicts, ("yes",)),
            "coherent_or_partly": coherent_share(items, verdicts, ("yes", "partly")),
            "names": names_scored({"items": items}, verdicts)}


def coherent_share(items: list[dict], verdicts: dict, calls: tuple[str, ...]) -> float:
    """The share of the judged items' documents in topics a judge called one of ``calls``, averaged over judges."""
    weight = sum(item["size"] for item in items)
    return round(float(sum(item["size"] * np.mean([v[item["item"]].get("coherent") in calls
                                                   for v in verdicts.values()]) for item in items) / weight), 3)


def table() -> str:
    """The documentation's table from bench/results/long_documents_judged.json."""
    names = {"passages": "whole (`'passages'`)", "split": "passages as units (`'split'`)"}
    return kinds_table(json.loads(RESULTS.read_text())["corpora"], "readings", "read", names)


def kinds_table(results: dict, group: str, column: str, shown: dict[str, str], outliers: bool = False) -> str:
    """A judged round's table: per corpus, one row per kind of ``results[corpus][group]`` (its name in ``shown``,
    under ``column``) with its topics, coherence, the LLM and keyword labels' acceptance and NMI (``outliers``: its
    outlier share too); used by rounds r12 and r13."""
    head = "| outliers " if outliers else ""
    lines = [f"| corpus | {column} | topics (judged) {head}| coherent | coherent or partly | LLM label accepted | "
             "keyword label accepted | NMI | judges, agreement |", "|---|---|---|" + "---|" * (6 + outliers)]
    for corpus, found in results.items():
        for kind, row in found[group].items():
            share = f"{percent(row['outliers'])} | " if outliers else ""
            lines.append(f"| {corpus} | {shown[kind]} | {row['topics']} ({row['topics_judged']}) | {share}"
                         f"{percent(row['coherent'])} | {percent(row['coherent_or_partly'])} | "
                         f"{percent(row['names']['topiclens']['accepted'])} | "
                         f"{percent(row['names']['keywords']['accepted'])} | {row['nmi']:.3f} | "
                         f"{found['judges']}, {percent(found['agreement'])} |")
    return "\n".join(lines)


if __name__ == "__main__":
    judged.round_main(__doc__, CORPORA, build, packets, score, table)
