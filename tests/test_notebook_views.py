"""The views from a notebook: the explorer inline (an iframe holding the report), the workbench started in a
background thread with the same door as ``topiclens serve`` (real HTTP requests on 127.0.0.1), and the figures."""

from __future__ import annotations

import html
import http.client
import json
import re
import shutil
import socket
import urllib.request
import warnings
from urllib.parse import urlsplit

import pytest

from topiclens import TopicModel
from topiclens.core.errors import ConfigError, NotFittedError, TopicLensWarning
from topiclens.store.modeldir import is_model_directory
from topiclens.views.report import render_report


def _srcdoc(shown: str) -> str:
    found = re.fullmatch(r'<iframe title="topiclens explorer" srcdoc="([^"]*)" sandbox="allow-scripts" '
                         r'height="(\d+)" [^>]*></iframe>', shown)
    assert found, shown[:300]
    return found.group(1)


def test_explore_shows_the_report_in_a_sandboxed_frame(fitted, tmp_path):
    explorer = fitted.explore(height=500)
    shown = explorer._repr_html_()
    raw = _srcdoc(shown)
    assert 'height="500"' in shown and "<" not in raw and '"' not in raw  # nothing in it can end the attribute
    assert html.unescape(raw) == explorer.html == render_report(fitted)
    assert explorer.html.startswith("<!DOCTYPE html>") and "MB of HTML" in repr(explorer)
    assert explorer.save(tmp_path / "report.html").read_text(encoding="utf-8") == explorer.html
    with pytest.raises(NotFittedError):
        TopicModel().explore()
    with pytest.raises(ConfigError, match="height"):
        fitted.explore(height=10)
    with pytest.raises(ConfigError, match="max_chars"):
        fitted.explore(max_chars=0)


def test_a_hostile_label_stays_text_in_the_inline_explorer(fitted):
    hostile = fitted.set_labels({fitted.topic_ids_[0]: '</script><script>alert("x")</script>'})
    page = html.unescape(_srcdoc(hostile.explore()._repr_html_()))
    assert 'alert(\\"x\\")' in page and '<script>alert("x")' not in page  # JSON inside the page, never markup


def test_the_figures_show_themselves(fitted):
    """Plotly figures display inline in a notebook on their own, as BERTopic's do."""
    go = pytest.importorskip("plotly.graph_objects")
    for figure in (fitted.barchart(), fitted.heatmap(), fitted.document_map()):
        assert isinstance(figure, go.Figure) and hasattr(figure, "_repr_mimebundle_")


def _request(url: str, path: str = "/", *, method: str = "GET", host: str | None = None, token: str | None = "url",
             body=None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request to the server at ``url``; ``token``: 'url' sends the address's."""
    parts = urlsplit(url)
    sent = {"Host": host or parts.netloc}
    if token == "url":
        token = parts.query.removeprefix("token=")
    if token is not None:
        sent["X-Topiclens-Token"] = token
    if body is not None:
        body = json.dumps(body)
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    """A model loaded from its directory, and the directory."""
    directory = tmp_path_factory.mktemp("workbench") / "model"
    fitted.save(directory)
    return TopicModel.load(directory, verbose=False), directory


def test_the_workbench_answers_with_its_token_and_refuses_what_topiclens_serve_refuses(saved):
    loaded, directory = saved
    with warnings.catch_warnings():
        warnings.simplefilter("error", TopicLensWarning)  # its own directory: nothing saved elsewhere
        bench = loaded.workbench(labeler=False, height=600)
    try:
        assert bench.running and bench.directory == directory
        parts = urlsplit(bench.url)
        assert parts.hostname == "127.0.0.1" and parts.query.startswith("token=")
        with urllib.request.urlopen(bench.url, timeout=60) as page:  # the address as a browser opens it
            assert page.status == 200 and "topiclens workbench" in page.read().decode("utf-8")
            policy = page.headers["content-security-policy"]
            assert "frame-ancestors http://localhost:* " in policy and "vscode-webview:" in policy
            assert page.headers["x-frame-options"] is None and page.headers["x-content-type-options"] == "nosniff"
        status, _, body = _request(bench.url, "/api/topics")
        assert status == 200 and json.loads(body)["meta"]["n_topics"] == len(loaded.topic_ids_)
        # the guard of topiclens serve, as tests/test_workbench_security.py tries it
        status, _, body = _request(bench.url, "/api/topics", host=f"evil.example:{parts.port}")
        assert status == 421 and b"Host" in body
        assert _request(bench.url, "/", token=None, host=f"rebound.example:{parts.port}")[0] == 421
        assert _request(bench.url, "/api/topics", token=None)[0] == 403
        assert _request(bench.url, "/", token=None)[0] == 403
        assert _request(bench.url, "/api/topics", token="guess")[0] == 403
        merge = {"operation": "merge", "groups": [[loaded.topic_ids_[1], loaded.topic_ids_[2]]]}
        assert _request(bench.url, "/api/apply", method="POST", body=merge,
                        headers={"Origin": "http://evil.example"})[0] == 403
        assert _request(bench.url, "/api/apply", method="POST", body=merge, token=None)[0] == 403
        assert loaded.history_ == [] and TopicModel.load(directory).history_ == []
        shown = bench._repr_html_()
        assert f'<iframe title="topiclens workbench" src="{html.escape(bench.url)}"' in shown
        assert 'height="600"' in shown and "open in a new tab" in shown and bench.url in repr(bench)
    finally:
        bench.stop()
    assert not bench.running and "stopped" in repr(bench) and "<iframe" not in bench._repr_html_()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", parts.port), timeout=5).close()
    again = socket.socket()  # the port is free: another server can listen there
    again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    again.bind(("127.0.0.1", parts.port))
    again.listen()
    again.close()


def test_an_unsaved_model_is_served_from_a_copy_that_keeps_the_edits(docs, embeddings):
    model = TopicModel(seed=7, threads=1, verbose=False).fit(docs[:400], embeddings=embeddings[:400])
    with pytest.warns(TopicLensWarning, match="was never saved: the workbench serves a copy saved to") as said:
        bench = model.workbench(labeler=False)
    try:
        assert str(bench.directory) in str(said[0].message) and is_model_directory(bench.directory)
        merge = {"operation": "merge", "groups": [[model.topic_ids_[0], model.topic_ids_[1]]]}
        status, _, body = _request(bench.url, "/api/apply", method="POST", body=merge,
                                   headers={"Origin": f"http://{urlsplit(bench.url).netloc}"})
        assert status == 200, body
        edited = bench.model()
        assert edited.edit_["operation"] == "merge" and len(edited.topic_ids_) == len(model.topic_ids_) - 1
        assert TopicModel.load(bench.directory).edit_["operation"] == "merge"
        assert model.history_ == []  # the model in the notebook is left as it was
    finally:
        bench.stop()
        shutil.rmtree(bench.directory.parent, ignore_errors=True)


def test_a_model_changed_since_its_save_is_not_served_from_its_old_directory(saved, tmp_path):
    loaded, _ = saved
    edited = loaded.merge_topics([[loaded.topic_ids_[1], loaded.topic_ids_[2]]])
    with pytest.warns(TopicLensWarning, match="has changes not saved in"):
        bench = edited.workbench(labeler=False)
    try:
        assert TopicModel.load(bench.directory).history_ == edited.history_
    finally:
        bench.stop()
        shutil.rmtree(bench.directory.parent, ignore_errors=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TopicLensWarning)  # a directory given: saved there, as save() would
        with edited.workbench(tmp_path / "mine", labeler=False) as bench:
            assert bench.directory == tmp_path / "mine" and _request(bench.url, "/api/topics")[0] == 200
    assert TopicModel.load(tmp_path / "mine").history_ == edited.history_ and not bench.running
    with pytest.raises(NotFittedError):
        TopicModel().workbench()
    with pytest.raises(ConfigError, match="port"):
        loaded.workbench(port=70000)


def test_reopening_after_the_page_changed_the_directory_says_the_directory_moved_on(saved, tmp_path):
    loaded, _ = saved
    home = tmp_path / "home"
    model = TopicModel.load(loaded.save(home), verbose=False)
    changed = TopicModel.load(home, verbose=False).rename_topic(model.topic_ids_[0], "Named in the page")
    changed.save_labels(home)  # what an edit in the page does to the directory
    with pytest.warns(TopicLensWarning, match=rf"the model in {re.escape(str(home))} has changed since this one was "
                      rf"loaded or saved .*TopicModel.load\('{re.escape(str(home))}'\) continues from it") as said:
        bench = model.workbench(labeler=False)
    try:
        assert "this model has changes" not in str(said[0].message)
        assert TopicModel.load(home).labels_[0] == "Named in the page"  # the page's edit is not touched
    finally:
        bench.stop()
        shutil.rmtree(bench.directory.parent, ignore_errors=True)
