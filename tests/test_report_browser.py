"""The HTML explorer in a real browser: Debian's chromium driven by Playwright, offline, from file://."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from chromium import require_chromium
from states import with_state
from topiclens.pipeline.coherence import MIXED_TIGHTNESS
from topiclens.views.data import snippet

require_chromium()


@pytest.fixture(scope="module")
def report(fitted, tmp_path_factory) -> Path:
    return fitted.report(tmp_path_factory.mktemp("report") / "report.html")


class Page:
    """A page that may only read file:// URLs; records blocked requests and every JavaScript error."""

    def __init__(self, context, url: str):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route(re.compile(r"^(?!file:).*"), self._block)
        self.page.goto(url)
        self.page.wait_for_function("window.topiclens && window.topiclens.firstRenderMs", timeout=30_000)

    def _block(self, route):
        self.blocked.append(route.request.url)
        route.abort()

    def js(self, expression: str):
        return self.page.evaluate(expression)


@pytest.fixture
def page(browser, report):
    opened = Page(browser, report.as_uri())
    yield opened
    assert opened.errors == [], opened.errors
    assert opened.blocked == [], f"the report tried the network: {opened.blocked}"
    opened.page.close()


def test_report_loads_offline_and_draws_every_document(page, fitted, request):
    expected = int(np.isfinite(fitted.layout_).all(axis=1).sum())
    assert page.js("window.topiclens.drawn") == expected
    assert page.page.get_attribute("#map", "data-points") == str(expected)
    assert page.js("window.topiclens.renderer") in ("webgl", "canvas2d")
    assert int(page.page.get_attribute("#map", "data-labels")) >= 1
    rows = page.page.locator("#topic-table tbody tr")
    has_outliers = bool((fitted.topics_[fitted.usable_] < 0).any())
    assert rows.count() == len(fitted.topic_ids_) + has_outliers
    assert rows.first.get_attribute("data-topic") == "0"  # sorted by size
    # Pixels: the map canvas is not blank.
    coloured = page.js("""(() => {
        const c = document.getElementById('map-points'), t = document.createElement('canvas');
        t.width = c.width; t.height = c.height; const g = t.getContext('2d'); g.drawImage(c, 0, 0);
        const d = g.getImageData(0, 0, t.width, t.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n; })()""")
    assert coloured > 1000
    artifacts = Path(request.config.cache.mkdir("artifacts"))
    shot = artifacts / "report.png"
    page.page.screenshot(path=str(shot))
    print(f"\nreport screenshot: {shot}")


def test_clicking_a_topic_lists_its_documents(page, fitted):
    topic = 1
    page.page.click(f'#topic-table tbody tr[data-topic="{topic}"] td.label')
    page.page.wait_for_selector(f'#topic-panel[data-topic="{topic}"]')
    assert page.page.is_visible("#topic-panel")
    assert page.page.text_content("#topic-title").strip() == fitted.labels_[topic]
    docs = page.page.locator("#topic-docs li")
    size = fitted.topic_sizes_[topic]
    reps = len(fitted.representative_docs_[topic])
    assert docs.count() == min(50, size - reps) > 0
    assert set(docs.evaluate_all("els => els.map(e => e.dataset.topic)")) == {str(topic)}
    shown_ids = page.page.locator("#topic-reps li .id").all_text_contents()
    assert shown_ids == [fitted.corpus_.ids[i] for i in fitted.representative_docs_[topic]]
    assert page.js("window.topiclens.highlighted") == size
    if size - reps > 50:
        page.page.click("#topic-more")
        assert docs.count() == min(100, size - reps)


def test_mixed_topics_are_marked_in_the_table_and_on_their_page(browser, docs, embeddings, tmp_path):
    from topiclens import TopicModel

    kept = TopicModel(seed=7, threads=1, verbose=False, mixed_topics="keep").fit(docs, embeddings=embeddings)
    tightness = kept.topic_tightness()
    mixed = {t for t, value in tightness.items() if value < MIXED_TIGHTNESS}
    assert mixed and mixed != set(tightness)  # the slice has loose topics and tight ones
    page = Page(browser, kept.report(tmp_path / "report.html").as_uri())
    marked = page.page.locator("#topic-table tbody tr:has(small.mixed)").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.topic))")
    assert set(marked) == mixed
    topic = min(mixed)
    page.page.click(f'#topic-table tbody tr[data-topic="{topic}"] td.label')
    page.page.wait_for_selector(f'#topic-panel[data-topic="{topic}"]')
    assert f"mixed topic (tightness {tightness[topic]:.2f})" in page.page.text_content("#topic-panel .meta")
    assert page.errors == [] and page.blocked == []


