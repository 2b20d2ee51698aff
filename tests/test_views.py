"""Views of a fitted model: document map, static map, keyword bars, hierarchy, heatmap, the report file."""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pytest

from states import with_state
from topiclens import ConfigError
from topiclens.apps.cli import main
from topiclens.views.data import snippet
from topiclens.views.report import report_data


def _points(fitted) -> int:
    return int(np.isfinite(fitted.layout_).all(axis=1).sum())


def test_fit_gives_a_layout_for_every_usable_document(fitted):
    assert fitted.layout_.shape == (len(fitted.corpus_), 2)
    assert _points(fitted) == int(fitted.usable_.sum())


def test_document_map_has_one_point_trace_per_topic_and_labels_at_centres(fitted):
    fig = fitted.document_map(max_chars=80)
    points = [t for t in fig.data if t.type == "scattergl"]
    labels = [t for t in fig.data if t.type == "scatter" and t.mode == "text"]
    has_outliers = bool((fitted.topics_[fitted.usable_] < 0).any())
    assert len(points) == len(fitted.topic_ids_) + has_outliers
    assert len(labels) == len(fitted.topic_ids_)
    assert sum(len(t.x) for t in points) == _points(fitted)
    # Legend toggling hides a topic's points and its label together.
    assert {t.legendgroup for t in labels} <= {t.legendgroup for t in points}
    label_texts = [t.text[0].replace("<br>", " ") for t in labels]
    for topic in fitted.topic_ids_:
        assert " ".join(fitted.labels_[topic].split()) in label_texts
        members = np.flatnonzero((fitted.topics_ == topic) & fitted.usable_)
        trace = next(t for t in points if t.name.startswith(f"{topic}: "))
        assert len(trace.x) == len(members)
        label_trace = next(t for t in labels if t.legendgroup == trace.legendgroup)
        median = np.median(fitted.layout_[members], axis=0)
        assert np.allclose([label_trace.x[0], label_trace.y[0]], median, atol=1e-5)
    # Hover: the topic label and the start of the document.
    trace = next(t for t in points if t.name.startswith("0: "))
    doc, label = trace.customdata[0]
    assert label == fitted.labels_[0]
    start = " ".join(fitted.corpus_.texts[doc].split())[:30]
    assert trace.hovertext[0].replace("<br>", " ").startswith(start.replace("&", "&amp;").replace("<", "&lt;")[:20])
    assert len(trace.hovertext[0].replace("<br>", " ")) <= 90
    assert "%{customdata[1]}" in trace.hovertemplate


def test_document_map_limits_topics_and_writes_html(fitted, tmp_path):
    fig = fitted.document_map(topics=[0, 1], show_outliers=False, show_labels=False)
    assert [t.name.split(":")[0] for t in fig.data] == ["0", "1"]
    out = tmp_path / "map.html"
    fig.write_html(out, include_plotlyjs=True)
    assert out.stat().st_size > 100_000 and "Scattergl" not in out.read_text()[:100]
    with pytest.raises(ConfigError, match="no topic 999"):
        fitted.document_map(topics=[999])


def test_static_map_png_size_dpi_and_labels_apart(fitted, tmp_path):
    from PIL import Image

    from topiclens.views.static import draw_static_map

    path = fitted.static_map(tmp_path / "map.png", dpi=150, figsize=(6, 5))
    with Image.open(path) as image:
        assert image.size == (900, 750)
        assert image.info["dpi"][0] == pytest.approx(150, abs=0.5)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert len(colours) > 50  # points in many colours, not a blank canvas

    fig, texts = draw_static_map(fitted, dpi=100, figsize=(8, 8), label_width=18)
    assert len(texts) == len(fitted.topic_ids_)
    assert {t.get_text().replace("\n", " ") for t in texts} == {" ".join(lb.split()) for lb in fitted.labels_}
    assert all(len(line) <= 18 or " " not in line for t in texts for line in t.get_text().split("\n"))
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    overlaps = [(i, j) for i in range(len(boxes)) for j in range(i) if boxes[i].overlaps(boxes[j])]
    assert len(overlaps) <= 1, overlaps


