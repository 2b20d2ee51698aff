"""The notebook's frames in a real browser (Debian's chromium, Playwright): a page on http://localhost, as Jupyter's
is, shows the explorer inline (its scripts draw the map in the sandbox) and the workbench from 127.0.0.1 (it loads
and its requests pass the guard); a page on another address may not frame the workbench."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chromium import require_chromium
from topiclens import TopicModel

require_chromium()


class _Notebook(ThreadingHTTPServer):
    """Serves one HTML page (the outputs, as a notebook's page holds them) on ``host``."""

    def __init__(self, host: str, page: str):
        self.page = page.encode("utf-8")
        super().__init__((host, 0), _Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: _Notebook

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.server.page)))
        self.end_headers()
        self.wfile.write(self.server.page)


@pytest.fixture(scope="module")
def bench(fitted, tmp_path_factory):
    directory = tmp_path_factory.mktemp("framed") / "model"
    fitted.save(directory)
    with TopicModel.load(directory, verbose=False).workbench(labeler=False, height=700) as running:
        yield running


def _frame(page, title: str):
    return next(f for f in page.frames if f.parent_frame is not None and f.frame_element().get_attribute("title")
                == title)


def test_a_notebook_page_on_localhost_shows_the_explorer_and_the_workbench(browser, fitted, bench):
    outputs = f"<h1>notebook</h1>{fitted.explore(height=600)._repr_html_()}{bench._repr_html_()}"
    notebook = _Notebook("127.0.0.1", f"<!DOCTYPE html><meta charset='utf-8'><body>{outputs}</body>")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"http://localhost:{notebook.server_address[1]}/")
        explorer = _frame(page, "topiclens explorer")
        explorer.wait_for_function("window.topiclens && window.topiclens.firstRenderMs", timeout=30_000)
        assert explorer.evaluate("window.topiclens.drawn") > 0
        assert explorer.evaluate("window.origin") == "null"  # sandboxed: not the notebook's origin
        workbench = _frame(page, "topiclens workbench")
        workbench.wait_for_function("window.topiclens && window.topiclens.workbench", timeout=30_000)
        topics = workbench.evaluate("window.topiclens.workbench.api('/api/topics').then(d => d.meta.n_topics)")
        assert topics == len(fitted.topic_ids_)
        change = workbench.evaluate("t => window.topiclens.workbench.api('/api/preview', "
                                    "{operation: 'split', topic: t, parts: 2}).then(d => d.n_topics)",
                                    fitted.topic_ids_[0])
        assert change == [len(fitted.topic_ids_), len(fitted.topic_ids_) + 1]  # a POST from the frame passes
        assert errors == []
    finally:
        page.close()
        notebook.close()


def test_a_page_on_another_address_may_not_frame_the_workbench(browser, bench):
    notebook = _Notebook("127.0.0.2", f"<!DOCTYPE html><body>{bench._repr_html_()}</body>")
    page = browser.new_page()
    said: list[str] = []
    page.on("console", lambda m: said.append(m.text))
    try:
        page.goto(f"http://127.0.0.2:{notebook.server_address[1]}/")
        page.wait_for_timeout(1500)
        framed = _frame(page, "topiclens workbench")
        assert framed.url.startswith("chrome-error:") and framed.evaluate("typeof window.topiclens") == "undefined"
        assert any("frame-ancestors" in text for text in said)
    finally:
        page.close()
        notebook.close()
