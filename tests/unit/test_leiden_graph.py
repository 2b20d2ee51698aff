"""The Leiden stage's undirected graph equals igraph's own simplification of the directed kNN edges."""

import random

import numpy as np
import pytest

from topiclens import LeidenClustering
from topiclens.core.knn import KnnGraph, cosine_knn, normalize
from topiclens.stages.cluster import undirected_edges
from topiclens.stages.protocols import StageContext

igraph = pytest.importorskip("igraph")


def _knn(n: int = 400, seed: int = 0) -> tuple[np.ndarray, KnnGraph]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(5, 16))
    unit = normalize(centres[rng.integers(0, 5, n)] + 0.6 * rng.normal(size=(n, 16)))
    return unit, cosine_knn(unit, unit, 10, exclude_self=True)


def _simplified(graph: KnnGraph, n: int):
    neighbours, similarities = graph
    sources = np.repeat(np.arange(n), neighbours.shape[1])
    keep = similarities.ravel() > 0
    network = igraph.Graph(n=n, edges=np.column_stack([sources, neighbours.ravel()])[keep], directed=False)
    network.es["weight"] = similarities.ravel()[keep].astype(np.float64)
    return network.simplify(combine_edges="sum")


def test_undirected_edges_match_igraph_simplify():
    unit, graph = _knn()
    expected = _simplified(graph, len(unit))
    edges, weights = undirected_edges(graph, len(unit))
    assert edges == expected.get_edgelist()
    assert weights.tolist() == expected.es["weight"]  # the same sums, bit for bit


def test_loops_and_negative_similarities_are_dropped():
    graph = KnnGraph(np.array([[0, 1], [0, 2], [1, 0]]), np.array([[1.0, 0.5], [0.5, -0.2], [0.25, 0.1]], np.float32))
    edges, weights = undirected_edges(graph, 3)
    assert edges == [(0, 1), (0, 2), (1, 2)]  # the loop 0->0 and the negative 1->2 are gone
    assert weights.tolist() == [1.0, float(np.float32(0.1)), 0.25]  # 0->1 and 1->0 summed


@pytest.mark.parametrize("iterations", [-1, 1, 2])
def test_leiden_partition_is_seeded(iterations):
    unit, graph = _knn()
    context = StageContext(seed=7, n_neighbors=10, min_cluster_size=5, threads=1, verbose=False)
    first = LeidenClustering(iterations=iterations).cluster(unit, graph, context)
    second = LeidenClustering(iterations=iterations).cluster(unit, graph, context)
    assert np.array_equal(first, second) and len(set(first.tolist()) - {-1}) >= 2
    assert random.random() != random.Random(7).random()  # Python's own generator is given back
