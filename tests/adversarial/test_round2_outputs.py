"""Round 2 of what topiclens writes and shows: a key echoed in a normal answer, times outside pandas' range,
a split into parts smaller than the rule allows, class names with bidi overrides or too long to show."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from servers import MisbehavingServer
from topiclens import ConfigError, TopicModel
from topiclens.core.untrusted import BIDI_CONTROLS

from .conftest import assert_one_line_error, run_cli

SECRET = "sk-round2-SECRET-4242"
LONG_CLASS = "Verylongclassnamewithoutanyspaces" * 3
CLASSES = ["\u202eevil class", LONG_CLASS, "short", "\u2067isolated\u2069 name"]
BAD_TIMES = ["9999-12-31", "0001-01-01", "-5"]


def _files_holding(root: Path, needle: str) -> list[str]:
    """The files under ``root`` (or ``root`` itself) whose bytes hold ``needle``."""
    files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
    return [str(p) for p in files if needle.encode() in p.read_bytes()]


def _bidi_in(text: str) -> set[str]:
    """The bidi controls in ``text``, literal or JSON-escaped."""
    return {ch for ch in BIDI_CONTROLS if ch in text or f"\\u{ord(ch):04x}" in text.lower()}


def _escaped(text: str) -> str:
    """``text`` as JSON writes it with every character past ASCII escaped."""
    return json.dumps(text)[1:-1]


# ---------------------------------------------------------------- item 4: a key echoed in a 200 answer
@pytest.mark.slow
def test_a_key_echoed_in_a_normal_answer_is_stored_nowhere(model_copy, small, tmp_path):
    """Regression: a server answering 200 with "Key Bearer sk-..." got the key into the label, the manifest, the
    answer cache, the report and the exports."""
    cache = tmp_path / "cache"
    env = {"ROUND2_KEY": SECRET, "TOPICLENS_CACHE": str(cache)}
    with MisbehavingServer({"echo": ("echo200", 10**6)}) as server:
        done = run_cli("label", model_copy, "--llm", f"openai:m@{server.url('echo')}", "--api-key-env", "ROUND2_KEY",
                       "--describe", "--quiet", env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        assert any(h.get("Authorization") == f"Bearer {SECRET}" for h in server.headers_seen)  # it was sent
    report, table = tmp_path / "report.html", tmp_path / "assigned.csv"
    shown = [done,
             run_cli("report", model_copy, "--out", report, env=env),
             run_cli("info", model_copy, "--json", env=env),
             run_cli("assign", model_copy, small / "docs.jsonl", "--embeddings", small / "emb.npy", "--out", table,
                     "--quiet", env=env)]
    assert all(d.returncode == 0 for d in shown), [d.stderr[-1000:] for d in shown]
    assert all(SECRET not in d.stdout + d.stderr for d in shown)
    for place in (model_copy, cache, report, table):
        assert _files_holding(place, SECRET) == [], place
    # the answers did arrive, scrubbed: the labels and the cached answers say where the key was
    assert "API key" in (model_copy / "topiclens.json").read_text(encoding="utf-8")
    assert _files_holding(cache, "[API key]")


def test_an_answer_cached_with_the_key_is_scrubbed_when_read(tmp_path, monkeypatch):
    """Regression: an answer stored with the key (by a topiclens before the fix) came back from the cache whole."""
    from topiclens.labeling.engine import TopicLabeler
    from topiclens.llm.cache import AnswerCache
    from topiclens.llm.openai_compat import OpenAICompatLLM
    from topiclens.stages.protocols import TopicEvidence

    monkeypatch.setenv("ROUND2_KEY", SECRET)
    with MisbehavingServer({"ok": ("ok", 0)}) as server:
        llm = OpenAICompatLLM("m", server.url("ok"), api_key_env="ROUND2_KEY", max_retries=0)
        labeler = TopicLabeler(llm, cache=str(tmp_path / "answers.sqlite"), verbose=False)
        topic = TopicEvidence(["a document about rust"], ["rust", "cargo"], "rust, cargo")
        messages = labeler._messages(topic)
        store = AnswerCache(tmp_path / "answers.sqlite")
        store.put(labeler._keys([messages])[0], llm.backend, llm.model, messages, labeler.params.as_dict(),
                  f"Crates Bearer {SECRET}")
        store.close()
        labels, stats = labeler.label([topic])
    assert stats.cached == 1 and stats.llm_calls == 0 and server.attempts == {}
    assert SECRET not in labels[0] and labels[0].startswith("Crates")


# ---------------------------------------------------------------- a dated, classed corpus (items 11 and 16)
@pytest.fixture(scope="module")
def dated(records, embeddings, tmp_path_factory) -> Path:
    """A saved model of 200 documents: three with a time pandas cannot hold, class names with bidi controls
    and one too long to show, some ids and texts with a right-to-left override."""
    root = tmp_path_factory.mktemp("dated")
    rows = []
    for i, record in enumerate(records[:200]):
        rows.append({"id": ("\u202e" if i % 7 == 0 else "") + record["id"],
                     "text": ("\u202e" if i % 11 == 0 else "") + record["text"],
                     "timestamp": BAD_TIMES[i] if i < len(BAD_TIMES) else f"{2019 + i % 5}-0{1 + i % 9}-1{i % 10}",
                     "section": CLASSES[i % len(CLASSES)]})
    (root / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    np.save(root / "emb.npy", embeddings[:200])
    done = run_cli("fit", root / "docs.jsonl", "--embeddings", root / "emb.npy", "--out", root / "model", "--no-llm",
                   "--quiet", "--threads", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    return root / "model"


# ---------------------------------------------------------------- item 11: times outside pandas' range
def test_times_out_of_range_are_counted_as_unparsed_by_over_time(dated):
    """Regression: 9999-12-31, 0001-01-01 or -5 among the times ended over-time with 'unexpected
    OutOfBoundsDatetime ... this is a topiclens bug'."""
    done = run_cli("over-time", dated, "--freq", "year", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["unparsed"] == len(BAD_TIMES) and result["documents"] == 200 - len(BAD_TIMES)
    assert {row["period"] for row in result["rows"]} == {str(y) for y in range(2019, 2024)}
    text = run_cli("over-time", dated, "--bins", "4")
    assert text.returncode == 0 and "Traceback" not in text.stderr, text.stderr[-2000:]
    assert f"{len(BAD_TIMES)} unparsed" in text.stdout


def test_times_out_of_range_leave_the_report_and_the_workbench_working(dated, tmp_path):
    """Regression: the same times broke `topiclens report` and every page of the workbench (500)."""
    from topiclens.apps.serve.workspace import Workspace

    out = tmp_path / "report.html"
    done = run_cli("report", dated, "--out", out)
    assert done.returncode == 0, done.stderr[-2000:]
    page = Workspace(dated, threads=1).page_data()
    time_view = next(view for view in page["trends"] if view["kind"] == "time")
    assert time_view["unparsed"] == len(BAD_TIMES) and time_view["groups"][0] == "2019"


# ---------------------------------------------------------------- item 14: split's rule for every parts value
def _too_many_parts(model: TopicModel) -> tuple[int, int, int]:
    """(topic, parts, smallest): the largest topic and a number of parts that leaves fewer than ``smallest``
    documents a part on average, though not more parts than documents."""
    smallest = max(2, int(model.min_cluster_size_))
    sizes = dict(zip(model.topic_ids_, model.topic_sizes_))
    topic = max(sizes, key=sizes.get)
    parts = int(sizes[topic]) // smallest + 1
    assert parts <= sizes[topic]
    return topic, parts, smallest


def test_split_refuses_parts_smaller_than_its_rule(fitted, saved_model, tmp_path):
    """Regression: 64 parts of a 65-document topic were made (2 documents a part), while 500 parts were
    refused with 'a part needs 10 or more'."""
    import shutil

    from topiclens.apps.serve.requests import parse_edit
    from topiclens.apps.serve.workspace import Workspace

    topic, parts, smallest = _too_many_parts(fitted)
    with pytest.raises(ConfigError, match=f"a part needs {smallest} or more"):
        fitted.split_topic(topic, parts)
    directory = Path(shutil.copytree(saved_model, tmp_path / "model"))
    done = run_cli("split", directory, topic, "--parts", parts, "--no-llm", "--quiet")
    assert_one_line_error(done, f"a part needs {smallest} or more")
    assert f"at most {parts - 1} parts" in done.stderr
    with pytest.raises(ConfigError, match=f"a part needs {smallest} or more"):
        Workspace(directory, threads=1).preview(parse_edit({"operation": "split", "topic": topic, "parts": parts}))
    assert TopicModel.load(directory).history_ == []  # nothing was saved


# ---------------------------------------------------------------- item 16: class names as shown
def test_per_class_chart_strips_bidi_and_cuts_long_names_on_the_right(dated, tmp_path):
    """Regression: the per-class charts showed a class name with U+202E reversed, and a long one cut on the
    left."""
    model = TopicModel.load(dated)
    figure = model.per_class_chart("section")
    assert not _bidi_in(figure.to_json())
    names = list(figure.data[0].y)
    long_name = next(n for n in names if n.startswith("Verylong"))
    assert long_name.endswith("…") and len(long_name) <= 40 and LONG_CLASS.startswith(long_name[:-1])
    assert "evil class" in names and "isolated name" in names
    chart = tmp_path / "chart.html"
    done = run_cli("per-class", dated, "--field", "section", "--chart", chart)
    assert done.returncode == 0, done.stderr[-2000:]
    page = chart.read_text(encoding="utf-8")  # plotly.js itself holds bidi controls: look for the names
    assert "evil class" in page and all(name not in page and _escaped(name) not in page for name in CLASSES[::3])


def test_the_report_shows_no_bidi_control_from_the_documents(dated, records):
    """Regression: class names, ids and texts reached the explorer's data with their bidi overrides."""
    from topiclens.views.report import report_data

    data = report_data(TopicModel.load(dated))
    assert not _bidi_in(json.dumps(data, ensure_ascii=False))
    view = next(view for view in data["trends"] if view["kind"] == "class")
    assert "evil class" in view["groups"] and LONG_CLASS in view["groups"]
    assert records[0]["id"] in data["docs"]["id"]  # its id began with U+202E


def test_the_trends_tab_shows_class_names_stripped_and_cut_on_the_right(browser, dated, tmp_path):
    """In chromium: the per-class bars' names have no bidi control, and a long one ends in an ellipsis and
    starts inside the chart (it was cut on the left)."""
    report = tmp_path / "report.html"
    assert run_cli("report", dated, "--out", report).returncode == 0
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(report.as_uri())
    page.wait_for_function("window.topiclens && window.topiclens.firstRenderMs", timeout=30_000)
    page.click("#trends-tab")
    page.select_option("#trend-by", label="per class (section)")
    labels = page.evaluate("""() => {
        const chart = document.getElementById('trend-chart').getBoundingClientRect();
        return Array.from(document.querySelectorAll('#trend-chart text')).map(t => {
            const box = t.getBoundingClientRect();
            return {text: t.firstChild.nodeValue, left: box.left - chart.left, right: box.right - chart.left};
        });
    }""")
    assert len(labels) == len(CLASSES)
    assert all(not _bidi_in(label["text"]) for label in labels)
    assert {label["text"] for label in labels} >= {"evil class", "short", "isolated name"}
    long_label = next(label for label in labels if label["text"].startswith("Verylong"))
    assert long_label["text"].endswith("…") and LONG_CLASS.startswith(long_label["text"][:-1])
    assert all(label["left"] >= 0 for label in labels), labels
    assert errors == []
    page.close()
