"""The workbench's model side, in process: previews, edits saved at once, rename, undo/redo on disk, LLM jobs
saved topic by topic, exports, and a directory changed by another program."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from topiclens import TopicModel
from topiclens.apps.cli import main
from topiclens.apps.serve.requests import EXPORTS, parse_edit
from topiclens.apps.serve.workspace import Workspace
from topiclens.core.errors import ConfigError, ModelFileError
from topiclens.store import edits


@pytest.fixture
def directory(fitted, tmp_path):
    path = tmp_path / "model"
    fitted.save(path)
    return path


def _manifest(directory) -> dict:
    return json.loads((directory / "topiclens.json").read_text(encoding="utf-8"))


def test_a_preview_says_what_the_apply_then_saves(directory, fitted):
    workspace = Workspace(directory, threads=1)
    a, b = fitted.topic_ids_[1], fitted.topic_ids_[2]
    request = parse_edit({"operation": "merge", "groups": [[a, b]]})
    preview = workspace.preview(request)
    sizes = dict(zip(fitted.topic_ids_, fitted.topic_sizes_))
    assert preview["n_topics"] == [len(fitted.topic_ids_), len(fitted.topic_ids_) - 1]
    assert [t["id"] for t in preview["removed"]] == [b]
    assert preview["changed"][0]["size"] == sizes[a] + sizes[b]
    assert sorted(preview["changed"][0]["from"]) == sorted([[a, sizes[a]], [b, sizes[b]]])
    assert preview["documents_moved"] == sizes[b]
    assert _manifest(directory).get("history") in (None, [])  # a preview saves nothing
    applied = workspace.apply(request, preview["generation"])
    assert applied["changed"] == preview["changed"]
    on_disk = TopicModel.load(directory)
    assert b not in on_disk.topic_ids_ and on_disk.history_[-1]["operation"] == "merge"
    assert (on_disk.topics_ == workspace.model.topics_).all()


def test_an_apply_is_refused_when_the_model_changed_since_its_preview(directory, fitted):
    from topiclens.apps.serve.workspace import Busy

    workspace = Workspace(directory, threads=1)
    request = parse_edit({"operation": "delete", "topics": [fitted.topic_ids_[-1]], "to_outliers": False})
    preview = workspace.preview(request)
    workspace.rename(fitted.topic_ids_[0], "Something else")
    with pytest.raises(Busy, match="preview it again"):
        workspace.apply(request, preview["generation"])
    assert len(TopicModel.load(directory).topic_ids_) == len(fitted.topic_ids_)


def test_rename_undo_redo_on_disk(directory, fitted):
    workspace = Workspace(directory, threads=1)
    topic = fitted.topic_ids_[0]
    data_before = _manifest(directory)["data"]
    workspace.rename(topic, "Python packaging")
    manifest = _manifest(directory)
    assert manifest["data"] == data_before  # a rename writes a manifest, not the arrays again
    assert manifest["topics"][0]["label"] == "Python packaging"
    assert manifest["history"][-1]["arguments"]["was"] == fitted.labels_[0]
    workspace.apply(parse_edit({"operation": "delete", "topics": [fitted.topic_ids_[-1]], "to_outliers": True}))
    assert len(TopicModel.load(directory).topic_ids_) == len(fitted.topic_ids_) - 1
    assert workspace.step("undo")["undo"]["operation"] == "delete"
    assert len(TopicModel.load(directory).topic_ids_) == len(fitted.topic_ids_)
    assert [r["operation"] for r in workspace.state()["undone"]] == ["delete"]
    workspace.step("undo")
    assert TopicModel.load(directory).labels_[0] == fitted.labels_[0]
    assert [r["operation"] for r in edits.undone(directory)] == ["rename", "delete"]
    workspace.step("redo")
    assert TopicModel.load(directory).labels_[0] == "Python packaging"
    assert main(["redo", str(directory)]) == 0  # the command line sees the same stacks
    assert len(TopicModel.load(directory).topic_ids_) == len(fitted.topic_ids_) - 1
    assert workspace.refresh() is True and len(workspace.model.topic_ids_) == len(fitted.topic_ids_) - 1
    with pytest.raises(ConfigError, match="nothing to redo"):
        workspace.step("redo")
    workspace.step("undo")
    workspace.rename(topic, "Packaging")  # a new edit forgets what could be redone
    assert edits.undone(directory) == []
    data_folders = sorted(p.name for p in directory.iterdir() if p.name.startswith("data-"))
    assert set(data_folders) == edits.kept_folders(directory) | {_manifest(directory)["data"]}


def test_a_change_made_elsewhere_is_loaded_before_the_next_edit(directory, fitted):
    workspace = Workspace(directory, threads=1)
    a, b = fitted.topic_ids_[1], fitted.topic_ids_[2]
    assert main(["merge", str(directory), f"{a},{b}", "--no-llm", "--quiet", "--threads", "1"]) == 0
    data = workspace.topics_data()
    assert data["reloaded"] is True and b not in [t["id"] for t in data["topics"]]
    stale = TopicModel.load(directory)
    assert main(["undo", str(directory)]) == 0
    with pytest.raises(ModelFileError, match="changed by another program"):
        stale.save_labels(directory)
    behind = TopicModel.load(directory)  # same topics, but another edit is saved before its own
    workspace.rename(fitted.topic_ids_[0], "Renamed in the page")
    behind = behind.set_labels({fitted.topic_ids_[1]: "Renamed elsewhere"}).note_edit("rename", {},
                                                                                     [fitted.topic_ids_[1]])
    with pytest.raises(ModelFileError, match="changed by another program"):
        behind.save_labels(directory)
    assert TopicModel.load(directory).labels_[0] == "Renamed in the page"


def test_a_relabel_job_saves_topic_by_topic_as_one_edit(directory, fitted):
    from topiclens.labeling.labeler import LLMLabeler

    workspace = Workspace(directory, labeler=LLMLabeler(llm="smollm2-135m"), threads=1)
    topics = list(fitted.topic_ids_[:3])
    with workspace.lock:  # the job waits for the lock: it is running while the edit is asked for
        workspace.start_job("label", topics)
        with pytest.raises(ConfigError, match="is running"):
            workspace.apply(parse_edit({"operation": "reduce", "n_topics": 3}))
    workspace.job.wait(300)
    progress = workspace.job.snapshot()
    assert progress["state"] == "done" and progress["done"] == 3
    assert progress["llm_calls"] + progress["cached"] >= 3
    on_disk = TopicModel.load(directory)
    for topic, label in progress["finished"]:
        assert on_disk.labels_[on_disk.fitted_.position(topic)] == label
    assert [r["operation"] for r in on_disk.history_] == ["label"]
    assert on_disk.history_[-1]["changed"] == topics
    workspace.step("undo")  # the whole relabel at once
    assert TopicModel.load(directory).labels_ == fitted.labels_


def test_exports_are_the_models_tables_report_and_map(directory, fitted):
    workspace = Workspace(directory, threads=1)
    listing = sorted(p.name for p in directory.iterdir())
    files = {name: workspace.export(name) for name in EXPORTS}
    assert b"topiclens-data" in files["report.html"]
    assert files["map.png"].startswith(b"\x89PNG")
    documents = pd.read_parquet(io.BytesIO(files["documents.parquet"]))
    assert len(documents) == len(fitted.corpus_) and (documents["topic"].to_numpy() == fitted.topics_).all()
    topics = pd.read_csv(io.BytesIO(files["topics.csv"]))
    assert set(fitted.topic_ids_) <= set(topics["topic"])
    assert pd.read_parquet(io.BytesIO(files["topics.parquet"]))["label"].tolist()[-len(fitted.labels_):] == \
        list(fitted.labels_)
    assert len(pd.read_csv(io.BytesIO(files["documents.csv"]))) == len(fitted.corpus_)
    assert sorted(p.name for p in directory.iterdir()) == listing  # nothing written into the model directory
