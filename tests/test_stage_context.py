"""Every operation that runs the pipeline's stages gives them the model's threads (None: every core)."""

from __future__ import annotations

import copy

from topiclens.growing import update
from topiclens.ops import editing
from topiclens.stages.protocols import StageContext


def test_unset_threads_mean_every_core_as_for_a_fit(monkeypatch):
    monkeypatch.setenv("TOPICLENS_THREADS", "3")
    assert StageContext.of(seed=1, n_neighbors=5, min_cluster_size=4, threads=None).threads == 3
    assert StageContext.of(seed=1, n_neighbors=5, min_cluster_size=4, threads=2).threads == 2


def test_split_and_update_run_the_stages_on_the_models_threads(fitted, docs, embeddings, monkeypatch):
    seen: dict[str, int] = {}
    split_parts, cluster_rest = editing.split_parts, update.cluster_rest

    def split_spy(unit, n, k, context):
        seen["split_topic"] = context.threads
        return split_parts(unit, n, k, context)

    def rest_spy(vectors, state, clusterer, context, **kwargs):
        seen["partial_fit"] = context.threads
        return cluster_rest(vectors, state, clusterer, context, **kwargs)

    monkeypatch.setattr(editing, "split_parts", split_spy)
    monkeypatch.setattr(update, "cluster_rest", rest_spy)
    monkeypatch.setenv("TOPICLENS_THREADS", "2")  # what threads=None stands for here
    model = copy.copy(fitted)
    model.threads = None
    model.split_topic(model.topic_ids_[0], 2)
    model.partial_fit([f"{text} (a new copy)" for text in docs[:30]], embeddings=embeddings[:30])
    assert seen == {"split_topic": 2, "partial_fit": 2}
