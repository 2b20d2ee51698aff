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

from ..embedders.cache import DocumentEncoder
from ..labeling.clean import keyword_label
from ..pipeline.keywords import ctfidf, top_terms
from ..stages.represent import Representation, centroids, representative_docs, word_representations
from ..state import TopicState, positions
from .reassign import Reassignment

# What a topic's label is made of: reset together when the topic is labeled again.
LABEL_FIELDS = ("labels", "llm_labels", "label_evidence", "descriptions", "label_confidence")


def rebuild(state: TopicState, change: Reassignment, representation: Representation,
            encoder: DocumentEncoder | None, record: dict, word_counts=None,
            relabel: Collection[int] | None = None) -> TopicState:
    """The state after ``change``; ``record`` (operation, arguments) goes into the history. ``word_counts``:
    a callable giving ``state.word_counts()``, asked only when a topic needs its keywords again. ``relabel``:
    the changed topics whose label, LLM label, evidence and description start again from the keywords (None:
    every changed one; a new topic always does); the others keep theirs."""
    old = {t: i for i, t in enumerate(state.topic_ids)}
    fresh = [t for t in change.topic_ids if t in change.changed or t not in old]
    renamed = set(fresh if relabel is None else relabel) | {t for t in change.topic_ids if t not in old}
    computed = _describe(state, change, fresh, representation, encoder, word_counts or state.word_counts)

    def pick(name: str, default):
        values = getattr(state, name)
        again = computed[name] if name not in LABEL_FIELDS else \
            {t: v for t, v in computed[name].items() if t in renamed}
        return [again[t] if t in again else
                (values[old[t]] if values is not None else default) for t in change.topic_ids]

    rows = [computed["ctfidf"][t] if t in computed["ctfidf"] else state.ctfidf[old[t]] for t in change.topic_ids]
    matrix = sp.vstack(rows).tocsr() if rows else sp.csr_matrix((0, state.ctfidf.shape[1]))
    sizes = np.bincount(positions(change.topic_ids, change.topics[change.topics >= 0]),
                        minlength=len(change.topic_ids)).tolist()
    had_llm = state.llm_labels is not None
    given = [state.given_labels[old[t]] if state.given_labels and t in old else "" for t in change.topic_ids]
    # a given name stays with its id: a topic labeled again takes it back instead of a keyword label
    labels = [name if name and t in renamed else label
              for t, name, label in zip(change.topic_ids, given, pick("labels", ""))]
    # on a model an LLM labeled, a keyword label an edit leaves waits for a name (not a name the user gave)
    had_llm_labels = had_llm and any(state.llm_labels)
    kept_waiting = state.label_waiting or [False] * len(state.topic_ids)
    waiting = [(had_llm_labels and not name) if t in renamed else (kept_waiting[old[t]] if t in old else False)
               for t, name in zip(change.topic_ids, given)]
    entry = history_entry(record, state.topic_ids, change.topic_ids, fresh, change.mapping)
    return replace(
        state, topics=change.topics, probabilities=change.probabilities, ctfidf=matrix,
        topic_ids=list(change.topic_ids), topic_sizes=sizes, keywords=pick("keywords", []),
        keybert=pick("keybert", []), mmr=pick("mmr", []), representative_docs=pick("representative_docs", []),
        centroids=np.stack(pick("centroids", None)).astype(np.float32) if change.topic_ids
        else np.zeros((0, state.centroids.shape[1]), np.float32),
        labels=labels, given_labels=given if any(given) else None,
        llm_labels=pick("llm_labels", "") if had_llm else None,
        label_evidence=pick("label_evidence", []) if state.label_evidence is not None else None,
        descriptions=pick("descriptions", "") if state.descriptions is not None else None,
        label_confidence=pick("label_confidence", None) if state.label_confidence is not None else None,
        label_waiting=waiting if any(waiting) else None,
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
              encoder: DocumentEncoder | None, word_counts) -> dict[str, dict]:
    """Everything per topic for the ``fresh`` topics, keyed by topic id."""
    names = ("ctfidf", "keywords", "keybert", "mmr", "representative_docs", "centroids", "labels", "llm_labels",
             "label_evidence", "descriptions", "label_confidence")
    result: dict[str, dict] = {name: {} for name in names}
    if not fresh:
        return result
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
    for i, t in enumerate(fresh):
        keywords = ranked[i][: representation.top_n_words]
        values = {"ctfidf": weights[i], "keywords": keywords, "keybert": keybert[i], "mmr": mmr[i],
                  "representative_docs": usable_rows[reps[i]].tolist(), "centroids": topic_centroids[i],
                  "labels": keyword_label(keywords), "llm_labels": "", "label_evidence": [], "descriptions": "",
                  "label_confidence": None}
        for name, value in values.items():
            result[name][t] = value
    return result
