"""Clustering stages: Leiden on a kNN graph, HDBSCAN, KMeans. Label -1 marks outliers."""

from __future__ import annotations

import numpy as np

from .errors import ConfigError, require
from .knn import cosine_knn, normalize

CLUSTERINGS = ("leiden", "hdbscan", "kmeans")


def auto_min_cluster_size(n_docs: int) -> int:
    """The default minimum topic size: grows with the corpus (0.2 %), never below 10."""
    return int(min(max(10, round(0.002 * n_docs)), max(2, n_docs // 2)))


def knn_graph(vectors: np.ndarray, n_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's nearest other rows by cosine similarity."""
    unit = normalize(vectors)
    return cosine_knn(unit, unit, n_neighbors, exclude_self=True)


class LeidenClustering:
    """Communities of the k-nearest-neighbour graph (igraph's Leiden, modularity objective).

    ``resolution`` sets the granularity; communities smaller than ``min_cluster_size``
    become outliers. ``knn`` can pass a precomputed graph (neighbours, similarities).
    """

    def __init__(self, n_neighbors: int = 15, resolution: float = 1.0, min_cluster_size: int = 10,
                 seed: int = 42) -> None:
        self.n_neighbors = n_neighbors
        self.resolution = resolution
        self.min_cluster_size = min_cluster_size
        self.seed = seed

    def fit_predict(self, vectors: np.ndarray, knn: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        import random

        igraph = require("igraph", "leiden", "Leiden clustering")
        neighbours, similarities = knn if knn is not None else knn_graph(vectors, self.n_neighbors)
        n = vectors.shape[0]
        sources = np.repeat(np.arange(n), neighbours.shape[1])
        keep = similarities.ravel() > 0
        graph = igraph.Graph(n=n, edges=np.column_stack([sources, neighbours.ravel()])[keep], directed=False)
        graph.es["weight"] = similarities.ravel()[keep].astype(np.float64)
        graph = graph.simplify(combine_edges="sum")
        # igraph draws from Python's random module by default: give it a seeded generator of its own.
        igraph.set_random_number_generator(random.Random(self.seed))
        try:
            communities = graph.community_leiden(objective_function="modularity", weights="weight",
                                                 resolution=self.resolution, n_iterations=-1)
        finally:
            igraph.set_random_number_generator(random)
        labels = np.asarray(communities.membership, dtype=np.int64)
        return drop_small(labels, self.min_cluster_size)


class HDBSCANClustering:
    """HDBSCAN (fast_hdbscan when installed, else scikit-learn's)."""

    def __init__(self, min_cluster_size: int = 10, min_samples: int | None = None) -> None:
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples

    def fit_predict(self, vectors: np.ndarray, knn=None) -> np.ndarray:
        try:
            from fast_hdbscan import HDBSCAN
        except ImportError:
            from sklearn.cluster import HDBSCAN
        model = HDBSCAN(min_cluster_size=self.min_cluster_size, min_samples=self.min_samples)
        return np.asarray(model.fit_predict(np.asarray(vectors, dtype=np.float64)), dtype=np.int64)


class KMeansClustering:
    """A fixed number of clusters, no outliers."""

    def __init__(self, n_clusters: int = 20, seed: int = 42) -> None:
        self.n_clusters = n_clusters
        self.seed = seed

    def fit_predict(self, vectors: np.ndarray, knn=None) -> np.ndarray:
        from sklearn.cluster import KMeans

        k = min(self.n_clusters, vectors.shape[0])
        return KMeans(n_clusters=k, random_state=self.seed, n_init=3).fit_predict(vectors).astype(np.int64)


def drop_small(labels: np.ndarray, min_size: int) -> np.ndarray:
    """Mark members of clusters smaller than ``min_size`` as outliers (-1)."""
    labels = labels.copy()
    ids, counts = np.unique(labels[labels >= 0], return_counts=True)
    small = ids[counts < min_size]
    labels[np.isin(labels, small)] = -1
    return labels


def make_clustering(name: str, *, n_neighbors: int, resolution: float, min_cluster_size: int,
                    min_samples: int | None, n_clusters: int | None, seed: int):
    """A clustering stage by name."""
    if name == "leiden":
        return LeidenClustering(n_neighbors, resolution, min_cluster_size, seed)
    if name == "hdbscan":
        return HDBSCANClustering(min_cluster_size, min_samples)
    if name == "kmeans":
        if not n_clusters:
            raise ConfigError("KMeans needs a number of topics: pass n_clusters=N (--n-clusters N)")
        return KMeansClustering(n_clusters, seed)
    raise ConfigError(f"unknown clustering {name!r}: use one of {', '.join(CLUSTERINGS)}")
