"""The workbench end to end: ``topiclens serve`` as a subprocess, driven in Debian's Chromium with Playwright.

Every edit is made the way a user makes it (clicks, ticks, a lasso, typing) and then checked on disk: the
model directory holds the change and its history, and loads with TopicModel.load.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pytest

from chromium import chromium_context, require_chromium
from topiclens import TopicModel
from workbench_server import Served

require_chromium()

PAYLOAD_DOCS = ["</script><script>window.pwned = 1</script> ", '<img src=x onerror="window.pwned = 2"> ',
                "javascript:window.pwned = 3 "]
PAYLOAD_LABEL = '</script><img src=x onerror="window.pwned=4"> javascript:alert(1)'
LONG_MARKER = "zebraquartz"  # what finds the long document in the search


def long_document(docs) -> str:
    """A document of several passages holding a payload in its middle."""
    return f"{LONG_MARKER} " + "\n\n".join(docs[10:14]) + '\n\n<img src=x onerror="window.pwned = 5"> ' + \
        "\n\n".join(docs[14:18])


@pytest.fixture(scope="module")
def directory(docs, embeddings, tmp_path_factory):
    texts = list(docs)
    for i, payload in enumerate(PAYLOAD_DOCS):
        texts[i] = payload + texts[i]
    texts[3] = long_document(docs)
    model = TopicModel(seed=7, threads=1, verbose=False).fit(texts, embeddings=embeddings)
    model.set_labels({model.topics_[0]: PAYLOAD_LABEL}, inplace=True)
    path = tmp_path_factory.mktemp("workbench") / "model"
    model.save(path)
    return path


@pytest.fixture(scope="module")
def server(directory):
    served = Served(directory, "--llm", "smollm2-135m")
    yield served
    served.stop()


@pytest.fixture(scope="module")
def browser():
    with chromium_context(viewport={"width": 1400, "height": 860}, accept_downloads=True) as context:
        yield context


class Bench:
    """The workbench page, with the JavaScript errors it logs and a way to wait for its answers."""

    def __init__(self, context, url: str):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready='1']", timeout=60_000)

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def until(self, expression: str, timeout: float = 120) -> None:
        """Poll ``expression`` (the page's CSP allows no eval, so Playwright's wait_for_function cannot run)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.js(expression):
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {expression}; status: {self.status()}")

    def status(self) -> str:
        return self.page.text_content("#wb-status") or ""

    def settled(self) -> None:
        self.until("document.body.dataset.busy === '0'")

    def rows(self) -> list[int]:
        return self.js("[...document.querySelectorAll('#topic-table tbody tr')].map((r) => Number(r.dataset.topic))")

    def select(self, topics) -> None:
        self.page.click("#tabs button[data-tab=edit]")
        self.page.click("#wb-clear")
        self.page.click("#tabs button[data-tab=topics]")
        for t in topics:
            self.page.click(f"#topic-table tbody tr[data-topic='{t}'] .wb-pick")
        self.page.click("#tabs button[data-tab=edit]")

    def preview_and_apply(self, button: str) -> str:
        self.page.click(button)
        self.page.wait_for_selector("#wb-apply", timeout=120_000)
        summary = self.page.text_content("#wb-preview-summary")
        generation = self.js("document.body.dataset.generation || ''")
        self.page.click("#wb-apply")
        self.until(f"(document.body.dataset.generation || '') !== '{generation}' && document.body.dataset.busy === '0'")
        assert self.status().startswith("Saved"), self.status()
        return summary


@pytest.fixture
def bench(browser, server):
    opened = Bench(browser, server.url)
    yield opened
    assert opened.errors == [], opened.errors
    opened.page.close()


def _loaded(directory) -> TopicModel:
    return TopicModel.load(directory, verbose=False)


def test_documents_and_labels_are_shown_as_text_never_run(bench, directory):
    page = bench.page
    assert bench.js("window.pwned") is None
    assert bench.js("document.querySelectorAll('img, [onerror], a[href^=\"javascript:\"], script:not([nonce])"
                    ":not([type=\"application/json\"])').length") == 0
    assert PAYLOAD_LABEL in page.text_content("#topic-table tbody")
    page.fill("#search", "pwned")
    page.press("#search", "Enter")
    found = page.text_content("#search-results")
    for payload in PAYLOAD_DOCS:
        assert payload.strip() in found
    page.fill("#search", "")
    page.press("#search", "Enter")
    first_topic = int(_loaded(directory).topics_[0])
    bench.js(f"window.topiclens.selectTopic({first_topic})")
    assert page.text_content("#topic-title") == PAYLOAD_LABEL
    # the edit panel is the table of edits: one row per edit, in its order, each with its own inputs
    from topiclens.editing.table import EDITS

    assert bench.js("[...document.querySelectorAll('#tab-edit [data-edit]')].map((r) => r.dataset.edit)") == \
        [e.name for e in sorted(EDITS.values(), key=lambda e: not e.on_selection)]
    assert page.get_attribute("#wb-outliers-target", "value") == "5"  # the table's suggested 5 % outliers
    bench.select([first_topic])
    page.click("#wb-merge")  # one topic cannot be merged: the server says why, in words
    bench.until("document.querySelector('#wb-status').className === 'error'")
    assert "at least 2" in bench.status()
    assert bench.errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    bench.errors.clear()
    assert bench.js("window.pwned") is None
    assert bench.js("document.querySelectorAll('img, [onerror]').length") == 0


