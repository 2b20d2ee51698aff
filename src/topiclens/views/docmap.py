"""The interactive document map: a plotly figure, one WebGL trace per topic so the legend hides or shows it."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from ..state import check_topics
from .data import OUTLIER_COLOR, OUTLIER_LABEL, map_data, snippet, wrap_html


def _hover(text: str, max_chars: int) -> str:
    """The start of a document, HTML-escaped and broken into lines for the hover box."""
    return wrap_html(snippet(text, max_chars), 60)


def document_map(model, *, topics: Sequence[int] | None = None, max_chars: int = 150,
                 show_outliers: bool = True, show_labels: bool = True, marker_size: float | None = None,
                 width: int | None = None, height: int = 750, title: str | None = None):
    """An interactive map of the documents, coloured by topic (outliers grey).

    Hovering shows the start of a document and its topic label; each topic's label sits at the
    median of its points; clicking a legend entry hides or shows that topic (points and label).
    ``topics`` limits the map to some topics. Returns a ``plotly.graph_objects.Figure``.
    """
    import plotly.graph_objects as go

    data = map_data(model)
    texts = model.corpus_.texts
    shown = list(data.topic_ids if topics is None else topics)
    check_topics(data.topic_ids, shown)
    size = marker_size or float(np.clip(9 - np.log10(max(len(data.xy), 10)) * 1.5, 2.5, 7))
    fig = go.Figure()

    def add_points(rows: np.ndarray, name: str, color: str, group: str, label: str, opacity: float) -> None:
        docs = data.doc_index[rows]
        fig.add_trace(go.Scattergl(
            x=data.xy[rows, 0], y=data.xy[rows, 1], mode="markers", name=name, legendgroup=group,
            marker={"size": size, "color": color, "opacity": opacity, "line": {"width": 0}},
            customdata=[[int(i), label] for i in docs],
            hovertext=[_hover(texts[i], max_chars) for i in docs],
            hovertemplate="<b>%{customdata[1]}</b><br>%{hovertext}<extra></extra>",
        ))

    if show_outliers:
        rows = data.members(-1)
        if len(rows):
            add_points(rows, f"{OUTLIER_LABEL} ({len(rows)})", OUTLIER_COLOR, "outliers", OUTLIER_LABEL, 0.5)
    for t in shown:
        rows = data.members(t)
        if not len(rows):
            continue
        label = data.labels[t]
        name = f"{t}: {html.escape(snippet(label, 40))} ({len(rows)})"
        add_points(rows, name, data.colors[t], f"topic-{t}", html.escape(label), 0.75)
        if show_labels:
            cx, cy = data.centres[t]
            fig.add_trace(go.Scatter(
                x=[cx], y=[cy], mode="text", text=[wrap_html(label, 24)], legendgroup=f"topic-{t}", showlegend=False,
                textfont={"size": 12, "color": "#1d232a", "weight": "bold", "shadow": "0 0 3px white"},
                hoverinfo="skip", name=f"label {t}",
            ))
    fig.update_layout(
        title=title or f"{len(data.xy):,} documents, {len(data.topic_ids)} topics", template="simple_white",
        width=width, height=height, hovermode="closest", legend={"itemsizing": "constant", "font": {"size": 11}},
        xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig
