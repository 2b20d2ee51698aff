"""The explorer: one self-contained HTML file (map, topic table, topic pages, search), no network needed.

Everything is inline: the data as JSON (coordinates quantised to 16 bits and base64-encoded, at most
``max_chars`` characters of text per document) and our own vanilla JavaScript, which draws the map
with WebGL (Canvas 2D when WebGL is missing). The file opens from ``file://`` offline.
"""

from __future__ import annotations

import base64
import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import ConfigError
from ..io.files import write_atomic
from ..pipeline.coherence import is_mixed
from ..state import OUTLIER_LABEL
from .data import MapData, check_fitted, map_data, shown, snippet
from .trends import trend_views

ASSETS = ("report.css", "map.js", "trends.js", "app.js")


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()).decode()


def _pairs(rows: list[tuple[str, float]]) -> list[list[Any]]:
    return [[w, round(float(s), 4)] for w, s in rows]


def point_order(data: MapData, seed: int = 0) -> np.ndarray:
    """The order the map draws the documents that have a place on it (rows of the model's documents, from its
    :func:`map_data`): outliers first (drawn underneath), the rest shuffled so no topic always covers another."""
    outliers = np.flatnonzero(data.topics < 0)
    others = np.random.default_rng(seed).permutation(np.flatnonzero(data.topics >= 0))
    return data.doc_index[np.concatenate([outliers, others]).astype(np.int64)]


def report_data(model, max_chars: int = 300, seed: int = 0, *, order: np.ndarray | None = None,
                texts: bool = True) -> dict[str, Any]:
    """The explorer's data: documents that have a place on the map, and every topic's description.

    Points are drawn in :func:`point_order` (or ``order``: rows of the model's documents, as an earlier
    call drew them, so a page can take new topics without new points); coordinates are scaled into
    [0, 1] keeping the aspect ratio, then quantised to uint16. ``texts=False`` leaves out the points'
    coordinates, texts and ids (a page that has them already). Every string is :func:`shown` (no control or
    bidi override from a document or an LLM reaches the page).
    """
    data = map_data(model)
    doc_rows = point_order(data, seed) if order is None else np.asarray(order, dtype=np.int64)
    place = np.full(len(model.corpus_), -1, dtype=np.int64)
    place[data.doc_index] = np.arange(len(data.doc_index))
    if len(doc_rows) != len(data.doc_index) or (place[doc_rows] < 0).any():
        raise ConfigError("the point order does not match the model's map: load the page again")
    point_topics = data.topics[place[doc_rows]]
    xy = data.xy[place[doc_rows]].astype(np.float64)
    low = xy.min(axis=0)
    span = float(max((xy.max(axis=0) - low).max(), 1e-9))
    shift = (1.0 - (xy.max(axis=0) - low) / span) / 2  # centre the shorter axis

    def to_unit(points: np.ndarray) -> np.ndarray:
        return np.clip((points - low) / span + shift, 0.0, 1.0)

    texts_of = model.corpus_.texts
    ids = model.corpus_.ids
    point_of_doc = {int(d): k for k, d in enumerate(doc_rows)}
    llm = model.llm_labels_
    confidence = model.label_confidence_ or [None] * len(data.topic_ids)
    waiting = set(model.waiting_for_names_)
    tightness = model.fitted_.tightness()
    topics = []
    n_out = int((point_topics < 0).sum())
    if n_out:
        topics.append({"id": -1, "label": OUTLIER_LABEL, "llm": "", "size": n_out, "color": "#c8c8c8",
                       "keywords": [], "keybert": [], "mmr": [], "reps": [], "centre": None})
    labels, sizes, keywords, keybert, mmr = model.labels_, model.topic_sizes_, model.keywords_, model.keybert_, \
        model.mmr_
    descriptions, representative = model.descriptions_, model.representative_docs_
    for i, t in enumerate(data.topic_ids):  # i: the topic's place in the model's per-topic lists
        centre = data.centres[t]
        centre_unit = to_unit(centre.astype(np.float64)).round(5).tolist() if np.isfinite(centre).all() else None
        topics.append({
            "id": t, "label": labels[i], "llm": llm[i] if llm else "", "size": int(sizes[i]),
            "confidence": confidence[i], "waiting": t in waiting, "mixed": is_mixed(tightness[i]),
            "tightness": None if tightness[i] is None else round(tightness[i], 3),
            "color": data.colors[t], "keywords": _pairs(keywords[i]), "keybert": _pairs(keybert[i]),
            "mmr": _pairs(mmr[i]), "centre": centre_unit, "description": descriptions[i] if descriptions else "",
            "reps": [point_of_doc[d] for d in representative[i] if d in point_of_doc],
        })
    n_points = len(doc_rows)
    tree = _tree_data(model, data, to_unit)
    docs: dict[str, Any] = {"topic": _b64(point_topics.astype(np.int16))}
    if texts:
        docs.update(xy=_b64(np.round(to_unit(xy) * 65535).astype(np.uint16).reshape(-1)),
                    text=[snippet(texts_of[i], max_chars) for i in doc_rows], id=[str(ids[i]) for i in doc_rows])
    return shown({
        "meta": {"n_points": n_points, "n_documents": len(texts_of), "n_topics": len(data.topic_ids),
                 "outlier_share": n_out / max(n_points, 1), "max_chars": max_chars,
                 "llm": getattr(model, "llm_name_", None) if llm else None, "source": str(model.corpus_.source)},
        "topics": topics,
        "tree": tree,
        "trends": trend_views(model),
        "docs": docs,
    })