def test_edit_cycle_in_the_browser_saved_at_once(bench, directory):
    page = bench.page
    page.click("#tabs button[data-tab=edit]")
    assert page.is_checked("#wb-autoname")  # with an LLM at hand, changed topics are named after an edit by default
    page.click("#wb-autoname")  # this test checks the keyword labels an edit leaves
    start = _loaded(directory)
    ids = list(start.topic_ids_)

    # rename inline: double-click the label, type, Enter
    page.click("#tabs button[data-tab=topics]")
    page.click(f"#topic-table tbody tr[data-topic='{ids[1]}'] .wb-edit-label")
    page.fill(".wb-rename-input", "Python packaging")
    page.press(".wb-rename-input", "Enter")
    bench.until("document.querySelector('#wb-status').textContent.includes('renamed')")
    bench.settled()
    model = _loaded(directory)
    assert model.labels_[model.fitted_.position(ids[1])] == "Python packaging"
    assert model.history_[-1]["operation"] == "rename"
    assert "Python packaging" in page.text_content(f"#topic-table tbody tr[data-topic='{ids[1]}']")

    # merge two topics ticked in the table
    bench.select([ids[2], ids[3]])
    assert page.get_attribute("#wb-selected", "data-count") == "2"
    summary = bench.preview_and_apply("#wb-merge")
    assert f"{len(ids)} → {len(ids) - 1} topics" in summary
    model = _loaded(directory)
    assert ids[3] not in model.topic_ids_ and model.history_[-1]["operation"] == "merge"
    assert sorted(bench.rows()) == sorted([*model.topic_ids_, *([-1] if (model.topics_ < 0).any() else [])])

    # split a topic in two
    bench.select([ids[0]])
    page.fill("#wb-split-parts", "2")
    bench.preview_and_apply("#wb-split")
    model = _loaded(directory)
    assert len(model.topic_ids_) == len(ids) and model.history_[-1]["operation"] == "split"
    after_split = list(model.topic_ids_)

    # delete a topic
    bench.select([after_split[-1]])
    bench.preview_and_apply("#wb-delete")
    model = _loaded(directory)
    assert after_split[-1] not in model.topic_ids_ and model.history_[-1]["operation"] == "delete"

    # undo, then redo, from the header's buttons
    page.click("#wb-undo")
    bench.until("document.querySelector('#wb-history').dataset.undone === '1'")
    bench.settled()
    model = _loaded(directory)
    assert list(model.topic_ids_) == after_split and model.history_[-1]["operation"] == "split"
    assert after_split[-1] in bench.rows()
    page.click("#wb-redo")
    bench.until("document.querySelector('#wb-history').dataset.undone === '0'")
    bench.settled()
    model = _loaded(directory)
    assert after_split[-1] not in model.topic_ids_ and after_split[-1] not in bench.rows()
    page.click("#tabs button[data-tab=history]")
    assert [li.split(".")[1].split()[0] for li in page.locator("#wb-history li b").all_text_contents()] == \
        ["delete", "split", "merge", "rename"]

    # relabel two topics with the bundled small LLM, with live progress
    chosen = list(model.topic_ids_[:2])
    bench.select(chosen)
    page.click("#wb-relabel")
    bench.until("document.querySelector('#wb-job').dataset.state === 'done'", timeout=300)
    bench.settled()
    line = page.text_content("#wb-job")
    assert line.startswith("Relabel: 2 of 2 topics") and "LLM call(s)" in line and "from the cache" in line
    job = bench.js("fetch('/api/job', {headers: {'X-Topiclens-Token': window.topiclens.workbench.token}})"
                   ".then((r) => r.json())")
    model = _loaded(directory)
    assert model.history_[-1]["operation"] == "label" and model.history_[-1]["changed"] == chosen
    for topic, label in job["finished"]:
        assert model.labels_[model.fitted_.position(topic)] == label
        assert label in page.text_content(f"#topic-table tbody tr[data-topic='{topic}']")

    # naming on again (the default): the topic a merge makes is named by the LLM right after the merge is applied
    page.click("#tabs button[data-tab=edit]")
    page.click("#wb-autoname")
    bench.select(chosen)
    bench.preview_and_apply("#wb-merge")
    deadline = time.monotonic() + 300
    while _loaded(directory).history_[-1]["operation"] != "label" and time.monotonic() < deadline:
        time.sleep(0.5)
    bench.until("document.querySelector('#wb-job').dataset.state === 'done'", timeout=300)
    bench.settled()
    model = _loaded(directory)
    merge, named = model.history_[-2:]
    assert merge["operation"] == "merge" and named["operation"] == "label" and named["changed"] == merge["changed"]
    at = model.fitted_.position(merge["changed"][0])
    assert model.llm_labels_[at] and model.labels_[at] == model.llm_labels_[at] and model.waiting_for_names_ == []

    # exports: downloads of what the model holds now
    with page.expect_download() as download:
        page.click("#wb-export-documents-parquet")
    documents = pd.read_parquet(io.BytesIO(open(download.value.path(), "rb").read()))
    assert (documents["topic"].to_numpy() == model.topics_).all()
    with page.expect_download() as download:
        page.click("#wb-export-report-html")
    assert "topiclens-data" in open(download.value.path(), encoding="utf-8").read()
    with page.expect_download() as download:
        page.click("#wb-export-map-png")
    assert open(download.value.path(), "rb").read(4) == b"\x89PNG"
    assert download.value.suggested_filename.endswith("map.png")


