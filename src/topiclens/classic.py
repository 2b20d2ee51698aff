"""Classic topic models beside the embedding pipeline: LDA (gensim) and NMF (scikit-learn).

Both take the document-term counts of :class:`~topiclens.keywords.Vocabulary` and learn a
document-topic matrix and a topic-word matrix. Their state is plain arrays, so a saved
model holds no pickle and still assigns new documents with the model's own inference.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .errors import ConfigError, require

MODELS = ("embedding", "lda", "nmf")
DEFAULT_CLASSIC_TOPICS = 20


class LDATopics:
    """Latent Dirichlet allocation with gensim's LdaMulticore (online variational Bayes)."""

    kind = "lda"

    def __init__(self, n_topics: int, seed: int = 42, passes: int = 5, workers: int = 1) -> None:
        self.n_topics = n_topics
        self.seed = seed
        self.passes = passes
        self.workers = workers

    def fit_transform(self, counts: sp.csr_matrix) -> np.ndarray:
        """Train on the counts; return the documents' topic distributions (rows sum to 1, or 0 if empty)."""
        gensim_models = require("gensim.models", "gensim", "LDA")
        corpus = _bow(counts)
        id2word = {i: str(i) for i in range(counts.shape[1])}
        self._lda = gensim_models.LdaMulticore(
            corpus=corpus, id2word=id2word, num_topics=self.n_topics, passes=self.passes,
            workers=max(1, self.workers), random_state=self.seed, chunksize=2000,
        )
        self.topic_word_ = self._lda.state.get_lambda().astype(np.float32)
        self.alpha_ = np.asarray(self._lda.alpha, dtype=np.float64)
        self.eta_ = np.asarray(self._lda.eta, dtype=np.float64)
        return self.transform(counts)

    def transform(self, counts: sp.csr_matrix) -> np.ndarray:
        gamma, _ = self._model().inference(_bow(counts))
        empty = np.asarray(counts.sum(axis=1)).ravel() == 0
        return _rows_to_distributions(gamma, empty)

    def _model(self):
        if getattr(self, "_lda", None) is None:
            gensim_models = require("gensim.models", "gensim", "LDA")
            k, v = self.topic_word_.shape
            lda = gensim_models.LdaModel(num_topics=k, id2word={i: str(i) for i in range(v)},
                                         alpha=self.alpha_, eta=self.eta_, random_state=self.seed)
            lda.state.sstats[...] = self.topic_word_.astype(np.float64) - self.eta_
            lda.sync_state()
            self._lda = lda
        return self._lda

    def arrays(self) -> dict[str, np.ndarray]:
        return {"topic_word": self.topic_word_, "alpha": self.alpha_, "eta": self.eta_}

    def load_arrays(self, arrays: dict[str, np.ndarray]) -> LDATopics:
        self.topic_word_, self.alpha_, self.eta_ = arrays["topic_word"], arrays["alpha"], arrays["eta"]
        self._lda = None
        return self


class NMFTopics:
    """Non-negative matrix factorization of the TF-IDF matrix (scikit-learn's NMF)."""

    kind = "nmf"

    def __init__(self, n_topics: int, seed: int = 42, max_iter: int = 400) -> None:
        self.n_topics = n_topics
        self.seed = seed
        self.max_iter = max_iter

    def fit_transform(self, counts: sp.csr_matrix) -> np.ndarray:
        from sklearn.decomposition import NMF

        doc_freq = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf_ = (np.log((1 + counts.shape[0]) / (1 + doc_freq)) + 1).astype(np.float32)
        nmf = NMF(n_components=self.n_topics, init="nndsvda", random_state=self.seed, max_iter=self.max_iter)
        weights = nmf.fit_transform(self._tfidf(counts))
        self.topic_word_ = nmf.components_.astype(np.float32)
        return _rows_to_distributions(weights, weights.sum(axis=1) == 0)

    def transform(self, counts: sp.csr_matrix) -> np.ndarray:
        from sklearn.decomposition import non_negative_factorization

        weights, _, _ = non_negative_factorization(
            self._tfidf(counts), H=self.topic_word_.astype(np.float64), n_components=self.topic_word_.shape[0],
            update_H=False, init="custom", max_iter=self.max_iter, random_state=self.seed)
        return _rows_to_distributions(weights, weights.sum(axis=1) == 0)

    def _tfidf(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        from sklearn.preprocessing import normalize

        return normalize(sp.csr_matrix(counts, dtype=np.float64) @ sp.diags(self.idf_.astype(np.float64)))

    def arrays(self) -> dict[str, np.ndarray]:
        return {"topic_word": self.topic_word_, "idf": self.idf_}

    def load_arrays(self, arrays: dict[str, np.ndarray]) -> NMFTopics:
        self.topic_word_, self.idf_ = arrays["topic_word"], arrays["idf"]
        return self


def make_classic(kind: str, n_topics: int, seed: int = 42, threads: int = 1):
    """An LDA or NMF stage by name."""
    if n_topics < 1:
        raise ConfigError(f"nr_topics must be at least 1, got {n_topics}")
    if kind == "lda":
        return LDATopics(n_topics, seed, workers=threads)
    if kind == "nmf":
        return NMFTopics(n_topics, seed)
    raise ConfigError(f"unknown model {kind!r}: use one of {', '.join(MODELS)}")


class ClassicAssigner:
    """Topics of documents under a fitted LDA/NMF, renumbered to the TopicModel's topic ids.

    ``order[i]`` is the classic component that became topic ``i`` (largest topic first);
    components that won no document are dropped.
    """

    def __init__(self, stage, order: np.ndarray) -> None:
        self.stage = stage
        self.order = np.asarray(order, dtype=np.int64)

    @classmethod
    def fit(cls, stage, counts: sp.csr_matrix) -> tuple[ClassicAssigner, np.ndarray, np.ndarray]:
        """Train ``stage``; return the assigner, each document's topic (-1: no known word) and distributions."""
        raw = stage.fit_transform(counts)
        raw_topics = _argmax_or_outlier(raw)
        sizes = np.bincount(raw_topics[raw_topics >= 0], minlength=raw.shape[1])
        order = np.lexsort((np.arange(len(sizes)), -sizes))
        order = order[sizes[order] > 0]
        assigner = cls(stage, order)
        probs = assigner._reorder(raw)
        return assigner, _argmax_or_outlier(probs), probs

    def transform(self, counts: sp.csr_matrix) -> np.ndarray:
        return self._reorder(self.stage.transform(counts))

    def _reorder(self, raw: np.ndarray) -> np.ndarray:
        return raw[:, self.order].astype(np.float32)

    def keyword_matrix(self) -> sp.csr_matrix:
        """Each topic's word weights (rows scaled to sum 1), in topic order, for keywords and charts."""
        matrix = self.stage.topic_word_[self.order].astype(np.float64)
        matrix /= np.maximum(matrix.sum(axis=1, keepdims=True), 1e-12)
        return sp.csr_matrix(matrix.astype(np.float32))

    def arrays(self) -> dict[str, np.ndarray]:
        return {**self.stage.arrays(), "order": self.order}

    @classmethod
    def from_arrays(cls, kind: str, arrays: dict[str, np.ndarray], seed: int = 42) -> ClassicAssigner:
        stage = make_classic(kind, int(arrays["topic_word"].shape[0]), seed).load_arrays(arrays)
        return cls(stage, arrays["order"])


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
