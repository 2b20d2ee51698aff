"""A loaded model checked as a whole: every array's shape against the others, every id in range.

Checksums catch a damaged file; these checks catch a model whose files disagree with each other
(edited, mixed from two saves, or written by a broken tool). The first problem found is reported
with the fix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.errors import ModelFileError
from ..hierarchy.tree import check_tree
from ..state import TopicState


def problems(state: TopicState) -> list[str]:
    """Every inconsistency in ``state``, described (empty when it is whole)."""
    found: list[str] = []
    n, t = len(state.corpus), len(state.topic_ids)
    usable, topics = np.asarray(state.usable), np.asarray(state.topics)

    def expect(ok: bool, what: str) -> None:
        if not ok:
            found.append(what)

    expect(usable.shape == (n,) and usable.dtype == bool, f"{usable.shape} usable flags for {n} documents")
    expect(topics.shape == (n,), f"{topics.shape} topics for {n} documents")
    expect(np.asarray(state.sample).shape == (n,), f"sample flags of shape {np.asarray(state.sample).shape}")
    if found:
        return found
    n_usable = int(usable.sum())
    ids = list(state.topic_ids)
    expect(all(isinstance(i, int) and i >= 0 for i in ids) and ids == sorted(set(ids)),
           "topic ids that are not distinct, ascending and >= 0")
    if found:
        return found
    expect(bool(np.isin(topics, [-1, *ids]).all()), "documents whose topic is not one of the topic ids")
    expect(state.next_topic_id is None or state.next_topic_id > max(ids, default=-1),
           "a next topic id that is already taken")
    expect(bool((topics[~usable] == -1).all()), "empty documents with a topic")
    expect(state.probabilities.shape == (n, t), f"probabilities of shape {state.probabilities.shape}, not ({n}, {t})")
    expect(state.embeddings.ndim == 2 and state.embeddings.shape[0] == n_usable,
           f"embeddings of shape {state.embeddings.shape} for {n_usable} usable documents")
    dim = state.embeddings.shape[1] if state.embeddings.ndim == 2 else -1
    expect(state.centroids.shape == (t, dim), f"centroids of shape {state.centroids.shape}, not ({t}, {dim})")
    columns = state.positions(topics)
    sizes = np.bincount(columns[columns >= 0], minlength=t).tolist() if t else []
    expect(list(state.topic_sizes) == sizes, f"topic sizes {list(state.topic_sizes)[:5]}… that the documents' "
                                             f"topics do not give ({sizes[:5]}…)")
    n_words = len(state.vectorizer.words)
    expect(state.ctfidf.shape == (t, n_words), f"keyword weights of shape {state.ctfidf.shape}, not ({t}, {n_words})")
    vocabulary = set(state.vectorizer.words)
    expect(all(w in vocabulary for words in state.keywords for w, _ in words), "keywords outside the vocabulary")
    for topic, rows in zip(ids, state.representative_docs[:t]):
        ok = all(0 <= r < n and topics[r] == topic for r in rows)
        expect(ok, f"representative documents of topic {topic} that are not its documents")
    if state.label_evidence is not None:
        ok = all(0 <= r < n and topics[r] == topic for topic, rows in zip(ids, state.label_evidence) for r in rows)
        expect(ok, "label evidence that is not the topics' documents")
    found.extend(check_tree(state.hierarchy, ids))
    if state.layout is not None:
        expect(state.layout.shape == (n, 2), f"map coordinates of shape {state.layout.shape}, not ({n}, 2)")
    if state.projection is not None:
        k = state.projection.components.shape[0]
        expect(state.projection.components.shape == (k, dim) and state.projection.mean.shape == (dim,)
               and state.projection.offset.shape == (k,), "a projection that does not fit the embeddings")
    if state.classic is not None:
        expect(len(state.classic.order) == t and state.classic.fitted.topic_word.shape[1] == n_words,
               "an LDA/NMF model that does not fit the topics or the vocabulary")
    return found


def check_state(state: TopicState, directory: Path) -> None:
    """Raise ModelFileError naming the first inconsistency of a loaded model."""
    found = problems(state)
    if found:
        more = f" (and {len(found) - 1} more problem(s))" if len(found) > 1 else ""
        raise ModelFileError(f"{directory} does not hold a consistent model: {found[0]}{more}; fit the model again")
