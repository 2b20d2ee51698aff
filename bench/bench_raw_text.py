"""From raw text to topics, as one process each: the teacher (int8 MiniLM), the table learned from the corpus, and
BERTopic's defaults, on the Debian corpus; and a million raw documents.

Each system runs in its own process with an empty cache (the one-time builds a first use makes, the int8 ONNX
file and the teacher's word-piece vectors, are copied in beforehand and not timed), from the texts to fitted
topics with keywords, KeyBERT/MMR words, representative documents and the map; no LLM labels. The parent scores
every result as ``bench_fit`` does (NMI/ARI against the archive sections, NPMI and C_v of the top-10 words).

- ``debian``: the 29,351 package descriptions. ``minilm-int8`` and ``learned`` are topiclens with that
  ``embedding_model`` (nothing else changed); ``bertopic`` is BERTopic 0.17's defaults with the bundled
  all-MiniLM-L6-v2 given as its sentence-transformers model (its default names the same model on the hub), UMAP
  and HDBSCAN seeded as in ``bench_fit``. ``learned`` also records the embedding step alone: the trained table
  embedding every text again (tokenizing included), in documents a second.
- ``million``: ``bench_million``'s corpus (the Debian corpus repeated to 1,000,000 texts, every copy after the
  first with each word dropped with probability 0.1; its vectors are not used), fitted by ``topiclens fit`` from
  the texts with ``embedding_model='auto'``, which chooses the learned table at this size.

usage: python bench/bench_raw_text.py debian [--only NAME ...] | million [--n 1000000]
Results: bench/results/raw_text.json (each part under its own key).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_fit import WORK, bertopic_vectorizer, ensure_inputs, peak_rss_mb, read_corpus, score  # noqa: E402

RESULTS = HERE / "results" / "raw_text.json"
SYSTEMS = ("bertopic", "minilm-int8", "learned")
PREBUILT = ("all-MiniLM-L6-v2.int8.v1.onnx", "all-MiniLM-L6-v2.raw.v1.npy")  # one-time builds, not timed


def run_topiclens(name: str, docs: list[str]) -> dict:
    import numpy as np

    from topiclens import TopicModel

    model = TopicModel(embedding_model=name, seed=42, verbose=False)
    start = time.perf_counter()
    model.fit(docs)
    seconds = time.perf_counter() - start
    result = {"fit_seconds": seconds, "stage_seconds": {k: round(v, 2) for k, v in model.timings_.items()},
              "topics": np.asarray(model.topics_).tolist(),
              "topic_words": [[w for w, _ in kw] for kw in model.keywords_],
              "embedder": str(model.embedding_model_)}
    if name == "learned":  # the embedding step alone, warm (the teacher's speed: bench_embed)
        clock = time.perf_counter()
        model.embedding_model_.encode(docs)
        result["embed_docs_per_second"] = round(len(docs) / (time.perf_counter() - clock))
    return result


def run_bertopic(docs: list[str]) -> dict:
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from sentence_transformers import SentenceTransformer
    from umap import UMAP

    from topiclens.embedders import bundled_minilm_path

    model = BERTopic(embedding_model=SentenceTransformer(str(bundled_minilm_path()), device="cpu"),
                     umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42),
                     hdbscan_model=HDBSCAN(min_cluster_size=10, metric="euclidean", cluster_selection_method="eom",
                                           prediction_data=True),
                     vectorizer_model=bertopic_vectorizer("en"))
    start = time.perf_counter()
    topics, _ = model.fit_transform(docs)
    seconds = time.perf_counter() - start
    ids = sorted(t for t in set(topics) if t >= 0)
    return {"fit_seconds": seconds, "topics": [int(t) for t in topics],
            "topic_words": [[w for w, _ in model.get_topic(t)] for t in ids], "embedder": "all-MiniLM-L6-v2 (fp32)"}


def worker(name: str, corpus: Path) -> None:
    docs, _ = read_corpus(corpus)
    result = run_bertopic(docs) if name == "bertopic" else run_topiclens(name, docs)
    result.update(name=name, peak_rss_mb=round(peak_rss_mb(), 1), rss_before_fit_mb=0.0)
    print(json.dumps(result))


def cold_cache(root: str) -> dict[str, str]:
    """An empty topiclens cache with the one-time builds copied in; the environment that uses it."""
    from topiclens.embedders.common import models_dir

    target = Path(root) / "models"
    target.mkdir(parents=True)
    for name in PREBUILT:
        if (models_dir() / name).exists():
            shutil.copy(models_dir() / name, target / name)
    return {**os.environ, "PYTHONWARNINGS": "ignore", "TOPICLENS_CACHE": root}


def debian(only: list[str] | None) -> dict:
    corpus = WORK / "debian_full.jsonl.gz"
    ensure_inputs(corpus, WORK / "debian_full.minilm-int8.npy", "en")
    docs, gold = read_corpus(corpus)
    from topiclens.evaluate import tokenize_for_coherence

    tokens = tokenize_for_coherence(docs, "english", "en")
    rows = []
    for name in only or SYSTEMS:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as root:
            done = subprocess.run([sys.executable, __file__, "--worker", name, "--corpus", str(corpus)],
                                  capture_output=True,
                                  text=True, env=cold_cache(root))
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{name} failed")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        row = {**score(result, gold, tokens), "embedder": result["embedder"]}
        row.pop("rss_before_fit_mb", None)
        for key in ("embed_docs_per_second", "stage_seconds"):
            if key in result:
                row[key] = result[key]
        print(json.dumps({k: v for k, v in row.items() if k != "stage_seconds"}), file=sys.stderr, flush=True)
        rows.append(row)
    return {"corpus": corpus.name, "n_documents": len(docs), "n_gold_labels": len(set(gold)), "results": rows}


def million(n: int) -> dict:
    import numpy as np
    import pyarrow.parquet as pq
    from bench_million import build

    from topiclens.evaluate import agreement
    from topiclens.store.modeldir import data_folder

    corpus = WORK / f"million_{n}.parquet"
    if not corpus.exists():
        build(n, corpus, WORK / f"million_{n}.npy", WORK / "debian_full.jsonl.gz", WORK / "debian_full.minilm-int8.npy",
              "float32")
    model_dir, work_dir = WORK / f"raw_{n}.model", WORK / f"raw_{n}.chunks"
    shutil.rmtree(model_dir, ignore_errors=True)
    shutil.rmtree(work_dir, ignore_errors=True)
    command = [sys.executable, "-m", "topiclens", "fit", str(corpus), "--out", str(model_dir), "--no-llm", "--json",
               "--embedding-model", "auto", "--sample-size", "100000", "--chunk-size", "50000",
               "--work-dir", str(work_dir)]
    print(" ".join(command), file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as root:
        clock = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=cold_cache(root))
        seconds = time.perf_counter() - clock
    if done.returncode != 0:
        raise SystemExit(f"topiclens fit failed (exit {done.returncode})")
    fitted = json.loads(done.stdout)
    gold = pq.read_table(corpus, columns=["label"]).column("label").to_pylist()
    manifest = json.loads((model_dir / "topiclens.json").read_text())
    documents = pq.read_table(data_folder(model_dir, manifest) / "documents.parquet", columns=["topic"])
    scores = agreement(gold, documents.column("topic").to_numpy())
    embedder = manifest["embedding_model"]
    return {"n_documents": n, "corpus": f"{corpus.name}: the Debian corpus repeated, each word of every copy after "
            "the first dropped with probability 0.1", "embedder": embedder.get("embedder", embedder)
            if isinstance(embedder, dict) else embedder,
            "wall_seconds": round(seconds, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            "stage_seconds": {k: round(v, 1) for k, v in fitted["timings"].items()}, "n_topics": fitted["n_topics"],
            **{k: round(float(v), 4) for k, v in scores.items()},
            "model_dir_mb": round(sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file()) / 2**20),
            "in_sample": int(np.load(data_folder(model_dir, manifest) / "sample.npy").sum())}


NAMES = {"bertopic": "BERTopic defaults (fp32 MiniLM, UMAP, HDBSCAN)", "minilm-int8": "topiclens, int8 MiniLM",
         "learned": "topiclens, table learned from the corpus"}


EMBEDDER_NAMES = {"LearnedEmbedder": "the learned table"}


def rate(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def table(path: Path = RESULTS) -> str:
    """The results as markdown: the Debian corpus system by system, then the million raw documents."""
    report = json.loads(Path(path).read_text())
    lines = ["| corpus | system | text to topics, s | × BERTopic's time | embedding, docs/s | topics | NMI | NPMI | "
             "peak MB |", "|---|---|---|---|---|---|---|---|---|"]
    part = report.get("debian")
    if part:
        for row in part["results"]:
            ratio = row.get("time_ratio_vs_bertopic")
            lines.append(f"| Debian, {part['n_documents']:,} | {NAMES.get(row['name'], row['name'])} | "
                         f"{row['fit_seconds']:,.0f} | {'1' if ratio is None else f'{ratio:.3f}'} | "
                         f"{rate(row.get('embed_docs_per_second'))} | {row['n_topics']} | {row['nmi']:.3f} | "
                         f"{row['npmi']:.3f} | {row['peak_rss_mb']:,.0f} |")
    big = report.get("million")
    if big:
        lines.append(f"| {big['n_documents']:,} raw (Debian repeated, words dropped) | topiclens, "
                     f"`embedding_model='auto'` (chose {EMBEDDER_NAMES.get(big['embedder'], big['embedder'])}) | "
                     f"{big['wall_seconds']:,.0f} | | | "
                     f"{big['n_topics']} | {big['nmi']:.3f} | | {big['peak_rss_mb']:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", nargs="?", choices=("debian", "million"))
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="*", choices=SYSTEMS)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--table", action="store_true", help="print the results as a markdown table")
    args = parser.parse_args()
    if args.table:
        print(table())
        return
    if args.worker:
        worker(args.worker, args.corpus)
        return
    report = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    part = debian(args.only) if args.part == "debian" else million(args.n)
    if args.part == "debian" and args.only and "debian" in report:  # a rerun of some systems keeps the others
        kept = [r for r in report["debian"]["results"] if r["name"] not in args.only]
        part["results"] = kept + part["results"]
    if args.part == "debian":
        base = next((r for r in part["results"] if r["name"] == "bertopic"), None)
        for row in part["results"]:
            if base is not None and row is not base:
                row["time_ratio_vs_bertopic"] = round(row["fit_seconds"] / base["fit_seconds"], 4)
    part.update(machine={"cpus": os.cpu_count(), "python": platform.python_version(),
                         "threads": os.environ.get("TOPICLENS_THREADS", "all")}, date=time.strftime("%Y-%m-%d"))
    report[args.part] = part
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(part, indent=1))


if __name__ == "__main__":
    main()
