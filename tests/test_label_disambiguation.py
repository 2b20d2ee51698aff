"""Joint disambiguation with the bundled model: labels that nearly coincide are renamed together, in one call
per group, into labels that each fit their own topic better than the others."""

from __future__ import annotations

import copy

import numpy as np

from topiclens import LLMLabeler
from topiclens.core.knn import normalize
from topiclens.labeling.engine import LabelStats, TopicLabeler
from topiclens.llm.registry import make_llm
from topiclens.ops.labeling import prepare

MODEL = "qwen2.5-coder-1.5b"


def _closest_topic(model, labels: list[str]) -> list[int]:
    """For each label, the topic whose centre its embedding is nearest."""
    return list(np.argmax(normalize(model.embed(labels)) @ normalize(model.centroids_).T, axis=1))


def test_two_topics_with_one_label_are_told_apart_in_one_call(five_topics, tmp_path):
    model = copy.deepcopy(five_topics).set_params(cache=str(tmp_path), verbose=False)
    _, chosen, evidence, context = prepare(model.fitted_, LLMLabeler(MODEL))
    labels = ["Software packages", "Software packages", *model.labels_[2:]]
    engine = TopicLabeler(make_llm(MODEL, threads=1), cache=context.cache, verbose=False)
    stats = LabelStats()
    renamed = engine.disambiguate(evidence, labels, 0.9, context.encode, stats)
    assert (stats.llm_calls, stats.groups, stats.renamed) == (1, 1, 2)  # one prompt for the pair
    assert renamed[2:] == labels[2:]  # the others were not near-identical: untouched
    assert "Software packages" not in renamed[:2] and renamed[0].casefold() != renamed[1].casefold()
    assert _closest_topic(model, renamed[:2]) == [0, 1]  # each new label fits its own topic
    again = LabelStats()
    assert engine.disambiguate(evidence, labels, 0.9, context.encode, again) == renamed
    assert (again.llm_calls, again.cached) == (0, 1)  # the group's answer is cached


def test_label_topics_counts_the_group_calls_the_dry_run_leaves_out(five_topics, tmp_path):
    model = copy.deepcopy(five_topics).set_params(cache=str(tmp_path), verbose=False)
    labeler = LLMLabeler(MODEL, disambiguate=0.0)  # every label is "similar": one group of all five
    plan = model.plan_labels(labeler)
    stats = model.label_topics(labeler, inplace=True).label_stats_
    assert stats["groups"] == 1 and stats["renamed"] >= 1
    assert stats["llm_calls"] == plan["calls"] + stats["reasked"] + stats["groups"]
    assert len({label.casefold() for label in model.labels_}) == 5
    off = copy.deepcopy(five_topics).set_params(cache=str(tmp_path), verbose=False)
    quiet = off.label_topics(LLMLabeler(MODEL, disambiguate=None), inplace=True).label_stats_
    assert "groups" not in quiet and quiet["llm_calls"] == 0  # the first answers came from the cache
