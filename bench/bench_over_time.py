"""Topics over time and per class on the Debian changelog corpus: the seconds of each table against the fit's.

usage: python bench/bench_over_time.py [--corpus bench/work/changelog_full.jsonl.gz] [--out ...]

The corpus is the shared script's (../shared/corpora/changelog_corpus.py, every dated entry of the
changelogs installed here; built into bench/work when missing). One process, one thread setting
($TOPICLENS_THREADS). The model is fitted once on embeddings computed beforehand (cached in bench/work/over-time-cache),
then topics_over_time (by year, and 20 equal periods) and topics_per_class (urgency) are timed: none
refits, each counts the words once. The chart of the six largest topics by year is written as HTML and,
with Debian's chromium, as the PNG the README shows (docs/img/over_time.png).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
SHARED = HERE.parent.parent / "shared" / "corpora" / "changelog_corpus.py"


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def screenshot(html: Path, png: Path, width: int = 1000, height: int = 520) -> bool:
    """The page as a PNG by headless chromium; False when chromium is missing or fails."""
    try:
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--window-size={width},{height}", "--virtual-time-budget=8000", f"--screenshot={png}",
                        html.resolve().as_uri()], check=True, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return False
    return png.exists()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=WORK / "changelog_full.jsonl.gz")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "over_time_changelog.json")
    parser.add_argument("--picture", type=Path, default=HERE.parent / "docs" / "img" / "over_time.png")
    args = parser.parse_args()
    from topiclens import TopicModel
    from topiclens.io.corpus import read_corpus

    if not args.corpus.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(SHARED), str(args.corpus)], check=True)
    corpus = read_corpus(args.corpus)
    from topiclens.embedders import embed_texts, make_embedder

    vectors = embed_texts(corpus.texts, make_embedder("all-MiniLM-L6-v2"), cache=WORK / "over-time-cache",
                          verbose=False)
    model = TopicModel(seed=42, verbose=False, cache=tempfile.mkdtemp(prefix="topiclens-over-time-"))
    _, fit_seconds = timed(lambda: model.fit(corpus, embeddings=vectors))  # a fresh cache: nothing reused
    print(f"fit {fit_seconds:.1f} s, {len(model.topic_ids_)} topics", flush=True)
    rows = []
    for name, action in {"over time, by year": lambda: model.topics_over_time(freq="year"),
                         "over time, 20 equal periods": lambda: model.topics_over_time(20),
                         "per class (urgency)": lambda: model.topics_per_class("urgency")}.items():
        table, seconds = timed(action)
        rows.append({"table": name, "seconds": round(seconds, 2), "ratio_to_fit": round(seconds / fit_seconds, 3),
                     "rows": len(table), "documents": table.attrs["documents"], "missing": table.attrs["missing"],
                     "unparsed": table.attrs["unparsed"]})
        print(json.dumps(rows[-1]), flush=True)
    yearly = model.topics_over_time(freq="year")
    chart = model.over_time_chart(yearly, top_n=6, width=1000, height=520,
                                  title="Debian changelog entries per year, six largest topics")
    html = WORK / "over_time.html"
    html.write_text(chart.to_html(include_plotlyjs=True, config={"displayModeBar": False}), encoding="utf-8")
    args.picture.parent.mkdir(parents=True, exist_ok=True)
    pictured = screenshot(html, args.picture)
    largest = yearly[yearly["topic"] >= 0].groupby(["topic", "label"])["documents"].sum().nlargest(6)
    report = {"corpus": args.corpus.name, "n_documents": len(corpus), "n_topics": len(model.topic_ids_),
              "fit_seconds": round(fit_seconds, 2), "threads": os.environ.get("TOPICLENS_THREADS"),
              "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d"), "tables": rows,
              "largest_topics": [{"topic": int(t), "label": label, "documents": int(n)}
                                 for (t, label), n in largest.items()],
              "picture": str(args.picture.relative_to(HERE.parent)) if pictured else None}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}" + (f" and {args.picture}" if pictured else " (no chromium: no picture)"))


if __name__ == "__main__":
    main()
