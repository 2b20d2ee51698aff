"""How a fitted TopicModel places documents: embedding them, and their topics and probabilities."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .embedders.cache import DocumentEncoder, document_encoder, load_embeddings
from .errors import ConfigError, TopicLensWarning
from .io.corpus import Corpus, as_corpus, from_texts
from .params import Number, Unrestored, check_param
from .pipeline import topics as topic_ops
from .pipeline.assign import NeighbourIndex, known_rows, training_lookup
from .runtime import thread_limit
from .state import positions

Documents = Sequence[str] | Corpus | Path
Embeddings = np.ndarray | str | Path | None


class PlacingMethods:
    """Mixed into TopicModel: ``embed``, ``transform`` and ``predict`` (they read the fitted state only)."""

    def _encoder_key(self) -> tuple:
        return ("encoder", self.threads, str(self.cache), self.verbose)

    def _encoder(self) -> DocumentEncoder | None:
        """The encoder of the fitted embedding model, with this model's cache and progress settings."""
        used = self.embedding_model_
        if isinstance(used, Unrestored):
            raise ConfigError(used.problem("embedding_model"))

        return self._derived_value(self._encoder_key(), lambda: document_encoder(
            used, threads=self.threads, cache=self.cache, verbose=self.verbose))

    def embed(self, texts: Sequence[str], desc: str = "embedding") -> np.ndarray:
        """Embed texts with the model's embedding model, through the on-disk cache.

        Parameters
        ----------
        texts : list of str
        desc : str, default 'embedding'
            The progress bar's label.

        Returns
        -------
        ndarray of shape (len(texts), dim), float32
        """
        self._check_fitted()
        texts = from_texts(texts).texts  # a DataFrame or a dict is refused, not read as its column names
        encoder = self._encoder()
        if encoder is None:
            raise ConfigError("the model has no embedding model: pass embedding_model= to TopicModel.load, or "
                              "give precomputed embeddings")
        return encoder.encode(texts, desc=desc)

    def transform(self, docs: Documents, embeddings: Embeddings = None) -> np.ndarray:
        """Topic probabilities of documents; training documents get the rows ``fit`` computed.

        Parameters
        ----------
        docs : list of str, Corpus or pathlib.Path
        embeddings : ndarray, str or Path, optional
            Precomputed embeddings of ``docs`` (made by the model's embedding model), one row each.

        Returns
        -------
        ndarray of shape (n_docs, n_topics), float32
            The share of each document's nearest clustered documents' similarity per topic (LDA/NMF:
            its inferred mixture); what a row falls short of 1 is the outliers' share.
        """
        self._check_fitted()
        corpus = as_corpus(docs)
        return self._probabilities(corpus, self._known(corpus), embeddings)

    def predict(self, docs: Documents, embeddings: Embeddings = None, min_probability: float = 0.0) -> np.ndarray:
        """The topic of each document: ``fit``'s topic for a training document, else the model's inference.

        Parameters
        ----------
        docs : list of str, Corpus or pathlib.Path
        embeddings : ndarray, str or Path, optional
            Precomputed embeddings of ``docs``, one row each.
        min_probability : float, default 0.0
            A document whose topic has less than this probability (its share of the neighbours'
            vote) becomes an outlier: text far from every topic gets -1 instead of the least bad one.

        Returns
        -------
        ndarray of shape (n_docs,), int64
            -1 for outliers and empty documents (a warning counts the empty ones).
        """
        self._check_fitted()
        check_param(type(self).__name__, "min_probability", min_probability, [Number(float, 0.0, 1.0)])
        corpus = as_corpus(docs)
        empty = int((~corpus.usable).sum())
        if empty:
            warnings.warn(f"{empty} empty or whitespace-only document(s) get no topic (-1)", TopicLensWarning,
                          stacklevel=2)
        known = self._known(corpus)
        probs = self._probabilities(corpus, known, embeddings)
        inferred = topic_ops.topics_from_probs(probs)  # columns, not ids
        inferred = np.where(inferred >= 0, np.asarray(self.topic_ids_, dtype=np.int64)[np.maximum(inferred, 0)], -1)
        result = np.where(known >= 0, self.topics_[np.maximum(known, 0)], inferred)
        if min_probability > 0 and probs.shape[1]:
            columns = positions(self.topic_ids_, result)
            below = probs[np.arange(len(result)), np.maximum(columns, 0)] < min_probability
            result = np.where(below, -1, result)
        return np.where(corpus.usable, result, -1).astype(np.int64)

    def _neighbour_index(self) -> NeighbourIndex:
        """The clustered documents (all of them, or the sample of a big corpus) as the index new documents vote
        against; built once per fitted state."""
        return self._derived_value("index", lambda: NeighbourIndex.of(
            self.embeddings_[self.sample_[self.usable_]], positions(self.topic_ids_, self.topics_[self.sample_]),
            self.projection_, len(self.topic_ids_)))

    def _known(self, corpus: Corpus) -> np.ndarray:
        lookup = self._derived_value("lookup", lambda: training_lookup(self.corpus_, self.usable_))
        return known_rows(lookup, corpus)

    def _probabilities(self, corpus: Corpus, known: np.ndarray, embeddings: Embeddings) -> np.ndarray:
        """(n_docs, n_topics): fit's rows for training documents, the model's inference for new ones."""
        probs = np.zeros((len(corpus), len(self.topic_ids_)), dtype=np.float32)
        probs[known >= 0] = self.probabilities_[known[known >= 0]]
        new = np.flatnonzero((known < 0) & corpus.usable)
        if not len(new):
            return probs
        texts = [corpus.texts[i] for i in new]
        if self.classic_ is not None:
            counts = self.vectorizer_.transform(texts)
            with thread_limit(self.threads):
                probs[new] = self.classic_.transform(counts)
            return probs
        if embeddings is not None:
            vectors = load_embeddings(embeddings, len(corpus))[new]
        else:
            vectors = self.embed(texts, desc="embedding new documents")
        index = self._neighbour_index()
        approximate = index.graph_index(self.knn, len(vectors), self.threads)
        probs[new], _ = index.vote(vectors, self.n_neighbors, self.threads, approximate)
        return probs
