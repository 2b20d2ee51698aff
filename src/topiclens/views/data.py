"""What every view needs from a fitted model: map coordinates, colours, labels, topic centres, snippets."""

from __future__ import annotations

import colorsys
import html
import textwrap
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.errors import NOT_FITTED, ConfigError, NotFittedError
from ..core.untrusted import strip_controls
from ..state import check_topics

OUTLIER_COLOR = "#c8c8c8"

# Distinct, readable on white; topics past the list get evenly spread hues.
PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#393b79", "#e6550d", "#31a354", "#843c39", "#7b4173", "#3182bd", "#ad494a",
    "#637939", "#d6616b", "#6b6ecf", "#e7969c", "#8c6d31", "#9c9ede", "#de9ed6", "#fd8d3c",
    "#74c476", "#6baed6", "#a55194", "#b5cf6b", "#e7ba52", "#969696",
]


def topic_colors(n: int) -> list[str]:
    """``n`` distinct hex colours, one per topic, the same in every view."""
    colors = PALETTE[:n]
    for i in range(len(colors), n):
        hue = (i * 0.618033988749895) % 1.0
        lightness = 0.38 + 0.14 * (i % 3)
        r, g, b = colorsys.hls_to_rgb(hue, lightness, 0.65)
        colors.append(f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}")
    return colors


def snippet(text: str, max_chars: int) -> str:
    """The start of a text as shown: controls, escapes and bidi overrides dropped, whitespace collapsed, cut
    on the right at ``max_chars`` with an ellipsis."""
    text = " ".join(text.split())
    head = text[: 2 * max_chars + 8]  # only the start is shown: the rest is not worth stripping
    start = " ".join(strip_controls(head).split())
    if len(start) <= max_chars and len(head) == len(text):
        return start
    return start[: max_chars - 1].rstrip() + "…"


def shown(value: Any) -> Any:
    """A JSON value with every string in it stripped of controls, escapes and bidi overrides.

    What a page shows comes from documents (texts, ids, field values, class names) and LLMs (labels,
    descriptions): untrusted text, passed through this on its way to the page.

    Parameters
    ----------
    value : str, dict, list or any other JSON value

    Returns
    -------
    The same structure (tuples as lists), keys kept as they are.
    """
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        return {key: shown(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [shown(item) for item in value]
    return value


def wrap(text: str, width: int, sep: str = "\n", max_chars: int = 120) -> str:
    """Break a label into lines of at most ``width`` characters (long words are kept whole).

    The label is untrusted text: control characters, escapes and bidi overrides are dropped and it is
    cut at ``max_chars`` characters (with an ellipsis), so a hostile label cannot take over a figure.
    """
    text = strip_controls(text)
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return sep.join(textwrap.wrap(text, width, break_long_words=False)) or text


def wrap_html(text: str, width: int) -> str:
    """Like :func:`wrap`, for plotly: each line HTML-escaped, lines joined by <br>."""
    return "<br>".join(html.escape(line) for line in wrap(text, width).split("\n"))


@dataclass
class MapData:
    """The documents that have a place on the map, with their topics, and each topic's centre."""

    xy: np.ndarray           # (n_points, 2) float32
    doc_index: np.ndarray    # (n_points,) row of each point in the model's documents
    topics: np.ndarray       # (n_points,) topic of each point, -1 = outlier
    topic_ids: list[int]
    labels: dict[int, str]   # label in use, by topic id
    colors: dict[int, str]   # colour by topic id
    centres: dict[int, np.ndarray]  # (2,) median of each topic's points by topic id (NaN for an empty topic)

    def members(self, topic: int) -> np.ndarray:
        """Positions (into the point arrays) of one topic's points."""
        return np.flatnonzero(self.topics == topic)


def check_fitted(model) -> None:
    """Raise NotFittedError unless the model is fitted or loaded."""
    if not model.__sklearn_is_fitted__():
        raise NotFittedError(NOT_FITTED)


def model_layout(model) -> np.ndarray:
    """The model's 2-D layout (n_docs x 2); computed by PCA, with a warning, when it has none."""
    check_fitted(model)
    layout = getattr(model, "layout_", None)
    if layout is not None:
        return np.asarray(layout, dtype=np.float32)
    from ..stages.layout import pca_2d

    warnings.warn("the model has no map layout (fitted with layout='none' or by an older topiclens): "
                  "using a PCA projection; refit with layout='umap' for a better map", UserWarning, stacklevel=3)
    full = np.full((len(model.corpus_), 2), np.nan, dtype=np.float32)
    if len(model.embeddings_):
        full[model.usable_] = pca_2d(model.embeddings_)
    return full


def map_data(model) -> MapData:
    """Collect the points of the map: documents with finite coordinates."""
    layout = model_layout(model)
    keep = np.flatnonzero(np.isfinite(layout).all(axis=1))
    if not len(keep):
        raise ConfigError("no document has a place on the map: the model has no usable documents")
    topics = np.asarray(model.topics_)[keep]
    xy = layout[keep]
    ids = list(model.topic_ids_)
    centres = {}
    for t in ids:
        points = xy[topics == t]
        centres[t] = np.median(points, axis=0) if len(points) else np.full(2, np.nan, dtype=np.float32)
    return MapData(xy=xy, doc_index=keep, topics=topics, topic_ids=ids, labels=dict(zip(ids, model.labels_)),
                   colors=colors_by_id(ids), centres=centres)


def colors_by_id(ids: list[int]) -> dict[int, str]:
    """Each topic's colour by its id (the same in every view), so a topic keeps its colour when an edit removes
    or adds others."""
    palette = topic_colors(max(ids) + 1 if ids else 0)
    return {t: palette[t] for t in ids}


def centroid_similarity(model) -> np.ndarray:
    """Cosine similarity between topic centroids (n_topics x n_topics)."""
    check_fitted(model)
    c = np.asarray(model.centroids_, dtype=np.float64)
    norms = np.linalg.norm(c, axis=1, keepdims=True)
    c = c / np.where(norms > 0, norms, 1.0)
    return np.clip(c @ c.T, -1.0, 1.0)


def pick_topics(model, topics: Sequence[int] | None, top: int | None) -> list[int]:
    """The topics a chart shows: ``topics`` checked, or all (the ``top`` largest) by size."""
    check_fitted(model)
    if topics is None:
        ranked = sorted(model.topic_ids_, key=lambda t: -model.fitted_.topic(t).size)
        return ranked[:top] if top else ranked
    check_topics(model.topic_ids_, topics)
    return [int(t) for t in topics]


def topic_name(model, t: int, width: int = 40) -> str:
    """``id: label`` cut to ``width`` characters of label."""
    return f"{t}: {snippet(model.fitted_.topic(t).label, width)}"
