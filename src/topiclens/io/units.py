"""A corpus whose long documents are cut into passages, each a unit of the fit; and the way back to documents.

With ``long_documents='split'`` a document longer than the embedding model reads is cut at sentence ends into
passages the model reads whole (:func:`topiclens.core.passages.passage_spans`), and each passage is a document of
the fit: it is embedded, clustered, counted in its topic's keywords, can be its topic's evidence, and is edited and
grown like any document, so one long document holds the topics of its passages. Every unit keeps where it comes
from in three fields, saved with the model like any field: :data:`PASSAGE_OF` (its document's id, as text),
:data:`PASSAGE` (1, 2, ... within the document) and :data:`PASSAGE_START` (the offset of its first character in
the document). A document is its units joined in order; one that needs no cut is one unit with its own id, and a
cut one's units are ``id#1``, ``id#2``, ...
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.errors import ConfigError
from ..core.passages import passage_spans
from .corpus import Corpus

PASSAGE_OF = "passage_of"
PASSAGE = "passage"
PASSAGE_START = "passage_start"
FIELDS = (PASSAGE_OF, PASSAGE, PASSAGE_START)


@dataclass(frozen=True)
class Split:
    """A corpus cut into units: ``corpus`` (the units) and ``rows`` (the input document of each unit)."""

    corpus: Corpus
    rows: np.ndarray  # (n_units,) int64

    @property
    def cut(self) -> int:
        """How many input documents became more than one unit."""
        counts = np.bincount(self.rows) if len(self.rows) else np.zeros(0, dtype=np.int64)
        return int((counts > 1).sum())


def split_corpus(corpus: Corpus, budget: int) -> Split:
    """``corpus`` with every document of more than ``budget`` estimated word pieces cut into passages of at most
    that many, each a unit, in order; the input's fields are copied to each unit of a document."""
    clash = [name for name in FIELDS if name in corpus.fields.columns]
    if clash:
        raise ConfigError(f"the documents have a field {clash[0]!r}, which long_documents='split' writes (where each "
                          "passage comes from): rename that field, or use long_documents='passages'")
    texts: list[str] = []
    ids: list[str] = []
    rows: list[int] = []
    numbers: list[int] = []
    starts: list[int] = []
    for row, (text, doc_id) in enumerate(zip(corpus.texts, corpus.ids)):
        spans = passage_spans(text, budget) if text.strip() else [(0, len(text))]
        for number, (start, end) in enumerate(spans, start=1):
            texts.append(text[start:end])
            ids.append(doc_id if len(spans) == 1 else f"{doc_id}#{number}")
            rows.append(row)
            numbers.append(number)
            starts.append(start)
    repeated = next((i for i, n in Counter(corpus.ids).items() if n > 1), None)
    if repeated is not None:
        raise ConfigError(f"the id {repeated!r} is given to two documents, and long_documents='split' finds a "
                          "passage's document by its id: make the ids unique (e.g. reset the table's index)")
    if len(set(ids)) < len(ids):
        taken = next(i for i, n in Counter(ids).items() if n > 1)
        raise ConfigError(f"two documents would have the id {taken!r} once cut into passages (a cut document's "
                          "passages are named id#1, id#2, ...): give ids without '#', or use "
                          "long_documents='passages'")
    index = np.asarray(rows, dtype=np.int64)
    fields = corpus.fields.iloc[index].reset_index(drop=True) if len(corpus.fields.columns) else pd.DataFrame(
        index=range(len(texts)))
    fields = fields.assign(**{PASSAGE_OF: [corpus.ids[r] for r in rows], PASSAGE: numbers,
                              PASSAGE_START: starts})
    any_cut = len(texts) > len(corpus)
    return Split(Corpus(texts=texts, ids=ids, fields=fields, source=corpus.source, ids_given=corpus.ids_given,
                        id_type="str" if any_cut else corpus.id_type), index)


def unit_owners(corpus: Corpus) -> tuple[np.ndarray, list]:
    """For a split corpus: the document of each unit (0, 1, ... in order of first appearance) and the documents'
    ids."""
    owners, documents = pd.factorize(pd.Series(corpus.fields[PASSAGE_OF].tolist(), dtype=object), sort=False)
    return owners.astype(np.int64), list(documents)


def unit_shares(corpus: Corpus, units: tuple[np.ndarray, list] | None = None) -> np.ndarray:
    """For a split corpus: each unit's share of its document, by characters (a document's units sum to one; the
    units of an empty document share it equally). ``units``: :func:`unit_owners` of it, where already known."""
    owners, documents = unit_owners(corpus) if units is None else units
    lengths = np.array([len(t) for t in corpus.texts], dtype=np.float64)
    totals = np.bincount(owners, weights=lengths, minlength=len(documents))
    counts = np.bincount(owners, minlength=len(documents)).astype(np.float64)
    return np.where(totals[owners] > 0, lengths / np.maximum(totals[owners], 1.0), 1.0 / counts[owners])


def document_texts(corpus: Corpus) -> list[str]:
    """For a split corpus: each document's text, its units joined in order."""
    owners, documents = unit_owners(corpus)
    parts: list[list[str]] = [[] for _ in documents]
    for owner, text in zip(owners.tolist(), corpus.texts):
        parts[owner].append(text)
    return ["".join(p) for p in parts]
