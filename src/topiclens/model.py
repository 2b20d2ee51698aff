"""TopicModel: composes the stages (embed, reduce, cluster, keywords, represent) and holds what it learned."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import topics as topic_ops
from .assign import known_rows, topic_probabilities
from .classic import MODELS
from .cluster import CLUSTERINGS, auto_min_cluster_size
from .corpus import Corpus, check_corpus, from_texts, read_corpus
from .embed import (
    AUTO_EMBEDDING_MODEL,
    MULTILINGUAL_EMBEDDING_MODEL,
    Embedder,
    embed_texts,
    load_embeddings,
    make_embedder,
)
from .errors import ConfigError, CorpusError, NotFittedError
from .fitting import cluster_embeddings, count_words, fit_classic
from .keywords import ctfidf, top_terms
from .lang import detect_language
from .layout import LAYOUTS, map_layout
from .reduce import REDUCTIONS
from .represent import centroids, embed_words, keybert_keywords, mmr_keywords, representative_docs
from .runtime import thread_limit
from .views.methods import ViewMethods

Documents = Sequence[str] | Corpus | str | Path


class TopicModel(ViewMethods):
    """Topics of a document collection: embed, reduce, cluster, rank words, represent.

    Parameters follow scikit-learn's convention: they are stored as given and read at
    ``fit``; what the model learns ends in an underscore. ``seed`` fixes every random step.
    """

    def __init__(
        self,
        *,
        model: str = "embedding",
        embedding_model: str | Embedder | None = "auto",
        reduction: str = "pca",
        n_components: int | None = None,
        umap_epochs: int | None = None,
        clustering: str = "leiden",
        n_neighbors: int = 15,
        resolution: float = 1.0,
        min_cluster_size: int | None = None,
        min_samples: int | None = None,
        n_clusters: int | None = None,
        nr_topics: int | None = None,
        reduce_outliers: bool = False,
        outlier_threshold: float = 0.0,
        layout: str = "umap",
        layout_epochs: int | None = None,
        language: str = "auto",
        stop_words: str | list[str] | None = "english",
        ngram_range: tuple[int, int] = (1, 1),
        min_df: int | float = 2,
        max_df: int | float = 1.0,
        keyword_weighting: str = "docshare",
        top_n_words: int = 10,
        n_candidates: int = 30,
        mmr_diversity: float = 0.3,
        n_representative_docs: int = 5,
        llm: str | Any | None = None,
        chat_format: str | None = None,
        api_key_env: str | None = None,
        llm_concurrency: int = 4,
        llm_timeout: float = 120.0,
        label_template: str | None = None,
        label_language: str = "auto",
        label_max_words: int = 8,
        label_doc_tokens: int = 24,
        sample_size: int | None = 100_000,
        chunk_size: int = 50_000,
        client: Any = None,
        work_dir: str | Path | None = None,
        seed: int = 42,
        threads: int | None = None,
        batch_size: int = 64,
        max_seq_length: int = 256,
        cache: bool | str = True,
        verbose: bool = True,
    ) -> None:
        self.model = model
        self.embedding_model = embedding_model
        self.reduction = reduction
        self.n_components = n_components
        self.umap_epochs = umap_epochs
        self.clustering = clustering
        self.n_neighbors = n_neighbors
        self.resolution = resolution
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.n_clusters = n_clusters
        self.nr_topics = nr_topics
        self.reduce_outliers = reduce_outliers
        self.outlier_threshold = outlier_threshold
        self.layout = layout
        self.layout_epochs = layout_epochs
        self.language = language
        self.stop_words = stop_words
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.keyword_weighting = keyword_weighting
        self.top_n_words = top_n_words
        self.n_candidates = n_candidates
        self.mmr_diversity = mmr_diversity
        self.n_representative_docs = n_representative_docs
        self.llm = llm
        self.chat_format = chat_format
        self.api_key_env = api_key_env
        self.llm_concurrency = llm_concurrency
        self.llm_timeout = llm_timeout
        self.label_template = label_template
        self.label_language = label_language
        self.label_max_words = label_max_words
        self.label_doc_tokens = label_doc_tokens
        self.sample_size = sample_size
        self.chunk_size = chunk_size
        self.client = client
        self.work_dir = work_dir
        self.seed = seed
        self.threads = threads
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.cache = cache
        self.verbose = verbose

    # ----------------------------------------------------------------- parameters
    def get_params(self) -> dict[str, Any]:
        """The constructor's parameters (JSON-friendly, except a custom Embedder)."""
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def _check_params(self) -> None:
        if self.model not in MODELS:
            raise ConfigError(f"unknown model {self.model!r}: use one of {', '.join(MODELS)}")
        if self.language not in ("auto", "en", "zh"):
            raise ConfigError(f"unknown language {self.language!r}: use auto, en or zh")
        if self.reduction not in REDUCTIONS:
            raise ConfigError(f"unknown reduction {self.reduction!r}: use one of {', '.join(REDUCTIONS)}")
        if self.clustering not in CLUSTERINGS:
            raise ConfigError(f"unknown clustering {self.clustering!r}: use one of {', '.join(CLUSTERINGS)}")
        if self.layout not in LAYOUTS:
            raise ConfigError(f"unknown layout {self.layout!r}: use one of {', '.join(LAYOUTS)}")
        if self.min_cluster_size is not None and self.min_cluster_size < 2:
            raise ConfigError(f"min_cluster_size must be at least 2, got {self.min_cluster_size}")
        if self.sample_size is not None and self.sample_size < 50:
            raise ConfigError(f"sample_size must be at least 50 documents (or None: no sampling), got "
                              f"{self.sample_size}")
        if self.chunk_size < 1:
            raise ConfigError(f"chunk_size must be at least 1, got {self.chunk_size}")
        if self.nr_topics is not None and self.nr_topics < 1:
            raise ConfigError(f"nr_topics must be at least 1, got {self.nr_topics}")

    def _resolve_embedding_model(self, texts: Sequence[str]) -> None:
        """'auto': the bundled multilingual encoder for Chinese corpora, else int8 all-MiniLM-L6-v2."""
        self.language_ = detect_language(texts) if self.language == "auto" else self.language
        model = self.embedding_model
        if isinstance(model, str) and model == "auto":
            model = MULTILINGUAL_EMBEDDING_MODEL if self.language_ == "zh" else AUTO_EMBEDDING_MODEL
        if getattr(self, "embedding_model_", None) != model:
            self._embedder_cache = None
        self.embedding_model_ = model

    def _embedder(self) -> Embedder | None:
        if getattr(self, "_embedder_cache", None) is None:
            spec = getattr(self, "embedding_model_", self.embedding_model)
            self._embedder_cache = make_embedder(spec, batch_size=self.batch_size,
                                                 max_seq_length=self.max_seq_length, threads=self.threads)
        return self._embedder_cache

    def _embed(self, texts: Sequence[str], desc: str = "embedding") -> np.ndarray:
        embedder = self._embedder()
        if embedder is None:
            raise ConfigError("no embedding model: pass embeddings=... or set embedding_model")
        return embed_texts(texts, embedder, cache=self.cache, verbose=self.verbose, desc=desc)

    # ------------------------------------------------------------------------ fit
    def fit(self, docs: Documents, embeddings: np.ndarray | str | Path | None = None) -> TopicModel:
        """Learn topics from documents (list of strings, Corpus, or a corpus file path)."""
        self._check_params()
        corpus = as_corpus(docs)
        n_clustered = int(corpus.usable.sum())
        if self.model == "embedding" and self.sample_size:
            n_clustered = min(n_clustered, self.sample_size)
        self.min_cluster_size_ = self.min_cluster_size or auto_min_cluster_size(n_clustered)
        usable = check_corpus(corpus, self.min_cluster_size_)
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        texts = [t for t, ok in zip(corpus.texts, usable) if ok]
        self._resolve_embedding_model(texts)
        with thread_limit(self.threads):
            vectors = self._document_vectors(corpus, usable, texts, embeddings)
            timings["embed"] = time.perf_counter() - clock
            fit_clock = time.perf_counter()
            keys = [h for h, ok in zip(corpus.hashes, usable) if ok]
            coords = knn = None
            if self.model == "embedding" and self.sample_size and len(texts) > self.sample_size:
                from .bigcorpus import fit_sampled

                labels, unit, probs, keyword_matrix, sample, coords = fit_sampled(self, texts, vectors, keys,
                                                                                  timings)
            else:
                clock = time.perf_counter()
                counts = count_words(self, texts)
                timings["count"] = time.perf_counter() - clock
                sample = np.ones(len(texts), dtype=bool)
                if self.model == "embedding":
                    labels, unit, knn = cluster_embeddings(self, vectors, keys, timings)
                    n_topics = topic_ops.topic_count(labels)
                    probs = topic_ops.neighbour_votes(knn[0], knn[1], labels, n_topics)
                    topic_ids = list(range(n_topics))
                    keyword_matrix = ctfidf(counts, labels, topic_ids + [-1], self.keyword_weighting)[:n_topics]
                    layout_space = self.space_
                else:
                    labels, unit, knn, probs, layout_space = fit_classic(self, vectors, counts, keys, timings)
                    keyword_matrix = self.classic_.keyword_matrix()
            self._learn_topics(corpus, usable, unit, labels, probs, keyword_matrix, sample, timings)
            if knn is not None:
                clock = time.perf_counter()
                coords = map_layout(layout_space, knn, self.layout, self.seed, self.layout_epochs)
                timings["layout"] = time.perf_counter() - clock
            self.layout_ = None if coords is None else self._usable_rows(coords, np.nan)
        timings["fit"] = time.perf_counter() - fit_clock
        self.timings_ = timings
        if self.llm is not None:
            clock = time.perf_counter()
            self.label_topics()
            self.timings_["label"] = time.perf_counter() - clock
        return self

    def _document_vectors(self, corpus: Corpus, usable: np.ndarray, texts: list[str], embeddings) -> np.ndarray:
        """The usable documents' embeddings: precomputed (memory-mapped .npy stays mapped), or embedded."""
        if embeddings is not None:
            full = load_embeddings(embeddings, len(corpus))
            return full if usable.all() else np.asarray(full[usable], dtype=np.float32)
        if self.client is not None:
            from .bigcorpus import embed_chunked

            return embed_chunked(self, texts)
        return self._embed(texts)

    def _learn_topics(self, corpus: Corpus, usable: np.ndarray, unit: np.ndarray, labels: np.ndarray,
                      probs: np.ndarray, keyword_matrix, sample: np.ndarray, timings: dict[str, float]) -> None:
        clock = time.perf_counter()
        n_topics = topic_ops.topic_count(labels)
        topic_ids = list(range(n_topics))
        self.corpus_ = corpus
        self.usable_ = usable
        self.topics_ = self._usable_rows(labels, -1).astype(np.int64)
        self.probabilities_ = self._usable_rows(probs, 0.0)
        self.sample_ = self._usable_rows(sample, False)
        self.embeddings_ = unit
        self.topic_ids_ = topic_ids
        self.topic_sizes_ = np.bincount(labels[labels >= 0], minlength=n_topics).tolist()
        self.ctfidf_ = keyword_matrix
        ranked = top_terms(self.ctfidf_, self.words_, max(self.n_candidates, self.top_n_words))
        self.keywords_ = [r[: self.top_n_words] for r in ranked]
        timings["keywords"] = time.perf_counter() - clock

        clock = time.perf_counter()
        self.centroids_ = centroids(unit, labels, topic_ids)
        usable_index = np.flatnonzero(usable)
        reps = representative_docs(unit, labels, topic_ids, self.centroids_, self.n_representative_docs)
        self.representative_docs_ = [usable_index[r].tolist() for r in reps]
        self.keybert_, self.mmr_ = self._word_representations([[w for w, _ in r] for r in ranked])
        self.labels_ = [keyword_label(k) for k in self.keywords_]
        self.llm_labels_: list[str] | None = None
        self.label_stats_: dict[str, int] = {}
        timings["represent"] = time.perf_counter() - clock

    def _usable_rows(self, values: np.ndarray, fill) -> np.ndarray:
        """Rows for every input document: ``values`` at the usable ones, ``fill`` elsewhere."""
        values = np.asarray(values)
        full = np.full((len(self.usable_),) + values.shape[1:], fill, dtype=values.dtype)
        full[self.usable_] = values
        return full

    def _word_representations(self, candidates: list[list[str]]):
        if self._embedder() is None:
            import warnings

            from .corpus import TopicLensWarning

            warnings.warn("no embedding model: KeyBERT and MMR keywords are left empty", TopicLensWarning,
                          stacklevel=3)
            return [[] for _ in candidates], [[] for _ in candidates]
        words = [w for ws in candidates for w in ws]
        vectors = embed_words(words, lambda ws: self._embed(ws, desc="embedding keywords"))
        keybert = keybert_keywords(candidates, vectors, self.centroids_, self.top_n_words)
        mmr = mmr_keywords(candidates, vectors, self.centroids_, self.top_n_words, self.mmr_diversity)
        return keybert, mmr

    def fit_predict(self, docs: Documents, embeddings: np.ndarray | str | Path | None = None) -> np.ndarray:
        """Fit, then return the topic of every document (-1 = outlier)."""
        return self.fit(docs, embeddings).topics_.copy()

    # ------------------------------------------------------------------ assigning
    def _check_fitted(self) -> None:
        if not hasattr(self, "topics_"):
            raise NotFittedError("this TopicModel is not fitted: call fit(docs) or TopicModel.load(dir) first")

    def transform(self, docs: Documents, embeddings: np.ndarray | str | Path | None = None) -> np.ndarray:
        """Topic probabilities (n_docs x n_topics). Training documents get the rows fit computed."""
        self._check_fitted()
        corpus = as_corpus(docs)
        return topic_probabilities(self, corpus, known_rows(self, corpus), embeddings)

    def predict(self, docs: Documents, embeddings: np.ndarray | str | Path | None = None) -> np.ndarray:
        """The topic of each document: fit's topic for training documents, else nearest-neighbour vote."""
        self._check_fitted()
        corpus = as_corpus(docs)
        known = known_rows(self, corpus)
        voted = topic_ops.topics_from_probs(topic_probabilities(self, corpus, known, embeddings))
        result = np.where(known >= 0, self.topics_[np.maximum(known, 0)], voted)
        return np.where(corpus.usable, result, -1).astype(np.int64)

    # --------------------------------------------------------------------- labels
    def label_topics(self, llm: str | Any | None = None) -> dict[str, int]:
        """Write each topic's label with an LLM: one call per topic, every answer cached on disk.

        Returns the call counts ({'llm_calls', 'cached', 'reasked', 'fallbacks'}).
        """
        from .label import label_model

        self._check_fitted()
        return label_model(self, llm)

    # --------------------------------------------------------------------- tables
    def topic_info(self) -> pd.DataFrame:
        """One row per topic (outliers first as -1): size, label, keywords, KeyBERT, MMR, LLM label, documents.

        ``label`` is the one in use: set by hand, else the LLM's, else built from keywords.
        """
        from .tables import topic_table

        self._check_fitted()
        return topic_table(self)

    def document_info(self) -> pd.DataFrame:
        """One row per input document: id, text, topic, probability, label, and the input's own fields."""
        from .tables import document_table

        self._check_fitted()
        return document_table(self)

    def set_labels(self, labels: dict[int, str]) -> TopicModel:
        """Override topic labels by hand: {topic: label}."""
        self._check_fitted()
        for topic, label in labels.items():
            if topic not in self.topic_ids_:
                raise ConfigError(f"no topic {topic}: topics are 0..{len(self.topic_ids_) - 1}")
            self.labels_[topic] = str(label)
        return self

    # ----------------------------------------------------------------- persistence
    def save(self, directory: str | Path) -> Path:
        """Write the model as JSON + .npy/.npz + parquet (no pickle)."""
        from .persist import save_model

        self._check_fitted()
        return save_model(self, Path(directory))

    @classmethod
    def load(cls, directory: str | Path, **overrides: Any) -> TopicModel:
        """Read a model directory written by :meth:`save`; never runs code from the files."""
        from .persist import load_model

        return load_model(cls, Path(directory), overrides)


def keyword_label(keywords: Sequence[tuple[str, float]], n: int = 4) -> str:
    """A readable stand-in label from the best keywords."""
    words = [w for w, _ in keywords[:n]]
    return ", ".join(words) if words else "(no keywords)"


def as_corpus(docs: Documents) -> Corpus:
    """Accept a list of strings, a Corpus, or a corpus file path."""
    if isinstance(docs, Corpus):
        return docs
    if isinstance(docs, Path):
        return read_corpus(docs)
    if isinstance(docs, str):
        raise CorpusError("documents must be a list of strings; to read a file pass pathlib.Path(...) "
                          "or topiclens.read_corpus(path)")
    return from_texts(docs)