def test_lasso_selects_the_topics_drawn_around(bench, directory):
    page = bench.page
    model = _loaded(directory)
    target = int(model.topic_ids_[0])
    corners = bench.js(f"""(() => {{
        const m = window.topiclens.explorer.map, xs = [], ys = [];
        for (let i = 0; i < m.n; i++) if (m.topics[i] === {target}) {{
            const [x, y] = m.toScreen(m.xy[2 * i], m.xy[2 * i + 1]); xs.push(x); ys.push(y); }}
        const r = m.root.getBoundingClientRect();
        return [Math.min(...xs) + r.left - 4, Math.min(...ys) + r.top - 4, Math.max(...xs) + r.left + 4,
                Math.max(...ys) + r.top + 4];
    }})()""")
    x0, y0, x1, y1 = corners
    page.click("#wb-lasso")
    page.mouse.move(x0, y0)
    page.mouse.down()
    for x, y in [(x1, y0), (x1, y1), (x0, y1), (x0, y0 + 1)]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()
    chips = bench.js("[...document.querySelectorAll('#wb-selected .chip')].map((c) => Number(c.dataset.topic))")
    assert target in chips
    inside = np.asarray(chips)
    assert len(inside) < len(model.topic_ids_)  # not everything


def test_labels_are_listed_weakest_fit_first(bench, directory):
    """The workbench lists the labels that fit their topics least first, each with its fit, for review."""
    model = _loaded(directory)
    known = sorted((c, t) for t, c in zip(model.topic_ids_, model.label_confidence_ or []) if c is not None)
    assert known, "set_labels scores the label it sets"
    assert bench.rows()[: len(known)] == [t for _, t in known]
    for confidence, topic in known:
        assert bench.page.text_content(f"#topic-table tbody tr[data-topic='{topic}'] td.fit") == f"{confidence:.2f}"
    unknown = [t for t in model.topic_ids_ if t not in {t for _, t in known}][0]
    assert bench.page.text_content(f"#topic-table tbody tr[data-topic='{unknown}'] td.fit") == "—"


def test_a_document_read_whole_shows_its_passages_tinted_by_topic_as_text(bench, directory, docs):
    page = bench.page
    page.fill("#search", LONG_MARKER)
    page.press("#search", "Enter")
    page.wait_for_selector("#search-results li[data-doc]")
    page.dblclick("#search-results li[data-doc]")
    bench.until("document.querySelectorAll('#wb-doc-text .passage').length > 0")
    assert bench.js("document.querySelector('#tab-document').hidden") is False
    text = long_document(docs)
    spans = _loaded(directory).explain(text)
    assert bench.js("document.querySelectorAll('#wb-doc-text .passage').length") == len(spans) > 1
    assert page.text_content("#wb-doc-text") == text  # every character, the payload as text
    assert bench.js("document.querySelectorAll('#wb-doc-text *:not(span.passage)').length") == 0
    assert bench.js("window.pwned") is None
    topics = bench.js("[...document.querySelectorAll('#wb-doc-text .passage')].map((s) => Number(s.dataset.topic))")
    assert topics == spans["topic"].tolist()
    tinted = bench.js("[...document.querySelectorAll('#wb-doc-text .passage')].map((s) => s.style.backgroundColor)")
    assert all(colour for colour, topic in zip(tinted, topics) if topic >= 0)
    assert len(set(t for t in topics if t >= 0)) == bench.js("document.querySelectorAll('#wb-doc-legend li').length")
    assert page.text_content("#wb-doc-title") == f"Document {_loaded(directory).corpus_.id_values[3]}"
