"""What topics a document mixes, and where in it each topic is: documents read passage by passage.

A document longer than one passage (:data:`PASSAGE_TOKENS` estimated word pieces) is cut at sentence ends
(:mod:`topiclens.core.passages`); each passage is placed in the topics, and the document's mixture is the
passages' shares weighted by their length. A passage is placed by its words (``method="words"``, the default:
the cosine of its word counts with each topic's c-TF-IDF row, raised to the power :data:`SHARPNESS` so that the
best topics stand out, and the passage weighted by its best cosine as well, so that a passage that matches no
topic well counts for little) or by its embedding (``method="embeddings"``: the neighbours' vote, as ``transform``
places a new document; several times slower, more of a document's topics found). A document of one passage is
placed whole, as ``transform`` places it, so a short document's mixture is its ``transform`` row made to sum to
one. Outliers are left out: every row sums to one, except an empty document's and (by words) a long one none of
whose passages shares a word with the topics (zeros). LDA and NMF place each passage by their own inference.

Both choices were measured on documents joined from two or three Debian descriptions of different sections
(``bench/bench_multi_topic.py``, results in ``bench/results/multi_topic.json``).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize as unit_rows

from ..core.errors import ConfigError
from ..core.passages import estimate_pieces, passage_spans
from ..embedders.cache import load_embeddings
from ..io.corpus import from_texts, text_hash
from ..io.documents import as_corpus
from ..io.units import document_texts, unit_owners, unit_shares
from ..state import OUTLIER_LABEL
from .fitted import Fitted
from .placing import Documents, Embeddings, infer, transform

# Estimated word pieces in one passage: one or two sentences, short enough that a passage holds one subject and
# well within what every bundled embedder reads (all-MiniLM-L6-v2: 256); 64 found more of the joined sections
# than 128 in bench/bench_multi_topic.py, by words and by embeddings.
PASSAGE_TOKENS = 64
# The power that sharpens word similarities into votes. Chosen on three draws of bench/bench_multi_topic.py
# (passages of 48, 64 and 96 pieces; powers 4, 5, 6 and 8; with and without weighting a passage by its best
# cosine): 64 pieces, power 4 and the weighting were the most precise setting that kept recall above
# BERTopic's on every draw; higher powers find more sections and lose precision.
SHARPNESS = 4
METHODS = ("words", "embeddings")
CHUNK = 10_000  # long documents placed at a time, so that their passages' votes stay small in memory


def shares(votes: np.ndarray) -> np.ndarray:
    """Rows of ``votes`` scaled to sum to one (all-zero rows stay zero): the outliers' share left out."""
    votes = np.asarray(votes, dtype=np.float64)
    totals = votes.sum(axis=1, keepdims=True)
    return np.divide(votes, totals, out=np.zeros_like(votes), where=totals > 0)


def combine(votes: np.ndarray, weights: np.ndarray, owners: np.ndarray, n_docs: int) -> np.ndarray:
    """(n_docs, n_topics): each document's passages' :func:`shares` weighted by ``weights``, summing to one.

    ``owners[i]`` is the document of passage ``i``; a passage no topic claims (all-zero votes) counts for nothing,
    and a document with no claimed passage gets a row of zeros.
    """
    parts = shares(votes)
    claimed = np.asarray(weights, dtype=np.float64) * (parts.sum(axis=1) > 0)
    mixture = np.zeros((n_docs, parts.shape[1]))
    np.add.at(mixture, np.asarray(owners, dtype=np.int64), parts * claimed[:, None])
    return shares(mixture).astype(np.float32)


def mixture_text(mixture: np.ndarray, topic_ids: Sequence[int], floor: float = 0.1) -> list[str]:
    """Each row of ``mixture`` as text for tables: its topics holding at least ``floor``, best first, as
    ``"12: 0.64, 3: 0.30"`` ('' for a row with none)."""
    ids = np.asarray(topic_ids)
    texts = []
    for row in np.asarray(mixture):
        held = np.flatnonzero(row >= floor)
        held = held[np.argsort(-row[held], kind="stable")]
        texts.append(", ".join(f"{ids[i]}: {row[i]:.2f}" for i in held))
    return texts


