"""Two checkouts' benchmark results side by side: every figure that is not a time must be equal, and each time
is compared as the median over repeated runs (new / old).

usage: python bench/compare_runs.py OLD_DIR NEW_DIR [--out bench/results/NAME.json]

OLD_DIR and NEW_DIR hold the results files of bench_fit.py (``fit*.json``), bench_edit.py (``edit*.json``),
bench_growth.py (``growth*.json``) and bench_workbench.py (``workbench*.json``), each run by its own
checkout on the same quiet machine, several times each (``edit.json``, ``edit_r1.json``, ...), the two
checkouts taking turns. A figure whose name says it is a time (``seconds``, ``ratio``, ``rss``, ``date``)
goes into the medians; any other figure that differs between two runs is listed as a difference.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

BENCHES = ("fit", "edit", "growth", "workbench")
TIMED = ("seconds", "ratio", "rss", "date", "threads", "cpus", "machine")


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of a results file by its path (``edits[2].seconds``); a fit's results keyed by their name."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in flatten(item, f"{path}.{key}" if path else key).items()}
    if isinstance(value, list):
        named = all(isinstance(item, dict) and "name" in item for item in value) and value
        keys = [item["name"] if named else str(i) for i, item in enumerate(value)]
        return {k: v for key, item in zip(keys, value) for k, v in flatten(item, f"{path}[{key}]").items()}
    return {path: value}


def is_time(path: str) -> bool:
    return any(word in path for word in TIMED)


def runs(folder: Path, bench: str) -> list[dict[str, Any]]:
    return [flatten(json.loads(path.read_text())) for path in sorted(folder.glob(f"{bench}*.json"))
            if path.stem == bench or path.stem.startswith(f"{bench}_r")]


def compare(old: Path, new: Path) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for bench in BENCHES:
        before, after = runs(old, bench), runs(new, bench)
        if not before or not after:
            continue
        differences = sorted({path for run in before + after for path in run if not is_time(path)
                              and len({json.dumps(r.get(path), sort_keys=True) for r in before + after}) > 1})
        times = {}
        for path in sorted({p for run in before + after for p in run if is_time(p) and "seconds" in p}):
            a = [r[path] for r in before if isinstance(r.get(path), (int, float))]
            b = [r[path] for r in after if isinstance(r.get(path), (int, float))]
            if a and b and statistics.median(a) > 0:
                times[path] = {"old": statistics.median(a), "new": statistics.median(b),
                               "new_to_old": round(statistics.median(b) / statistics.median(a), 3)}
        report[bench] = {"runs": [len(before), len(after)], "differences": differences, "median_seconds": times}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    report = compare(args.old, args.new)
    text = json.dumps(report, indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    for bench, found in report.items():
        print(f"{bench}: {found['runs'][0]} old and {found['runs'][1]} new runs; figures that differ: "
              f"{found['differences'] or 'none'}")
        for path, t in found["median_seconds"].items():
            print(f"  {path}: {t['old']} -> {t['new']} s ({t['new_to_old']}x)")


if __name__ == "__main__":
    main()
