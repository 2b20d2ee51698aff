"""One million documents on one machine: `topiclens fit` with sample-and-assign, timed and measured.

The corpus is the Debian corpus (29,351 package descriptions) repeated to N documents. Copy 0 of
each description is the original; every further copy drops each word with probability 0.1
(seeded), so no two copies are the same text. Embeddings: copy 0 keeps the description's
all-MiniLM-L6-v2 vector; every further copy gets that vector plus Gaussian noise (sigma 0.02
per dimension, about 0.92 cosine to the original, the spread of a paraphrase), renormalized.
Gold labels are the archive sections, as for the 29k benchmark.

usage: python bench/bench_million.py [--n 1000000] [--sample-size 100000] [--chunk-size 50000]
                                     [--knn auto|exact|approximate] [--dtype float32|float16]
                                     [--out bench/results/million.json]
Ten million: --n 10000000 --dtype float16 --out bench/results/ten_million.json (7.7 GB of embeddings).
It builds bench/work/million_N.parquet and million_N.npy once (memory-mapped when read), then
runs `topiclens fit` in a child process and records wall time, peak RSS and topic quality.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
SIGMA = 0.02
DROP = 0.1


def build(n: int, corpus: Path, embeddings: Path, source: Path, source_vectors: Path, dtype: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from topiclens.io.rowfiles import release_pages

    with gzip.open(source, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    base = np.load(source_vectors, mmap_mode="r")
    m = len(records)
    rng = np.random.default_rng(2026)
    out = np.lib.format.open_memmap(embeddings.with_suffix(".tmp.npy"), mode="w+", dtype=dtype,
                                    shape=(n, base.shape[1]))
    writer = None
    block = 50_000
    for start in range(0, n, block):
        stop = min(start + block, n)
        rows = np.arange(start, stop)
        src, copy = rows % m, rows // m
        texts = []
        for r, c in zip(src, copy):
            words = records[r]["text"].split()
            if c > 0:
                keep = rng.random(len(words)) >= DROP
                words = [w for w, k in zip(words, keep) if k] or words[:1]
            texts.append(" ".join(words))
        vectors = np.asarray(base[src], dtype=np.float32)
        noisy = copy > 0
        vectors[noisy] += rng.normal(0.0, SIGMA, size=(int(noisy.sum()), base.shape[1])).astype(np.float32)
        out[start:stop] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        out.flush()
        release_pages(out)  # let the written pages go: 10M rows do not fit in this process's memory
        table = pa.table({"id": [f"{records[r]['id']}#{c}" for r, c in zip(src, copy)], "text": texts,
                          "label": [records[r]["label"] for r in src]})
        if writer is None:
            writer = pq.ParquetWriter(corpus.with_suffix(".tmp.parquet"), table.schema)
        writer.write_table(table)
        print(f"built {stop:,}/{n:,}", file=sys.stderr, flush=True)
    writer.close()
    out.flush()
    del out
    os.replace(embeddings.with_suffix(".tmp.npy"), embeddings)
    os.replace(corpus.with_suffix(".tmp.parquet"), corpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--sample-size", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=50_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dtype", default="float32", choices=("float32", "float16"),
                        help="the embeddings file's type (float16 halves the file; it stays memory-mapped)")
    parser.add_argument("--knn", default="auto", choices=("auto", "exact", "approximate"),
                        help="how neighbours are found (auto: HNSW for the sample's graph and the assignment)")
    parser.add_argument("--source", type=Path, default=WORK / "debian_full.jsonl.gz")
    parser.add_argument("--source-embeddings", type=Path, default=WORK / "debian_full.minilm.npy")
    parser.add_argument("--dask-workers", type=int, default=0,
                        help="run the chunk steps on a dask LocalCluster of this many one-thread worker processes")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "million.json")
    args = parser.parse_args()
    if not args.source.exists() or not args.source_embeddings.exists():
        raise SystemExit(f"{args.source} and {args.source_embeddings} are needed: run bench/bench_fit.py once")
    tag = f"million_{args.n}" + ("" if args.dtype == "float32" else f"_{args.dtype}")
    corpus, embeddings = WORK / f"{tag}.parquet", WORK / f"{tag}.npy"
    if not corpus.exists() or not embeddings.exists():
        clock = time.perf_counter()
        build(args.n, corpus, embeddings, args.source, args.source_embeddings, args.dtype)
        print(f"corpus built in {time.perf_counter() - clock:.0f} s", file=sys.stderr)
    model_dir = WORK / f"{tag}.model"
    work_dir = WORK / f"{tag}.chunks"
    shutil.rmtree(model_dir, ignore_errors=True)
    shutil.rmtree(work_dir, ignore_errors=True)  # a cold run: no finished chunks to reuse
    command = [sys.executable, "-m", "topiclens", "fit", str(corpus), "--embeddings", str(embeddings),
               "--out", str(model_dir), "--no-llm", "--json", "--threads", str(args.threads),
               "--sample-size", str(args.sample_size), "--chunk-size", str(args.chunk_size),
               "--work-dir", str(work_dir), "--knn", args.knn]
    cluster = None
    if args.dask_workers:
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=args.dask_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, env={"TOPICLENS_THREADS": "1"})
        watcher = Client(cluster)
        started = time.time()
        watcher.get_task_stream(start=started)  # registers the scheduler's task-stream record
        command += ["--dask", cluster.scheduler_address]
    print(" ".join(command), file=sys.stderr)
    clock = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    seconds = time.perf_counter() - clock
    worker_seconds: dict[str, float] = {}
    if cluster is not None:
        # Seconds the workers spent computing each chunk function (the rest of a stage is the client's).
        for task in watcher.get_task_stream(start=started):
            name = task["key"][0] if isinstance(task["key"], tuple) else str(task["key"])
            name = name.split("-", 1)[0]  # the chunk function, without the task's uuid
            busy = sum(s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute")
            worker_seconds[name] = round(worker_seconds.get(name, 0.0) + busy, 1)
        watcher.close()
        cluster.close()
    if done.returncode != 0:
        raise SystemExit(f"topiclens fit failed (exit {done.returncode})")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    fitted = json.loads(done.stdout)

    import pyarrow.parquet as pq

    from topiclens.evaluate import agreement
    from topiclens.store.modeldir import data_folder

    gold = pq.read_table(corpus, columns=["label"]).column("label").to_pylist()
    data = data_folder(model_dir, json.loads((model_dir / "topiclens.json").read_text()))
    documents = pq.read_table(data / "documents.parquet", columns=["topic"]).column("topic").to_numpy()
    sample = np.load(data / "sample.npy")
    report = {
        "n_documents": args.n, "sample_size": args.sample_size, "chunk_size": args.chunk_size,
        "threads": args.threads, "knn": args.knn, "embeddings_dtype": args.dtype,
        "dask_workers": args.dask_workers, "worker_compute_seconds": worker_seconds,
        "wall_seconds": round(seconds, 1), "peak_rss_mb": round(peak_mb),
        "stage_seconds": {k: round(v, 1) for k, v in fitted["timings"].items()},
        "n_topics": fitted["n_topics"], "in_sample": int(sample.sum()),
        **{k: round(v, 4) for k, v in agreement(gold, documents).items()},
        "model_dir_mb": round(sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file()) / 2**20),
        "perturbation": f"word drop p={DROP}, embedding noise sigma={SIGMA}",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "date": time.strftime("%Y-%m-%d"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