def test_search_finds_a_known_document_and_marks_it_on_the_map(page, fitted):
    texts = fitted.corpus_.texts
    doc = next(i for i in range(len(texts)) if fitted.usable_[i] and re.search(r"\b[A-Za-z]{9,}\b", texts[i][:200]))
    word = re.search(r"\b[A-Za-z]{9,}\b", texts[doc][:200]).group(0)
    expected = [i for i, t in enumerate(texts) if fitted.usable_[i] and word.lower() in snippet(t, 300).lower()]
    page.page.fill("#search", word)
    page.page.press("#search", "Enter")
    page.page.wait_for_selector("#search-results li")
    assert page.page.get_attribute("#search-results", "data-hits") == str(len(expected))
    ids = page.page.locator("#search-results li .id").all_text_contents()
    assert fitted.corpus_.ids[doc] in ids
    assert page.js("window.topiclens.highlighted") == len(expected)
    assert f"{len(expected)} document" in page.page.text_content("#search-count")
    page.page.fill("#search", "zzzz-no-such-word")
    page.page.press("#search", "Enter")
    page.page.wait_for_function("document.getElementById('search-results').dataset.hits === '0'")


def test_clicking_a_point_opens_its_topic(page):
    target = page.js("""(() => {
        const m = window.topiclens.explorer.map;
        for (let i = 0; i < m.n; i++) {
            if (m.topics[i] < 0) continue;
            const [x, y] = m.toScreen(m.xy[2 * i], m.xy[2 * i + 1]);
            if (x > 20 && y > 20 && x < m.cssW - 20 && y < m.cssH - 20 && m.pick(x, y) === i)
                return {x, y, topic: m.topics[i]};
        }
        return null; })()""")
    assert target is not None
    box = page.page.locator("#map").bounding_box()
    page.page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.page.wait_for_selector(f'#topic-panel[data-topic="{target["topic"]}"]')
    assert page.page.locator("#topic-docs li").count() > 0


def test_topic_table_sorts_filters_and_hides_topics(page, fitted):
    page.page.click('#topic-table th[data-sort="label"]')
    labels = page.page.locator("#topic-table tbody tr td.label").all_text_contents()
    assert labels == sorted(labels, key=str.lower)
    word = fitted.keywords_[0][0][0]
    page.page.fill("#topic-filter", word)
    matching = [t for t in fitted.topic_ids_ if word in " ".join(
        [fitted.labels_[t], (fitted.llm_labels_ or [""] * (t + 1))[t]]
        + [w for rows in (fitted.keywords_, fitted.keybert_, fitted.mmr_) for w, _ in rows[t]]
    ).lower()]
    assert page.page.get_attribute("#topic-table", "data-shown") == str(len(matching))
    page.page.fill("#topic-filter", "")
    before = page.js("window.topiclens.drawn")
    page.page.click('#topic-table tbody tr[data-topic="0"] input.topic-visible')
    assert page.js("window.topiclens.drawn") == before - fitted.topic_sizes_[0]
    page.page.click("#show-all")
    assert page.js("window.topiclens.drawn") == before


def test_the_network_guard_catches_requests(browser, report):
    opened = Page(browser, report.as_uri())
    opened.js("fetch('http://127.0.0.1:9/probe').catch(() => null)")
    opened.page.wait_for_timeout(200)
    assert opened.blocked == ["http://127.0.0.1:9/probe"]
    opened.page.close()


