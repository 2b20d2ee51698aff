"""Shaping a fitted model: merge, delete, split, reduce, outliers, with stable ids, save/load, history and undo."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from topiclens import ConfigError, TopicModel, undo
from topiclens.apps.cli import main
from topiclens.evaluate import evaluate_model
from topiclens.store import edits, undoredo


def topic_values(model, topic):
    """Everything a topic owns, for comparing before and after an edit."""
    p = model.fitted_.position(topic)
    return (model.topic_sizes_[p], model.keywords_[p], model.keybert_[p], model.mmr_[p],
            model.representative_docs_[p], model.labels_[p], model.centroids_[p].tobytes(),
            model.ctfidf_[p].toarray().tobytes(), model.probabilities_[:, p].tobytes(),
            np.flatnonzero(model.topics_ == topic).tobytes())


def assert_untouched(before, after, changed):
    for topic in set(before.topic_ids_) & set(after.topic_ids_) - set(changed):
        assert topic_values(before, topic) == topic_values(after, topic), topic
        # an edit builds the rows of the topics it changed and keeps the others' records as they are
        assert after.fitted_.state.table[topic] is before.fitted_.state.table[topic], topic


def assert_whole(model, docs):
    """Training documents predict to their topics; sizes and columns agree with the topics."""
    assert np.array_equal(model.predict(docs), model.topics_)
    assert model.probabilities_.shape == (len(docs), len(model.topic_ids_))
    assert model.probabilities_.sum(axis=1).max() <= 1.0 + 1e-5
    for p, topic in enumerate(model.topic_ids_):
        assert model.topic_sizes_[p] == int((model.topics_ == topic).sum())
        assert all(model.topics_[r] == topic for r in model.representative_docs_[p])


def snapshot(directory):
    """Every file's sha256 but the lock's and the redo stack's (``edits/redo/`` and the data folders only it
    names): the model and its undo stack, which an undo must put back byte for byte."""
    def named(manifests):
        return {json.loads(Path(m).read_text(encoding="utf-8")).get("data") for m in manifests}

    kept = named([directory / "topiclens.json", *edits.stack(directory)])
    redo_only = named(edits.stack(directory, "redo")) - kept
    return {str(f.relative_to(directory)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(directory.rglob("*")) if f.is_file() and f.name != ".topiclens.lock"
            and f.relative_to(directory).parts[:2] != ("edits", "redo")
            and f.relative_to(directory).parts[0] not in redo_only}


def test_merge_changes_only_the_merged_topic(fitted, docs):
    before_ids, before_topics = list(fitted.topic_ids_), fitted.topics_.copy()
    merged = fitted.merge_topics([[1, 3]])
    assert fitted.topic_ids_ == before_ids and np.array_equal(fitted.topics_, before_topics)  # original untouched
    assert merged.topic_ids_ == [t for t in before_ids if t != 3]
    assert merged.edit_["changed"] == [1] and merged.edit_["mapping"][3] == 1 and merged.edit_["mapping"][2] == 2
    assert not fitted.history_ and [r["operation"] for r in merged.history_] == ["merge"]
    assert_untouched(fitted, merged, [1])
    p1, p3 = fitted.fitted_.position(1), fitted.fitted_.position(3)
    assert merged.topic_sizes_[1] == fitted.topic_sizes_[p1] + fitted.topic_sizes_[p3]
    np.testing.assert_allclose(merged.probabilities_[:, merged.fitted_.position(1)],
                               fitted.probabilities_[:, p1] + fitted.probabilities_[:, p3], rtol=1e-6)
    assert merged.keywords_[1] != fitted.keywords_[p1] and merged.keybert_[1]
    assert_whole(merged, docs)
    scores = evaluate_model(merged, measures=("c_npmi",))
    assert scores["summary"]["n_topics"] == len(before_ids) - 1 and [r["topic"] for r in scores["topics"]] == \
        merged.topic_ids_


def test_split_gives_new_ids_and_keeps_the_column_mass(fitted, docs):
    split = fitted.split_topic(0, 3)
    new = split.edit_["changed"]
    assert new[0] == 0 and len(new) == 3 and min(new[1:]) == max(fitted.topic_ids_) + 1
    assert_untouched(fitted, split, new)
    assert sum(split.topic_sizes_[split.fitted_.position(t)] for t in new) == fitted.topic_sizes_[0]
    parts = split.probabilities_[:, [split.fitted_.position(t) for t in new]].sum(axis=1)
    np.testing.assert_allclose(parts, fitted.probabilities_[:, 0], atol=1e-5)
    assert_whole(split, docs)
    # a retired id is never given again: delete the newest topic, split again
    again = split.delete_topics([new[-1]], to_outliers=True).split_topic(0, 2)
    assert again.edit_["changed"][1] == new[-1] + 1


def test_delete_moves_documents_or_makes_outliers(fitted, docs):
    moved = fitted.delete_topics([2])
    assert 2 not in moved.topic_ids_ and (moved.topics_ >= 0).sum() == (fitted.topics_ >= 0).sum()
    receivers = set(moved.topics_[fitted.topics_ == 2].tolist())
    assert set(moved.edit_["changed"]) == receivers
    assert_untouched(fitted, moved, moved.edit_["changed"])
    assert_whole(moved, docs)
    dropped = fitted.delete_topics([2], to_outliers=True)
    assert dropped.edit_["changed"] == [] and (dropped.topics_[fitted.topics_ == 2] == -1).all()
    assert_untouched(fitted, dropped, [])
    assert_whole(dropped, docs)


def test_reduce_merges_down_to_the_number_asked(fitted, docs):
    reduced = fitted.reduce_topics(4)
    assert len(reduced.topic_ids_) == 4 and set(reduced.topic_ids_) <= set(fitted.topic_ids_)
    assert_untouched(fitted, reduced, reduced.edit_["changed"])
    assert_whole(reduced, docs)
    with pytest.raises(ConfigError, match="cannot reduce"):
        fitted.reduce_topics(len(fitted.topic_ids_))


def test_outliers_reach_the_target_share(docs, embeddings):
    model = TopicModel(min_cluster_size=40, seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings)
    share = float((model.topics_ < 0).mean())
    assert share > 0.1  # small clusters became outliers
    reduced = model.reduce_outliers(target=0.05)
    assert float((reduced.topics_ < 0).mean()) <= 0.05
    assert reduced.edit_["arguments"]["moved"] == int((model.topics_ < 0).sum() - (reduced.topics_ < 0).sum())
    assert_untouched(model, reduced, reduced.edit_["changed"])
    gained = reduced.probabilities_.sum(axis=1) - model.probabilities_.sum(axis=1)
    assert gained.min() >= -1e-5 and gained.max() > 0.1  # the outliers' share moved into the topics they joined
    assert_whole(reduced, docs)
    none_moved = model.reduce_outliers(threshold=0.999)
    assert none_moved.edit_["changed"] == [] and np.array_equal(none_moved.topics_, model.topics_)
    met = model.reduce_outliers(target=1.0)  # already within the target: nothing moves, no threshold was used
    assert met.edit_["changed"] == [] and met.edit_["arguments"]["threshold"] is None


def test_edits_survive_save_load_and_undo_restores_the_files(fitted, docs, tmp_path):
    directory = tmp_path / "model"
    fitted.save(directory)
    (directory / "notes.txt").write_text("the user's")
    before = snapshot(directory)
    edited = TopicModel.load(directory, verbose=False).merge_topics([[0, 4]]).split_topic(0, 2)
    edited.save(directory, keep_previous=True)
    loaded = TopicModel.load(directory, verbose=False)
    assert loaded.topic_ids_ == edited.topic_ids_ and np.array_equal(loaded.topics_, edited.topics_)
    assert [r["operation"] for r in loaded.history_] == ["merge", "split"]
    assert np.array_equal(loaded.predict(docs), loaded.topics_)
    np.testing.assert_array_equal(loaded.probabilities_, edited.probabilities_)
    after = snapshot(directory)
    assert undo(directory)["operation"] == "split"  # the record of the last edit saved: both came in one save
    assert snapshot(directory) == before
    assert undoredo.redo(directory)["operation"] == "split" and snapshot(directory) == after  # redo: file for file
    assert undo(directory)["operation"] == "split" and snapshot(directory) == before
    with pytest.raises(ConfigError, match="nothing to undo"):
        undo(directory)


def test_cli_edits_history_undo_and_bad_input(fitted, tmp_path, capsys):
    directory = tmp_path / "model"
    fitted.save(directory)
    before = snapshot(directory)
    assert main(["merge", str(directory), "1,3", "--no-llm", "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["changed"] == [1] and out["llm_calls"] == 0 and out["n_topics_after"] == out["n_topics_before"] - 1
    after_merge = snapshot(directory)
    assert main(["delete", str(directory), "2", "--to-outliers", "--no-llm", "--quiet"]) == 0
    assert main(["history", str(directory), "--json"]) == 0
    capsys.readouterr()
    assert main(["history", str(directory), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)["edits"]
    assert [r["operation"] for r in records] == ["merge", "delete"]
    assert records[1]["topic_ids_before"] == [t for t in fitted.topic_ids_ if t != 3]
    assert main(["undo", str(directory)]) == 0 and snapshot(directory) == after_merge
    assert main(["undo", str(directory)]) == 0 and snapshot(directory) == before
    bad = {("undo",): "nothing to undo", ("merge", "1,1"): "names a topic twice", ("merge", "1,99"): "no topic 99",
           ("split", "0", "--parts", "500"): "too few to split", ("delete", "77"): "no topic 77",
           ("reduce", "--n-topics", "0"): "n_topics must be at least 1"}
    for command, message in bad.items():
        capsys.readouterr()
        extra = [] if command == ("undo",) else ["--no-llm", "--quiet"]
        assert main([command[0], str(directory), *command[1:], *extra]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and message in err, err
    assert snapshot(directory) == before  # refused edits wrote nothing


def test_a_topic_renamed_on_the_command_line_is_an_edit_that_undo_reverts(fitted, tmp_path, capsys):
    directory = tmp_path / "model"
    fitted.save(directory)
    before, old = snapshot(directory), fitted.labels_[fitted.fitted_.position(2)]
    assert main(["rename", str(directory), "2", "  Sound\x1b[31m   and music ", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"model": str(directory), "topic": 2, "label": "Sound and music",
                                                   "was": old}
    renamed = TopicModel.load(directory, verbose=False, threads=1)
    assert renamed.labels_[renamed.fitted_.position(2)] == "Sound and music"
    assert [r["operation"] for r in renamed.history_] == ["rename"] and renamed.edit_["changed"] == [2]
    assert renamed.labels_[:2] == fitted.labels_[:2]  # the other topics keep theirs
    for argv, message in ((["99", "x"], "no topic 99"), (["2", "   "], "label is empty")):
        assert main(["rename", str(directory), *argv]) == 2
        assert message in capsys.readouterr().err
    assert main(["undo", str(directory)]) == 0 and snapshot(directory) == before


def test_edit_labels_only_the_changed_topics_and_caches(five_topics, tmp_path):
    labeled = TopicModel.load(five_topics.save(tmp_path / "five"), verbose=False, threads=1)
    labeled.label_topics("smollm2-135m", inplace=True)
    merged = labeled.merge_topics([[1, 2]], labeler="smollm2-135m")
    assert merged.edit_["llm_calls"] + merged.edit_["cached"] >= 1 and merged.edit_["changed"] == [1]
    for topic in (0, 3, 4):
        assert merged.labels_[merged.fitted_.position(topic)] == labeled.labels_[labeled.fitted_.position(topic)]
    assert merged.llm_labels_[merged.fitted_.position(1)]  # the merged topic got an LLM label
    again = labeled.merge_topics([[1, 2]], labeler="smollm2-135m")
    assert again.edit_["llm_calls"] == 0 and again.labels_ == merged.labels_  # the same question: from the cache


def test_classic_models_cannot_be_edited(docs, embeddings):
    model = TopicModel(model="nmf", nr_topics=5, seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings)
    with pytest.raises(ConfigError, match="cannot be edited"):
        model.merge_topics([[0, 1]])


def test_find_topics_by_meaning(fitted, tmp_path, capsys):
    target = next(t for t, words in zip(fitted.topic_ids_, fitted.keywords_) if "python" in [w for w, _ in words])
    topics, similarities = fitted.find_topics("python modules and libraries", top_n=3)
    assert topics[0] == target and similarities == sorted(similarities, reverse=True) and len(topics) == 3
    directory = fitted.save(tmp_path / "model")
    assert main(["search", str(directory), "python modules and libraries", "--top", "2", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["topics"]
    assert [f["topic"] for f in found] == topics[:2]
    assert main(["search", str(directory), "  "]) == 2 and "query is empty" in capsys.readouterr().err


def test_relabeling_a_saved_model_is_an_edit_too(five_topics, tmp_path, capsys):
    directory = five_topics.save(tmp_path / "five")
    fitted_files = snapshot(directory)
    assert main(["merge", str(directory), "3,4", "--no-llm", "--quiet"]) == 0
    merged_files = snapshot(directory)
    assert main(["label", str(directory), "--llm", "smollm2-135m", "--topics", "3", "--quiet", "--threads", "1"]) == 0
    capsys.readouterr()
    assert main(["history", str(directory), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)["edits"]
    assert [r["operation"] for r in records] == ["merge", "label"] and records[1]["changed"] == [3]
    assert main(["undo", str(directory)]) == 0 and snapshot(directory) == merged_files
    assert main(["undo", str(directory)]) == 0 and snapshot(directory) == fitted_files
