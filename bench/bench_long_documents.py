"""Long documents: topics of documents read whole (from all their passages) against their beginning only.

Two corpora of long real documents, built from the machine: its English manual pages (``bench/manpages_corpus.py``:
about a thousand pages of 250-5,000 words, labelled by the Debian section of their package) and the pages of
the Python 3.11 Library Reference (``bench/pydoc_corpus.py``: 231 pages, median about 1,600 words, labelled by
chapter); all-MiniLM-L6-v2 reads 256 word pieces, about 1,000 characters. Each reading runs in its own process
from raw text with an empty embedding cache (``TOPICLENS_CACHE`` a new folder): the same TopicModel (int8
all-MiniLM-L6-v2, seed 42, 2 threads) with ``long_documents='truncate'``, ``'passages'`` and ``'split'`` (a
document's topic then is the topic of most of its text, from ``topic_mixture_``); scored alike (NMI/ARI against
the labels, NPMI and C_v of the top-10 words, time from text to topics, peak memory).

usage: python bench/bench_long_documents.py [--corpus bench/work/manpages.jsonl.gz] [--table]
                                            [--out bench/results/long_documents.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_fit import peak_rss_mb, read_corpus, score  # noqa: E402

READINGS = ("truncate", "passages", "split")


def worker(reading: str, corpus: Path) -> None:
    from topiclens import TopicModel

    docs, _ = read_corpus(corpus)
    before = peak_rss_mb()
    model = TopicModel(embedding_model="minilm-int8", long_documents=reading, seed=42, threads=2, verbose=False,
                       language="en")
    start = time.perf_counter()
    model.fit(docs)
    seconds = time.perf_counter() - start
    topics = model.document_topics_  # with 'split': the topic most of a document's text is in
    print(json.dumps({"name": reading, "fit_seconds": seconds, "represent_seconds": model.timings_["represent"],
                      "stage_seconds": {k: round(v, 2) for k, v in model.timings_.items()},
                      "units": len(model.topics_), "model_topics": len(model.topic_ids_), "topics": topics.tolist(),
                      "topic_words": [[w for w, _ in kw] for kw in model.keywords_],
                      "long_documents": model.long_documents_, "peak_rss_mb": round(peak_rss_mb(), 1),
                      "rss_before_fit_mb": round(before, 1)}))


CORPORA = {"manpages.jsonl.gz": "manual pages", "pydoc.jsonl.gz": "Python library pages"}


def table(path: Path = HERE / "results" / "long_documents.json") -> str:
    """The documentation's table: one row per corpus and reading."""
    reports = json.loads(path.read_text())["corpora"]
    names = {"truncate": "beginning (`'truncate'`)", "passages": "whole (`'passages'`)",
             "split": "passages as units (`'split'`)"}
    lines = ["| corpus | read | topics | NMI | ARI | NPMI | C_v | seconds, text to topics | peak MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for corpus, report in reports.items():
        what = (f"{CORPORA.get(corpus, corpus)}: {report['n_documents']:,}, {report['n_gold_labels']} labels, "
                f"median {report['median_word_pieces']:,} pieces")
        for row in report["results"]:
            lines.append(f"| {what} | {names[row['name']]} | {row['n_topics']} | {row['nmi']:.3f} | {row['ari']:.3f} | "
                         f"{row['npmi']:.3f} | {row['c_v']:.3f} | {row['fit_seconds']:.0f} | "
                         f"{row['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=HERE / "work" / "manpages.jsonl.gz")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "long_documents.json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--table", action="store_true", help="print the documentation's table from --out")
    args = parser.parse_args()
    if args.table:
        print(table(args.out))
        return
    if args.worker:
        worker(args.worker, args.corpus)
        return
    if not args.corpus.exists():
        raise SystemExit(f"{args.corpus} is missing: build it with python bench/manpages_corpus.py {args.corpus}")
    docs, gold = read_corpus(args.corpus)
    from topiclens.core.passages import estimate_pieces
    from topiclens.evaluate import tokenize_for_coherence

    tokens = tokenize_for_coherence(docs, "english", "en")
    rows = []
    for reading in READINGS:
        print(f"running {reading} ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as cold_cache:
            done = subprocess.run([sys.executable, __file__, "--worker", reading, "--corpus", str(args.corpus)],
                                  capture_output=True, text=True,
                                  env={**os.environ, "PYTHONWARNINGS": "ignore", "TOPICLENS_CACHE": cold_cache,
                                       "TOPICLENS_THREADS": "2"})
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{reading} failed")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        row = score(result, gold, tokens)
        row["long_documents"] = result["long_documents"]
        row["units"], row["n_topics"] = result["units"], result["model_topics"]  # the model's, not the documents'
        row["n_main_topics"] = len(set(result["topics"]) - {-1})
        print(json.dumps({k: v for k, v in row.items() if k not in ("params", "stage_seconds")}), file=sys.stderr)
        rows.append(row)
    pieces = sorted(estimate_pieces(d) for d in docs)
    report = {"corpus": args.corpus.name, "n_documents": len(docs), "n_gold_labels": len(set(gold)),
              "median_word_pieces": pieces[len(pieces) // 2],
              "longer_than_read": round(sum(p > 254 for p in pieces) / len(pieces), 3),
              "embedding_model": "minilm-int8", "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                                            "threads": 2},
              "date": time.strftime("%Y-%m-%d"), "results": rows}
    reports = json.loads(args.out.read_text())["corpora"] if args.out.exists() else {}
    reports[args.corpus.name] = report
    args.out.write_text(json.dumps({"corpora": reports}, indent=1) + "\n")
    print(f"written {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
