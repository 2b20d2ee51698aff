"""The plotly document map's topic labels do not overlap: placed around their centres, largest topics first.

Two checks: boxes estimated from each label's length and font size in the figure's own pixel frame, and
the boxes plotly.js really draws in Debian's chromium (skipped where it is missing).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest

from topiclens.views.data import wrap

FONT = 12  # the labels' font size in pixels


def _labels(fig) -> list:
    return [t for t in fig.data if t.type == "scatter" and t.mode == "text"]


def _shown(fig) -> list:
    return [t for t in _labels(fig) if t.visible in (None, True)]


def _estimated_box(trace, scale: float, frame: tuple[float, float, float, float]) -> tuple[float, ...]:
    """A label's pixel box: 0.6 em per character (a full em for wide ones), 1.3 em per line, at its textposition."""
    x0, y1, _, _ = frame
    x, y = (trace.x[0] - x0) * scale, (y1 - trace.y[0]) * scale
    lines = [re.sub(r"&\w+;", "x", line) for line in trace.text[0].split("<br>")]
    w = max(sum(FONT * (1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6) for c in line) for line in lines)
    h = len(lines) * FONT * 1.3
    vertical, horizontal = (trace.textposition or "middle center").split()
    left = {"center": x - w / 2, "right": x, "left": x - w}[horizontal]
    top = {"middle": y - h / 2, "top": y - h, "bottom": y}[vertical]
    return left, top, left + w, top + h


def _overlaps(boxes: list[tuple[str, tuple[float, ...]]]) -> list[tuple[str, str]]:
    return [(a, b) for i, (a, p) in enumerate(boxes) for b, q in boxes[:i]
            if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]


def test_estimated_label_boxes_do_not_overlap(fitted):
    width, height = 1400, 600  # wide: the height sets the scale, whatever the legend takes
    fig = fitted.document_map(width=width, height=height)
    points = np.concatenate([np.column_stack([t.x, t.y]) for t in fig.data if t.type == "scattergl"])
    x_range = fig.layout.xaxis.range or (points[:, 0].min(), points[:, 0].max())
    y_range = fig.layout.yaxis.range or (points[:, 1].min(), points[:, 1].max())
    margin = fig.layout.margin
    scale = (height - margin.t - margin.b) / (y_range[1] - y_range[0])
    assert scale * (x_range[1] - x_range[0]) < width - margin.l - margin.r - 400  # the height sets the scale
    frame = (x_range[0], y_range[1], x_range[1], y_range[0])
    boxes = [(t.name, _estimated_box(t, scale, frame)) for t in _shown(fig)]
    assert _overlaps(boxes) == []
    assert len(boxes) >= len(_labels(fig)) // 2  # most topics keep their label at this size
    largest = max(fitted.topic_ids_, key=lambda t: fitted.topic_sizes_[fitted.fitted_.position(t)])
    assert f"label {largest}" in {t.name for t in _shown(fig)}
    # Every topic still has its label trace, in its legend group: isolating the topic shows a hidden one.
    assert len(_labels(fig)) == len(fitted.topic_ids_)
    assert {t.visible for t in _labels(fig)} <= {True, "legendonly"}


DRAWN_LABELS = """() => [...document.querySelectorAll('.scatterlayer .trace text')]
    .filter((t) => t.textContent.trim())
    .map((t) => { const r = t.getBoundingClientRect(); return [t.textContent, [r.left, r.top, r.right, r.bottom]]; })"""


@pytest.mark.parametrize("width", [None, 700], ids=["page-wide", "700px"])
def test_labels_plotly_draws_do_not_overlap(browser, fitted, tmp_path, width):
    fig = fitted.document_map(width=width)
    out = tmp_path / "map.html"
    fig.write_html(out, include_plotlyjs=True)
    page = browser.new_page()
    try:
        page.goto(out.as_uri())
        page.wait_for_selector(".scatterlayer .trace text")
        drawn = [(text, tuple(box)) for text, box in page.evaluate(DRAWN_LABELS)]
    finally:
        page.close()
    assert len(drawn) == len(_shown(fig)) >= 3
    assert _overlaps(drawn) == []
    # The drawn texts are the shown labels (lines run together in the SVG's text content).
    expected = {re.sub(r"\s", "", wrap(fitted.labels_[int(t.name.split()[1])], 24)) for t in _shown(fig)}
    assert {re.sub(r"\s", "", text) for text, _ in drawn} == expected
