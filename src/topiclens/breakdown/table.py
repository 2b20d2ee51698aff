"""The topic x group table: documents, share of the group, and the topic's keywords within the group.

A cell's keywords are the c-TF-IDF of the topic's documents in that group (the word counts summed per
cell, weighed against the whole corpus's document frequencies), mixed with the topic's global
c-TF-IDF row by ``tuning`` (0: the cell alone, 1: the global keywords), so a small cell's keywords
stay readable and still show what was particular to it. Nothing is refitted: the fitted vocabulary
counts the documents once per model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..core.errors import ConfigError
from ..io.units import unit_shares
from ..pipeline.keywords import ClassStats, top_terms, weigh_classes
from ..state import OUTLIER_LABEL
from .groups import Grouping


def check_tuning(tuning: float) -> float:
    if not isinstance(tuning, (int, float)) or not 0.0 <= float(tuning) <= 1.0:
        raise ConfigError(f"tuning must be a number from 0 (the period's own keywords) to 1 (the topic's "
                          f"global keywords); got {tuning!r}")
    return float(tuning)


def group_table(state, grouping: Grouping, counts: sp.csr_matrix, *, column: str, weighting: str, n_words: int = 5,
                tuning: float = 0.5) -> pd.DataFrame:
    """One row per (group, topic) for every group that has documents and every topic (outliers as -1):
    ``counts`` are the usable documents' word counts (``state.word_counts()``);
    ``column`` (the group's name), ``topic``, ``label``, ``documents``, ``share`` (of the group's
    documents, outliers included) and ``keywords``; periods also get ``start`` and ``end``.

    The counts of a group's rows sum to the documents in that group; documents without a group are
    counted in ``table.attrs`` (``missing``, ``unparsed``) and left out of every row. In a model whose units are
    passages (``long_documents='split'``) a passage counts as its share of its document (``io.units``), so the
    counts are documents, split between topics by the length of their passages.
    """
    tuning = check_tuning(tuning)
    topics = np.asarray(state.topics)
    ids = [-1, *state.topic_ids]
    slot = {t: i for i, t in enumerate(ids)}
    topic_slot = np.array([slot[int(t)] for t in topics], dtype=np.int64)
    grouped = grouping.index >= 0
    n_groups = len(grouping.names)
    cell = np.where(grouped, grouping.index * len(ids) + topic_slot, -1)
    shares = unit_shares(state.corpus) if state.split else None
    documents = np.bincount(cell[grouped], weights=None if shares is None else shares[grouped],
                            minlength=n_groups * len(ids)).reshape(n_groups, len(ids))
    keywords = _cell_keywords(state, counts, cell, documents, weighting, n_words, tuning)
    labels = [OUTLIER_LABEL, *state.labels]
    totals = documents.sum(axis=1)
    rows = []
    for g, name in enumerate(grouping.names):
        for i, topic in enumerate(ids):
            row = {column: name}
            if grouping.starts is not None:
                row["start"], row["end"] = grouping.starts[g], grouping.ends[g]
            row.update(topic=topic, label=labels[i], documents=document_count(documents[g, i]),
                       share=float(documents[g, i] / totals[g]) if totals[g] else 0.0,
                       keywords=", ".join(keywords.get(g * len(ids) + i, [])))
            rows.append(row)
    table = pd.DataFrame(rows)
    counted = document_count(grouped.sum() if shares is None else shares[grouped].sum())
    table.attrs.update(documents=counted, missing=grouping.missing, unparsed=grouping.unparsed,
                       unparsed_examples=list(grouping.unparsed_examples), groups=n_groups)
    return table


def document_count(documents: float) -> int | float:
    """A count of documents as a table shows it: whole where it is, else to three decimals (passage shares)."""
    value = round(float(documents), 3)
    return int(value) if value.is_integer() else value


def _cell_keywords(state, counts: sp.csr_matrix, cell: np.ndarray, documents: np.ndarray, weighting: str,
                   n_words: int, tuning: float) -> dict[int, list[str]]:
    """The best words of every cell with documents, keyed by cell number."""
    filled = [int(c) for c in np.flatnonzero(documents.ravel())]
    if not filled:
        return {}
    stats = ClassStats.of(counts, cell[np.asarray(state.usable, dtype=bool)], filled, weighting)
    weights = weigh_classes(stats, weighting)
    n_ids = documents.shape[1]
    global_rows = []
    for c in filled:
        slot = c % n_ids
        global_rows.append(state.ctfidf[slot - 1] if slot > 0 else sp.csr_matrix((1, weights.shape[1])))
    if tuning > 0:
        weights = ((1.0 - tuning) * weights + tuning * sp.vstack(global_rows).tocsr()).tocsr()
    ranked = top_terms(weights, state.vectorizer.words, n_words)
    return {c: [word for word, _ in words] for c, words in zip(filled, ranked)}