@pytest.fixture(scope="module")
def large_report(fitted, tmp_path_factory) -> Path:
    """The fitted model blown up to 30,000 documents (texts, topics and jittered map places repeated)."""
    from topiclens.io.corpus import Corpus

    keep = np.flatnonzero(fitted.usable_)
    rows = np.resize(keep, 30_000)
    rng = np.random.default_rng(0)
    topics = fitted.topics_[rows]
    big = with_state(fitted, corpus=Corpus(texts=[f"[{k}] {fitted.corpus_.texts[r]}" for k, r in enumerate(rows)],
                                           ids=[f"doc{k}" for k in range(len(rows))], source="large.jsonl"),
                     topics=topics, usable=np.ones(len(rows), dtype=bool), sample=np.ones(len(rows), dtype=bool),
                     embeddings=fitted.embeddings_[np.searchsorted(keep, rows)],
                     probabilities=fitted.probabilities_[rows],
                     layout=(fitted.layout_[rows] + rng.normal(0, 0.01, (len(rows), 2))).astype(np.float32),
                     topic_sizes=np.bincount(topics[topics >= 0], minlength=len(fitted.topic_ids_)).tolist())
    return big.report(tmp_path_factory.mktemp("large") / "report.html")


def test_thirty_thousand_documents_render_quickly(browser, large_report):
    size_mb = large_report.stat().st_size / 1e6
    opened = Page(browser, large_report.as_uri())
    first_render = opened.js("window.topiclens.firstRenderMs")
    assert opened.js("window.topiclens.drawn") == 30_000
    search_ms = opened.js("(() => { const t = performance.now(); window.topiclens.search('[29999]'); "
                          "return performance.now() - t; })()")
    assert opened.page.get_attribute("#search-results", "data-hits") == "1"
    print(f"\n30,000 documents: {size_mb:.1f} MB, first render {first_render:.0f} ms, search {search_ms:.0f} ms")
    assert first_render < 10_000 and search_ms < 3_000
    assert opened.errors == [] and opened.blocked == []
    opened.page.close()


def test_without_webgl_the_map_falls_back_to_canvas(browser, report, fitted):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script("""const original = HTMLCanvasElement.prototype.getContext;
        HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
            return kind.startsWith('webgl') ? null : original.call(this, kind, ...rest); };""")
    page.goto(report.as_uri())
    page.wait_for_function("window.topiclens && window.topiclens.firstRenderMs")
    assert page.evaluate("window.topiclens.renderer") == "canvas2d"
    assert page.evaluate("window.topiclens.drawn") == int(np.isfinite(fitted.layout_).all(axis=1).sum())
    assert errors == []
    page.close()


def test_a_topic_page_shows_the_topics_description(browser, fitted, tmp_path):
    """Issue 13: descriptions in the explorer (written by the real bundled model for two topics)."""
    from topiclens import TopicModel

    described = TopicModel.__new__(TopicModel)
    described.__dict__.update(fitted.__dict__)
    described.set_params(cache=str(tmp_path / "cache"), verbose=False)
    described.describe_topics("qwen2.5-coder-0.5b", topics=[0, 1], inplace=True)
    assert described.descriptions_[1] and described.descriptions_[2] == ""
    opened = Page(browser, described.report(tmp_path / "report.html").as_uri())
    opened.page.click('#topic-table tbody tr[data-topic="1"] td.label')
    opened.page.wait_for_selector('#topic-panel[data-topic="1"]')
    assert opened.page.text_content("#topic-description") == described.descriptions_[1]
    opened.page.click('#topic-table-tab, #back-to-topics')
    opened.page.click('#topic-table tbody tr[data-topic="2"] td.label')
    opened.page.wait_for_selector('#topic-panel[data-topic="2"]')
    assert opened.page.locator("#topic-description").count() == 0  # no description, no empty paragraph
    assert opened.errors == [] and opened.blocked == []
    opened.page.close()


