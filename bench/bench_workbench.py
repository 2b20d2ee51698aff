"""The workbench on the Debian benchmark corpus (29k documents), measured in Chromium.

usage: python bench/bench_workbench.py [--out bench/results/workbench_debian.json] [--screenshot PATH]

Fits the corpus (bench_fit.py's files in bench/work/, no LLM), saves it, starts ``topiclens serve`` as a
subprocess and drives Debian's Chromium with Playwright, the way a user works: the first render of the
page, then each edit from the click that asks for it to the page showing the saved result (preview and
apply timed apart), undo and redo. Each edit's seconds are also given against the fit's (the anchor of
this run). Nothing else should run meanwhile (two cores).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def serve(directory: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "topiclens", "serve", str(directory), "--port", "0",
                                "--no-llm"], stdout=subprocess.PIPE, text=True, env={**os.environ})
    for line in process.stdout:
        found = re.search(r"http://\S+", line)
        if found:
            return process, found.group(0)
    raise RuntimeError("topiclens serve printed no address")


class Timed:
    def __init__(self, page):
        self.page = page

    def until(self, expression: str, timeout: float = 600) -> float:
        """Seconds until ``expression`` holds in the page, polled every 10 ms."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.page.evaluate(expression):
                return time.perf_counter() - start
            time.sleep(0.01)
        raise TimeoutError(expression)

    def generation(self) -> str:
        return self.page.evaluate("document.body.dataset.generation || ''")

    def saved(self, before: str) -> str:
        return f"(document.body.dataset.generation || '') !== '{before}' && document.body.dataset.busy === '0'"

    def select(self, topics) -> None:
        self.page.click("#tabs button[data-tab=edit]")
        self.page.click("#wb-clear")
        self.page.click("#tabs button[data-tab=topics]")
        for t in topics:
            self.page.click(f"#topic-table tbody tr[data-topic='{t}'] .wb-pick")
        self.page.click("#tabs button[data-tab=edit]")

    def edit(self, button: str) -> dict:
        """Click ``button``, wait for the preview; click Apply, wait for the saved page."""
        start = time.perf_counter()
        self.page.click(button)
        self.page.wait_for_selector("#wb-apply", timeout=600_000)
        preview = time.perf_counter() - start
        before = self.generation()
        start = time.perf_counter()
        self.page.click("#wb-apply")
        self.until(self.saved(before))
        return {"preview_seconds": round(preview, 3), "apply_seconds": round(time.perf_counter() - start, 3),
                "summary": self.page.text_content("#wb-status")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "workbench_debian.json")
    parser.add_argument("--screenshot", type=Path, help="also save a screenshot of the page after the edits")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from topiclens import TopicModel

    with gzip.open(WORK / "debian_full.jsonl.gz", "rt", encoding="utf-8") as handle:
        docs = [json.loads(line)["text"] for line in handle]
    embeddings = np.load(WORK / "debian_full.minilm.npy")
    folder = tempfile.mkdtemp(prefix="topiclens-workbench-bench-")
    directory = Path(folder) / "model"
    model = TopicModel(seed=42, verbose=False, embedding_model="all-MiniLM-L6-v2", cache=folder)
    start = time.perf_counter()
    model.fit(docs, embeddings=embeddings)
    fit_seconds = time.perf_counter() - start
    model.save(directory)
    ids = list(model.topic_ids_)
    print(f"fit {fit_seconds:.1f} s, {len(ids)} topics", flush=True)
    process, url = serve(directory)
    rows: list[dict] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            timed = Timed(page)
            start = time.perf_counter()
            page.goto(url, timeout=600_000)
            page.wait_for_selector("body[data-ready='1']", timeout=600_000)
            timed.until("window.topiclens.firstRenderMs !== null")
            wall = time.perf_counter() - start
            first = page.evaluate("window.topiclens.firstRenderMs") / 1000
            size = page.evaluate("document.documentElement.outerHTML.length")
            first_render = {"first_render_seconds": round(first, 3), "load_to_ready_seconds": round(wall, 3),
                            "page_megabytes": round(size / 1e6, 1), "points": page.evaluate("window.topiclens.drawn")}
            print(json.dumps(first_render), flush=True)

            def record(name: str, result: dict) -> None:
                total = result.get("apply_seconds", 0) + result.get("preview_seconds", 0)
                rows.append({"edit": name, **result, "ratio_to_fit": round(total / fit_seconds, 3)})
                print(json.dumps(rows[-1]), flush=True)

            page.click("#tabs button[data-tab=edit]")
            if page.is_checked("#wb-autoname"):
                page.click("#wb-autoname")
            page.click("#tabs button[data-tab=topics]")
            before = timed.generation()
            page.click(f"#topic-table tbody tr[data-topic='{ids[1]}'] .wb-edit-label")
            page.fill(".wb-rename-input", "Python packaging")
            start = time.perf_counter()
            page.press(".wb-rename-input", "Enter")
            timed.until(timed.saved(before))
            record("rename", {"apply_seconds": round(time.perf_counter() - start, 3)})
            timed.select([ids[1], ids[2]])
            record("merge 2 topics", timed.edit("#wb-merge"))
            timed.select([ids[0]])
            page.fill("#wb-split-parts", "3")
            record("split in 3", timed.edit("#wb-split"))
            timed.select([ids[-1]])
            record("delete 1 topic", timed.edit("#wb-delete"))
            timed.select([ids[-2]])
            page.click("#wb-delete-to-outliers")
            record("delete 1 topic to outliers", timed.edit("#wb-delete"))
            page.click("#wb-delete-to-outliers")
            for which in ("undo", "undo", "redo"):
                before = timed.generation()
                start = time.perf_counter()
                page.click(f"#wb-{which}")
                timed.until(timed.saved(before))
                record(which, {"apply_seconds": round(time.perf_counter() - start, 3)})
            page.fill("#wb-reduce-n-topics", "30")
            record("reduce to 30", timed.edit("#wb-reduce"))
            page.fill("#wb-outliers-target", "0")
            record("outliers to 0 %", timed.edit("#wb-outliers"))
            if args.screenshot:
                page.click("#tabs button[data-tab=history]")
                page.screenshot(path=str(args.screenshot))
            browser.close()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    check = TopicModel.load(directory)
    report = {"corpus": "debian_full.jsonl.gz", "n_documents": len(docs), "n_topics": len(ids),
              "fit_seconds": round(fit_seconds, 2), "threads": os.environ.get("TOPICLENS_THREADS"),
              "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d"), "browser": "Debian chromium, headless",
              **first_render, "edits": rows, "history_on_disk": [r["operation"] for r in check.history_]}
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