def mixtures_of(fitted: Fitted, texts: Sequence[str], whole: np.ndarray, passage_tokens: int | None = None,
                method: str = "words") -> np.ndarray:
    """Mixtures of new documents ``texts`` whose placement as whole documents is ``whole`` (``transform``'s rows;
    only those of one-passage documents are read)."""
    return _mixed(fitted, texts, whole, _passages_of(texts, _budget(passage_tokens)), _method(method))


def _budget(passage_tokens: int | None) -> int:
    if passage_tokens is None:
        return PASSAGE_TOKENS
    if isinstance(passage_tokens, bool) or not isinstance(passage_tokens, (int, np.integer)) or passage_tokens < 8:
        raise ConfigError(f"passage_tokens must be a whole number of word pieces, at least 8 (got {passage_tokens!r}); "
                          f"the default is {PASSAGE_TOKENS}")
    return int(passage_tokens)


def _method(method: str) -> str:
    if method not in METHODS:
        raise ConfigError(f"method={method!r} is not known: use 'words' (the default, fast) or 'embeddings'")
    return method


def word_similarity(fitted: Fitted, texts: Sequence[str]) -> np.ndarray:
    """(len(texts), n_topics): the cosine of each text's word counts with each topic's c-TF-IDF row (zeros for a
    text with no word of the vocabulary)."""
    state = fitted.state
    topics = fitted.value(("unit ctfidf", tuple(state.topic_ids)), lambda: unit_rows(state.ctfidf))
    counts = unit_rows(sp.csr_matrix(state.vectorizer.transform(list(texts)), dtype=np.float64))
    return np.maximum(np.asarray((counts @ topics.T).todense(), dtype=np.float64), 0.0)


def passage_votes(fitted: Fitted, texts: Sequence[str], method: str) -> tuple[np.ndarray, np.ndarray]:
    """(len(texts), n_topics): how much each passage belongs to each topic (rows need not sum to one); and
    (len(texts),) how much each passage's vote counts beside its length (by words: its best cosine)."""
    if method == "words" and fitted.state.classic is None:
        similarity = word_similarity(fitted, texts)
        return similarity ** SHARPNESS, similarity.max(axis=1, initial=0.0)
    return infer(fitted, texts, desc="embedding passages"), np.ones(len(texts))


def _passages_of(texts: Sequence[str], budget: int) -> list[list[tuple[int, int]]]:
    return [passage_spans(text, budget) if text.strip() else [] for text in texts]


def _mixed(fitted: Fitted, texts: Sequence[str], whole: np.ndarray, spans: list[list[tuple[int, int]]],
           method: str) -> np.ndarray:
    """Mixtures of ``texts``: ``whole`` (their placement as whole documents) for those of one passage, the
    passages' combined votes for the others."""
    mixture = shares(whole).astype(np.float32)
    long = [i for i, parts in enumerate(spans) if len(parts) > 1]
    for first in range(0, len(long), CHUNK):
        chunk = long[first:first + CHUNK]
        pieces, owners, weights = [], [], []
        for row, i in enumerate(chunk):
            for start, end in spans[i]:
                pieces.append(texts[i][start:end])
                owners.append(row)
                weights.append(max(1, estimate_pieces(pieces[-1])))
        votes, confidence = passage_votes(fitted, pieces, method)
        mixture[chunk] = combine(votes, np.array(weights) * confidence, np.array(owners), len(chunk))
    return mixture


