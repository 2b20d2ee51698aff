"""The report's map draws on first load, every time, without waiting for a later animation frame.

The map used to be drawn once, then cleared when its ResizeObserver resized the canvas (the page's header
grows once the summary is written), and redrawn only on the next requestAnimationFrame: headless and
background tabs may run that frame late, so the map stayed blank though the page had signalled its first
render. A probe records the canvas's pixels right after every resize the map handles and at its
``firstrender`` event, where the old code left it blank.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chromium import require_chromium

LOADS = 10
MIN_PIXELS = 500  # coloured pixels on the points canvas: a few hundred documents make tens of thousands

require_chromium()

COUNT_PIXELS = """(() => {
    const c = document.getElementById('map-points');
    if (!c || !c.width || !c.height) return 0;
    const t = document.createElement('canvas'); t.width = c.width; t.height = c.height;
    const g = t.getContext('2d'); g.drawImage(c, 0, 0);
    const d = g.getImageData(0, 0, t.width, t.height).data; let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n; })"""

# Runs before the page's own scripts: after each ResizeObserver callback (the map's included) and at the map's
# firstrender event, once the map has signalled its first render, note how many pixels the canvas shows.
PROBE = f"""window.__probe = [];
window.__countPixels = {COUNT_PIXELS};
const note = (when) => {{
    const t = window.topiclens;
    if (t && t.firstRenderMs) window.__probe.push([when, window.__countPixels()]);
}};
const Native = window.ResizeObserver;
window.ResizeObserver = class extends Native {{
    constructor(callback) {{ super((entries, observer) => {{ callback(entries, observer); note('resize'); }}); }}
}};
document.addEventListener('firstrender', () => note('firstrender'), true);
"""

NO_WEBGL = """const original = HTMLCanvasElement.prototype.getContext;
HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
    return kind.startsWith('webgl') ? null : original.call(this, kind, ...rest); };"""


@pytest.fixture(scope="module")
def report(fitted, tmp_path_factory) -> Path:
    return fitted.report(tmp_path_factory.mktemp("firstdraw") / "report.html")


def _load(context, url: str, renderer: str) -> dict:
    """Open the report once, wait only for the page's own first-render signal, and read the map's pixels."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
    page.add_init_script(PROBE + (NO_WEBGL if renderer == "canvas2d" else ""))
    try:
        page.goto(url)
        # Poll on a timer, not on animation frames, so that waiting does not itself bring the frame that redraws.
        page.wait_for_function("window.topiclens && window.topiclens.firstRenderMs", polling=10, timeout=30_000)
        seen = page.evaluate("({pixels: window.__countPixels(), probe: window.__probe,"
                             " renderer: window.topiclens.renderer, points: window.topiclens.drawn})")
    finally:
        page.close()
    seen["errors"] = errors
    return seen


@pytest.mark.parametrize("renderer", ["webgl", "canvas2d"])
def test_the_map_has_points_as_soon_as_the_page_says_it_rendered(browser, report, renderer):
    for attempt in range(LOADS):
        seen = _load(browser, report.as_uri(), renderer)
        assert seen["errors"] == [], seen["errors"]
        assert seen["renderer"] == renderer and seen["points"] > 0
        assert seen["pixels"] > MIN_PIXELS, f"load {attempt + 1}: blank map after the first-render signal: {seen}"
        blank = [(when, n) for when, n in seen["probe"] if n <= MIN_PIXELS]
        assert blank == [], f"load {attempt + 1}: the map was left blank after {blank} (probe {seen['probe']})"
        assert any(when == "firstrender" for when, _ in seen["probe"]), seen["probe"]
