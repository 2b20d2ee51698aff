"""Judged round r13: would tighter topics be more coherent to a reader, and their names more often accepted?

The default fit splits a topic whose tightness (the mean cosine of its documents to their mean direction) is below
0.5 (``pipeline.coherence.MIXED_TIGHTNESS``). In rounds r6, r8 and r11 the judges still called 16–33 % of the
default's topics (by documents) only partly coherent. Read back over every topic judged in rounds r1–r11 (565
items), the tightness of the eight documents a judge saw separates "yes" from "partly"/"no" with a ROC area of
0.73–0.84 per corpus, and below about 0.6 (of those eight) most topics were not called coherent. This round puts
two fits of each corpus side by side (the same embeddings, seed 42, every topic labelled by the default labeler):

``default``
    today's fit (``mixed_topics='split'`` at tightness 0.5);
``tight``
    a mixed topic is one below 0.55, and after the split a document whose cosine to its topic's mean direction is
    below 0.4 goes to the outliers. The judges preferred it: it is the default since round r13
    (``pipeline.coherence.MIXED_TIGHTNESS``, ``TopicModel(member_threshold=0.4)``): a fit with the defaults gives
    these topics on the three smaller corpora and, on Debian, the same partition to an adjusted Rand index of
    0.9995 (the default keeps the members of a topic that trimming would leave below ``min_cluster_size``).

A judge reads, for each sampled topic (15 a fit, the seeded sample of every round), up to eight members drawn at
random (the first 400 characters of each; never one the labeler was shown) and two names under letters, the LLM
label and the keyword label; the items of both fits are shuffled into one packet per corpus, and nothing says which
fit an item comes from. Instruction: bench/judged/JUDGING.md, word for word.

Steps: ``build`` (fit both ways, label, write bench/judged/r13/build/CORPUS.json; the models go to
bench/work/r13/), ``packets`` (bench/judged/r13/packets/ and, apart, keys/), ``score``
(bench/results/tight_judged.json: per corpus and fit, the coherent share of the judged topics weighted by their
documents, how often each name was accepted and ranked first, NMI against the corpus's sections, the outlier
share, and the judges' agreement); ``--table`` prints the documentation's table.

usage: python bench/bench_tight_judged.py build|packets|score [--corpora ...] [--threads 2] [--table]
"""

from __future__ import annotations

import json
import random
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import judged_scores as judged  # noqa: E402
from bench_units_judged import kind_scored, kinds_table  # noqa: E402
from judged_scores import LANGUAGE_NAMES, LLM  # noqa: E402

CORPORA = ("python-stdlib", "debian-reference-zh", "debian-reference-de", "debian")
# Each fit's mixed-topic tightness (set for the fit by ``mixed_below``) and ``member_threshold``.
FITS = {"default": {"mixed_below": 0.5, "member_threshold": None},
        "tight": {"mixed_below": 0.55, "member_threshold": 0.4}}
ROUND = "r13"
WORK = HERE / "work" / ROUND
RESULTS = HERE / "results" / "tight_judged.json"


@contextmanager
def mixed_below(threshold: float):
    """Within it, a fit splits the topics whose tightness is below ``threshold``."""
    from topiclens.pipeline import coherence

    defaults = coherence.split_mixed.__defaults__
    coherence.split_mixed.__defaults__ = (threshold,) + defaults[1:]
    try:
        yield
    finally:
        coherence.split_mixed.__defaults__ = defaults


