"""How to weigh a long document's passages into its vector: the beginning alone, the plain mean, or the k-th
passage counting its length over k (``embedders.cache.passage_weights``, what ``long_documents='passages'`` does).

On the corpora of ``bench/bench_long_documents.py`` (manual pages, Python library pages): every passage is
embedded once (int8 all-MiniLM-L6-v2, through the embedding cache), the three document vectors are formed from
them, and the default TopicModel is fitted on each with two seeds; NMI and ARI against the labels. Topic quality
only: no time is measured, so the cache may be warm.

usage: python bench/bench_passage_weighting.py [--out bench/results/passage_weighting.json] [--table]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_fit import read_corpus  # noqa: E402

CORPORA = {"manpages.jsonl.gz": "manual pages", "pydoc.jsonl.gz": "Python library pages"}
SEEDS = (42, 7)
WEIGHTINGS = {"beginning": "the beginning alone (`'truncate'`)", "mean": "the mean of the passages, by length",
              "decay": "the k-th passage counting its length over k (`'passages'`)"}


def document_vectors(docs: list[str]) -> dict[str, np.ndarray]:
    from topiclens.core.knn import normalize
    from topiclens.core.passages import estimate_pieces, passage_spans
    from topiclens.embedders import embed_texts, make_embedder
    from topiclens.embedders.cache import passage_weights
    from topiclens.embedders.common import passage_budget

    embedder = make_embedder("minilm-int8", threads=2)
    pieces, owners, lengths, decayed = [], [], [], []
    for row, doc in enumerate(docs):
        parts = [doc[a:b] for a, b in passage_spans(doc, passage_budget(embedder))]
        pieces += parts
        owners += [row] * len(parts)
        lengths += [max(1, estimate_pieces(p)) for p in parts]
        decayed += passage_weights(parts)
    vectors = embed_texts(pieces, embedder, verbose=False)
    owners = np.array(owners)

    def summed(weights: list[float]) -> np.ndarray:
        total = np.zeros((len(docs), vectors.shape[1]))
        np.add.at(total, owners, vectors * np.array(weights)[:, None])
        return normalize(total.astype(np.float32))

    return {"beginning": embed_texts(docs, embedder, verbose=False), "mean": summed(lengths),
            "decay": summed(decayed)}


def table(path: Path = HERE / "results" / "passage_weighting.json") -> str:
    rows = json.loads(path.read_text())["rows"]
    lines = ["| corpus | a long document's vector | NMI (seeds 42, 7) | ARI (seeds 42, 7) |", "|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {CORPORA[row['corpus']]} | {WEIGHTINGS[row['weighting']]} | "
                     f"{' / '.join(f'{v:.3f}' for v in row['nmi'])} | {' / '.join(f'{v:.3f}' for v in row['ari'])} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "passage_weighting.json")
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    if args.table:
        print(table(args.out))
        return
    from topiclens import TopicModel
    from topiclens.evaluate import agreement

    rows = []
    for corpus in CORPORA:
        docs, gold = read_corpus(HERE / "work" / corpus)
        for weighting, vectors in document_vectors(docs).items():
            scores = [agreement(gold, TopicModel(embedding_model="minilm-int8", seed=seed, threads=2, verbose=False,
                                                 language="en", layout="none").fit(docs, embeddings=vectors).topics_)
                      for seed in SEEDS]
            rows.append({"corpus": corpus, "weighting": weighting, "nmi": [round(s["nmi"], 4) for s in scores],
                         "ari": [round(s["ari"], 4) for s in scores]})
            print(json.dumps(rows[-1]), flush=True)
    args.out.write_text(json.dumps({"seeds": SEEDS, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
