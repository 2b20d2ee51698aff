"""How a big fit would split across a Dask cluster, projected from a measured one-worker run.

bench/bench_million.py --dask-workers 1 runs the fit with its chunked stages (assigning documents,
counting words) on a dask LocalCluster worker (one thread) and records, from the scheduler's task
stream, the seconds the worker spent computing each chunk function. For each chunked stage, that
is the part P that N workers share; the rest of the stage, S, is the client's (reading the rows,
sending each chunk, receiving and checkpointing the results). Every other stage runs on the client
whatever the cluster. A stage then takes S + P / N. For a corpus M times as large, every chunked
part is multiplied by M (each is linear in the documents); the client's other work is measured on a
single-machine run of the larger corpus (--base), or multiplied by M when there is none.
Assumptions: workers each as fast as one of these cores, a network that moves the chunks as fast
as the loopback did, the client on a machine like this one, and no worker failures.

usage: python bench/dask_projection.py [RUN.json] [--scale 10] [--base TEN.json] [--workers 1 2 4 8 16 32]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHUNKED = {"assign": "assign_chunk", "keywords_all": "count_chunk"}  # stage -> its chunk function


def split(run: dict) -> dict[str, tuple[float, float]]:
    """Per chunked stage: (the client's seconds, the worker's seconds)."""
    parts = {}
    for stage, function in CHUNKED.items():
        work = run["worker_compute_seconds"][function]
        parts[stage] = (max(run["stage_seconds"][stage] - work, 0.0), work)
    return parts


def client_seconds(run: dict) -> float:
    """Wall time outside the chunked stages: reading, the sample's clustering, the map, saving."""
    return run["wall_seconds"] - sum(run["stage_seconds"][s] for s in CHUNKED)


def project(run: dict, workers: list[int], scale: float, base: dict | None = None) -> list[dict]:
    parts = split(run)
    client = client_seconds(base) if base is not None else scale * client_seconds(run)
    rows = []
    for n in workers:
        chunked = scale * sum(serial + parallel / n for serial, parallel in parts.values())
        rows.append({"workers": n, "minutes": round((client + chunked) / 60, 1),
                     "chunked_minutes": round(chunked / 60, 1)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", nargs="?", type=Path, default=HERE / "results" / "million_dask1.json")
    parser.add_argument("--scale", type=float, default=10.0, help="corpus size as a multiple of the measured one")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32])
    parser.add_argument("--base", type=Path, default=None, help="a single-machine run on the larger corpus")
    args = parser.parse_args()
    run = json.loads(args.run.read_text())
    base = json.loads(args.base.read_text()) if args.base else None
    for stage, (serial, parallel) in split(run).items():
        print(f"{stage}: {run['stage_seconds'][stage]} s = {serial:.1f} s on the client + {parallel:.1f} s of "
              f"worker compute ({run['n_documents']:,} documents)")
    if base is not None:
        print(f"client's other work on the single-machine run of {base['n_documents']:,}: "
              f"{client_seconds(base) / 60:.1f} min")
    documents = round(run["n_documents"] * args.scale)
    print(f"\n| workers | {documents:,} documents: wall minutes | of which the chunked stages |")
    print("|---|---|---|")
    for row in project(run, args.workers, args.scale, base):
        print(f"| {row['workers']} | {row['minutes']} | {row['chunked_minutes']} |")


if __name__ == "__main__":
    main()
