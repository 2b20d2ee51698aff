"""Edits on the Debian benchmark corpus: the seconds of each edit against the fit's, and what it changed.

usage: python bench/bench_edit.py [--llm SPEC] [--out bench/results/edit_debian.json]

The corpus and embeddings are bench_fit.py's (bench/work/debian_full.*). One process, one thread
setting ($TOPICLENS_THREADS); each edit starts from the fitted model (merge, delete, split, reduce,
outliers), then the topic tree is built and named (default levels), then an edit is saved with its
undo stack and undone. With --llm every edit also labels the topics it changed (one call per changed
topic; a cold cache) and the LLM names the tree's nodes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm", help="label the changed topics with this LLM (e.g. qwen2.5-coder-1.5b)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "edit_debian.json")
    args = parser.parse_args()
    from topiclens import TopicModel, undo

    with gzip.open(WORK / "debian_full.jsonl.gz", "rt", encoding="utf-8") as handle:
        docs = [json.loads(line)["text"] for line in handle]
    embeddings = np.load(WORK / "debian_full.minilm.npy")
    cache = tempfile.mkdtemp(prefix="topiclens-edit-bench-")
    model = TopicModel(seed=42, verbose=False, embedding_model="all-MiniLM-L6-v2", cache=cache)
    model, fit_seconds = timed(lambda: model.fit(docs, embeddings=embeddings))
    print(f"fit {fit_seconds:.1f} s, {len(model.topic_ids_)} topics", flush=True)
    largest_two = model.topic_ids_[1], model.topic_ids_[2]
    edits = {
        "merge": lambda: model.merge_topics([list(largest_two)], labeler=args.llm),
        "delete": lambda: model.delete_topics([model.topic_ids_[-1]], labeler=args.llm),
        "delete to outliers": lambda: model.delete_topics([model.topic_ids_[-1]], to_outliers=True, labeler=args.llm),
        "split (Leiden)": lambda: model.split_topic(0, labeler=args.llm),
        "split in 3": lambda: model.split_topic(0, 3, labeler=args.llm),
        "reduce to 12": lambda: model.reduce_topics(12, labeler=args.llm),
        "outliers to 0 %": lambda: model.reduce_outliers(target=0.0, labeler=args.llm),
    }
    rows = []
    model.merge_topics([list(largest_two)])  # the first edit loads the keyword embedder: not an edit's cost
    for name, action in edits.items():
        edited, seconds = timed(action)
        info = edited.edit_
        rows.append({"edit": name, "seconds": round(seconds, 2), "ratio_to_fit": round(seconds / fit_seconds, 3),
                     "changed": len(info["changed"]), "untouched": len(edited.topic_ids_) - len(info["changed"]),
                     "llm_calls": info["llm_calls"], "cached": info["cached"]})
        print(json.dumps(rows[-1]), flush=True)
    model, tree_seconds = timed(lambda: model.build_hierarchy(labeler=args.llm))
    stats = model.label_stats_
    named = stats["nodes"] - stats["reused"]
    hierarchy = {"levels": model.hierarchy_["node_counts"], "seconds": round(tree_seconds, 2), **stats,
                 "seconds_per_named_node": round(tree_seconds / named, 2) if named else None,
                 "names": [n["name"] for n in model.hierarchy_["levels"][0]]}
    print(json.dumps(hierarchy), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder) / "model"
        model.save(directory)
        edited = model.merge_topics([list(largest_two)])
        _, save_seconds = timed(lambda: edited.save(directory, keep_previous=True))
        _, undo_seconds = timed(lambda: undo(directory))
    report = {"corpus": "debian_full.jsonl.gz", "n_documents": len(docs), "n_topics": len(model.topic_ids_),
              "fit_seconds": round(fit_seconds, 2), "llm": args.llm, "threads": os.environ.get("TOPICLENS_THREADS"),
              "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d"), "edits": rows, "hierarchy": hierarchy,
              "save_edit_seconds": round(save_seconds, 2), "undo_seconds": round(undo_seconds, 3)}
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"save with undo {save_seconds:.2f} s, undo {undo_seconds:.3f} s; written {args.out}")


if __name__ == "__main__":
    main()
