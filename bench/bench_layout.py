"""The document map's layouts compared on the Debian corpus: time, and how well the map shows the structure.

Each layout runs in a fresh process (numba's start-up for UMAP counts, as it does for a user), fitting
the default model on the same embeddings; only the layout differs, so the topics are the same. The
parent scores every map the same way:

- gold 10-NN: the share of documents whose archive section is the majority among their 10 nearest
  points on the map (how well real structure, which the model never saw, shows on the map);
- topic 10-NN: the same with the model's topics (how well topics separate on the map);
- neighbours kept: the mean share of each document's 15 nearest neighbours by cosine in the
  embedding space that are among its 15 nearest on the map (local structure, UMAP's strength).

usage: python bench/bench_layout.py [--only NAME ...] [--out bench/results/layout_debian.json] [--table]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
LAYOUTS = {  # name -> the layout argument, as code for the child process
    "umap": "'umap'",
    "umap-30-epochs": "UMAPLayout(n_epochs=30)",
    "topics": "'topics'",
    "topics-20-epochs": "TopicLayout(n_epochs=20)",
    "topics-no-forces": "TopicLayout(n_epochs=0)",
    "pca": "'pca'",
}
CHILD = """
import json, sys, time, numpy as np
from topiclens import TopicModel, TopicLayout, UMAPLayout
texts = json.load(open(sys.argv[1]))
model = TopicModel(layout={layout}, threads={threads}, verbose=False, cache=False)
model.fit(texts, embeddings=sys.argv[2])
np.save(sys.argv[3], model.layout_)
np.save(sys.argv[4], model.topics_)
print(json.dumps(model.timings_))
"""


def knn_share(coords: np.ndarray, labels: np.ndarray, k: int = 10) -> float:
    """Share of points whose label is the majority among their k nearest other points."""
    from sklearn.neighbors import NearestNeighbors

    _, near = NearestNeighbors(n_neighbors=k + 1).fit(coords).kneighbors(coords)
    votes = labels[near[:, 1:]]
    hits = [Counter(row.tolist()).most_common(1)[0][0] == label for row, label in zip(votes, labels)]
    return float(np.mean(hits))


def kept_neighbours(coords: np.ndarray, space_neighbours: np.ndarray) -> float:
    from sklearn.neighbors import NearestNeighbors

    k = space_neighbours.shape[1]
    _, near = NearestNeighbors(n_neighbors=k + 1).fit(coords).kneighbors(coords)
    near = near[:, 1:]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(near.tolist(), space_neighbours.tolist())]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=WORK / "debian_full.jsonl.gz")
    parser.add_argument("--embeddings", type=Path, default=WORK / "debian_full.minilm.npy")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "layout_debian.json")
    parser.add_argument("--table", action="store_true", help="print the README table from --out and stop")
    args = parser.parse_args()
    if args.table:
        report = json.loads(args.out.read_text())
        print("| layout | seconds (fresh process) | gold 10-NN | topic 10-NN | neighbours kept |")
        print("|---|---|---|---|---|")
        for row in report["results"]:
            print(f"| {row['name']} | {row['seconds']:.2f} | {row['gold_knn']:.3f} | {row['topic_knn']:.3f} | "
                  f"{row['neighbours_kept']:.3f} |")
        return
    if not args.corpus.exists() or not args.embeddings.exists():
        raise SystemExit(f"{args.corpus} and {args.embeddings} are needed: run bench/bench_fit.py once")
    with gzip.open(args.corpus, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    texts, gold = [r["text"] for r in records], np.array([r["label"] for r in records])

    from topiclens.core.knn import cosine_knn, normalize

    vectors = normalize(np.load(args.embeddings))
    space_neighbours = cosine_knn(vectors, vectors, 15, exclude_self=True).neighbours
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus_file = Path(tmp) / "texts.json"
        corpus_file.write_text(json.dumps(texts))
        for name, layout in LAYOUTS.items():
            if args.only and name not in args.only:
                continue
            coords_file, topics_file = Path(tmp) / f"{name}.npy", Path(tmp) / f"{name}.topics.npy"
            code = CHILD.format(layout=layout, threads=args.threads)
            done = subprocess.run([sys.executable, "-c", code, str(corpus_file), str(args.embeddings),
                                   str(coords_file), str(topics_file)], stdout=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONWARNINGS": "ignore"}, check=True)
            timings = json.loads(done.stdout.strip().splitlines()[-1])
            coords, topics = np.load(coords_file), np.load(topics_file)
            row = {"name": name, "seconds": round(timings["layout"], 2),
                   "gold_knn": round(knn_share(coords, gold), 4), "topic_knn": round(knn_share(coords, topics), 4),
                   "neighbours_kept": round(kept_neighbours(coords, space_neighbours), 4),
                   "n_topics": int(topics.max()) + 1}
            print(json.dumps(row), flush=True)
            results.append(row)
    report = {"corpus": args.corpus.name, "n_documents": len(texts), "threads": args.threads,
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
              "date": time.strftime("%Y-%m-%d"), "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
