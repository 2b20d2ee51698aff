"""The interactive document map: a plotly figure, one WebGL trace per topic so the legend hides or shows it."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence

import numpy as np

from ..core.errors import require
from ..state import OUTLIER_LABEL, check_topics
from .data import OUTLIER_COLOR, map_data, snippet, wrap, wrap_html

LABEL_SIZE = 12          # px, bold
LABEL_WIDTH = 24         # characters per label line
LEGEND_SIZE = 11         # px
ASSUMED_WIDTH = 900      # px: the width labels are placed for when the figure follows its container (width=None)
MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}
# Where a label may sit around its topic's centre, best first (plotly's textposition).
POSITIONS = ("middle center", "top center", "bottom center", "middle right", "middle left",
             "top right", "top left", "bottom right", "bottom left")


def _hover(text: str, max_chars: int) -> str:
    """The start of a document, HTML-escaped and broken into lines for the hover box."""
    return wrap_html(snippet(text, max_chars), 60)


def document_map(model, *, topics: Sequence[int] | None = None, max_chars: int = 150,
                 show_outliers: bool = True, show_labels: bool = True, marker_size: float | None = None,
                 width: int | None = None, height: int = 750, title: str | None = None):
    """An interactive map of the documents, coloured by topic (outliers grey).

    Hovering shows the start of a document and its topic label; each topic's label sits at the
    median of its points, or beside it where it would overlap the label of a larger topic; a label
    with no free place nearby is hidden until the topic is isolated (double-click its legend entry).
    Labels are placed for ``width`` (900 px when None, as when the figure fills its container) and
    ``height``. Clicking a legend entry hides or shows that topic (points and label). ``topics``
    limits the map to some topics. Returns a ``plotly.graph_objects.Figure``.
    """
    go = require("plotly.graph_objects", "plot", "interactive charts")

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

    members = {t: data.members(t) for t in shown}
    drawn = [t for t in shown if len(members[t])]
    outliers = data.members(-1) if show_outliers else np.zeros(0, dtype=int)
    names = {t: f"{t}: {snippet(data.labels[t], 40)} ({len(members[t])})" for t in drawn}
    if len(outliers):
        names[-1] = f"{OUTLIER_LABEL} ({len(outliers)})"
        add_points(outliers, html.escape(names[-1]), OUTLIER_COLOR, "outliers", OUTLIER_LABEL, 0.5)
    plotted = np.concatenate([outliers, *(members[t] for t in drawn)]).astype(int)
    frame = _Frame(data.xy[plotted] if len(plotted) else data.xy, width or ASSUMED_WIDTH, height,
                   _legend_width(names.values()))
    places = _place_labels(frame, {t: data.centres[t] for t in drawn}, {t: data.labels[t] for t in drawn},
                           sorted(drawn, key=lambda t: -len(members[t]))) if show_labels else {}
    for t in drawn:
        label = data.labels[t]
        add_points(members[t], html.escape(names[t]), data.colors[t], f"topic-{t}", html.escape(label), 0.75)
        if show_labels:
            cx, cy = data.centres[t]
            fig.add_trace(go.Scatter(
                x=[cx], y=[cy], mode="text", text=[wrap_html(label, LABEL_WIDTH)], legendgroup=f"topic-{t}",
                showlegend=False, textposition=places[t] or POSITIONS[0],
                visible=True if places[t] else "legendonly",  # no room: shown when the topic is isolated
                textfont={"size": LABEL_SIZE, "color": "#1d232a", "weight": "bold", "shadow": "0 0 3px white"},
                hoverinfo="skip", name=f"label {t}",
            ))
    fig.update_layout(
        title=title or f"{len(data.xy):,} documents, {len(data.topic_ids)} topics", template="simple_white",
        width=width, height=height, hovermode="closest",
        legend={"itemsizing": "constant", "font": {"size": LEGEND_SIZE}},
        xaxis={"visible": False, "range": frame.x_range},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1, "range": frame.y_range},
        margin=MARGIN,
    )
    return fig


def _text_size(text: str, font_size: float, bold: bool = True) -> float:
    """Approximate width in pixels of one line of text (wide East Asian characters take a full em)."""
    narrow = 0.64 if bold else 0.55
    return sum(font_size * (1.0 if unicodedata.east_asian_width(c) in "WF" else narrow) for c in text)


def _legend_width(names) -> float:
    """Approximate width in pixels of plotly's legend beside the plot (symbol, gap and the longest name)."""
    return 50 + max((_text_size(name, LEGEND_SIZE, bold=False) for name in names), default=0)


class _Frame:
    """Where data coordinates fall in the plot area, in pixels (y down), with x and y on one scale."""

    def __init__(self, xy: np.ndarray, width: float, height: float, legend: float):
        lo, hi = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
        pad = np.maximum((hi - lo) * 0.04, 1e-6)
        lo, hi = lo - pad, hi + pad
        self.x_range, self.y_range = [float(lo[0]), float(hi[0])], [float(lo[1]), float(hi[1])]
        self.width = max(width - MARGIN["l"] - MARGIN["r"] - legend, 50.0)
        self.height = max(height - MARGIN["t"] - MARGIN["b"], 50.0)
        # plotly widens one range to keep the aspect: the scale is the tighter of the two.
        self.scale = min(self.width / (hi[0] - lo[0]), self.height / (hi[1] - lo[1]))
        self.mid = (lo + hi) / 2

    def pixels(self, x: float, y: float) -> tuple[float, float]:
        return (self.width / 2 + (x - self.mid[0]) * self.scale, self.height / 2 - (y - self.mid[1]) * self.scale)


def _label_box(x: float, y: float, label: str, position: str) -> tuple[float, float, float, float]:
    """The approximate pixel box ``(left, top, right, bottom)`` of a label anchored at ``(x, y)`` (y down),
    wrapped as the map wraps it and placed at ``position`` (plotly's textposition, e.g. "top left")."""
    lines = wrap(label, LABEL_WIDTH).split("\n")
    w = max(_text_size(line, LABEL_SIZE) for line in lines) + 4
    h = len(lines) * LABEL_SIZE * 1.3 + 2
    vertical, horizontal = position.split()
    left = {"center": x - w / 2, "right": x, "left": x - w}[horizontal]
    top = {"middle": y - h / 2, "top": y - h, "bottom": y}[vertical]
    return left, top, left + w, top + h


def _place_labels(frame: _Frame, centres: dict, labels: dict, order: list[int]) -> dict[int, str | None]:
    """A position for each topic's label, largest topics first, where it overlaps no label placed before it
    and stays inside the plot; None where there is no such place (the label is hidden)."""
    placed: list[tuple[float, float, float, float]] = []
    places: dict[int, str | None] = {}
    for t in order:
        places[t] = None
        if not np.isfinite(centres[t]).all():
            continue
        x, y = frame.pixels(*centres[t])
        for position in POSITIONS:
            box = _label_box(x, y, labels[t], position)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= frame.width and box[3] <= frame.height
            if inside and not any(_overlap(box, other) for other in placed):
                placed.append(box)
                places[t] = position
                break
    return places


def _overlap(a: tuple[float, ...], b: tuple[float, ...], gap: float = 2.0) -> bool:
    """Whether two pixel boxes overlap or come closer than ``gap``."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap
