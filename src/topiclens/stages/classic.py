"""Classic topic models beside the embedding pipeline: LDA (gensim) and NMF (scikit-learn).

Both take the document-term counts of the vocabulary stage and learn a document-topic matrix
and a topic-word matrix. What they learn is plain arrays (``FittedLDA``, ``FittedNMF``), so a
saved model holds no pickle and still assigns new documents with the model's own inference.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from ..core.errors import require
from ..core.params import IsNone, Number, Rule
from .base import Stage
from .protocols import StageContext

DEFAULT_CLASSIC_TOPICS = 20


class LDATopics(Stage):
    """Latent Dirichlet allocation with gensim's LdaMulticore (online variational Bayes).

    Parameters
    ----------
    n_topics : int or None, default None
        Topics to learn; None follows the model's ``nr_topics`` (20 when that is None too).
    passes : int, default 5
        Passes over the corpus.
    """

    kind = "lda"
    _constraints: ClassVar[dict[str, list[Rule]]] = {"n_topics": [IsNone(), Number(int, 1)],
                                                      "passes": [Number(int, 1)]}

    def __init__(self, n_topics: int | None = None, passes: int = 5) -> None:
        self.n_topics = n_topics
        self.passes = passes

    def fit(self, counts: sp.csr_matrix, n_topics: int, context: StageContext) -> tuple[FittedLDA, np.ndarray]:
        """Train on the counts; return the fitted model and the documents' topic distributions."""
        gensim_models = require("gensim.models", "gensim", "LDA")
        lda = gensim_models.LdaMulticore(
            corpus=_bow(counts), id2word={i: str(i) for i in range(counts.shape[1])}, num_topics=n_topics,
            passes=self.passes, workers=max(1, context.threads), random_state=context.seed, chunksize=2000,
        )
        fitted = FittedLDA(lda.state.get_lambda().astype(np.float32), np.asarray(lda.alpha, dtype=np.float64),
                           np.asarray(lda.eta, dtype=np.float64), context.seed, lda)
        return fitted, fitted.transform(counts)


class FittedLDA:
    """A trained LDA as arrays (topic-word pseudo-counts and priors); gensim's inference for new documents."""

    kind = "lda"

    def __init__(self, topic_word: np.ndarray, alpha: np.ndarray, eta: np.ndarray, seed: int = 42,
                 model=None) -> None:
        self.topic_word = topic_word
        self.alpha = alpha
        self.eta = eta
        self.seed = seed
        self._lda = model

    def transform(self, counts: sp.csr_matrix) -> np.ndarray:
        gamma, _ = self._model().inference(_bow(counts))
        empty = np.asarray(counts.sum(axis=1)).ravel() == 0
        return _rows_to_distributions(gamma, empty)

    def _model(self):
        if self._lda is None:
            gensim_models = require("gensim.models", "gensim", "LDA")
            k, v = self.topic_word.shape
            lda = gensim_models.LdaModel(num_topics=k, id2word={i: str(i) for i in range(v)},
                                         alpha=self.alpha, eta=self.eta, random_state=self.seed)
            lda.state.sstats[...] = self.topic_word.astype(np.float64) - self.eta
            lda.sync_state()
            self._lda = lda
        return self._lda

    def arrays(self) -> dict[str, np.ndarray]:
        return {"topic_word": self.topic_word, "alpha": self.alpha, "eta": self.eta}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], seed: int = 42) -> FittedLDA:
        return cls(arrays["topic_word"], arrays["alpha"], arrays["eta"], seed)


class NMFTopics(Stage):
    """Non-negative matrix factorization of the TF-IDF matrix (scikit-learn's NMF).

    Parameters
    ----------
    n_topics : int or None, default None
        Topics to learn; None follows the model's ``nr_topics`` (20 when that is None too).
    max_iter : int, default 400
    """

    kind = "nmf"
    _constraints: ClassVar[dict[str, list[Rule]]] = {"n_topics": [IsNone(), Number(int, 1)],
                                                      "max_iter": [Number(int, 1)]}

    def __init__(self, n_topics: int | None = None, max_iter: int = 400) -> None:
        self.n_topics = n_topics
        self.max_iter = max_iter

    def fit(self, counts: sp.csr_matrix, n_topics: int, context: StageContext) -> tuple[FittedNMF, np.ndarray]:
        from sklearn.decomposition import NMF

        doc_freq = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = (np.log((1 + counts.shape[0]) / (1 + doc_freq)) + 1).astype(np.float32)
        nmf = NMF(n_components=n_topics, init="nndsvda", random_state=context.seed, max_iter=self.max_iter)
        weights = nmf.fit_transform(_tfidf(counts, idf))
        fitted = FittedNMF(nmf.components_.astype(np.float32), idf, context.seed, self.max_iter)
        return fitted, _rows_to_distributions(weights, weights.sum(axis=1) == 0)


class FittedNMF:
    """A trained NMF as arrays (topic-word matrix and idf); new documents are fitted with it held fixed."""

    kind = "nmf"

    def __init__(self, topic_word: np.ndarray, idf: np.ndarray, seed: int = 42, max_iter: int = 400) -> None:
        self.topic_word = topic_word
        self.idf = idf
        self.seed = seed
        self.max_iter = max_iter

    def transform(self, counts: sp.csr_matrix) -> np.ndarray:
        from sklearn.decomposition import non_negative_factorization

        weights, _, _ = non_negative_factorization(
            _tfidf(counts, self.idf), H=self.topic_word.astype(np.float64), n_components=self.topic_word.shape[0],
            update_H=False, init="custom", max_iter=self.max_iter, random_state=self.seed)
        return _rows_to_distributions(weights, weights.sum(axis=1) == 0)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"topic_word": self.topic_word, "idf": self.idf, "max_iter": np.array(self.max_iter)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], seed: int = 42) -> FittedNMF:
        max_iter = int(arrays["max_iter"]) if "max_iter" in arrays else 400  # schema 1 files: the old default
        return cls(arrays["topic_word"], arrays["idf"], seed, max_iter)


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    from sklearn.preprocessing import normalize

    return normalize(sp.csr_matrix(counts, dtype=np.float64) @ sp.diags(idf.astype(np.float64)))


FITTED = {"lda": FittedLDA, "nmf": FittedNMF}


class ClassicAssigner:
    """Topics of documents under a fitted LDA/NMF, renumbered to the TopicModel's topic ids.

    ``order[i]`` is the classic component that became topic ``i`` (largest topic first);
    components that won no document are dropped.
    """

    def __init__(self, fitted: FittedLDA | FittedNMF, order: np.ndarray) -> None:
        self.fitted = fitted
        self.order = np.asarray(order, dtype=np.int64)

    @property
    def kind(self) -> str:
        return self.fitted.kind

    @classmethod
    def from_distributions(cls, fitted: FittedLDA | FittedNMF,
                           raw: np.ndarray) -> tuple[ClassicAssigner, np.ndarray, np.ndarray]:
        """The assigner for a trained model, each document's topic (-1: no known word) and its distribution."""
        raw_topics = _argmax_or_outlier(raw)
        sizes = np.bincount(raw_topics[raw_topics >= 0], minlength=raw.shape[1])
        order = np.lexsort((np.arange(len(sizes)), -sizes))
        assigner = cls(fitted, order[sizes[order] > 0])
        probs = assigner._reorder(raw)
        return assigner, _argmax_or_outlier(probs), probs

    def transform(self, counts: sp.csr_matrix) -> np.ndarray:
        return self._reorder(self.fitted.transform(counts))

    def _reorder(self, raw: np.ndarray) -> np.ndarray:
        return raw[:, self.order].astype(np.float32)

    def keyword_matrix(self) -> sp.csr_matrix:
        """Each topic's word weights (rows scaled to sum 1), in topic order, for keywords and charts."""
        matrix = self.fitted.topic_word[self.order].astype(np.float64)
        matrix /= np.maximum(matrix.sum(axis=1, keepdims=True), 1e-12)
        return sp.csr_matrix(matrix.astype(np.float32))

    def arrays(self) -> dict[str, np.ndarray]:
        return {**self.fitted.arrays(), "order": self.order}

    @classmethod
    def from_arrays(cls, kind: str, arrays: dict[str, np.ndarray], seed: int = 42) -> ClassicAssigner:
        return cls(FITTED[kind].from_arrays(arrays, seed), arrays["order"])


def _bow(counts: sp.csr_matrix):
    """gensim's bag-of-words stream over the rows of a CSR count matrix."""
    counts = counts.tocsr()
    return [list(zip(counts.indices[counts.indptr[i]:counts.indptr[i + 1]].tolist(),
                     counts.data[counts.indptr[i]:counts.indptr[i + 1]].tolist()))
            for i in range(counts.shape[0])]


def _rows_to_distributions(weights: np.ndarray, empty: np.ndarray) -> np.ndarray:
    weights = np.asarray(weights, dtype=np.float64)
    totals = weights.sum(axis=1, keepdims=True)
    result = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    result[np.asarray(empty)] = 0.0
    return result.astype(np.float32)


def _argmax_or_outlier(probs: np.ndarray) -> np.ndarray:
    if probs.shape[1] == 0:
        return np.full(probs.shape[0], -1, dtype=np.int64)
    return np.where(probs.sum(axis=1) > 0, probs.argmax(axis=1), -1).astype(np.int64)