def topic_mixture(fitted: Fitted, docs: Documents, embeddings: Embeddings = None, *,
                  passage_tokens: int | None = None, method: str = "words", text_column: Hashable | None = None,
                  id_column: Hashable | None = None) -> np.ndarray:
    """The share of each topic in each document, read passage by passage.

    Parameters
    ----------
    docs : list of str, DataFrame, Series, Corpus or pathlib.Path
        A table as for :meth:`fit`.
    embeddings : ndarray, str or Path, optional
        Precomputed embeddings of ``docs`` (of the whole documents), used for the documents of one passage.
    passage_tokens : int, optional
        The most estimated word pieces in a passage (default :data:`PASSAGE_TOKENS`, 64); a longer document is
        cut at sentence ends into passages of at most this many.
    method : {'words', 'embeddings'}, default 'words'
        How a passage is placed: by its words against the topics' c-TF-IDF (fast), or by its embedding and the
        neighbours' vote (finds more of a document's topics; embeds every passage).
    text_column, id_column : str, optional
        For a table: as for :meth:`fit`.

    Returns
    -------
    ndarray of shape (n_docs, n_topics), float32
        Columns in ``topic_ids_`` order, outliers left out; each row sums to one (zeros for an empty document,
        and, by words, for a long one none of whose passages shares a word with the topics). A training
        document's row is its row of ``topic_mixture_``.
    """
    budget, method = _budget(passage_tokens), _method(method)
    corpus = as_corpus(docs, text_column=text_column, id_column=id_column)
    known = _known_documents(fitted, corpus) if fitted.state.split else fitted.known(corpus)
    mixture = np.zeros((len(corpus), len(fitted.state.topic_ids)), dtype=np.float32)
    if (known >= 0).any():
        mixture[known >= 0] = training_mixture(fitted, budget, method)[known[known >= 0]]
    new = np.flatnonzero((known < 0) & corpus.usable)
    if len(new):
        texts = [corpus.texts[i] for i in new]
        spans = _passages_of(texts, budget)
        single = np.array([j for j, parts in enumerate(spans) if len(parts) == 1], dtype=np.int64)
        whole = np.zeros((len(new), mixture.shape[1]), dtype=np.float32)
        if len(single):
            vectors = None if embeddings is None else load_embeddings(embeddings, len(corpus))[new[single]]
            whole[single] = transform(fitted, from_texts([texts[j] for j in single]), vectors)
        mixture[new] = _mixed(fitted, texts, whole, spans, method)
    return mixture


def training_mixture(fitted: Fitted, passage_tokens: int | None = None, method: str = "words") -> np.ndarray:
    """``topic_mixture_``: the training documents' mixtures (computed once per state, passage length and method).
    In a model whose units are passages (``long_documents='split'``), one row per document: the topics of its
    passages, each counted by its length (``passage_tokens`` and ``method`` play no part)."""
    budget, method = _budget(passage_tokens), _method(method)
    state = fitted.state
    if state.split:
        return fitted.value(("unit mixture", tuple(state.topic_ids)), lambda: unit_mixture(state, _units(fitted)))

    def compute() -> np.ndarray:
        texts = state.corpus.texts
        spans = [parts if state.usable[i] else [] for i, parts in enumerate(_passages_of(texts, budget))]
        return _mixed(fitted, texts, state.probabilities, spans, method)

    placed_by = (fitted.settings.n_neighbors, fitted.settings.knn) if method == "embeddings" else ()
    return fitted.value(("mixture", budget, method, placed_by, tuple(state.topic_ids)), compute)


def _units(fitted: Fitted) -> tuple[np.ndarray, list]:
    """A split model's ``unit_owners``, found once per model."""
    return fitted.value("unit owners", lambda: unit_owners(fitted.state.corpus))


def unit_mixture(state, units: tuple[np.ndarray, list]) -> np.ndarray:
    """(n_documents, n_topics): a split model's documents' mixtures, the topics of their passages weighted by each
    passage's share of the document (outlier passages left out; a document all of whose passages are outliers
    gets zeros). ``units``: ``unit_owners`` of its corpus."""
    owners, documents = units
    slots = state.positions(state.topics)
    votes = np.zeros((len(state.corpus), len(state.topic_ids)))
    claimed = np.flatnonzero(slots >= 0)
    votes[claimed, slots[claimed]] = 1.0
    return combine(votes, unit_shares(state.corpus, units), owners, len(documents))


def document_topics(fitted: Fitted) -> np.ndarray:
    """Each input document's topic: ``topics_``, or, where the rows are passages (``long_documents='split'``), the
    topic most of the document's text is in (-1 where all of it is in outlier passages)."""
    state = fitted.state
    if not state.split:
        return state.topics
    mixture = training_mixture(fitted)
    ids = np.asarray(state.topic_ids, dtype=np.int64)
    if not len(ids):
        return np.full(len(mixture), -1, dtype=np.int64)
    return np.where(mixture.sum(axis=1) > 0, ids[mixture.argmax(axis=1)], -1).astype(np.int64)