def test_barchart_shows_each_topics_keywords_with_scores(fitted):
    fig = fitted.barchart(top_n_topics=4, n_words=5)
    assert len(fig.data) == 4 and all(t.type == "bar" for t in fig.data)
    largest = sorted(fitted.topic_ids_, key=lambda t: -fitted.topic_sizes_[t])[:4]
    for trace, topic in zip(fig.data, largest):
        words = fitted.keywords_[topic][:5]
        assert list(trace.y) == [w for w, _ in words][::-1]
        assert list(trace.x) == pytest.approx([s for _, s in words][::-1])
    titles = [a.text.replace("<br>", " ") for a in fig.layout.annotations]
    assert titles[0].startswith(f"{largest[0]}: ")


def test_hierarchy_leaves_are_the_topic_labels(fitted):
    from topiclens.views import topic_linkage

    link = topic_linkage(fitted)
    assert link.shape == (len(fitted.topic_ids_) - 1, 4)
    fig = fitted.hierarchy()
    leaves = list(fig.layout.yaxis.ticktext)
    assert sorted(leaves) == sorted(f"{t}: {snippet(fitted.labels_[t], 45)}" for t in fitted.topic_ids_)
    assert len(fig.data) == 1 and list(fig.data[0].x).count(None) == len(fitted.topic_ids_) - 1  # a path per merge
    with pytest.raises(ConfigError, match="at least 2 topics"):
        fitted.hierarchy(topics=[0])


def test_heatmap_is_the_centroid_similarity(fitted):
    fig = fitted.heatmap()
    z = np.array(fig.data[0].z)
    n = len(fitted.topic_ids_)
    assert z.shape == (n, n) and np.allclose(z, z.T) and np.allclose(np.diag(z), 1.0, atol=1e-5)
    order = [int(name.split(":")[0]) for name in fig.data[0].x]
    assert sorted(order) == fitted.topic_ids_
    c = fitted.centroids_[order]
    assert np.allclose(z, c @ c.T, atol=1e-4)


def test_report_file_is_self_contained(fitted, tmp_path):
    path = fitted.report(tmp_path / "r.html", max_chars=120)
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
    assert "https://" not in page.split('id="topiclens-data"')[0]
    raw = re.search(r'<script id="topiclens-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(raw)
    assert data["meta"]["n_points"] == _points(fitted)
    assert len(data["docs"]["text"]) == _points(fitted)
    assert max(len(t) for t in data["docs"]["text"]) <= 120
    assert len(data["docs"]["xy"]) == 4 * ((4 * _points(fitted) + 2) // 3)  # uint16 pairs, base64
    assert {t["id"] for t in data["topics"] if t["id"] >= 0} == set(fitted.topic_ids_)


def test_report_data_keeps_documents_and_representatives_aligned(fitted):
    data = report_data(fitted)
    ids = data["docs"]["id"]
    for topic in data["topics"]:
        if topic["id"] < 0:
            continue
        expected = [fitted.corpus_.ids[i] for i in fitted.representative_docs_[topic["id"]]]
        assert [ids[p] for p in topic["reps"]] == expected
        assert 0 <= topic["centre"][0] <= 1 and 0 <= topic["centre"][1] <= 1


def test_views_fall_back_to_pca_without_a_layout(fitted):
    model = with_state(fitted, layout=None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = model.document_map()
    assert any("no map layout" in str(w.message) for w in caught)
    assert sum(len(t.x) for t in fig.data if t.type == "scattergl") == _points(fitted)


def test_cli_report_writes_next_to_the_model(fitted, tmp_path, capsys):
    model_dir = fitted.save(tmp_path / "model")
    assert main(["report", str(model_dir)]) == 0
    out = capsys.readouterr().out
    assert (model_dir / "report.html").exists() and "report written to" in out
    custom = tmp_path / "out" / "explorer.html"
    assert main(["report", str(model_dir), "--out", str(custom), "--max-chars", "80", "--title", "Debian"]) == 0
    assert "<title>Debian</title>" in custom.read_text(encoding="utf-8")
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "model directory not found" in capsys.readouterr().err
