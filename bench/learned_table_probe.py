"""A probe for issue 32 (an embedder learned from the corpus): how close can a static word-piece table, trained on
a sample of the corpus to reproduce the int8 MiniLM's vectors, come to its topics?

Not a product path yet: it measures the recipe before it is built. On the Debian corpus
(``bench/work/debian_full.jsonl.gz`` and the teacher's vectors ``bench/work/debian_full.minilm-int8.npy``, both made
by ``bench/bench_fit.py``):

1. the distilled table: every word piece's mean-pooled MiniLM output (``embedders.static.raw_token_vectors``,
   384 dimensions, no PCA), centred and weighted by SIF as ``minilm-static`` weights it;
2. ``+ linear``: a ridge map from the table's mean vectors to the teacher's vectors, fitted in closed form on the
   training sample and folded into the table (mean pooling is linear, so the table stays a table);
3. ``+ trained``: the folded table trained with torch (``EmbeddingBag``, cosine loss against the teacher's unit
   vectors, Adam, seeded), stopped when the held-out tenth of the sample stops improving.

Each table embeds the whole corpus and the default TopicModel is fitted on those vectors (no embedding model:
no KeyBERT/MMR); NMI and ARI against the sections, the cosine to the teacher on documents outside the sample, and
the table's speed (a sparse product; tokenizing timed apart).

usage: python bench/learned_table_probe.py [--sample 20000] [--lr 0.005] [--epochs 12] [--threads 2]
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
RESULTS = HERE / "results" / "learned_table_probe.json"
RIDGE = 1e-2
BATCH = 128


def distilled_table(threads: int) -> tuple[np.ndarray, object]:
    """The distilled 384-d table (cached in bench/work) and the MiniLM tokenizer."""
    from topiclens.core.runtime import thread_limit
    from topiclens.embedders.common import bundled_minilm_path, minilm_tokenizer
    from topiclens.embedders.static import SIF_COEFFICIENT, is_special_piece, raw_token_vectors

    model_dir = bundled_minilm_path()
    tokenizer = minilm_tokenizer(model_dir, 256, pad=False, threads=threads)
    vocab = [token for token, _ in sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])]
    cached = WORK / "minilm-raw-token-vectors.npy"
    if cached.exists():
        raw = np.load(cached, allow_pickle=False)
    else:
        with thread_limit(threads):
            raw, _ = raw_token_vectors(model_dir)
        np.save(cached, raw)
    keep = np.array([not is_special_piece(t) for t in vocab])
    frequency = 1.0 / np.arange(1, len(vocab) + 1)
    frequency /= frequency.sum()
    table = (raw - raw[keep].mean(axis=0)) * (SIF_COEFFICIENT / (SIF_COEFFICIENT + frequency))[:, None]
    table[~keep] = 0.0
    return table.astype(np.float32), tokenizer


class Pieces:
    """The corpus's word pieces, and tables applied to any of its documents."""

    def __init__(self, texts: list[str], tokenizer, vocabulary: int) -> None:
        clock = time.perf_counter()
        self.ids = [np.asarray(e.ids, dtype=np.int64) for e in tokenizer.encode_batch(texts,
                                                                                      add_special_tokens=False)]
        self.tokenize_per_second = len(texts) / (time.perf_counter() - clock)
        self.vocabulary = vocabulary

    def counts(self, rows: np.ndarray):
        from scipy.sparse import csr_matrix

        lengths = np.array([len(self.ids[i]) for i in rows])
        flat = np.concatenate([self.ids[i] for i in rows])
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        return csr_matrix((np.ones(len(flat), np.float32), flat, indptr), shape=(len(rows), self.vocabulary))

    def embed(self, table: np.ndarray, rows: np.ndarray) -> np.ndarray:
        sums = self.counts(rows) @ table
        return (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def trained(table: np.ndarray, pieces: Pieces, teacher: np.ndarray, train: np.ndarray, held: np.ndarray, *,
            lr: float, epochs: int, seed: int) -> tuple[np.ndarray, list[float]]:
    """``table`` trained toward the teacher's vectors of ``train``; the best table on ``held`` and its curve."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    bag = torch.nn.EmbeddingBag(table.shape[0], table.shape[1], mode="sum")
    bag.weight.data = torch.from_numpy(table.copy())
    optimizer = torch.optim.Adam(bag.parameters(), lr=lr)
    best_table, curve = table, [float(np.mean(np.sum(pieces.embed(table, held) * teacher[held], axis=1)))]
    for _ in range(epochs):
        order = rng.permutation(train)
        for start in range(0, len(order), BATCH):
            rows = [i for i in order[start:start + BATCH] if len(pieces.ids[i])]
            flat = torch.from_numpy(np.concatenate([pieces.ids[i] for i in rows]))
            offsets = torch.from_numpy(np.concatenate([[0], np.cumsum([len(pieces.ids[i]) for i in rows])[:-1]]))
            out = torch.nn.functional.normalize(bag(flat, offsets), dim=1)
            loss = (1 - (out * torch.from_numpy(teacher[rows])).sum(dim=1)).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        current = bag.weight.data.numpy()
        curve.append(float(np.mean(np.sum(pieces.embed(current, held) * teacher[held], axis=1))))
        if curve[-1] > max(curve[:-1]) + 1e-4:
            best_table = current.copy()
        elif len(curve) > 2 and max(curve[-2:]) <= max(curve[:-2]) + 1e-4:
            break  # two epochs without a gain on the held-out tenth
    return best_table, curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    import torch

    from topiclens import TopicModel
    from topiclens.evaluate import agreement

    torch.set_num_threads(args.threads)
    texts, gold = read_corpus(WORK / "debian_full.jsonl.gz")
    teacher = np.load(WORK / "debian_full.minilm-int8.npy", allow_pickle=False).astype(np.float32)
    table, tokenizer = distilled_table(args.threads)
    pieces = Pieces(texts, tokenizer, table.shape[0])
    rng = np.random.default_rng(args.seed)
    sample = rng.choice(len(texts), min(args.sample, len(texts)), replace=False)
    held, train = sample[: len(sample) // 10], sample[len(sample) // 10:]
    unseen = np.setdiff1d(np.arange(len(texts)), sample)
    means = pieces.embed(table, train)
    ridge = np.linalg.solve(means.T @ means + RIDGE * np.eye(means.shape[1]), means.T @ teacher[train])
    linear = (table @ ridge).astype(np.float32)
    clock = time.perf_counter()
    learned, curve = trained(linear, pieces, teacher, train, held, lr=args.lr, epochs=args.epochs, seed=args.seed)
    train_seconds = time.perf_counter() - clock
    everything = np.arange(len(texts))
    rows = []
    for name, vectors in (("teacher (int8 MiniLM)", teacher), ("distilled table", None), ("+ linear", linear),
                          ("+ trained", learned)):
        clock = time.perf_counter()
        embedded = vectors if name.startswith("teacher") else pieces.embed(vectors if vectors is not None else table,
                                                                          everything)
        seconds = time.perf_counter() - clock
        model = TopicModel(embedding_model=None, seed=args.seed, threads=args.threads, verbose=False)
        model.fit(texts, embeddings=embedded)
        scores = agreement(gold, model.topics_)
        row = {"table": name, "nmi": round(scores["nmi"], 4), "ari": round(scores["ari"], 4),
               "topics": len(model.topic_ids_),
               "cosine_unseen": round(float(np.mean(np.sum(embedded[unseen] * teacher[unseen], axis=1))), 4)}
        if not name.startswith("teacher"):
            row["docs_per_second_table"] = round(len(texts) / seconds)
        rows.append(row)
        print(json.dumps(row), flush=True)
    report = {"corpus": "debian_full", "documents": len(texts), "sample": len(sample), "lr": args.lr,
              "seed": args.seed, "threads": args.threads, "train_seconds": round(train_seconds, 1),
              "held_out_cosine_by_epoch": [round(c, 4) for c in curve],
              "tokenize_docs_per_second": round(pieces.tokenize_per_second), "results": rows,
              "date": time.strftime("%Y-%m-%d")}
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
