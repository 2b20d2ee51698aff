"""The fit-time stages that TopicModel composes: word counts, then clusters or a classic model.

Each function reads the model's parameters and sets the learned attributes it owns
(``space_``, ``space_arrays_``, ``words_``, ``classic_``).
"""

from __future__ import annotations

import time

import numpy as np

from . import topics as topic_ops
from .cluster import make_clustering
from .keywords import Vocabulary
from .knn import cosine_knn, normalize
from .reduce import make_reduction
from .runtime import default_threads


def model_vocabulary(model) -> Vocabulary:
    """The model's tokenizer and, once fitted, its vocabulary."""
    vocabulary = Vocabulary(model.stop_words, tuple(model.ngram_range), model.min_df, model.max_df,
                            language=getattr(model, "language_", "en"))
    if hasattr(model, "words_"):
        vocabulary.words_ = model.words_
    return vocabulary


def count_words(model, texts: list[str]):
    """Learn the vocabulary (``words_``); return the document-term counts."""
    vocabulary = model_vocabulary(model)
    counts = vocabulary.fit_transform(texts)
    model.words_ = vocabulary.words_
    return counts


def cluster_embeddings(model, vectors: np.ndarray, keys: list[str], timings: dict[str, float]):
    """Reduce, build the kNN graph, cluster; return (labels, unit vectors, kNN graph)."""
    clock = time.perf_counter()
    unit = normalize(vectors)
    reducer = make_reduction(model.reduction, n_components=model.n_components, n_neighbors=model.n_neighbors,
                             n_epochs=model.umap_epochs, seed=model.seed)
    reduced = reducer.fit_transform(vectors)
    # New documents are placed by neighbours in this space: the reduced one when it is linear.
    model.space_ = reduced if reducer.linear else unit
    model.space_arrays_ = reducer.arrays()
    timings["reduce"] = time.perf_counter() - clock
    clock = time.perf_counter()
    knn = cosine_knn(model.space_, model.space_, model.n_neighbors, exclude_self=True)
    timings["knn"] = time.perf_counter() - clock
    clock = time.perf_counter()
    clusterer = make_clustering(model.clustering, n_neighbors=model.n_neighbors, resolution=model.resolution,
                                min_cluster_size=model.min_cluster_size_, min_samples=model.min_samples,
                                n_clusters=model.n_clusters, seed=model.seed)
    labels = clusterer.fit_predict(reduced, knn=knn if reducer.linear else None)
    labels = topic_ops.renumber_by_size(topic_ops.unify_duplicates(labels, keys))
    if model.nr_topics:
        labels = topic_ops.merge_to(labels, unit, model.nr_topics)
    if model.reduce_outliers:
        labels = topic_ops.reassign_outliers(labels, unit, model.outlier_threshold)
    timings["cluster"] = time.perf_counter() - clock
    return labels, unit, knn


def fit_classic(model, vectors: np.ndarray, counts, keys: list[str], timings: dict[str, float]):
    """LDA / NMF on the word counts; the embeddings serve the representations and nothing else.

    Returns (labels, unit vectors, kNN graph of the topic mixtures, distributions, mixture space).
    """
    from .classic import DEFAULT_CLASSIC_TOPICS, ClassicAssigner, make_classic

    clock = time.perf_counter()
    stage = make_classic(model.model, model.nr_topics or DEFAULT_CLASSIC_TOPICS, model.seed,
                         model.threads or default_threads())
    model.classic_, labels, probs = ClassicAssigner.fit(stage, counts)
    labels = topic_ops.unify_duplicates(labels, keys)
    unit = normalize(vectors)
    model.space_, model.space_arrays_ = unit, {}
    # The map shows the model's own geometry: documents near each other in topic mixture.
    mixture = normalize(np.sqrt(probs))
    knn = cosine_knn(mixture, mixture, model.n_neighbors, exclude_self=True)
    timings["cluster"] = time.perf_counter() - clock
    return labels, unit, knn, probs, mixture
