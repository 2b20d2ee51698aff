"""The thin model: one frozen fitted state, read-only attributes, and one rule for what a method returns."""

from __future__ import annotations

import inspect
from dataclasses import FrozenInstanceError

import pytest

from topiclens import TopicModel
from topiclens.core.errors import NotFittedError
from topiclens.ops import editing
from topiclens.ops.delegates import changing


def test_an_unfitted_model_has_no_fitted_attributes_and_says_how_to_fit():
    model = TopicModel()
    assert not hasattr(model, "topics_") and not hasattr(model, "edit_")
    with pytest.raises(NotFittedError, match="call fit"):
        model.labels_  # noqa: B018


def test_a_fitted_model_can_be_listed_and_its_state_is_never_assigned(fitted):
    members = dict(inspect.getmembers(fitted))  # what IPython's display and tab completion do: nothing raises
    assert members["edit_"] is None and members["topic_ids_"] == fitted.topic_ids_
    with pytest.raises(AttributeError, match="read-only"):
        fitted.labels_ = ["x"] * len(fitted.topic_ids_)
    with pytest.raises(FrozenInstanceError):
        fitted.fitted_.state.labels = []
    labels = fitted.labels_
    labels[0] = "changed in the caller's list"
    assert fitted.labels_[0] != labels[0]  # each read gives a list of the caller's own


def test_changing_methods_return_a_new_model_unless_inplace(fitted):
    import copy

    first = fitted.topic_ids_[0]
    renamed = fitted.set_labels({first: "A new name"})
    assert renamed is not fitted and renamed.labels_[0] == "A new name" and fitted.labels_[0] != "A new name"
    own = copy.copy(fitted)
    assert own.set_labels({first: "Kept here"}, inplace=True) is own and own.labels_[0] == "Kept here"
    assert fitted.labels_[0] != "Kept here"
    for name in ("merge_topics", "label_topics", "set_labels", "build_hierarchy", "describe_topics", "note_edit"):
        signature = inspect.signature(getattr(TopicModel, name))
        assert signature.parameters["inplace"].default is False and "inplace" in getattr(TopicModel, name).__doc__
        assert signature.return_annotation == "TopicModel"


def test_an_operation_must_say_it_returns_a_fitted_state():
    def undocumented(fitted):
        """Does something."""

    with pytest.raises(TypeError, match="must say it returns Fitted"):
        changing(undocumented)
    assert changing(editing.merge_topics).__name__ == "merge_topics"
