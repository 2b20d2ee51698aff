"""A model shows itself (repr, the notebook's HTML) and can be looked into (dir, inspect.getmembers, every
attribute) fresh, fitted, loaded and edited, without a traceback; text from documents and LLMs shown escaped."""

from __future__ import annotations

import copy
import html
import inspect

import pytest

from topiclens import TopicModel
from topiclens.views.display import MAX_TOPICS


@pytest.fixture(scope="module")
def models(fitted, tmp_path_factory):
    """The four states a model is met in: fresh, fitted, loaded from its directory, edited."""
    directory = tmp_path_factory.mktemp("display") / "model"
    fitted.save(directory)
    loaded = TopicModel.load(directory, verbose=False)
    edited = loaded.merge_topics([[loaded.topic_ids_[1], loaded.topic_ids_[2]]])
    return {"fresh": TopicModel(seed=3, nr_topics=9), "fitted": fitted, "loaded": loaded, "edited": edited}


@pytest.mark.parametrize("state", ["fresh", "fitted", "loaded", "edited"])
def test_every_attribute_is_there_or_an_attribute_error(models, state):
    """Tab completion and scikit-learn's diagram read every name dir() gives: none may raise anything else."""
    model = models[state]
    names = dir(model)
    fitted_names = {"fitted_", "topics_", "edit_", "words_", "waiting_for_names_", "labels_"}
    assert {"explore", "workbench", "report", "fit"} <= set(names)
    assert fitted_names.isdisjoint(names) if state == "fresh" else fitted_names <= set(names)
    wrong, missing = [], []
    for name in object.__dir__(model):  # every name, those dir() leaves out too
        try:
            getattr(model, name)
        except AttributeError:
            missing.append(name)
        except Exception as exc:  # noqa: BLE001 - what the test looks for
            wrong.append(f"{name}: {type(exc).__name__}: {exc}")
    assert wrong == []
    if state == "fresh":
        assert {"fitted_", "topics_", "edit_", "words_", "waiting_for_names_"} <= set(missing)
    else:
        assert missing == []
    members = dict(inspect.getmembers(model))
    assert ("topics_" in members) == (state != "fresh")


@pytest.mark.parametrize("state", ["fresh", "fitted", "loaded", "edited"])
def test_the_notebook_shows_this_models_view_not_scikit_learns_diagram(models, state):
    model = models[state]
    assert "_repr_html_" in vars(TopicModel) and "_repr_mimebundle_" in vars(TopicModel)
    bundle = model._repr_mimebundle_()
    assert bundle == {"text/plain": repr(model), "text/html": model._repr_html_()}
    assert "topiclens-model" in bundle["text/html"] and "sk-estimator" not in bundle["text/html"]


def test_an_unfitted_model_shows_its_parameters(models):
    model = models["fresh"]
    assert repr(model) == "TopicModel(nr_topics=9, seed=3)"  # scikit-learn's form, as before
    shown = model._repr_html_()
    assert "not fitted" in shown and "nr_topics=9" in shown and "seed=3" in shown and "verbose" not in shown
    assert "default parameters" in TopicModel()._repr_html_()


@pytest.mark.parametrize("state", ["fitted", "loaded", "edited"])
def test_a_fitted_model_shows_its_topics_and_edits(models, state):
    model = models[state]
    n = len(model.topic_ids_)
    text, shown = repr(model), model._repr_html_()
    first_line = text.splitlines()[0]
    assert first_line.startswith("TopicModel(") and f"fitted: {n} topics, {len(model.topics_):,} documents" in text
    assert "outliers" in text and f"language {model.language_}" in text and "labels from keywords" in text
    assert model.labels_[0] in text and html.escape(model.labels_[0]) in shown
    assert f"{n} topics" in shown and model.keywords_[0][0][0] in shown
    more = n - MAX_TOPICS
    assert more > 0 and f"… {more} more" in text and f"… {more} more" in shown
    if state == "edited":
        assert "1 edit, the last: merge(" in text and "1 edit, the last: merge(" in shown
    else:
        assert "no edits since the fit" in text


def test_labels_from_documents_and_llms_are_escaped(fitted):
    topic = fitted.topic_ids_[0]
    hostile = fitted.set_labels({topic: '<script>alert("x")</script> \u202egnp.exe <b>bold</b>\x1b[31m'})
    shown, text = hostile._repr_html_(), repr(hostile)
    assert "<script>" not in shown and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in shown
    assert "<b>bold" not in shown and "&lt;b&gt;bold" in shown
    for view in (shown, text):
        assert "\u202e" not in view and "\x1b" not in view
    assert '<script>alert("x")</script> gnp.exe' in text


def test_a_broken_model_still_shows_something(fitted):
    """A repr never raises: a model missing a parameter (half made, as a debugger may meet it) shows what it can."""
    broken = copy.copy(fitted)
    del broken.seed  # scikit-learn's repr of the parameters now raises
    with pytest.raises(AttributeError):
        broken.get_params()
    text = repr(broken)
    assert text.startswith("TopicModel(…)") and f"{len(fitted.topic_ids_)} topics" in text
    assert "topiclens-model" in broken._repr_html_()
    empty = TopicModel.__new__(TopicModel)  # no attribute at all
    assert repr(empty) == "TopicModel(…)" and "TopicModel" in empty._repr_html_()


def test_a_property_that_fails_is_listed_not_raised(fitted, monkeypatch):
    """scikit-learn's dir() reads every attribute and let any error but AttributeError through: one failing
    property broke tab completion and the notebook's view of the model. Now the name is listed, and only reading
    it raises."""
    broken = copy.copy(fitted)

    def fails(self):
        raise ValueError("a property that fails")

    monkeypatch.setattr(TopicModel, "edit_", property(fails))
    assert "edit_" in dir(broken) and "topics_" in dir(broken)
    with pytest.raises(ValueError):
        _ = broken.edit_
    assert f"{len(fitted.topic_ids_)} topics" in repr(broken) and "topiclens-model" in broken._repr_html_()
