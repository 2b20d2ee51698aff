"""Draw the README's pictures from a fitted model directory (by default the one `make run` writes).

    python docs/screenshots.py [runs/debian_sample]

writes docs/img/report.png (the explorer in Debian's chromium, a document hovered on the map),
docs/img/workbench.png (`topiclens serve` on a copy of the model, two topics selected and their merge
previewed) and docs/img/map.png (the static map). All come from the saved model, so they show what a
fresh `make run` shows.
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from topiclens import TopicModel

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

FIND_POINT = """(() => {
    const m = window.topiclens.explorer.map;
    const cx = m.cssW * 0.45, cy = m.cssH * 0.75;
    let best = null, bestDistance = Infinity;
    for (let i = 0; i < m.n; i++) {
        if (m.topics[i] < 0) continue;
        const [x, y] = m.toScreen(m.xy[2 * i], m.xy[2 * i + 1]);
        const d = (x - cx) ** 2 + (y - cy) ** 2;
        if (d < bestDistance && m.pick(x, y) === i) { best = {x, y}; bestDistance = d; }
    }
    return best; })()"""


def explorer_picture(model: TopicModel, out: Path) -> None:
    """Screenshot the explorer with one document hovered near the lower middle of the map."""
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="topiclens-shots-"))
    try:
        report = model.report(work / "report.html")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            page.goto(report.as_uri())
            page.wait_for_function("window.topiclens && window.topiclens.firstRenderMs", timeout=30_000)
            point = page.evaluate(FIND_POINT)
            box = page.locator("#map").bounding_box()
            if point and box:
                page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
                page.wait_for_timeout(300)
            page.screenshot(path=str(out))
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def workbench_picture(model_dir: Path, out: Path) -> None:
    """Screenshot the workbench (on a copy of the model) with two topics selected and their merge previewed."""
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="topiclens-shots-"))
    shutil.copytree(model_dir, work / "model", ignore=shutil.ignore_patterns("report.html"))
    server = subprocess.Popen([sys.executable, "-m", "topiclens", "serve", str(work / "model"), "--port", "0",
                               "--no-llm"], stdout=subprocess.PIPE, text=True)
    try:
        url = next(m.group(0) for line in server.stdout if (m := re.search(r"http://\S+", line)))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']", timeout=60_000)
            for topic in (3, 5):
                page.click(f"#topic-table tbody tr[data-topic='{topic}'] .wb-pick")
            page.click("#tabs button[data-tab=edit]")
            page.click("#wb-merge")
            page.wait_for_selector("#wb-apply", timeout=60_000)
            page.screenshot(path=str(out))
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default=str(ROOT / "runs" / "debian_sample"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"))
    args = parser.parse_args()
    model = TopicModel.load(args.model)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    explorer_picture(model, out / "report.png")
    workbench_picture(Path(args.model), out / "workbench.png")
    model.static_map(out / "map.png", dpi=100)
    print(f"wrote {out / 'report.png'}, {out / 'workbench.png'} and {out / 'map.png'}")


if __name__ == "__main__":
    main()
