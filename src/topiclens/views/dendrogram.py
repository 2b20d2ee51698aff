"""The topic hierarchy figure (plotly): a dendrogram of the topics, with the named tree's nodes on it.

With a tree built by ``build_hierarchy`` the dendrogram is the tree's own (Ward on the unit centroids),
so each named node sits on the branch point where its topics join, its name beside it; without one it
is average linkage on cosine distances, leaves only. Leaves are the topic labels. Labels and node names
are untrusted: cut, stripped of controls and HTML-escaped before plotly sees them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from ..core.errors import ConfigError, require
from ..hierarchy.tree import ward_linkage
from .data import pick_topics, topic_colors, topic_name, wrap, wrap_html

LEAF_STEP = 10.0  # scipy's dendrogram spacing: leaf i sits at 5 + 10 i


def _centroids(model, chosen: list[int]) -> np.ndarray:
    if len(chosen) < 2:
        raise ConfigError("a hierarchy needs at least 2 topics")
    return np.asarray(model.centroids_, dtype=np.float64)[[model.fitted_.position(t) for t in chosen]]


def topic_linkage(model, topics: Sequence[int] | None = None, method: str = "average") -> np.ndarray:
    """SciPy linkage matrix of the topics: ``"ward"`` on the unit centroids (the tree's), any other
    method on the cosine distances between centroids."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import pdist

    centroids = _centroids(model, pick_topics(model, topics, None))
    if method == "ward":
        return ward_linkage(centroids)
    return linkage(np.clip(pdist(centroids, metric="cosine"), 0.0, None), method=method)


def merge_positions(link: np.ndarray) -> tuple[np.ndarray, list[frozenset[int]]]:
    """Where each merge of ``link`` is drawn by scipy's dendrogram (the middle of its two children, leaves
    at 5, 15, ... in dendrogram order), and the leaves under it. Row k describes cluster n + k."""
    from scipy.cluster.hierarchy import leaves_list

    n = len(link) + 1
    place = np.empty(2 * n - 1)
    place[leaves_list(link)] = LEAF_STEP / 2 + LEAF_STEP * np.arange(n)
    members: list[frozenset[int]] = [frozenset([i]) for i in range(n)]
    for k, (a, b) in enumerate(link[:, :2].astype(int)):
        place[n + k] = (place[a] + place[b]) / 2
        members.append(members[a] | members[b])
    return place[n:], members[n:]


def _named_nodes(model, chosen: list[int], link: np.ndarray) -> list[dict]:
    """The tree's nodes with two topics or more, each at the smallest merge holding all its topics, drawn
    once where a node and its only child hold the same topics."""
    place, members = merge_positions(link)
    index = {t: i for i, t in enumerate(chosen)}
    found, seen = [], set()
    for depth, level in enumerate(model.hierarchy_["levels"]):
        for node in level:
            if len(node["topics"]) < 2 or frozenset(node["topics"]) in seen:
                continue  # a node with its parent's topics has its parent's place (and, being its only child, name)
            seen.add(frozenset(node["topics"]))
            wanted = frozenset(index[t] for t in node["topics"])
            k = min((k for k, m in enumerate(members) if wanted <= m), key=lambda k: len(members[k]))
            found.append({"node": node, "depth": depth, "x": float(link[k, 2]), "y": float(place[k])})
    return found


def hierarchy(model, *, topics: Sequence[int] | None = None, method: str | None = None, label_width: int = 45,
              node_width: int = 28, width: int | None = None, height: int | None = None, title: str | None = None):
    """A dendrogram of the topics, leaves named by their labels and, once the model has a tree
    (``build_hierarchy``), the tree's nodes named on it.

    Parameters
    ----------
    topics : list of int, optional
        Topic ids to show (all by default; the tree's nodes are drawn only over all topics).
    method : str, optional
        Linkage: ``"ward"`` (the tree's, the default with a tree) or a SciPy method on cosine distances
        (``"average"``, the default without one).
    label_width, node_width : int
        Characters of each leaf label and node name shown (the full text is in the hover).
    """
    go = require("plotly.graph_objects", "plot", "interactive charts")
    from scipy.cluster.hierarchy import dendrogram

    chosen = pick_topics(model, topics, None)
    tree = getattr(model, "hierarchy_", None) if topics is None else None
    method = method or ("ward" if tree else "average")
    if tree and method != "ward":
        raise ConfigError(f"the model's tree is cut from Ward's dendrogram: draw it with method='ward', not "
                          f"{method!r}, or pass topics= to draw a plain dendrogram")
    link = topic_linkage(model, chosen, method)
    drawn = dendrogram(link, no_plot=True)
    xs: list[float | None] = []
    ys: list[float | None] = []
    for icoord, dcoord in zip(drawn["icoord"], drawn["dcoord"]):
        xs += [*dcoord, None]
        ys += [*icoord, None]
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#777", "width": 1.2}, hoverinfo="skip",
                               name="merges"))
    if tree:
        nodes = _named_nodes(model, chosen, link)
        colors = topic_colors(len(tree["levels"]))
        for depth in range(len(tree["levels"])):
            level = [n for n in nodes if n["depth"] == depth]
            fig.add_trace(go.Scatter(
                x=[n["x"] for n in level], y=[n["y"] for n in level], mode="markers+text",
                marker={"size": 11 - 2 * min(depth, 3), "color": colors[depth]}, textposition="top left",
                text=[html.escape(wrap(n["node"]["name"], node_width, " ", node_width)) for n in level],
                hovertext=[f"{html.escape(n['node']['id'])} · {wrap_html(n['node']['name'], 60)}<br>"
                           f"{n['node']['size']:,} documents, {len(n['node']['topics'])} topics" for n in level],
                hoverinfo="text", name=f"level {depth + 1} ({len(tree['levels'][depth])} nodes)",
                textfont={"size": 12 - min(depth, 2), "color": colors[depth]}))
    order = [chosen[i] for i in drawn["leaves"]]
    fig.update_yaxes(tickmode="array", tickvals=list(LEAF_STEP / 2 + LEAF_STEP * np.arange(len(order))),
                     ticktext=[html.escape(topic_name(model, t, label_width)) for t in order], side="right",
                     showgrid=False, zeroline=False, automargin=True)
    top = float(link[:, 2].max()) or 1.0
    fig.update_xaxes(title_text="Ward distance (unit centroids)" if method == "ward" else "cosine distance",
                     range=[top * (1.5 if tree else 1.05), 0])  # the root on the left, room for its name
    fig.update_layout(title=title or ("Topic tree: each node named where its topics join" if tree
                                      else "Topic hierarchy (cosine distance between topic centroids)"),
                      template="simple_white", width=width, height=height or max(400, 22 * len(chosen) + 120),
                      showlegend=bool(tree),
                      legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
                      margin={"l": 10, "r": 10, "t": 60, "b": 40})
    return fig
