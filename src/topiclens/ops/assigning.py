"""Placing documents in a fitted model as a table: each document's topic, probability, label and mixture."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from ..io.documents import as_corpus
from ..state import OUTLIER_LABEL, positions
from .fitted import Fitted
from .mixtures import mixture_text, mixtures_of
from .placing import Documents, Embeddings, place, with_fields


def assign(fitted: Fitted, docs: Documents, embeddings: Embeddings = None, min_probability: float = 0.0, *,
           text_column: Hashable | None = None, id_column: Hashable | None = None) -> pd.DataFrame:
    """Documents placed in the model's topics, as a table that joins back onto the input.

    Parameters
    ----------
    docs : list of str, DataFrame, Series, Corpus or pathlib.Path
        A table as for :meth:`fit`.
    embeddings, min_probability
        As for :meth:`predict`.
    text_column, id_column : str, optional
        For a table: as for :meth:`fit`.

    Returns
    -------
    DataFrame
        One row per document, in input order: ``id`` (the input's index or ``id_column``, with its type),
        ``topic`` (-1: outlier), ``probability`` (of that topic), ``label``, ``mixture`` (the topics holding at
        least 10 % of the document, read passage by passage, best first: ``"12: 0.64, 3: 0.30"``; see
        ``topic_mixture``), then the input's own columns (the text column left out; ``input_X`` on a name clash).
    """
    corpus = as_corpus(docs, text_column=text_column, id_column=id_column)
    topics, probs = place(fitted, corpus, embeddings, min_probability)
    mixture = mixtures_of(fitted, corpus.texts, probs)  # a training document's probs are fit's: its own row
    columns = positions(fitted.state.topic_ids, topics)
    rows = np.arange(len(topics))
    probability = probs[rows, np.maximum(columns, 0)] if probs.shape[1] else np.zeros(len(topics), np.float32)
    labels = fitted.state.labels
    frame = pd.DataFrame({"id": corpus.id_values, "topic": topics,
                          "probability": np.where(topics >= 0, probability, 0.0).round(4),
                          "label": [labels[p] if p >= 0 else OUTLIER_LABEL for p in columns.tolist()],
                          "mixture": mixture_text(mixture, fitted.state.topic_ids)})
    return with_fields(frame, corpus)
