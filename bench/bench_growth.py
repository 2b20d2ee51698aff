"""Growing a model: fit on the older half of the changelog corpus by date, update with the newer half.

usage: python bench/bench_growth.py [--corpus bench/work/changelog_full.jsonl.gz] [--llm qwen2.5-coder-1.5b]

Embeddings are computed beforehand (cached in bench/work/over-time-cache, as bench_over_time.py does)
and given to every fit and update, so the times compare the topic work alone. Reported: documents
that joined existing topics, new topics, outliers, the update's seconds against a full refit on
every document, NMI between the grown model's topics and the refit's (and, for scale, between two
refits that differ only in their seed), and with --llm the LLM calls of an update that labels.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=WORK / "changelog_full.jsonl.gz")
    parser.add_argument("--llm", default="qwen2.5-coder-1.5b", help="labels the new topics ('' to skip)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "growth_changelog.json")
    args = parser.parse_args()
    from topiclens import TopicModel
    from topiclens.embedders import embed_texts, make_embedder
    from topiclens.io.corpus import read_corpus

    corpus = read_corpus(args.corpus)
    vectors = embed_texts(corpus.texts, make_embedder("all-MiniLM-L6-v2"), cache=WORK / "over-time-cache",
                          verbose=False)
    order = np.argsort(np.array([str(t) for t in corpus.column("timestamp")]), kind="stable")
    older, newer = order[: len(order) // 2], order[len(order) // 2:]
    texts = np.array(corpus.texts, dtype=object)

    def model(seed=42, labeler=None):
        return TopicModel(seed=seed, verbose=False, cache=tempfile.mkdtemp(prefix="topiclens-growth-"),
                          labeler=labeler)

    def timed(action):
        start = time.perf_counter()
        result = action()
        return result, time.perf_counter() - start

    grown, fit_seconds = timed(lambda: model().fit(list(texts[older]), embeddings=vectors[older]))
    n_before = len(grown.topic_ids_)
    _, update_seconds = timed(lambda: grown.partial_fit(list(texts[newer]), embeddings=vectors[newer]))
    record = grown.history_[-1]["arguments"]
    everything = np.concatenate([older, newer])
    refit, refit_seconds = timed(lambda: model().fit(list(texts[everything]), embeddings=vectors[everything]))
    other = model(seed=7).fit(list(texts[everything]), embeddings=vectors[everything])
    # the refit's topic of each document the grown model holds (every one, copies of older texts too; a training
    # text's prediction is its fitted topic)
    refit_topics = refit.predict(grown.corpus_.texts)
    newer_rows = np.arange(len(older), len(grown.corpus_))
    result = {"corpus": args.corpus.name, "n_documents": len(corpus), "older": len(older), "newer": len(newer),
              "split_date": str(corpus.column("timestamp")[newer[0]]), "topics_before": n_before,
              "joined": record["joined"], "new_topics": len(record["new_topics"]), "outliers": record["outliers"],
              "topics_after": len(grown.topic_ids_), "fit_older_seconds": round(fit_seconds, 2),
              "update_seconds": round(update_seconds, 2), "refit_seconds": round(refit_seconds, 2),
              "update_to_refit": round(update_seconds / refit_seconds, 3), "refit_topics": len(refit.topic_ids_),
              "nmi_grown_vs_refit": round(normalized_mutual_info_score(refit_topics, grown.topics_), 3),
              "nmi_newer_grown_vs_refit": round(normalized_mutual_info_score(
                  refit_topics[newer_rows], grown.topics_[newer_rows]), 3),
              "already_in_model": record["already_in_model"], "copies": record["copies"],
              "nmi_refit_vs_refit_other_seed": round(normalized_mutual_info_score(refit.topics_, other.topics_), 3),
              "threads": os.environ.get("TOPICLENS_THREADS"), "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d")}
    print(json.dumps(result), flush=True)
    if args.llm:
        labeled = model(labeler=args.llm).fit(list(texts[older]), embeddings=vectors[older])
        calls_fit = labeled.label_stats_.get("llm_calls", 0)
        labels_before = list(labeled.labels_)
        _, seconds = timed(lambda: labeled.partial_fit(list(texts[newer]), embeddings=vectors[newer]))
        done = labeled.history_[-1]
        result["llm"] = {"spec": args.llm, "fit_calls": calls_fit, "update_new_topics": len(done["labeled"]),
                         "update_llm_calls": done["llm_calls"], "update_reasked": done["reasked"],
                         "update_cached": done["cached"], "update_seconds_with_labels": round(seconds, 1),
                         "existing_labels_kept": [labeled.labels_[labeled.fitted_.position(t)] for t in
                                                  range(len(labels_before))] == labels_before}
        print(json.dumps(result["llm"]), flush=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
