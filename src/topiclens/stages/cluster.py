"""Clustering stages: Leiden on the kNN graph, HDBSCAN, KMeans, or any scikit-learn clusterer. -1 marks outliers."""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import numpy as np

from ..core.errors import ConfigError
from ..core.knn import KnnGraph, cosine_knn, normalize
from ..core.params import IsNone, Number, Rule
from ..core.runtime import note
from .base import Stage
from .protocols import StageContext


def auto_min_cluster_size(n_docs: int) -> int:
    """The default minimum topic size: grows with the corpus (0.2 %), never below 10."""
    return int(min(max(10, round(0.002 * n_docs)), max(2, n_docs // 2)))


def drop_small(labels: np.ndarray, min_size: int) -> np.ndarray:
    """Mark members of clusters smaller than ``min_size`` as outliers (-1)."""
    labels = labels.copy()
    ids, counts = np.unique(labels[labels >= 0], return_counts=True)
    labels[np.isin(labels, ids[counts < min_size])] = -1
    return labels


def undirected_edges(graph: KnnGraph, n: int) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The kNN graph as undirected edges (i < j, sorted) with the summed weight of i->j and j->i.

    Positive similarities only, no loops: the graph igraph's ``simplify(combine_edges="sum")`` makes of
    the directed edges, built in sparse arithmetic instead of igraph's Python-level edge list.
    """
    import scipy.sparse as sp

    neighbours, similarities = graph
    sources = np.repeat(np.arange(n), neighbours.shape[1])
    keep = (similarities.ravel() > 0) & (neighbours.ravel() != sources)
    directed = sp.coo_matrix((similarities.ravel()[keep].astype(np.float64), (sources[keep], neighbours.ravel()[keep])),
                             shape=(n, n)).tocsr()
    directed.sum_duplicates()
    upper = sp.triu(directed + directed.T, k=1).tocsr()
    upper.sort_indices()
    rows = np.repeat(np.arange(n), np.diff(upper.indptr))
    return list(zip(rows.tolist(), upper.indices.tolist())), upper.data  # tuples: igraph's fastest input


class LeidenClustering(Stage):
    """Communities of the k-nearest-neighbour graph (igraph's Leiden, modularity objective).

    Communities smaller than the model's ``min_cluster_size`` become outliers. The model passes
    the kNN graph it builds anyway; without one (after a nonlinear reduction) the graph of the
    reduced vectors is built here.

    Parameters
    ----------
    resolution : float, default 1.0
        Granularity: higher gives more, smaller topics.
    iterations : int, default -1
        Leiden passes: -1 repeats until no document moves; a small count (2) is faster and gives a
        slightly different partition (the trade is measured in the README's fit table).
    """

    _constraints: ClassVar[dict[str, list[Rule]]] = {"resolution": [Number(float, 0, low_open=True)],
                                                     "iterations": [Number(int, -1, -1), Number(int, 1)]}

    def __init__(self, resolution: float = 1.0, iterations: int = -1) -> None:
        self.resolution = resolution
        self.iterations = iterations

    def cluster(self, vectors: np.ndarray, graph: KnnGraph | None, context: StageContext) -> np.ndarray:
        import random

        import igraph
        if graph is None:
            unit = normalize(vectors)
            graph = cosine_knn(unit, unit, context.n_neighbors, exclude_self=True)
        edges, weights = undirected_edges(graph, vectors.shape[0])
        network = igraph.Graph(n=vectors.shape[0], edges=edges, directed=False)
        network.es["weight"] = weights
        # igraph draws from Python's random module by default: give it a seeded generator of its own.
        igraph.set_random_number_generator(random.Random(context.seed))
        try:
            communities = network.community_leiden(objective_function="modularity", weights="weight",
                                                   resolution=self.resolution,
                                                   n_iterations=self.iterations)
        finally:
            igraph.set_random_number_generator(random)
        return drop_small(np.asarray(communities.membership, dtype=np.int64), context.min_cluster_size)


class HDBSCANClustering(Stage):
    """HDBSCAN (fast_hdbscan when installed, else scikit-learn's).

    Parameters
    ----------
    min_samples : int or None, default None
        HDBSCAN's density smoothing; None uses its minimum cluster size, the model's ``min_cluster_size``.
    """

    _constraints: ClassVar[dict[str, list[Rule]]] = {"min_samples": [IsNone(), Number(int, 1)]}

    def __init__(self, min_samples: int | None = None) -> None:
        self.min_samples = min_samples

    def cluster(self, vectors: np.ndarray, graph: KnnGraph | None, context: StageContext) -> np.ndarray:
        try:
            from fast_hdbscan import HDBSCAN
        except ImportError:
            from sklearn.cluster import HDBSCAN

            _note_slow_hdbscan()
        model = HDBSCAN(min_cluster_size=context.min_cluster_size, min_samples=self.min_samples)
        return np.asarray(model.fit_predict(np.asarray(vectors, dtype=np.float64)), dtype=np.int64)


class KMeansClustering(Stage):
    """A fixed number of clusters, no outliers.

    Parameters
    ----------
    n_clusters : int
        The number of topics (required).
    """

    _constraints: ClassVar[dict[str, list[Rule]]] = {"n_clusters": [IsNone(), Number(int, 1)]}

    def __init__(self, n_clusters: int | None = None) -> None:
        self.n_clusters = n_clusters

    def check(self) -> KMeansClustering:
        super().check()
        if self.n_clusters is None:
            raise ConfigError("KMeans needs a number of topics: pass clustering=KMeansClustering(n_clusters=N)")
        return self

    def cluster(self, vectors: np.ndarray, graph: KnnGraph | None, context: StageContext) -> np.ndarray:
        from sklearn.cluster import KMeans

        k = min(self.n_clusters, vectors.shape[0])
        return KMeans(n_clusters=k, random_state=context.seed, n_init=3).fit_predict(vectors).astype(np.int64)


class SklearnClusterer:
    """Adapts a scikit-learn clusterer (``fit_predict``; every ``ClusterMixin`` derives it from ``labels_``).

    The estimator is cloned before fitting. Negative labels count as outliers; the model's
    ``min_cluster_size`` is not applied (the clusterer's own settings decide).
    """

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def cluster(self, vectors: np.ndarray, graph: KnnGraph | None, context: StageContext) -> np.ndarray:
        from sklearn.base import clone

        fitted = clone(self.estimator)
        labels = np.asarray(fitted.fit_predict(vectors)).astype(np.int64).ravel()
        if labels.shape[0] != vectors.shape[0]:
            raise ConfigError(f"the clusterer {type(fitted).__name__} returned {labels.shape[0]} labels for "
                              f"{vectors.shape[0]} documents: pass a clusterer that labels every row")
        return np.where(labels < 0, -1, labels)


@functools.cache
def _note_slow_hdbscan() -> None:
    note("HDBSCAN from scikit-learn (slower, and other topics than fast_hdbscan's for the same seed): "
         "pip install 'topiclens[hdbscan]'")