def test_the_tree_beside_the_table_and_names_by_zoom(browser, fitted, tmp_path):
    """Issue 16: a collapsible topic tree; the map names coarse nodes zoomed out and topics zoomed in."""
    import copy

    tree_model = copy.copy(fitted)
    tree_model.build_hierarchy([3], inplace=True)
    hostile = '</script><img src=x onerror="window.pwned=1">javascript:alert(1)'
    tree_model.hierarchy_["levels"][0][0]["name"] = hostile
    names = [n["name"] for n in tree_model.hierarchy_["levels"][0]]
    opened = Page(browser, tree_model.report(tmp_path / "report.html").as_uri())
    page = opened.page
    page.wait_for_selector("#tree-panel:not([hidden])")
    top = page.locator("#topic-tree > details.tree-node")
    assert top.count() == 3
    assert page.locator("#topic-tree > details.tree-node > summary").first.text_content().startswith(hostile)
    assert page.locator("#topic-tree .tree-topic").count() == len(fitted.topic_ids_)
    assert opened.js("window.pwned") is None and page.locator("#topic-tree img").count() == 0
    page.wait_for_function("window.topiclens.labelLevel === 'tree'")
    drawn = opened.js("window.topiclens.drawnLabels")
    assert drawn and set(drawn) <= set(names)
    opened.js("window.topiclens.zoom(4)")
    page.wait_for_function("window.topiclens.labelLevel === 'topics'")
    assert set(opened.js("window.topiclens.drawnLabels")) <= set(fitted.labels_)
    opened.js("window.topiclens.zoom(1)")
    page.wait_for_function("window.topiclens.labelLevel === 'tree'")
    first_topic = tree_model.hierarchy_["levels"][0][1]["children"][0]
    page.click(f'#topic-tree .tree-topic[data-topic="{first_topic}"]')
    page.wait_for_selector(f'#topic-panel[data-topic="{first_topic}"]')
    page.click("#topic-table-tab, #back-to-topics")
    summary = page.locator("#topic-tree > details.tree-node > summary").nth(1)
    summary.click()  # collapses the node
    assert page.locator("#topic-tree > details.tree-node").nth(1).get_attribute("open") is None
    assert opened.errors == [] and opened.blocked == []
    page.close()


def test_search_matches_topics_as_well_as_documents(page, fitted):
    word = fitted.keywords_[0][0][0]
    page.page.fill("#search", word)
    page.page.press("#search", "Enter")
    page.page.wait_for_selector("#search-topics .found-topic")
    found = [int(b) for b in page.page.locator("#search-topics .found-topic").evaluate_all(
        "buttons => buttons.map(b => b.dataset.topic)")]
    assert 0 in found
    assert "topic" in page.page.text_content("#search-count")
    page.page.click('#search-topics .found-topic[data-topic="0"]')
    page.page.wait_for_selector('#topic-panel[data-topic="0"]')


def test_trends_tab_draws_topics_over_time_and_per_class(browser, changelog_model, tmp_path):
    """Issue 17: the Trends tab: lines per period, bars per class, a topic opened elsewhere added, names inert."""
    import copy

    model = copy.copy(changelog_model)
    largest = max(model.topic_ids_, key=lambda t: model.topic_sizes_[model.topic_ids_.index(t)])
    hostile = '</script><img src=x onerror="window.pwned=1">'
    model.set_labels({largest: hostile}, inplace=True)
    opened = Page(browser, model.report(tmp_path / "report.html").as_uri())
    page = opened.page
    page.click("#trends-tab")
    views = page.locator("#trend-by option").all_text_contents()
    assert views[0] == "over time (timestamp, by year)" and "per class (urgency)" in views
    chart = page.locator("#trend-chart")
    assert chart.get_attribute("data-lines") == "5" and page.locator("#trend-chart polyline").count() == 5
    table = model.topics_over_time(freq="year")
    assert page.locator("#trend-note").text_content().startswith(f"{table.attrs['documents']:,} documents in "
                                                                  f"{table['period'].nunique()} periods")
    key = page.locator("#trend-legend button.trend-key:not(.on)").first
    extra = int(key.get_attribute("data-topic"))
    key.click()
    assert chart.get_attribute("data-lines") == "6" and str(extra) in chart.get_attribute("data-topics").split(",")
    smallest = min(model.topic_ids_, key=lambda t: model.topic_sizes_[model.topic_ids_.index(t)])
    opened.js(f"window.topiclens.selectTopic({smallest})")
    assert str(smallest) in chart.get_attribute("data-topics").split(",")
    page.click("#trends-tab")
    assert hostile in page.locator(f'#trend-legend button[data-topic="{largest}"]').text_content()
    page.select_option("#trend-by", label="per class (urgency)")
    assert page.locator("#trend-chart rect.trend-bar").count() > 0 and chart.get_attribute("data-lines") == "5"
    assert opened.js("window.pwned") is None and page.locator("#tab-trends img").count() == 0
    assert opened.errors == [] and opened.blocked == []
    page.close()
