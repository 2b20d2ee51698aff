"""The topics of a fitted model as one table: a record per topic, keyed by its id, in ascending id order.

A :class:`Topic` holds everything a topic has that is not a vector (its size, keywords, representations,
label, the LLM's label, the documents the label was written from, description, given name, label confidence);
its centroid and keyword weights are rows of the table's two matrices, in the same order. An edit builds the
rows of the topics it changed and keeps the other :class:`Topic` objects as they are
(:meth:`TopicTable.with_rows`, :meth:`TopicTable.rebuilt`).

Some columns are optional: a model no LLM labeled has no LLM labels (``llm_labels_`` is None, not a list of
empty strings). :attr:`TopicTable.present` names the optional columns the table has; a column it lacks reads
as None. The given names and the waiting marks read as None where no topic has one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

Pairs = list[tuple[str, float]]


@dataclass(frozen=True)
class Topic:
    """One topic's record (its centroid and keyword weights are rows of :class:`TopicTable`'s matrices)."""

    id: int                             # stable: 0..t-1 after a fit; an edit's new topics get ids never used
    size: int                           # documents in the topic
    keywords: Pairs                     # (word, c-TF-IDF score), best first
    keybert: Pairs                      # (word, cosine to the topic centroid)
    mmr: Pairs                          # (word, cosine), diverse
    representative_docs: list[int]      # document rows nearest the centroid
    label: str                          # the label in use
    llm_label: str = ""                 # the labeler's label ('' : none yet)
    evidence: list[int] = field(default_factory=list)  # document rows the LLM label was written from
    description: str = ""               # one or two sentences from the LLM ('' : none)
    given_label: str = ""               # a name the user gave (zero-shot name, class of y); '' : none
    confidence: float | None = None     # how well the label fits the topic and not its neighbours
    waiting: bool = False               # a keyword label an edit left on a model with LLM labels


# Each column of the table as the fitted state names it (``labels``), and the record's attribute (``label``).
COLUMNS = {"topic_ids": "id", "topic_sizes": "size", "keywords": "keywords", "keybert": "keybert", "mmr": "mmr",
           "representative_docs": "representative_docs", "labels": "label", "llm_labels": "llm_label",
           "label_evidence": "evidence", "descriptions": "description", "given_labels": "given_label",
           "label_confidence": "confidence", "label_waiting": "waiting"}
OPTIONAL = ("llm_labels", "label_evidence", "descriptions", "label_confidence")
SPARSE = ("given_labels", "label_waiting")  # None where no topic has one
MATRICES = ("centroids", "ctfidf")
_EMPTY = {"llm_labels": "", "label_evidence": [], "descriptions": "", "given_labels": "", "label_confidence": None,
          "label_waiting": False}


@dataclass(frozen=True)
class TopicTable:
    """Every topic's :class:`Topic` (ascending ids) with the matrices whose rows are theirs.

    ``centroids`` is (t, d) float32 with unit rows, ``ctfidf`` (t, n_words) each topic's word weights;
    ``present`` names the optional columns (of :data:`OPTIONAL`) the table has. Whether the ids ascend and
    the matrices have a row per topic is checked with the rest of a loaded model (``store.checks``).
    """

    rows: tuple[Topic, ...]
    centroids: np.ndarray
    ctfidf: sp.csr_matrix
    present: frozenset[str] = frozenset()
    _columns: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.present) - set(OPTIONAL)
        if unknown:
            raise ValueError(f"unknown optional columns {sorted(unknown)}")

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any], centroids: np.ndarray, ctfidf: sp.spmatrix) -> TopicTable:
        """The table of per-topic lists named as in :data:`COLUMNS` (``topic_ids`` to ``topic_sizes`` required;
        an optional column that is missing or None is absent)."""
        present = frozenset(name for name in OPTIONAL if columns.get(name) is not None)
        n = len(columns["topic_ids"])
        values = {name: [copy.copy(_EMPTY[name]) for _ in range(n)] if name in _EMPTY and columns.get(name) is None
                  else columns[name] for name in COLUMNS}
        rows = tuple(Topic(**{COLUMNS[name]: _plain(name, values[name][i]) for name in COLUMNS}) for i in range(n))
        return cls(rows, centroids, sp.csr_matrix(ctfidf), present)

    # ------------------------------------------------------------- reading
    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list | None:
        """One column as a list in id order (None for an optional column the table lacks), computed once."""
        if name in OPTIONAL and name not in self.present:
            return None
        if name not in self._columns:
            attribute = COLUMNS[name]
            values = [getattr(row, attribute) for row in self.rows]
            self._columns[name] = None if name in SPARSE and not any(values) else values
        return self._columns[name]

    def place(self, topic: int) -> int:
        """Topic ``topic``'s row (KeyError for an unknown id or anything but a whole number)."""
        if isinstance(topic, bool) or not isinstance(topic, (int, np.integer)):
            raise KeyError(topic)
        return self._places[int(topic)]

    @cached_property
    def _places(self) -> dict[int, int]:
        return {row.id: i for i, row in enumerate(self.rows)}

    def __getitem__(self, topic: int) -> Topic:
        return self.rows[self.place(topic)]

    # ------------------------------------------------------------- changing
    def with_rows(self, changes: Mapping[int, Mapping[str, Any]], present: Iterable[str] = ()) -> TopicTable:
        """The table with the rows of the topics in ``changes`` ({id: {attribute: value}}) changed and every other
        row kept as it is (the same objects); ``present``: optional columns (state names) the table gains."""
        rows = list(self.rows)
        for topic, values in changes.items():
            at = self.place(topic)
            rows[at] = replace(rows[at], **values)
        return TopicTable(tuple(rows), self.centroids, self.ctfidf, self.present | frozenset(present))

    def with_columns(self, **columns: Sequence | None) -> TopicTable:
        """The table with whole columns replaced (state names, in id order); None drops an optional column."""
        unknown = set(columns) - set(COLUMNS) - set(MATRICES)
        if unknown:
            raise TypeError(f"not a column of the topic table: {sorted(unknown)}")
        values = {name: self.column(name) for name in COLUMNS}
        values.update({name: value for name, value in columns.items() if name in COLUMNS})
        return TopicTable.from_columns(values, columns.get("centroids", self.centroids),
                                       columns.get("ctfidf", self.ctfidf))

    def rebuilt(self, ids: Sequence[int], kept: Mapping[int, Topic], fresh: Mapping[int, tuple[Topic, np.ndarray,
                Any]], present: Iterable[str]) -> TopicTable:
        """A table of the topics ``ids``: each either a record ``kept`` from this table (its centroid and weights
        rows carried over) or ``fresh`` as (record, centroid, weights row)."""
        rows, centroids, weights = [], [], []
        for topic in ids:
            if topic in fresh:
                row, centroid, weight = fresh[topic]
            else:
                row, at = kept[topic], self.place(topic)
                centroid, weight = self.centroids[at], self.ctfidf[at]
            rows.append(row)
            centroids.append(centroid)
            weights.append(sp.csr_matrix(weight))
        matrix = sp.vstack(weights).tocsr() if weights else sp.csr_matrix((0, self.ctfidf.shape[1]))
        stacked = np.stack(centroids).astype(np.float32) if centroids else \
            np.zeros((0, self.centroids.shape[1]), np.float32)
        return TopicTable(tuple(rows), stacked, matrix, frozenset(present))


def _plain(name: str, value: Any) -> Any:
    """A column's value as a record keeps it (word lists as lists of pairs, ids as int)."""
    if name in ("topic_ids", "topic_sizes"):
        return int(value)
    if name == "label_waiting":
        return bool(value)
    return value
