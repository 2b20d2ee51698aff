"""Placing documents under a fitted model: training documents by text, new ones by the model.

An embedding model votes with the new document's nearest training documents (in the
reduced space when the reduction is linear); LDA / NMF infer the topic mixture from the
document's word counts.
"""

from __future__ import annotations

import numpy as np

from . import topics as topic_ops
from .corpus import Corpus
from .embed import load_embeddings
from .knn import cosine_knn
from .reduce import assignment_space
from .runtime import thread_limit


def known_rows(model, corpus: Corpus) -> np.ndarray:
    """For each document, its row among the training documents (by text), or -1."""
    lookup = _training_lookup(model)
    return np.array([lookup.get(h, -1) for h in corpus.hashes], dtype=np.int64)


def topic_probabilities(model, corpus: Corpus, known: np.ndarray, embeddings) -> np.ndarray:
    """(n_docs x n_topics): fit's rows for training documents, the model's inference for new ones."""
    probs = np.zeros((len(corpus), len(model.topic_ids_)), dtype=np.float32)
    probs[known >= 0] = model.probabilities_[known[known >= 0]]
    new = np.flatnonzero((known < 0) & corpus.usable)
    if not len(new):
        return probs
    if model.model != "embedding":
        from .fitting import model_vocabulary

        counts = model_vocabulary(model).transform([corpus.texts[i] for i in new])
        with thread_limit(model.threads):
            probs[new] = model.classic_.transform(counts)
        return probs
    if embeddings is not None:
        vectors = load_embeddings(embeddings, len(corpus))[new]
    else:
        vectors = model._embed([corpus.texts[i] for i in new], desc="embedding new documents")
    probs[new] = _vote(model, vectors)
    return probs


def _vote(model, vectors: np.ndarray) -> np.ndarray:
    # The neighbour index is the clustered documents: all of them, or the sample of a big corpus.
    probs, _, _ = neighbour_vote(vectors, reduction=model.reduction, space_arrays=model.space_arrays_,
                                 index_space=model.space_, index_topics=model.topics_[model.sample_],
                                 n_topics=len(model.topic_ids_), k=model.n_neighbors, threads=model.threads)
    return probs


def neighbour_vote(vectors: np.ndarray, *, reduction: str, space_arrays: dict, index_space: np.ndarray,
                   index_topics: np.ndarray, n_topics: int, k: int, threads: int | None):
    """Topic probabilities of new documents from their k nearest indexed documents: (probs, neighbours, sims).

    A pure function of its inputs, so big-corpus chunks run it anywhere (here or on Dask workers).
    """
    with thread_limit(threads):
        space = assignment_space(reduction, space_arrays)
        neighbours, sims = cosine_knn(space.transform(np.asarray(vectors, dtype=np.float32)), index_space, k)
    return topic_ops.neighbour_votes(neighbours, sims, index_topics, n_topics), neighbours, sims


def _training_lookup(model) -> dict[str, int]:
    if getattr(model, "_lookup", None) is None:
        model._lookup = {}
        for i, h in enumerate(model.corpus_.hashes):
            if model.usable_[i]:
                model._lookup.setdefault(h, i)
    return model._lookup
