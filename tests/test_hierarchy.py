"""The topic tree: nested levels cut from one dendrogram, every node named, saved, cut by reduce_topics(level=)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from topiclens import ConfigError, TopicModel
from topiclens.apps.cli import main
from topiclens.hierarchy.tree import check_tree, default_levels


def test_default_levels_grow_with_the_topic_count():
    assert default_levels(3) == [] and default_levels(32) == [6] and default_levels(100) == [10, 32]


def test_a_chinese_corpus_gets_the_chinese_parent_prompt():
    from topiclens.hierarchy.naming import PARENT_TEMPLATE, PARENT_TEMPLATE_ZH, parent_template

    assert parent_template("zh") == PARENT_TEMPLATE_ZH and "[DOCUMENTS]" in PARENT_TEMPLATE_ZH
    assert parent_template("de") == parent_template("en") == PARENT_TEMPLATE


def test_the_cover_naming_shows_each_child_with_one_of_its_documents(fitted):
    from topiclens.hierarchy.naming import COVER_TEMPLATE, MAX_CHILDREN_SHOWN, _cover_evidence, parent_template
    from topiclens.hierarchy.tree import build_tree

    assert parent_template("en", "cover") == COVER_TEMPLATE
    ids = fitted.topic_ids_
    tree = build_tree(ids, fitted.centroids_, fitted.topic_sizes_, default_levels(len(ids)) or [2])
    node = next(n for level in tree["levels"] for n in level if len(n["children"]) > 1)
    names = {t: label for t, label in zip(ids, fitted.labels_)}
    topics_of = {n["id"]: n["topics"] for level in tree["levels"] for n in level}
    position = {t: i for i, t in enumerate(ids)}
    shown = _cover_evidence(fitted.fitted_.state, node, names, [("word", 1.0)], position, topics_of, None)
    assert len(shown.documents) == min(len(node["children"]), MAX_CHILDREN_SHOWN) == len(shown.rows)
    for line, child, row in zip(shown.documents, node["children"], shown.rows):
        assert line.startswith(f"{names[child]}: ")
        assert fitted.topics_[row] == child  # the document is the child's own
        assert line.endswith(" ".join(fitted.corpus_.texts[row].split()[:40]))


def test_levels_nest_cover_every_topic_and_single_children_lend_their_name(fitted):
    tree_model = _copy(fitted)
    stats = tree_model.build_hierarchy([5, 2], inplace=True).label_stats_
    tree = tree_model.hierarchy_
    assert check_tree(tree, tree_model.topic_ids_) == [] and tree["node_counts"] == [2, 5]
    coarse, fine = tree["levels"]
    assert len(coarse) == 2 and len(fine) == 5
    for node in fine:  # each finer node inside exactly one coarser node, and listed as its child
        parents = [p for p in coarse if set(node["topics"]) <= set(p["topics"])]
        assert len(parents) == 1 and node["id"] in parents[0]["children"]
    labels = dict(zip(tree_model.topic_ids_, tree_model.labels_))
    single = [n for level in tree["levels"] for n in level if len(n["children"]) == 1]
    assert stats["reused"] == len(single) and stats["llm_calls"] == 0 and stats["nodes"] == 7
    names = {n["id"]: n["name"] for level in tree["levels"] for n in level}
    for node in single:
        child = node["children"][0]
        assert node["name"] == (labels[child] if isinstance(child, int) else names[child])
    text = tree_model.topic_tree()
    assert all(f"[{n['id']}]" in text for level in tree["levels"] for n in level)


def test_llm_names_each_node_once_then_from_the_cache(five_topics):
    model = _copy(five_topics)
    first = model.build_hierarchy([2], labeler="smollm2-135m", inplace=True).label_stats_
    asked = sum(1 for n in model.hierarchy_["levels"][0] if len(n["children"]) > 1)
    assert first["llm_calls"] + first["cached"] >= asked >= 1 and first["reused"] == 2 - asked
    names = [n["name"] for n in model.hierarchy_["levels"][0]]
    assert all(names)
    again = model.build_hierarchy([2], labeler="smollm2-135m", inplace=True).label_stats_
    assert again["llm_calls"] == 0 and [n["name"] for n in model.hierarchy_["levels"][0]] == names


def test_tree_is_saved_cut_by_reduce_and_dropped_by_edits(fitted, tmp_path, docs):
    model = _copy(fitted)
    model.build_hierarchy([3], inplace=True)
    loaded = TopicModel.load(model.save(tmp_path / "model"), verbose=False)
    assert loaded.hierarchy_ == model.hierarchy_
    cut = loaded.reduce_topics(level=1)
    assert len(cut.topic_ids_) == 3 and cut.hierarchy_ is None
    assert sorted(cut.topic_ids_) == sorted(min(n["topics"]) for n in model.hierarchy_["levels"][0])
    assert (cut.predict(docs) == cut.topics_).all()
    with pytest.raises(ConfigError, match="no level 2"):
        loaded.reduce_topics(level=2)
    with pytest.raises(ConfigError, match="needs a hierarchy"):
        fitted.reduce_topics(level=1)
    with pytest.raises(ConfigError, match="do not fit"):
        model.build_hierarchy([len(model.topic_ids_)], inplace=True)


def test_tree_command_builds_saves_and_undoes(fitted, tmp_path, capsys):
    directory = fitted.save(tmp_path / "model")
    assert main(["tree", str(directory), "--levels", "3", "--no-llm", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["tree"]["levels"][0]) == 3 and out["naming"]["llm_calls"] == 0
    assert TopicModel.load(directory, verbose=False).hierarchy_ == out["tree"]
    assert main(["tree", str(directory)]) == 0 and "[1.0]" in capsys.readouterr().out  # shown, not rebuilt
    assert main(["undo", str(directory)]) == 0
    assert TopicModel.load(directory, verbose=False).hierarchy_ is None


def test_hierarchy_figure_names_the_tree_nodes_where_their_topics_join(fitted):
    from topiclens.views.dendrogram import merge_positions, topic_linkage

    model = _copy(fitted)
    model.build_hierarchy([3, 5], inplace=True)
    first = model.hierarchy_["levels"][0][0]
    first["name"] = '<img src=x onerror="alert(1)">'
    fig = model.hierarchy()
    nodes = {frozenset(n["topics"]) for level in model.hierarchy_["levels"] for n in level if len(n["topics"]) > 1}
    assert len(fig.data) == 3 and sum(len(trace.x) for trace in fig.data[1:]) == len(nodes)
    shown = " ".join(fig.data[1].text)
    assert "<img" not in shown and "&lt;img" in shown
    x, y = next((x, y) for text, x, y in zip(fig.data[1].text, fig.data[1].x, fig.data[1].y)
                if text.startswith("&lt;img"))
    link = topic_linkage(model, method="ward")
    place, members = merge_positions(link)
    k = int(np.flatnonzero(np.isclose(place, y) & np.isclose(link[:, 2], x))[0])
    ranked = sorted(model.topic_ids_, key=lambda t: -model.topic_sizes_[model.fitted_.position(t)])  # linkage rows
    assert {ranked[i] for i in members[k]} == set(first["topics"])  # drawn where its topics join
    with pytest.raises(ConfigError, match="method='ward'"):
        model.hierarchy(method="average")
    assert len(model.hierarchy(topics=model.topic_ids_[:4]).data) == 1  # a subset: a plain dendrogram


def _copy(model):
    import copy

    twin = copy.copy(model)  # its in-place operations leave the fixture as it is
    return twin
