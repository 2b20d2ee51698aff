"""Editing operations: merge, delete, split, reduce, outliers, and the history records of other changes.

Each takes a :class:`~topiclens.ops.fitted.Fitted` and returns the edited one, leaving its own as it was. The last
entry of the new state's ``history`` (``TopicModel.edit_``) tells what the edit did: the operation, the
old-to-new id ``mapping``, the ``changed`` topics and the labeler's call counts. Topics an edit does not touch
keep their id, keywords, representations and label.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..core.errors import ConfigError, TopicLensWarning
from ..core.params import IsNone, Number, check_param
from ..editing import reassign
from ..editing.rebuild import history_entry, rebuild
from ..editing.relabel import edit_labeler, naming_note
from ..editing.table import label_text
from ..pipeline import adapt
from ..pipeline.coherence import split_parts
from ..stages.protocols import StageContext
from ..state import TopicState, check_topics
from .fitted import Fitted
from .hierarchy import level_groups
from .labeling import label_topics, set_labels

OUTLIER_STRATEGIES = ("embeddings", "probabilities")


def merge_topics(fitted: Fitted, groups: Sequence[Sequence[int]], *, labeler: Any = None) -> Fitted:
    """Merge each group of topics into one, which keeps the group's lowest id.

    Parameters
    ----------
    groups : list of lists of int
        e.g. ``[[1, 4], [7, 9, 12]]``.
    labeler : str, labeler or False, optional
        Labels the merged topics (one call each); None: the model's ``labeler``, else the bundled
        LLM that wrote the model's labels; False, or none of these: the merged topics get keyword
        labels, listed in ``waiting_for_names_`` and named in a warning that says how to label them.

    Returns
    -------
    Fitted
        The edited model.
    """
    state = _editable(fitted)
    if isinstance(groups, (int, np.integer)) or any(isinstance(g, (int, np.integer)) for g in groups):
        raise ConfigError("merge_topics takes groups of ids, e.g. [[1, 4]] (a list of lists)")
    return _apply(fitted, reassign.merge(state, groups), "merge", labeler)


def delete_topics(fitted: Fitted, topics: Sequence[int], *, to_outliers: bool = False, labeler: Any = None
                  ) -> Fitted:
    """Delete topics: their documents join their nearest remaining topic (by centroid), or become outliers.

    Parameters
    ----------
    topics : list of int
    to_outliers : bool, default False
        Make the documents outliers instead; no other topic changes then.
    labeler
        As for :func:`merge_topics` (topics that receive documents are relabeled).

    Returns
    -------
    Fitted
        The edited model.
    """
    state = _editable(fitted)
    change = reassign.delete(state, topics, bool(to_outliers), fitted.settings.n_neighbors)
    return _apply(fitted, change, "delete", labeler)


def split_topic(fitted: Fitted, topic: int, parts: int | None = None, *, labeler: Any = None) -> Fitted:
    """Split one topic by clustering its documents again.

    Parameters
    ----------
    topic : int
    parts : int, optional
        The number of parts (k-means); None lets Leiden decide on the documents' own kNN graph. A part
        needs ``min_cluster_size_`` documents or more, so at most the topic's size divided by that.
    labeler
        As for :func:`merge_topics`. The largest part keeps the id, the others get new ids.

    Returns
    -------
    Fitted
        The edited model.
    """
    state = _editable(fitted)
    check_topics(state.topic_ids, [topic])
    check_param("TopicModel", "parts", parts, [IsNone(), Number(int, 2)])
    labels = _split_parts(fitted, int(topic), parts)
    change = reassign.split(state, int(topic), labels, fitted.settings.n_neighbors)
    return _apply(fitted, change, "split", labeler)


def reduce_topics(fitted: Fitted, n_topics: int | None = None, *, level: int | None = None, labeler: Any = None
                  ) -> Fitted:
    """Merge the most similar topics (the smallest into its nearest, by centroid) until ``n_topics`` remain,
    or cut the tree: each node of ``level`` becomes one topic.

    Parameters
    ----------
    n_topics : int, optional
    level : int, optional
        A level of ``hierarchy_`` (1 is the coarsest): its nodes become the topics. Exclusive with
        ``n_topics``.
    labeler
        As for :func:`merge_topics`.

    Returns
    -------
    Fitted
        The edited model.
    """
    state = _editable(fitted)
    if (n_topics is None) == (level is None):
        raise ConfigError("give n_topics or level (a level of the topic tree), one of them")
    if level is not None:
        check_param("TopicModel", "level", level, [Number(int, 1)])
        groups, arguments = level_groups(state, int(level)), {"level": int(level)}
    else:
        check_param("TopicModel", "n_topics", n_topics, [Number(int, 1)])
        groups, arguments = reassign.reduce_groups(state, int(n_topics)), {"n_topics": int(n_topics)}
    if not groups:
        raise ConfigError(f"level {level} of the tree has one topic per node: nothing to merge")
    change = reassign.merge(state, groups)
    change.arguments = {**arguments, "groups": change.arguments["groups"]}
    return _apply(fitted, change, "reduce", labeler)


def reduce_outliers(fitted: Fitted, strategy: str = "embeddings", threshold: float | None = None, *,
                    target: float | None = None, labeler: Any = None) -> Fitted:
    """Move outliers into topics: to the topic whose centroid is most similar ('embeddings') or that most
    of their neighbours are in ('probabilities').

    Parameters
    ----------
    strategy : {'embeddings', 'probabilities'}, default 'embeddings'
    threshold : float, optional
        The least similarity (or vote share) that moves an outlier (None: 0, or what ``target`` needs).
    target : float, optional
        The outlier share to leave at most (e.g. 0.05): the threshold is chosen so that at most this
        share of the documents stays an outlier. Exclusive with ``threshold``.
    labeler
        As for :func:`merge_topics` (the topics that receive documents are relabeled).

    Returns
    -------
    Fitted
        The edited model.
    """
    state = _editable(fitted)
    if strategy not in OUTLIER_STRATEGIES:
        raise ConfigError(f"unknown outlier strategy {strategy!r}: use one of {', '.join(OUTLIER_STRATEGIES)}")
    check_param("TopicModel", "threshold", threshold, [IsNone(), Number(float, -1.0, 1.0)])
    check_param("TopicModel", "target", target, [IsNone(), Number(float, 0.0, 1.0)])
    if threshold is not None and target is not None:
        raise ConfigError("give threshold or target, not both")
    scores, best = reassign.outlier_scores(state, strategy)
    if target is not None:
        threshold = reassign.target_threshold(state, scores, float(target))
    elif threshold is None:
        threshold = 0.0
    arguments = {"strategy": strategy, "target": target, "threshold": None if threshold is None else float(threshold)}
    change = reassign.outliers(state, scores, best, threshold, fitted.settings.n_neighbors, arguments)
    return _apply(fitted, change, "outliers", labeler)


def note_edit(fitted: Fitted, operation: str, arguments: dict, changed: Sequence[int],
              stats: dict | None = None) -> Fitted:
    """Record a change that is not a reshaping (a relabel, a description) in ``history_``, as the edits are.

    Parameters
    ----------
    operation : str
        e.g. 'label'.
    arguments : dict
        What it was asked (JSON values).
    changed : list of int
        The topics it changed.
    stats : dict, optional
        Its LLM call counts (``llm_calls``, ``cached``).

    Returns
    -------
    Fitted
        The model with the record added.
    """
    state = fitted.state
    stats = stats or {}
    same = {t: t for t in state.topic_ids}
    record = {**history_entry({"operation": operation, "arguments": arguments}, state.topic_ids, state.topic_ids,
                              [int(t) for t in changed], same),
              "llm_calls": int(stats.get("llm_calls", 0)), "cached": int(stats.get("cached", 0))}
    return fitted.evolve(replace(state, history=[*state.history, record]))


def rename_topic(fitted: Fitted, topic: int, label: str) -> Fitted:
    """Give one topic a label typed by a person, recorded in ``history_`` as a ``rename`` (with the label it
    replaced), as the workbench's rename and ``topiclens rename`` do.

    Parameters
    ----------
    topic : int
        The topic id.
    label : str
        The new label: one line of at most 200 characters (control characters removed, spaces collapsed).

    Returns
    -------
    Fitted
        The renamed model.
    """
    was = fitted.topic(topic).label
    text = label_text(label)
    renamed = set_labels(fitted, {int(topic): text})
    return note_edit(renamed, "rename", {"topic": int(topic), "label": text, "was": was}, [int(topic)])


def extend_edit(fitted: Fitted, changed: Sequence[int], stats: dict | None = None) -> Fitted:
    """Add topics and LLM call counts to the newest record of ``history_``: the next step of a change that
    is recorded (and saved) as it goes, such as a relabel topic by topic.

    Parameters
    ----------
    changed : list of int
        Topics this step changed (added to the record's ``changed``).
    stats : dict, optional
        This step's LLM call counts (``llm_calls``, ``cached``), added to the record's.

    Returns
    -------
    Fitted
        The model with the record extended.
    """
    state = fitted.state
    if not state.history:
        raise ConfigError("this model has no history record to extend: record the change with note_edit first")
    stats = stats or {}
    last = dict(state.history[-1])
    done = list(last.get("changed", []))
    last["changed"] = done + [int(t) for t in changed if int(t) not in done]
    for key in ("llm_calls", "cached"):
        last[key] = int(last.get(key, 0)) + int(stats.get(key, 0))
    return fitted.evolve(replace(state, history=[*state.history[:-1], last]))


def waiting_for_names(state: TopicState) -> list[int]:
    """The topics whose label is a keyword stand-in waiting for an LLM name: an edit made with no LLM at hand
    changed them on a model whose labels an LLM wrote (``label_topics`` or ``set_labels`` names them)."""
    return [t for t, waiting in zip(state.topic_ids, state.label_waiting or []) if waiting]


def last_edit(state: TopicState) -> dict | None:
    """The last edit: ``operation``, ``arguments``, ``mapping`` (old id -> new id, None: gone), ``changed``
    (the ids it created or changed), ``llm_calls`` and ``cached`` (its labels), ``seconds``, ``time``; None
    before any."""
    if not state.history:
        return None
    record = dict(state.history[-1])
    record["mapping"] = {int(old): new for old, new in record["mapping"]}
    return record


def label_changed(fitted: Fitted, labeler: Any, topics: Sequence[int], clock: float, stacklevel: int = 5) -> Fitted:
    """Label ``topics`` (those without a name the user gave) with ``labeler`` when there is one, and complete
    the last history record: LLM calls, answers from the cache, re-asks, the topics labeled, the seconds
    since ``clock``. A one-line warning names the topics left waiting for a name (``stacklevel``: where the
    caller's line is, counted from here)."""
    topics = fitted.unnamed(topics)
    stats: dict = {}
    if labeler is not None and topics:
        fitted = label_topics(fitted, labeler, topics=topics)
        stats = fitted.state.label_stats
    state = fitted.state
    done = {**state.history[-1], "llm_calls": int(stats.get("llm_calls", 0)),
            "cached": int(stats.get("cached", 0)), "reasked": int(stats.get("reasked", 0)),
            "labeled": list(topics) if labeler is not None else [],
            "seconds": round(time.perf_counter() - clock, 3)}
    fitted = fitted.evolve(replace(state, history=[*state.history[:-1], done]))
    asked = set(topics)
    waiting = [t for t in waiting_for_names(fitted.state) if t in asked]
    if waiting:
        warnings.warn(naming_note(waiting), TopicLensWarning, stacklevel=stacklevel)
    return fitted


# ---------------------------------------------------------------------- helpers
def _editable(fitted: Fitted) -> TopicState:
    if fitted.state.classic is not None:
        raise ConfigError("an LDA/NMF model's topics are its components and cannot be edited: fit an "
                          "embedding model (model='embedding') to shape its topics")
    return fitted.state


def _split_parts(fitted: Fitted, topic: int, n: int | None) -> np.ndarray:
    """Sub-labels 0.. of the topic's members, 0 the largest part; every member gets one."""
    state, settings = fitted.state, fitted.settings
    members = reassign.member_rows(state, topic)
    smallest = max(2, state.min_cluster_size)
    most = len(members) // smallest  # the rule: a part has `smallest` documents or more, on average too
    if most < max(2, n or 2):
        into = f" into {n} parts" if n is not None and most >= 2 else ""
        fix = f": give at most {most} parts" if into else ""
        raise ConfigError(f"topic {topic} has {len(members)} documents, too few to split{into} (a part needs "
                          f"{smallest} or more{fix})")
    unit = reassign.unit_of(state, members)
    context = StageContext.of(seed=settings.seed, n_neighbors=settings.n_neighbors, min_cluster_size=smallest,
                              threads=settings.threads, verbose=False)
    labels = split_parts(unit, n, int(settings.n_neighbors), context)
    if labels.max() < 1:
        raise ConfigError(f"topic {topic} found no parts when clustered again: give the number of parts (parts=2)")
    return labels


def _apply(fitted: Fitted, change: reassign.Reassignment, operation: str, labeler: Any) -> Fitted:
    clock = time.perf_counter()
    settings = fitted.settings
    encoder = fitted.optional_encoder()
    state = rebuild(fitted.state, change, adapt.as_representation(settings.representation), encoder,
                    {"operation": operation, "arguments": change.arguments}, fitted.word_counts)
    edited = fitted.evolve(state, encoder=encoder)  # the edited model keeps the loaded embedder for its labels
    return label_changed(edited, edit_labeler(labeler, settings.labeler, state.llm_name),
                         state.history[-1]["changed"], clock)
