"""Embedding backends on the Debian corpus: speed, closeness to fp32 MiniLM, and the topics they lead to.

Three phases (all by default), each merged into the results file:

- speed: a fixed sample of documents, split into chunks; in every round each backend embeds the
  same chunk, in an order rotated from round to round, so that the load of other processes on a
  shared machine falls on all of them alike. Throughput = documents (and MiniLM word pieces,
  truncated at 256) per second of wall time; the speed-up is the median over rounds of the
  ratio to fp32 sentence-transformers MiniLM in the same round.
- embed: every document embedded by each backend (saved as bench/work/debian_full.<backend>.npy;
  fp32 MiniLM's are the precomputed bench/work/debian_full.minilm.npy), cosine to fp32 MiniLM row
  by row, and the overlap of each document's 10 nearest neighbours with fp32 MiniLM's (on a sample).
- topics: the default TopicModel pipeline on each backend's embeddings: NMI/ARI against the gold
  sections and NPMI of the top-10 keywords (topiclens.evaluate).

usage: python bench/bench_embed.py [--phase speed|embed|topics|all] [--only BACKEND ...] [--threads 2]
                                   [--rounds 4] [--chunk 500] [--out bench/results/embed_debian.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
CORPUS = WORK / "debian_full.jsonl.gz"
FP32 = "minilm-fp32"
BACKENDS = {  # name in the table -> the embedding_model setting (a name, or for one the object with its knob)
    FP32: "all-MiniLM-L6-v2",
    "minilm-onnx": "minilm-onnx",
    "minilm-int8": "minilm-int8",
    "minilm-int8-128": {"quantized": True, "max_seq_length": 128},  # OnnxMiniLMEmbedder(...)
    "use-multilingual": "use-multilingual",
    "minilm-static": "minilm-static",
}
MINILM_DERIVED = {FP32, "minilm-onnx", "minilm-int8", "minilm-int8-128", "minilm-static"}

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def read_corpus(path: Path) -> tuple[list[str], list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    return [r["text"] for r in records], [r["label"] for r in records]


def embeddings_path(name: str) -> Path:
    return WORK / ("debian_full.minilm.npy" if name == FP32 else f"debian_full.{name}.npy")


def word_pieces(texts: list[str]) -> np.ndarray:
    """MiniLM word pieces per text, [CLS] and [SEP] included, truncated at 256 (what the model reads)."""
    from topiclens.embedders.common import bundled_minilm_path, cut, minilm_tokenizer

    tokenizer = minilm_tokenizer(bundled_minilm_path(), 256, pad=False)
    return np.array([len(e.ids) for e in tokenizer.encode_batch(cut(texts, 256))])


def embedder(name: str, threads: int):
    from topiclens.embedders import OnnxMiniLMEmbedder, make_embedder

    spec = BACKENDS[name]
    if isinstance(spec, dict):
        return OnnxMiniLMEmbedder(**spec, threads=threads)
    return make_embedder(spec, threads=threads)


def phase_speed(names: list[str], docs: list[str], args) -> dict:
    """Interleaved rounds on a fixed sample; the median per-round ratio to fp32 MiniLM."""
    rng = np.random.default_rng(0)
    sample = [docs[i] for i in rng.choice(len(docs), args.rounds * args.chunk, replace=False)]
    pieces = word_pieces(sample)
    models = {name: embedder(name, args.threads) for name in names}
    for name, model in models.items():  # load, build (first use) and warm up outside the clock
        start = time.perf_counter()
        model.encode(docs[:32])
        print(f"{name}: ready in {time.perf_counter() - start:.1f} s", flush=True)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for r in range(args.rounds):
        chunk = sample[r * args.chunk:(r + 1) * args.chunk]
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            calls, start = 0, time.perf_counter()
            while True:  # fast backends repeat the chunk until a second has passed
                models[name].encode(chunk)
                calls += 1
                elapsed = time.perf_counter() - start
                if elapsed >= 1.0:
                    break
            seconds[name].append(elapsed / calls)
        print(f"round {r + 1}/{args.rounds}: " + ", ".join(f"{n} {seconds[n][-1]:.2f} s" for n in names), flush=True)
    out = {}
    for name in names:
        per_round = np.array(seconds[name])
        docs_per_s = args.chunk / per_round
        tokens_per_s = np.array([pieces[r * args.chunk:(r + 1) * args.chunk].sum() for r in range(args.rounds)]) \
            / per_round
        entry = {"seconds_per_round": [round(float(s), 3) for s in per_round],
                 "docs_per_s": round(float(np.median(docs_per_s)), 1),
                 "tokens_per_s": round(float(np.median(tokens_per_s)), 0)}
        if FP32 in seconds:
            entry["speedup_vs_fp32"] = round(float(np.median(np.array(seconds[FP32]) / per_round)), 2)
        out[name] = entry
    return {"sample": len(sample), "rounds": args.rounds, "chunk": args.chunk, "threads": args.threads,
            "mean_word_pieces": round(float(pieces.mean()), 1), "backends": out}


def knn_overlap(a: np.ndarray, b: np.ndarray, k: int = 10, n: int = 3000) -> float:
    """Mean share of each document's k nearest neighbours (cosine) that two embeddings agree on."""
    rng = np.random.default_rng(1)
    idx = rng.choice(len(a), min(n, len(a)), replace=False)

    def neighbours(x: np.ndarray) -> np.ndarray:
        x = x[idx] / np.linalg.norm(x[idx], axis=1, keepdims=True).clip(1e-12)
        sims = x @ x.T
        np.fill_diagonal(sims, -np.inf)
        return np.argpartition(-sims, k, axis=1)[:, :k]

    na, nb = neighbours(a), neighbours(b)
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(na, nb)]))