def build(corpus: str, threads: int) -> Path:
    """See the module docstring; returns the build file."""
    from bench_labels import corpus_language, embeddings_for
    from label_corpora import load

    from topiclens import LLMLabeler, TopicModel
    from topiclens.evaluate import agreement
    from topiclens.labeling.clean import keyword_label

    records, _ = load(corpus)
    texts, gold = [r["text"] for r in records], [r["label"] for r in records]
    language = corpus_language(corpus)
    embedder = "minilm-int8" if language == "en" else "use-multilingual"
    vectors = embeddings_for(corpus, texts, embedder, threads)
    out: dict = {"corpus": corpus, "llm": LLM, "language": language, "documents": len(texts), "fits": {}}
    for fit, settings in FITS.items():
        with mixed_below(settings["mixed_below"]):
            model = TopicModel(seed=42, threads=threads, layout="none", verbose=False, embedding_model=embedder,
                               language=language, member_threshold=settings["member_threshold"]
                               ).fit(texts, embeddings=vectors)
        clock = time.perf_counter()
        model.label_topics(LLMLabeler(LLM), inplace=True)
        seconds = time.perf_counter() - clock
        model.save(WORK / f"{corpus}-{fit}")
        evidence = model.label_evidence_ or [[] for _ in model.topic_ids_]
        found = agreement(gold, model.topics_)
        out["fits"][fit] = {
            "settings": settings, "nmi": round(found["nmi"], 4), "outliers": round(found["outlier_fraction"], 4),
            "seconds_per_topic": round(seconds / max(1, len(model.topic_ids_)), 2), "label_stats": model.label_stats_,
            "topics": {str(t): {"size": model.topic_sizes_[at], "label": model.labels_[at],
                                "keywords": keyword_label(model.keywords_[at]),
                                "seen": judged.seen_rows(model, evidence, at)}
                       for at, t in enumerate(model.topic_ids_)}}
        print(f"{corpus} {fit}: {len(model.topic_ids_)} topics, NMI {found['nmi']:.4f}, "
              f"outliers {found['outlier_fraction']:.3f}", flush=True)
    path = judged.write_build(ROUND, corpus, out)
    return path


def packets(corpus: str) -> None:
    """The packet of ``corpus`` and, apart, its key (see the module docstring)."""
    from label_corpora import load

    from topiclens import TopicModel

    data = judged.read_build(ROUND, corpus)
    records, _ = load(corpus)
    items = []
    for fit in FITS:
        model = TopicModel.load(WORK / f"{corpus}-{fit}", threads=1, verbose=False)
        found = data["fits"][fit]["topics"]
        for topic in judged.sampled_topics({t: 1 for t in found}):
            seen = set(found[topic]["seen"])
            rows = [int(r) for r in np.flatnonzero(model.topics_ == int(topic)) if int(r) not in seen]
            items.append({"kind": fit, "topic": int(topic), "size": found[topic]["size"], "rows": rows,
                          "names": {"topiclens": found[topic]["label"], "keywords": found[topic]["keywords"]}})
    rng = random.Random(f"{ROUND}/{corpus}")
    rng.shuffle(items)
    judged.write_packet(ROUND, corpus, LANGUAGE_NAMES[data["language"]], items, records, rng,
                        {"systems": ["topiclens", "keywords"]})


def score(corpora: list[str]) -> dict:
    """Unblinded results (see the module docstring), written to bench/results/tight_judged.json."""
    results: dict = {"round": ROUND, "llm": LLM, "fits": FITS, "corpora": {}}
    for corpus in corpora:
        data, key, verdicts = judged.round_files(ROUND, corpus)
        agree = judged.judges_agree([item for item in key["items"] if item["rows"]], verdicts)
        fits = {}
        for fit in FITS:
            # A topic all of whose members the labeler was shown has none left to show: it is not scored.
            items = [item for item in key["items"] if item["kind"] == fit and item["rows"]]
            built = data["fits"][fit]
            fits[fit] = {"topics": len(built["topics"]), "topics_judged": len(items),
                         "nothing_to_show": sum(item["kind"] == fit and not item["rows"] for item in key["items"]),
                         "nmi": built["nmi"], "outliers": built["outliers"],
                         "seconds_per_topic": built["seconds_per_topic"], **kind_scored(items, verdicts)}
        results["corpora"][corpus] = {"documents": data["documents"], "judges": len(verdicts),
                                      "agreement": agree["accept"], "coherent_agreement": agree["coherent"],
                                      "fits": fits}
        print(corpus, json.dumps(results["corpora"][corpus]))
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    return results


def table() -> str:
    """The documentation's table from bench/results/tight_judged.json."""
    shown = {"default": "split below 0.5 (the default before r13)",
             "tight": "**split below 0.55, members below 0.4 to the outliers (the default since)**"}
    return kinds_table(json.loads(RESULTS.read_text())["corpora"], "fits", "fit", shown, outliers=True)


if __name__ == "__main__":
    judged.round_main(__doc__, CORPORA, build, packets, score, table)
