"""The static labeled map: a PNG (or PDF/SVG) made with matplotlib, labels placed apart with adjustText."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import require
from .data import OUTLIER_COLOR, map_data, wrap


def static_map(model, path: str | Path = "map.png", *, dpi: int = 300, figsize: tuple[float, float] = (10, 10),
               label_width: int = 22, font_size: float = 7.5, max_labels: int | None = None,
               title: str | None = None) -> Path:
    """Draw every document coloured by topic (outliers light grey) with each topic's label at its centre.

    Labels are wrapped at ``label_width`` characters and moved apart by adjustText so none overlaps
    another; at the default 10 x 10 inches and 300 dpi they stay readable. ``max_labels`` keeps only
    the largest topics' labels. The format follows the file suffix. Returns the path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, _ = draw_static_map(model, dpi=dpi, figsize=figsize, label_width=label_width, font_size=font_size,
                             max_labels=max_labels, title=title)
    fig.savefig(path, dpi=dpi)
    return path


def draw_static_map(model, *, dpi: int = 300, figsize: tuple[float, float] = (10, 10), label_width: int = 22,
                    font_size: float = 7.5, max_labels: int | None = None, title: str | None = None):
    """The static map as a matplotlib Figure on an Agg canvas (no pyplot state), with its labels: ``(fig, texts)``."""
    require("matplotlib", "viz", "the static map")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    adjust_text = require("adjustText", "viz", "placing the static map's labels").adjust_text
    data = map_data(model)
    n = len(data.xy)
    point_size = float(np.clip(500.0 / np.sqrt(n), 1.5, 25.0)) * (figsize[0] / 10) ** 2  # points²

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    outliers = data.members(-1)
    if len(outliers):
        ax.scatter(data.xy[outliers, 0], data.xy[outliers, 1], s=point_size, c=OUTLIER_COLOR, alpha=0.5,
                   linewidths=0, rasterized=True)
    for t in data.topic_ids:
        rows = data.members(t)
        if len(rows):
            ax.scatter(data.xy[rows, 0], data.xy[rows, 1], s=point_size, c=data.colors[t], alpha=0.7,
                       linewidths=0, rasterized=True)
    ranked = sorted((t for t in data.topic_ids if np.isfinite(data.centres[t]).all()),
                    key=lambda t: -int((data.topics == t).sum()))
    texts = []
    for t in ranked[:max_labels]:
        cx, cy = data.centres[t]
        texts.append(ax.text(
            cx, cy, wrap(data.labels[t], label_width), fontsize=font_size, ha="center", va="center",
            color="#111111", zorder=5, linespacing=1.1, parse_math=False,  # a "$" in a label is a dollar
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": data.colors[t],
                  "linewidth": 0.8, "alpha": 0.85},
        ))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal", adjustable="datalim")
    for side in ax.spines.values():
        side.set_visible(False)
    if title is not None:
        ax.set_title(title, fontsize=font_size * 1.6, parse_math=False)
    fig.tight_layout()
    if texts:
        adjust_text(texts, ax=ax, expand=(1.1, 1.25), ensure_inside_axes=True,
                    arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.5})
    return fig, texts
