"""The tree's shape: levels of nodes above the topics, each level a partition of the topics, nested.

All levels are cuts of one Ward dendrogram of the unit topic centroids (Ward's criterion on unit
vectors follows cosine), so a node of a finer level lies inside exactly one node of every coarser
level. Ward was chosen by measurement on the Debian benchmark's 32 topics: its 6- and 12-node cuts
agree best with the archive sections (NMI 0.385 and 0.478, against 0.247 / 0.453 for average
linkage, 0.330 / 0.456 complete, 0.266 / 0.433 weighted) and are the most balanced (the largest
node holds 36 % of the documents at 6 nodes, against 86 % with average linkage). A tree is plain JSON
(a dict): it is saved in the model's manifest and shown as data, never run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.errors import ConfigError


def default_levels(n_topics: int) -> list[int]:
    """One level of about √t nodes; from 40 topics on, a second of about t^¾ between it and the topics."""
    if n_topics < 4:
        return []
    coarse = max(2, round(n_topics ** 0.5))
    levels = [coarse]
    if n_topics >= 40:
        levels.append(max(coarse + 1, min(n_topics - 1, round(n_topics ** 0.75))))
    return levels


def check_levels(levels: Sequence[int], n_topics: int) -> list[int]:
    """Levels as node counts from the coarsest, each between 1 and the number of topics less one."""
    levels = sorted(set(int(k) for k in levels))
    if not levels:
        raise ConfigError("levels is empty: give node counts per level above the topics, e.g. [8, 30]")
    if levels[0] < 1 or levels[-1] >= n_topics:
        raise ConfigError(f"levels {levels} do not fit {n_topics} topics: each level needs from 1 to "
                          f"{n_topics - 1} nodes")
    return levels


def ward_linkage(centroids: np.ndarray) -> np.ndarray:
    """SciPy linkage matrix of Ward's method on the unit centroids: the dendrogram every level is cut from."""
    from scipy.cluster.hierarchy import linkage

    from ..core.knn import normalize

    return linkage(normalize(np.asarray(centroids, dtype=np.float32)).astype(np.float64), method="ward")


def build_tree(topic_ids: Sequence[int], centroids: np.ndarray, sizes: Sequence[int],
               levels: Sequence[int]) -> dict:
    """The levels' nodes: ``{"levels": [[node, ...], ...]}``, coarsest first.

    A node is ``{"id": "1.0", "children": [...], "topics": [...], "size": n, "name": ""}``; its
    children are node ids of the next level, or topic ids on the finest level.
    """
    from scipy.cluster.hierarchy import cut_tree

    ids = [int(t) for t in topic_ids]
    if len(ids) < 2:
        raise ConfigError("a hierarchy needs at least 2 topics")
    cuts = cut_tree(ward_linkage(centroids), n_clusters=list(levels))  # (topics, levels)
    size_of = dict(zip(ids, (int(s) for s in sizes)))
    tree_levels: list[list[dict]] = []
    for depth in range(len(levels)):
        groups: dict[int, list[int]] = {}
        for topic, cluster in zip(ids, cuts[:, depth]):
            groups.setdefault(int(cluster), []).append(topic)
        ordered = sorted(groups.values(), key=lambda g: (-sum(size_of[t] for t in g), g[0]))
        tree_levels.append([{"id": f"{depth + 1}.{i}", "topics": sorted(g), "size": sum(size_of[t] for t in g),
                             "children": [], "name": ""} for i, g in enumerate(ordered)])
    for depth, nodes in enumerate(tree_levels):
        finer = tree_levels[depth + 1] if depth + 1 < len(tree_levels) else None
        for node in nodes:
            if finer is None:
                node["children"] = sorted(node["topics"], key=lambda t: (-size_of[t], t))
            else:
                node["children"] = [n["id"] for n in finer if set(n["topics"]) <= set(node["topics"])]
    return {"levels": tree_levels}


def check_tree(tree: object, topic_ids: Sequence[int]) -> list[str]:
    """What is wrong with a loaded tree (empty when it is whole): every level covers every topic once."""
    if tree is None:
        return []
    if not isinstance(tree, dict) or not isinstance(tree.get("levels"), list):
        return ["a topic tree that is not {'levels': [...]}"]
    wanted = sorted(int(t) for t in topic_ids)
    for depth, nodes in enumerate(tree["levels"]):
        if not isinstance(nodes, list) or not all(isinstance(n, dict) for n in nodes):
            return [f"level {depth + 1} of the topic tree is not a list of nodes"]
        covered = sorted(t for n in nodes for t in n.get("topics", []))
        if covered != wanted:
            return [f"level {depth + 1} of the topic tree does not cover each topic once"]
        if not all(isinstance(n.get("name"), str) and isinstance(n.get("id"), str) for n in nodes):
            return [f"level {depth + 1} of the topic tree has a node without an id or a name"]
    return []


def format_tree(tree: dict, labels: dict[int, str], sizes: dict[int, int], clean=str) -> str:
    """The tree as indented text: nodes with their ids, sizes and names, then the topics under them."""
    nodes = {n["id"]: n for level in tree["levels"] for n in level}
    lines: list[str] = []

    def show(child, indent: int) -> None:
        if isinstance(child, str):
            node = nodes[child]
            n_topics = len(node["topics"])
            lines.append(f"{'  ' * indent}[{node['id']}] {clean(node['name'])} ({node['size']:,} documents, "
                         f"{n_topics} topic{'' if n_topics == 1 else 's'})")
            for grandchild in node["children"]:
                show(grandchild, indent + 1)
        else:
            lines.append(f"{'  ' * indent}{child:>4}  {clean(labels[child])} ({sizes[child]:,})")

    for node in tree["levels"][0] if tree["levels"] else []:
        show(node["id"], 0)
    return "\n".join(lines)