def row_mixture(fitted: Fitted) -> np.ndarray:
    """One mixture per row of the model (``document_info``'s rows): ``topic_mixture_``, or, where the rows are
    passages, the mixture of each passage's document."""
    mixture = training_mixture(fitted)
    return mixture[_units(fitted)[0]] if fitted.state.split else mixture


def _known_documents(fitted: Fitted, corpus) -> np.ndarray:
    """For a split model: the training document (its row of ``topic_mixture_``) with each text of ``corpus``, or
    -1."""
    lookup = fitted.value("document lookup", lambda: {
        text_hash(text): row for row, text in enumerate(document_texts(fitted.state.corpus))})
    return np.array([lookup.get(h, -1) for h in corpus.hashes], dtype=np.int64)


def explain(fitted: Fitted, doc: str, *, passage_tokens: int | None = None, method: str = "words") -> pd.DataFrame:
    """Where each topic is in one document: its passages, each with the topic it is about.

    Parameters
    ----------
    doc : str
        The document's text.
    passage_tokens : int, optional
        As for :meth:`topic_mixture`.
    method : {'words', 'embeddings'}, default 'words'
        As for :meth:`topic_mixture`.

    Returns
    -------
    DataFrame
        One row per passage, in order: ``start``, ``end`` (character offsets into ``doc``; the passages cover it),
        ``topic`` (-1 where no topic claims the passage), ``label``, ``share`` (that topic's share of the
        passage's vote), ``weight`` (the passage's share of the document, by length) and ``text``.
    """
    if not isinstance(doc, str):
        raise ConfigError(f"explain takes one document's text (a str), not {type(doc).__name__}: for many documents "
                          "use topic_mixture")
    spans = _passages_of([doc], _budget(passage_tokens))[0]
    method = _method(method)
    columns = ["start", "end", "topic", "label", "share", "weight", "text"]
    if not spans:
        return pd.DataFrame(columns=columns)
    pieces = [doc[start:end] for start, end in spans]
    parts = shares(passage_votes(fitted, pieces, method)[0])
    best = parts.argmax(axis=1)
    claimed = parts.max(axis=1) > 0
    ids = np.asarray(fitted.state.topic_ids, dtype=np.int64)
    labels = fitted.state.labels
    weights = np.array([max(1, estimate_pieces(p)) for p in pieces], dtype=np.float64)
    return pd.DataFrame({
        "start": [s for s, _ in spans], "end": [e for _, e in spans],
        "topic": np.where(claimed, ids[best], -1),
        "label": [labels[b] if c else OUTLIER_LABEL for b, c in zip(best.tolist(), claimed.tolist())],
        "share": np.where(claimed, parts.max(axis=1), 0.0).round(4),
        "weight": (weights / weights.sum()).round(4),
        "text": pieces,
    }, columns=columns)


def row_passages(fitted: Fitted, row: int) -> tuple[str, pd.DataFrame]:
    """The document of the model's row ``row`` and its passages as :func:`explain` gives them: where the rows are
    passages (``long_documents='split'``), every passage of that row's document with the topic the fit gave it
    (``share``: its neighbours' vote for that topic); else the row's text, explained."""
    state = fitted.state
    if not state.split:
        return state.corpus.ids[row], explain(fitted, state.corpus.texts[row])
    owners, documents = _units(fitted)
    rows = np.flatnonzero(owners == owners[row])
    slots = state.positions(state.topics[rows])
    weights = unit_shares(state.corpus, (owners, documents))[rows]
    labels = state.labels
    starts = np.concatenate([[0], np.cumsum([len(state.corpus.texts[r]) for r in rows])])
    return str(documents[owners[row]]), pd.DataFrame({
        "start": starts[:-1], "end": starts[1:], "topic": state.topics[rows],
        "label": [labels[s] if s >= 0 else OUTLIER_LABEL for s in slots.tolist()],
        "share": [round(float(state.probabilities[r, s]), 4) if s >= 0 else 0.0 for r, s in zip(rows, slots)],
        "weight": np.round(weights, 4), "text": [state.corpus.texts[r] for r in rows],
    })
