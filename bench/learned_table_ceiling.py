"""A probe for issue 32: how close can a word-piece table come to its teacher's topics at best?

Today's default fit (the same settings and seed as every benchmark; embeddings given) on the Debian corpus, on three
sets of vectors: the teacher's (int8 all-MiniLM-L6-v2, ``bench/work/debian_full.minilm-int8.npy``, made by
``bench/bench_fit.py``), the learned table as ``embedding_model='learned'`` trains it (the teacher embeds a tenth of
the corpus), and a table trained by the same code on every text of the corpus (the teacher's vectors of all of them:
the most a table of the teacher's word pieces can be taught here, at the cost of the teacher's full run). NMI and the
outlier share against the sections; the mean cosine of each table's vectors to the teacher's.

usage: python bench/learned_table_ceiling.py [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_fit import read_corpus  # noqa: E402

WORK = HERE / "work"
RESULTS = HERE / "results" / "learned_table_ceiling.json"


def unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-12)


def main() -> None:
    from topiclens import TopicModel
    from topiclens.embedders.learned import LearnedEmbedder, trained_table
    from topiclens.evaluate import agreement

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    threads = parser.parse_args().threads
    docs, sections = read_corpus(WORK / "debian_full.jsonl.gz")
    teacher = np.load(WORK / "debian_full.minilm-int8.npy")
    learned = LearnedEmbedder(threads=threads)
    learned.learn(docs, verbose=False)
    every = LearnedEmbedder(threads=threads)
    every.use_table(trained_table(list(dict.fromkeys(t for t in docs if t.strip())), seed=42, max_seq_length=256,
                                  threads=threads, cache=True, verbose=False, what="every text"))
    results: dict = {"corpus": "debian_full", "documents": len(docs), "threads": threads, "fits": {}}
    for name, vectors in (("teacher (minilm-int8)", teacher), ("learned (default sample)", learned.encode(docs)),
                          ("table trained on every text", every.encode(docs))):
        clock = time.perf_counter()
        model = TopicModel(seed=42, threads=threads, layout="none", verbose=False,
                           embedding_model="minilm-int8").fit(docs, embeddings=vectors)
        found = agreement(sections, model.topics_)
        results["fits"][name] = {"nmi": round(found["nmi"], 4), "outliers": round(found["outlier_fraction"], 4),
                                 "topics": len(model.topic_ids_),
                                 "cosine_to_teacher": round(float(np.mean(np.sum(unit(vectors) * unit(teacher),
                                                                                 axis=1))), 4),
                                 "fit_seconds": round(time.perf_counter() - clock, 1)}
        print(name, results["fits"][name], flush=True)
    results["date"] = time.strftime("%Y-%m-%d")
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
