"""Topic charts (plotly): keyword bars and the topic-similarity heatmap."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np

from ..core.errors import ConfigError, require
from .data import centroid_similarity, colors_by_id, pick_topics, topic_name, wrap_html
from .dendrogram import topic_linkage


def barchart(model, *, topics: Sequence[int] | None = None, top_n_topics: int | None = 8, n_words: int = 8,
             columns: int = 4, height_per_row: int = 260, width: int | None = None, title: str | None = None):
    """One bar subplot per topic: its best keywords and their c-TF-IDF scores.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    topics : sequence of int, optional
        The topics to show, in this order; by default the ``top_n_topics`` largest.
    top_n_topics : int or None
        How many of the largest topics to show when ``topics`` is not given; None (or 0) shows all.
    n_words : int
        Keywords per topic.
    columns : int
        Subplots per row.
    height_per_row : int
        Pixels per row of subplots.
    width : int, optional
        Figure width in pixels (None: the container's).
    title : str, optional
        The figure's title. When the chart shows fewer topics than the model has, a subtitle says how
        many of how many, and how to see the others.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    go = require("plotly.graph_objects", "plot", "interactive charts")
    make_subplots = require("plotly.subplots", "plot", "interactive charts").make_subplots

    if top_n_topics is not None and top_n_topics < 0:
        raise ConfigError(f"top_n_topics={top_n_topics} is not valid: give a number of topics, or None for all")
    chosen = pick_topics(model, topics, top_n_topics)
    if not chosen:
        raise ConfigError("the model has no topics to chart")
    colors = colors_by_id(list(model.topic_ids_))
    columns = max(1, min(columns, len(chosen)))
    rows = math.ceil(len(chosen) / columns)
    fig = make_subplots(rows=rows, cols=columns, horizontal_spacing=0.12 / max(columns - 1, 1) * 2,
                        vertical_spacing=min(0.4 / rows, 0.12),
                        subplot_titles=[wrap_html(topic_name(model, t, 60), 28) for t in chosen])
    for i, t in enumerate(chosen):
        words = model.fitted_.topic(t).keywords[:n_words][::-1]  # best at the top
        fig.add_trace(go.Bar(
            x=[float(s) for _, s in words], y=[w for w, _ in words], orientation="h", name=topic_name(model, t),
            marker={"color": colors[t]}, hovertemplate="%{y}: %{x:.4f}<extra>" + html.escape(topic_name(model, t))
            + "</extra>", showlegend=False,
        ), row=i // columns + 1, col=i % columns + 1)
    fig.update_annotations(font_size=12)
    heading = {"text": title or "Topic keywords (c-TF-IDF)"}
    note = _shown_note(len(chosen), len(model.topic_ids_), topics is None)
    if note:
        heading["subtitle"] = {"text": note}
    fig.update_layout(title=heading, template="simple_white", height=max(320, rows * height_per_row + 80), width=width,
                      margin={"l": 10, "r": 10, "t": 115 if note else 90, "b": 20})
    fig.update_xaxes(showgrid=True, tickformat=".2f")
    return fig


def _shown_note(shown: int, total: int, largest: bool) -> str:
    """The subtitle of a chart of ``shown`` of the model's ``total`` topics; empty when it shows them all."""
    if shown >= total:
        return ""
    if largest:
        return f"{shown} of {total} topics (the largest); pass top_n_topics=None or topics=[...] for others"
    return f"{shown} of {total} topics; pass topics=[...] for others"


def heatmap(model, *, topics: Sequence[int] | None = None, ordered: bool = True, label_width: int = 35,
            width: int | None = None, height: int | None = None, title: str | None = None):
    """Cosine similarity between topic centroids; rows in dendrogram order so related topics sit together."""
    go = require("plotly.graph_objects", "plot", "interactive charts")

    chosen = pick_topics(model, topics, None)
    if not chosen:
        raise ConfigError("the model has no topics to compare")
    if ordered and len(chosen) > 2:
        from scipy.cluster.hierarchy import leaves_list

        chosen = [chosen[i] for i in leaves_list(topic_linkage(model, chosen))]
    at = [model.fitted_.position(t) for t in chosen]
    sim = centroid_similarity(model)[np.ix_(at, at)]
    names = [topic_name(model, t, label_width) for t in chosen]
    size = max(450, 20 * len(chosen) + 250)
    fig = go.Figure(go.Heatmap(z=sim, x=names, y=names, colorscale="Blues", zmin=float(min(sim.min(), 0.0)),
                               zmax=1.0, colorbar={"title": {"text": "cosine"}},
                               hovertemplate="%{y}<br>%{x}<br>similarity %{z:.3f}<extra></extra>"))
    fig.update_layout(title=title or "Topic similarity (cosine between topic centroids)", template="simple_white",
                      width=width or size + 150, height=height or size, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=45)
    return fig
