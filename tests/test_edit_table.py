"""The one table of edits: what the command line, the workbench and the Python API all read."""

from __future__ import annotations

import inspect

import pytest

from topiclens import TopicModel
from topiclens.apps.cli import main
from topiclens.apps.cli.parser import build_parser
from topiclens.apps.serve.requests import parse_edit
from topiclens.core.errors import ConfigError
from topiclens.editing.table import EDITS, Argument, Edit


def test_every_edit_runs_a_model_method_that_takes_exactly_its_arguments():
    for edit in EDITS.values():
        parameters = set(inspect.signature(getattr(TopicModel, edit.method)).parameters)
        assert parameters == {"self", "labeler", "inplace", *(a.name for a in edit.arguments)}, edit.name
        assert set(edit.exclusive) <= {a.name for a in edit.arguments}


@pytest.mark.parametrize(("edit", "values", "problem"), [
    ("merge", {"groups": [[1]]}, "at least 2"),
    ("merge", {"groups": [[1, 1]]}, "names a topic twice"),
    ("merge", {"groups": [["1", 2]]}, "whole number"),
    ("merge", {"groups": [1, 2]}, "at least 2"),
    ("delete", {"topics": [True]}, "whole number"),
    ("delete", {"topics": [1], "to_outliers": "yes"}, "true or false"),
    ("split", {"topic": 1, "parts": 1}, "at least 2"),
    ("reduce", {}, "give n_topics or level, one of them"),
    ("reduce", {"n_topics": 3, "level": 1}, "give n_topics or level"),
    ("outliers", {"target": 1.5}, "between 0 and 1"),
    ("outliers", {"threshold": 0.2, "target": 0.1}, "not both"),
    ("outliers", {"strategy": "nearest"}, "one of embeddings, probabilities"),
    ("split", {"topic": 1, "shell": "rm"}, "not shell"),
])
def test_each_value_is_checked_once_for_every_caller(edit, values, problem):
    with pytest.raises(ConfigError, match=problem):
        EDITS[edit].checked(values)
    with pytest.raises(ConfigError, match=problem):
        parse_edit({"operation": edit, **values})


def test_checked_values_are_what_the_method_takes():
    assert EDITS["outliers"].checked({"target": 0}) == {"strategy": "embeddings", "threshold": None, "target": 0.0}
    assert EDITS["delete"].checked({"topics": [3, 1]}) == {"topics": [3, 1], "to_outliers": False}


def test_an_edit_added_to_the_table_is_a_command_and_a_workbench_edit(fitted, tmp_path, monkeypatch):
    """An edit written once, in the table, is at once a command (with its options) and an edit the workbench
    offers, checks and runs."""
    from topiclens.apps.serve.workspace import Workspace

    drop = Edit("drop", "delete_topics", "Drop", "drop topics of a saved model", "Drop topics into the outliers.",
                (Argument("topics", "topics", "the topics to drop", required=True),
                 Argument("to_outliers", "flag", "make their documents outliers", default=False)))
    monkeypatch.setitem(EDITS, "drop", drop)
    directory = fitted.save(tmp_path / "model")
    first, second = fitted.topic_ids_[-2:]
    args = build_parser().parse_args(["drop", str(directory), f"{first}", "--to-outliers", "--no-llm"])
    assert args.topics == [first] and args.to_outliers is True
    assert main(["drop", str(directory), f"{first}", "--to-outliers", "--no-llm", "--quiet", "--threads", "1"]) == 0
    dropped = TopicModel.load(directory, verbose=False)
    assert first not in dropped.topic_ids_ and dropped.history_[-1]["operation"] == "delete"

    workspace = Workspace(directory, threads=1)
    offered = {e["name"]: e for e in workspace.state()["edits"]}
    assert offered["drop"]["title"] == "Drop" and offered["drop"]["on_selection"] is True
    assert [a["name"] for a in offered["drop"]["arguments"]] == ["topics", "to_outliers"]
    change = workspace.apply(parse_edit({"operation": "drop", "topics": [second], "to_outliers": True}))
    assert change["removed"] and TopicModel.load(directory, verbose=False).topic_ids_ == \
        [t for t in fitted.topic_ids_ if t not in (first, second)]
