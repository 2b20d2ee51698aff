#!/usr/bin/env python3
"""Cut a fixed sample from a .jsonl.gz corpus: the lines shuffled with a seed, the first N kept.

usage: sample_lines.py IN.jsonl.gz OUT.jsonl.gz N [--seed 0]

The output is written with a fixed gzip header time, so the same input gives the same bytes.
"""
import argparse
import gzip
import random


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with gzip.open(args.source, "rt", encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip()]
    random.Random(args.seed).shuffle(lines)
    kept = lines[: args.n]
    with open(args.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write("".join(kept).encode("utf-8"))
    print(f"{len(kept)} of {len(lines)} lines written to {args.out}")


if __name__ == "__main__":
    main()