def phase_embed(names: list[str], docs: list[str], args) -> dict:
    from topiclens.embedders import embed_texts

    reference = np.load(embeddings_path(FP32))
    out = {}
    for name in names:
        path = embeddings_path(name)
        entry: dict = {}
        if not path.exists():
            start = time.perf_counter()
            vectors = embed_texts(docs, embedder(name, args.threads), cache=WORK / "embedding-cache", desc=name)
            entry["full_corpus_seconds"] = round(time.perf_counter() - start, 1)
            np.save(path, vectors)
        vectors = np.load(path)
        entry["dim"] = int(vectors.shape[1])
        if name in MINILM_DERIVED and vectors.shape[1] == reference.shape[1]:
            entry["cosine_to_fp32"] = round(float(np.mean(np.sum(vectors * reference, axis=1))), 4)
        entry["knn10_overlap_with_fp32"] = round(knn_overlap(vectors, reference), 3)
        print(f"{name}: {entry}", flush=True)
        out[name] = entry
    return out


def phase_topics(names: list[str], docs: list[str], gold: list[str], args) -> dict:
    from topiclens import TopicModel
    from topiclens.evaluate import agreement, coherence, tokenize_for_coherence, unigrams

    tokens = tokenize_for_coherence(docs)
    out = {}
    for name in names:
        model = TopicModel(embedding_model=embedder(name, args.threads), threads=args.threads, verbose=False,
                           layout="none")
        start = time.perf_counter()
        model.fit(docs, embeddings=np.load(embeddings_path(name)))
        fit_seconds = time.perf_counter() - start
        words = [unigrams([w for w, _ in kw], 10) for kw in model.keywords_]
        npmi = coherence(words, tokens, "c_npmi", processes=args.threads)
        topics = np.asarray(model.topics_)
        out[name] = {"n_topics": int(len(set(topics.tolist()) - {-1})),
                     **{k: round(v, 4) for k, v in agreement(gold, topics).items()},
                     "npmi": round(float(np.nanmean(npmi)), 4), "fit_seconds": round(fit_seconds, 1)}
        print(f"{name}: {out[name]}", flush=True)
    return out


def table(report: dict) -> str:
    """The README's markdown table."""
    speed = report.get("speed", {}).get("backends", {})
    embed, topics = report.get("embed", {}), report.get("topics", {})

    def cell(value, fmt: str) -> str:
        return "—" if value is None else format(value, fmt)

    lines = ["| backend | dim | docs/s | tokens/s | × fp32 speed | cosine to fp32 | 10-NN overlap | topics "
             "| NMI | ARI | NPMI |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name in BACKENDS:
        s, e, t = speed.get(name, {}), embed.get(name, {}), topics.get(name, {})
        if not (s or e or t):
            continue
        lines.append(f"| {name} | {cell(e.get('dim'), 'd')} | {cell(s.get('docs_per_s'), ',.0f')} "
                     f"| {cell(s.get('tokens_per_s'), ',.0f')} | {cell(s.get('speedup_vs_fp32'), '.2f')} "
                     f"| {cell(e.get('cosine_to_fp32'), '.4f')} | {cell(e.get('knn10_overlap_with_fp32'), '.3f')} "
                     f"| {cell(t.get('n_topics'), 'd')} | {cell(t.get('nmi'), '.3f')} | {cell(t.get('ari'), '.3f')} "
                     f"| {cell(t.get('npmi'), '.3f')} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", choices=["speed", "embed", "topics", "all"], default="all")
    parser.add_argument("--only", nargs="*", choices=sorted(BACKENDS), help="backends (default: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--chunk", type=int, default=500, help="documents per backend per round")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "embed_debian.json")
    args = parser.parse_args()
    os.environ["TOPICLENS_THREADS"] = str(args.threads)
    names = [n for n in BACKENDS if not args.only or n in args.only]
    docs, gold = read_corpus(CORPUS)
    report = json.loads(args.out.read_text()) if args.out.exists() else {}
    import onnxruntime
    import torch

    report.update(corpus=CORPUS.name, n_documents=len(docs), n_gold_labels=len(set(gold)),
                  date=time.strftime("%Y-%m-%d"),
                  machine={"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
                           "python": platform.python_version(), "torch": torch.__version__,
                           "onnxruntime": onnxruntime.__version__})
    phases = ["speed", "embed", "topics"] if args.phase == "all" else [args.phase]
    for phase in phases:
        if phase == "speed":
            if args.only and FP32 not in names:
                names_speed = [FP32, *names]  # the ratio needs fp32 in the same rounds
            else:
                names_speed = names
            report["speed"] = phase_speed(names_speed, docs, args)
        elif phase == "embed":
            report.setdefault("embed", {}).update(phase_embed(names, docs, args))
        else:
            report.setdefault("topics", {}).update(phase_topics(names, docs, gold, args))
        report[f"{phase}_date"] = time.strftime("%Y-%m-%d")  # phases may be rerun on their own
        # Merge into the file as it is now (another phase may have run meanwhile in another process).
        saved = json.loads(args.out.read_text()) if args.out.exists() else {}
        for key, value in report.items():
            if isinstance(value, dict) and key in ("embed", "topics"):
                saved.setdefault(key, {}).update(value)
            else:
                saved[key] = value
        report = saved
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    print()
    print(table(report))


if __name__ == "__main__":
    main()
