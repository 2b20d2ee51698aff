"""Placing documents in a fitted model: their topics and probabilities (operations that only read the model)."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import TopicLensWarning
from ..core.params import Number, check_param
from ..core.runtime import thread_limit
from ..embedders.cache import load_embeddings
from ..io.corpus import Corpus
from ..io.documents import as_corpus
from ..pipeline import topics as topic_ops
from ..state import positions
from .fitted import Fitted

Documents = Sequence[str] | Corpus | Path | Any  # Any: a pandas/polars table or a datasets.Dataset
Embeddings = np.ndarray | str | Path | None


def transform(fitted: Fitted, docs: Documents, embeddings: Embeddings = None, *, text_column: Hashable | None = None,
              id_column: Hashable | None = None) -> np.ndarray:
    """Topic probabilities of documents; training documents get the rows ``fit`` computed.

    Parameters
    ----------
    docs : list of str, DataFrame, Series, Corpus or pathlib.Path
        A table as for :meth:`fit`.
    embeddings : ndarray, str or Path, optional
        Precomputed embeddings of ``docs`` (made by the model's embedding model), one row each.
    text_column, id_column : str, optional
        For a table: as for :meth:`fit`.

    Returns
    -------
    ndarray of shape (n_docs, n_topics), float32
        The share of each document's nearest clustered documents' similarity per topic (LDA/NMF:
        its inferred mixture); what a row falls short of 1 is the outliers' share.
    """
    corpus = as_corpus(docs, text_column=text_column, id_column=id_column)
    return _probabilities(fitted, corpus, fitted.known(corpus), embeddings)


def predict(fitted: Fitted, docs: Documents, embeddings: Embeddings = None, min_probability: float = 0.0, *,
            text_column: Hashable | None = None, id_column: Hashable | None = None) -> np.ndarray:
    """The topic of each document: ``fit``'s topic for a training document, else the model's inference.

    Parameters
    ----------
    docs : list of str, DataFrame, Series, Corpus or pathlib.Path
        A table as for :meth:`fit`.
    embeddings : ndarray, str or Path, optional
        Precomputed embeddings of ``docs``, one row each.
    min_probability : float, default 0.0
        A document whose topic has less than this probability (its share of the neighbours'
        vote) becomes an outlier: text far from every topic gets -1 instead of the least bad one.
    text_column, id_column : str, optional
        For a table: as for :meth:`fit`.

    Returns
    -------
    ndarray of shape (n_docs,), int64
        -1 for outliers and empty documents (a warning counts the empty ones).
    """
    corpus = as_corpus(docs, text_column=text_column, id_column=id_column)
    return place(fitted, corpus, embeddings, min_probability)[0]


def with_fields(frame: pd.DataFrame, corpus: Corpus) -> pd.DataFrame:
    """``frame`` (one row per document of ``corpus``) followed by the corpus's own fields, renamed
    ``input_X`` where a name is taken."""
    extra = corpus.fields.reset_index(drop=True)
    if not len(extra.columns):
        return frame
    extra = extra.rename(columns={c: f"input_{c}" for c in extra.columns if c in frame.columns})
    return pd.concat([frame, extra], axis=1)


def place(fitted: Fitted, corpus: Corpus, embeddings: Embeddings, min_probability: float
          ) -> tuple[np.ndarray, np.ndarray]:
    """Each document's topic (-1: outlier or empty) and its topic probabilities."""
    check_param("TopicModel", "min_probability", min_probability, [Number(float, 0.0, 1.0)])
    state = fitted.state
    empty = int((~corpus.usable).sum())
    if empty:
        warnings.warn(f"{empty} empty or whitespace-only document(s) get no topic (-1)", TopicLensWarning,
                      stacklevel=4)
    known = fitted.known(corpus)
    probs = _probabilities(fitted, corpus, known, embeddings)
    inferred = topic_ops.topics_from_probs(probs)  # columns, not ids
    inferred = np.where(inferred >= 0, np.asarray(state.topic_ids, dtype=np.int64)[np.maximum(inferred, 0)], -1)
    result = np.where(known >= 0, state.topics[np.maximum(known, 0)], inferred)
    if min_probability > 0 and probs.shape[1]:
        columns = positions(state.topic_ids, result)
        below = probs[np.arange(len(result)), np.maximum(columns, 0)] < min_probability
        result = np.where(below, -1, result)
    return np.where(corpus.usable, result, -1).astype(np.int64), probs


def _probabilities(fitted: Fitted, corpus: Corpus, known: np.ndarray, embeddings: Embeddings) -> np.ndarray:
    """(n_docs, n_topics): fit's rows for training documents, the model's inference for new ones."""
    state = fitted.state
    probs = np.zeros((len(corpus), len(state.topic_ids)), dtype=np.float32)
    probs[known >= 0] = state.probabilities[known[known >= 0]]
    new = np.flatnonzero((known < 0) & corpus.usable)
    if not len(new):
        return probs
    texts = [corpus.texts[i] for i in new]
    vectors = load_embeddings(embeddings, len(corpus))[new] if embeddings is not None else None
    probs[new] = infer(fitted, texts, vectors)
    return probs


def infer(fitted: Fitted, texts: Sequence[str], vectors: np.ndarray | None = None,
          desc: str = "embedding new documents") -> np.ndarray:
    """(len(texts), n_topics) float32: the model's inference for ``texts`` as new documents (the neighbours'
    vote on their embeddings, ``vectors`` when given; LDA/NMF: the inferred mixture)."""
    state, settings = fitted.state, fitted.settings
    if not len(texts):
        return np.zeros((0, len(state.topic_ids)), dtype=np.float32)
    if state.classic is not None:
        counts = state.vectorizer.transform(list(texts))
        with thread_limit(settings.threads):
            return np.asarray(state.classic.transform(counts), dtype=np.float32)
    if vectors is None:
        vectors = fitted.embed(texts, desc=desc)
    index = fitted.neighbour_index()
    approximate = index.graph_index(settings.knn, len(vectors), settings.threads)
    votes, _ = index.vote(vectors, settings.n_neighbors, settings.threads, approximate)
    return votes
