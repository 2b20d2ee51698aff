"""The edited model's state: what the edit did not touch is carried over as it was, the rest recomputed.

Only the topics in ``Reassignment.changed`` get new sizes, keyword weights, keywords, KeyBERT and MMR
keywords, centroids, representative documents and a keyword label (their LLM label, evidence and
description are cleared until the labeler writes them again). Every other topic keeps its values
exactly, whatever its position in the new lists; documents keep their map coordinates.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from ..core.topic_table import Topic
from ..embedders.cache import DocumentEncoder
from ..labeling.clean import keyword_label
from ..pipeline.keywords import ctfidf, top_terms
from ..stages.represent import Representation, centroids, representative_docs, word_representations
from ..state import TopicState, positions
from .reassign import Reassignment

# What a topic's label is made of: reset together when the topic is labeled again.
LABEL_FIELDS = ("label", "llm_label", "evidence", "description", "confidence")


def rebuild(state: TopicState, change: Reassignment, representation: Representation,
            encoder: DocumentEncoder | None, record: dict, word_counts=None,
            relabel: Collection[int] | None = None) -> TopicState:
    """The state after ``change``; ``record`` (operation, arguments) goes into the history. ``word_counts``:
    a callable giving ``state.word_counts()``, asked only when a topic needs its keywords again. ``relabel``:
    the changed topics whose label, LLM label, evidence and description start again from the keywords (None:
    every changed one; a new topic always does); the others keep theirs."""
    table = state.table
    old = {row.id: row for row in table.rows}
    fresh = [t for t in change.topic_ids if t in change.changed or t not in old]
    renamed = set(fresh if relabel is None else relabel) | {t for t in change.topic_ids if t not in old}
    computed = _describe(state, change, fresh, representation, encoder, word_counts or state.word_counts)
    sizes = np.bincount(positions(change.topic_ids, change.topics[change.topics >= 0]),
                        minlength=len(change.topic_ids)).tolist()
    # on a model an LLM labeled, a keyword label an edit leaves waits for a name (not a name the user gave)
    had_llm_labels = "llm_labels" in table.present and any(row.llm_label for row in table.rows)
    rows: dict[int, Topic] = {}
    for topic, size in zip(change.topic_ids, sizes):
        before = old.get(topic)
        row = computed[topic][0] if topic in computed else before
        if before is not None and topic in computed and topic not in renamed:  # new words, the label it had
            row = replace(row, **{name: getattr(before, name) for name in (*LABEL_FIELDS, "waiting")})
        # a given name stays with its id: a topic labeled again takes it back instead of a keyword label
        given = before.given_label if before is not None else ""
        changes = {"size": size, "given_label": given}
        if topic in renamed:
            changes.update(label=given or row.label, waiting=had_llm_labels and not given)
        rows[topic] = replace(row, **changes) if any(getattr(row, k) != v for k, v in changes.items()) else row
    entry = history_entry(record, state.topic_ids, change.topic_ids, fresh, change.mapping)
    fresh_rows = {t: (rows[t], computed[t][1], computed[t][2]) for t in computed}
    return replace(
        state, topics=change.topics, probabilities=change.probabilities,
        table=table.rebuilt(change.topic_ids, rows, fresh_rows, table.present),
        next_topic_id=max([state.fresh_id(), *(t + 1 for t in change.topic_ids)]),
        history=[*state.history, entry], hierarchy=None,  # the tree was cut for the topics before the edit
    )


def history_entry(record: dict, before: list[int], after: list[int], changed: list[int],
                  mapping: dict[int, int | None]) -> dict:
    """One record of ``history_`` (JSON): ``record`` (operation, arguments) with the time, the ids before and
    after, the changed ids and the old-to-new mapping as [old, new] pairs."""
    return {**record, "time": time.strftime("%Y-%m-%dT%H:%M:%S"), "topic_ids_before": list(before),
            "topic_ids_after": list(after), "changed": list(changed),
            "mapping": [[old, new] for old, new in mapping.items()]}


def _describe(state: TopicState, change: Reassignment, fresh: list[int], representation: Representation,
              encoder: DocumentEncoder | None, word_counts) -> dict[int, tuple[Topic, np.ndarray, sp.csr_matrix]]:
    """The ``fresh`` topics' records (with a keyword label), centroids and keyword-weight rows, by topic id."""
    if not fresh:
        return {}
    usable_rows = np.flatnonzero(state.usable)
    usable_topics = change.topics[usable_rows]
    weights = ctfidf(word_counts(), usable_topics, fresh, representation.keyword_weighting)
    n_ranked = max(representation.n_candidates, representation.top_n_words)
    ranked = top_terms(weights, state.vectorizer.words, n_ranked)
    topic_centroids = centroids(state.embeddings, usable_topics, fresh)
    reps = representative_docs(state.embeddings, usable_topics, fresh, topic_centroids,
                               representation.n_representative_docs)
    keybert, mmr = word_representations(representation, [[w for w, _ in r] for r in ranked], topic_centroids,
                                        encoder)
    result = {}
    for i, t in enumerate(fresh):
        keywords = ranked[i][: representation.top_n_words]
        row = Topic(id=t, size=0, keywords=keywords, keybert=keybert[i], mmr=mmr[i],
                    representative_docs=usable_rows[reps[i]].tolist(), label=keyword_label(keywords))
        result[t] = (row, topic_centroids[i], weights[i])
    return result
