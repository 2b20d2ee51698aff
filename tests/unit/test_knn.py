"""Exact cosine kNN on tiny arrays: ties, k larger than the index, excluding self, blocks."""

from __future__ import annotations

import numpy as np

from topiclens.core.knn import KnnGraph, cosine_knn, normalize, unit_rows


def test_ties_go_to_the_lower_index_even_at_the_boundary():
    index = np.array([[1, 0]] * 6 + [[0, 1]], dtype=np.float32)  # six identical rows
    graph = cosine_knn(index[:1], index, 3)
    assert graph.neighbours.tolist() == [[0, 1, 2]]
    graph = cosine_knn(index, index, 2, exclude_self=True)
    assert graph.neighbours[0].tolist() == [1, 2] and graph.neighbours[5].tolist() == [0, 1]
    assert graph.neighbours[6].tolist() == [0, 1]  # all six tie at 0 for the odd one out


def test_k_larger_than_the_index_returns_every_row():
    index = normalize(np.array([[1, 0], [0.6, 0.8], [0, 1]], dtype=np.float32))
    graph = cosine_knn(index[:1], index, 10)
    assert graph.neighbours.tolist() == [[0, 1, 2]]
    assert np.allclose(graph.similarities, [[1.0, 0.6, 0.0]], atol=1e-6)
    assert cosine_knn(index, index, 10, exclude_self=True).neighbours.shape == (3, 2)
    empty = cosine_knn(index[:1], index[:1], 3, exclude_self=True)
    assert empty.neighbours.shape == (1, 0) and empty.similarities.shape == (1, 0)


def test_exclude_self_never_lists_the_row_itself():
    rng = np.random.default_rng(0)
    points = normalize(rng.normal(size=(50, 8)).astype(np.float32))
    graph = cosine_knn(points, points, 5, exclude_self=True)
    assert not (graph.neighbours == np.arange(50)[:, None]).any()
    with_self = cosine_knn(points, points, 6)
    assert (with_self.neighbours[:, 0] == np.arange(50)).all()
    assert (with_self.neighbours[:, 1:] == graph.neighbours).all()


def test_blocks_do_not_change_the_result_and_results_are_sorted():
    rng = np.random.default_rng(1)
    points = normalize(rng.normal(size=(37, 5)).astype(np.float32))
    whole = cosine_knn(points, points, 4, exclude_self=True)
    blocked = cosine_knn(points, points, 4, exclude_self=True, block=3)
    assert isinstance(whole, KnnGraph)
    assert (whole.neighbours == blocked.neighbours).all()
    assert np.allclose(whole.similarities, blocked.similarities)
    assert (np.diff(whole.similarities, axis=1) <= 1e-7).all()
    brute = np.argsort(-(points @ points.T - 2 * np.eye(37)), axis=1, kind="stable")[:, :4]
    assert (brute == whole.neighbours).all()


def test_unit_rows_leaves_unit_rows_bit_for_bit():
    unit = normalize(np.random.default_rng(2).normal(size=(10, 4)).astype(np.float32))
    assert unit_rows(unit) is unit or np.array_equal(unit_rows(unit), unit)
    scaled = unit * 3
    assert np.allclose(np.linalg.norm(unit_rows(scaled), axis=1), 1.0)


def test_the_torch_device_path_gives_the_same_graph_as_the_default():
    """The code the GPU runs (products and top-k on a torch device), here on the CPU device."""
    from topiclens.core.knn import cosine_knn_torch

    rng = np.random.default_rng(3)
    index = normalize(rng.normal(size=(300, 16)).astype(np.float32))
    index[50:60] = index[40]  # ties at the boundary
    queries = np.concatenate([index[:100], normalize(rng.normal(size=(30, 16)).astype(np.float32))])
    for exclude_self, q in ((True, index), (False, queries)):
        expected = cosine_knn(q, index, 12, exclude_self=exclude_self, block=64)
        graph = cosine_knn_torch(q, index, 12, exclude_self=exclude_self, block=64, device="cpu")
        assert (graph.neighbours == expected.neighbours).all()
        assert np.allclose(graph.similarities, expected.similarities, atol=1e-5)
    assert cosine_knn_torch(index[:1], index[:1], 3, exclude_self=True, device="cpu").neighbours.shape == (1, 0)
