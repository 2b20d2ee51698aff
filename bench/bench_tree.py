"""The topic tree against a gold structure: the Debian sections grouped into nine areas (debian_areas.py).

usage: python bench/bench_tree.py [--llm qwen2.5-coder-1.5b] [--levels 6] [--levels 9,18]
                                  [--out bench/results/tree_debian.json]

The corpus and embeddings are bench_fit.py's (bench/work/debian_full.*). The model is fitted and its
topics labeled by the LLM (the leaves a user gets), then for each level shape the tree is built and
named by the same LLM. Answers are cached in bench/work/tree-cache, so a re-run makes no calls.

What is measured, per level shape:
- structure: NMI between each document's node at the coarsest level and its gold area, and how pure
  the nodes are (the share of a node's topics in its commonest area, by topic);
- names: a topic's area is the commonest area of its documents; a named node's area by name is the
  area whose description is nearest its name (cosine of the model's own embeddings). Coverage is the
  share of the node's topics whose area is the name's area, averaged over the nodes the LLM named
  (two children or more). The same is measured on the same nodes for two other names: the node's
  largest child's name (what naming a group after one of its members scores) and the node's keyword
  label (what a tree without an LLM shows). Purity is the ceiling: the most any one-area name reaches.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from collections import Counter
from pathlib import Path

import numpy as np
from debian_areas import AREA_OF, AREAS

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"


def topic_areas(model, gold_areas: list[str]) -> dict[int, str]:
    """Each topic's commonest gold area among its documents."""
    topics = np.asarray(model.topics_)
    return {t: Counter(gold_areas[i] for i in np.flatnonzero(topics == t)).most_common(1)[0][0]
            for t in model.topic_ids_}


def name_areas(model, names: list[str]) -> list[str]:
    """The area whose description is nearest each name (cosine of the model's embeddings)."""
    from topiclens.core.knn import normalize

    areas = list(AREAS)
    described = normalize(np.asarray(model.embed([AREAS[a][0] for a in areas], desc="areas"), dtype=np.float32))
    named = normalize(np.asarray(model.embed(names, desc="names"), dtype=np.float32))
    return [areas[i] for i in (named @ described.T).argmax(axis=1)]


def coverage(node_topics: list[int], area: str, area_of_topic: dict[int, str]) -> float:
    return sum(area_of_topic[t] == area for t in node_topics) / len(node_topics)


def measure(model, stats: dict, seconds: float, area_of_topic: dict[int, str], gold_areas: list[str]) -> dict:
    from sklearn.metrics import normalized_mutual_info_score

    from topiclens.hierarchy.naming import _node_keywords
    from topiclens.labeling.clean import keyword_label

    tree = model.hierarchy_
    labels = dict(zip(model.topic_ids_, model.labels_))
    position = {t: i for i, t in enumerate(model.topic_ids_)}
    names = {n["id"]: n["name"] for level in tree["levels"] for n in level}
    names.update(labels)
    size_of = {n["id"]: n["size"] for level in tree["levels"] for n in level}
    size_of.update(zip(model.topic_ids_, model.topic_sizes_))
    node_of_topic = {t: n["id"] for n in tree["levels"][0] for t in n["topics"]}
    topics = np.asarray(model.topics_)
    kept = topics >= 0
    structure_nmi = normalized_mutual_info_score(
        np.asarray(gold_areas)[kept], [node_of_topic[int(t)] for t in topics[kept]])
    rows = []
    for depth, level in enumerate(tree["levels"]):
        for node in level:
            if len(node["children"]) < 2:
                continue
            largest = max(node["children"], key=size_of.get)
            rows.append({"id": node["id"], "level": depth + 1, "name": node["name"], "topics": node["topics"],
                         "child_name": names[largest],
                         "keyword_name": keyword_label(_node_keywords(model, node["topics"], position)),
                         "topic_areas": dict(Counter(area_of_topic[t] for t in node["topics"]))})
    kinds = ("name", "child_name", "keyword_name")
    matched = {kind: name_areas(model, [r[kind] for r in rows]) for kind in kinds}
    for i, row in enumerate(rows):
        row["purity"] = max(row["topic_areas"].values()) / len(row["topics"])
        for kind in kinds:
            row[f"{kind}_area"] = matched[kind][i]
            row[f"{kind}_coverage"] = round(coverage(row["topics"], matched[kind][i], area_of_topic), 3)
    mean = (lambda key: round(float(np.mean([r[key] for r in rows])), 3)) if rows else (lambda key: None)
    return {"levels": tree["node_counts"], "seconds": round(seconds, 2), **stats, "named_nodes": len(rows),
            "structure_nmi_coarsest": round(float(structure_nmi), 3), "purity": mean("purity"),
            "coverage_llm_name": mean("name_coverage"), "coverage_largest_child_name": mean("child_name_coverage"),
            "coverage_keyword_name": mean("keyword_name_coverage"), "nodes": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm", default="qwen2.5-coder-1.5b", help="names the topics and the tree's nodes")
    parser.add_argument("--levels", action="append", help="nodes per level, comma-separated (repeatable); "
                        "default: the automatic shape")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "tree_debian.json")
    args = parser.parse_args()
    from topiclens import TopicModel

    with gzip.open(WORK / "debian_full.jsonl.gz", "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    docs = [r["text"] for r in records]
    gold_areas = [AREA_OF[r["label"]] for r in records]
    embeddings = np.load(WORK / "debian_full.minilm.npy")
    model = TopicModel(seed=42, verbose=False, embedding_model="all-MiniLM-L6-v2", cache=str(WORK / "tree-cache"),
                       labeler=args.llm)
    start = time.perf_counter()
    model.fit(docs, embeddings=embeddings)
    print(f"fit and label {time.perf_counter() - start:.1f} s, {len(model.topic_ids_)} topics", flush=True)
    area_of_topic = topic_areas(model, gold_areas)
    shapes = [None] + [[int(k) for k in shape.split(",")] for shape in args.levels or []]
    results = []
    for shape in shapes:
        start = time.perf_counter()
        stats = model.build_hierarchy(shape, labeler=args.llm, inplace=True).label_stats_
        result = measure(model, stats, time.perf_counter() - start, area_of_topic, gold_areas)
        results.append(result)
        print(json.dumps({k: v for k, v in result.items() if k != "nodes"}), flush=True)
        for row in result["nodes"]:
            print(f"  [{row['id']}] {row['name']!r} -> {row['name_area']} ({row['name_coverage']:.2f}); "
                  f"child {row['child_name']!r} -> {row['child_name_coverage']:.2f}; areas {row['topic_areas']}")
    report = {"corpus": "debian_full.jsonl.gz", "n_documents": len(docs), "n_topics": len(model.topic_ids_),
              "llm": args.llm, "threads": os.environ.get("TOPICLENS_THREADS"), "date": time.strftime("%Y-%m-%d"),
              "gold": "bench/debian_areas.py: 48 sections in 9 areas", "trees": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