def _tree_data(model, data, to_unit) -> list[list[dict]] | None:
    """The topic tree's levels for the explorer (coarsest first), each node with the centre of its points."""
    tree = getattr(model, "hierarchy_", None)
    if not tree:
        return None
    levels = []
    for nodes in tree["levels"]:
        level = []
        for node in nodes:
            points = data.xy[np.isin(data.topics, node["topics"])]
            centre = to_unit(np.median(points, axis=0)).round(5).tolist() if len(points) else None
            level.append({"id": node["id"], "name": node["name"], "size": node["size"], "topics": node["topics"],
                          "children": node["children"], "centre": centre})
        levels.append(level)
    return levels


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no '<' can close it or open a comment."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render_report(model, max_chars: int = 300, title: str | None = None, *, data: dict[str, Any] | None = None,
                  extra_assets: tuple[str, ...] = (), nonce: str | None = None) -> str:
    """The explorer's HTML as a string.

    ``data`` replaces :func:`report_data`'s (a page that adds to it, such as the workbench's),
    ``extra_assets`` adds style sheets (.css) and scripts (.js) after the explorer's own, and ``nonce``
    marks the inline script for a Content-Security-Policy that allows only it.
    """
    from .._version import __version__

    data = report_data(model, max_chars) if data is None else data
    source = Path(data["meta"]["source"]).name if data["meta"]["source"] not in ("", "<list>") else ""
    title = title or (f"topiclens · {source}" if source else "topiclens · topics")
    head, tail = _asset("report.html").split("__DATA__")
    names = [*ASSETS, *extra_assets]
    scripts = "\n".join(_asset(name) for name in names if name.endswith(".js")).replace("</script", "<\\/script")
    styles = "\n".join(_asset(name) for name in names if name.endswith(".css"))
    # One pass over the template: a placeholder inside the title (or any value) is text, never expanded.
    values = {"__VERSION__": __version__, "__TITLE__": html.escape(title), "/*__CSS__*/": styles,
              "/*__JS__*/": scripts, "<script>": f'<script nonce="{html.escape(nonce)}">' if nonce else "<script>"}
    pattern = re.compile("|".join(re.escape(key) for key in values))
    head, tail = (pattern.sub(lambda match: values[match.group(0)], part) for part in (head, tail))
    return head + _script_json(data) + tail


def checked_report(model, max_chars: int = 300, title: str | None = None) -> str:
    """:func:`render_report` of a fitted ``model``, after checking it and ``max_chars``."""
    check_fitted(model)
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
        raise ConfigError(f"max_chars={max_chars!r} is not valid: give at least 1 character per document")
    return render_report(model, max_chars, title)


def write_page(path: str | Path, page: str) -> Path:
    """Write an explorer page to ``path`` (atomically) and return the path."""
    return write_atomic(Path(path), lambda out: out.write(page))


def write_report(model, path: str | Path = "report.html", *, max_chars: int = 300, title: str | None = None) -> Path:
    """Write the self-contained HTML explorer to ``path`` (atomically) and return the path."""
    return write_page(path, checked_report(model, max_chars, title))
