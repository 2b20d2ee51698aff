"""Exact cosine nearest neighbours, computed in blocks so memory stays bounded."""

from __future__ import annotations

import numpy as np


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def _top_k_numpy(sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    return part, np.take_along_axis(sims, part, axis=1)


def _top_k_torch(sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    import torch

    values, indices = torch.topk(torch.from_numpy(sims), k, dim=1)
    return indices.numpy(), values.numpy()


def _top_k():
    """torch.topk when torch is installed (several times faster than argpartition), else numpy."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return _top_k_numpy
    return _top_k_torch


def cosine_knn(queries: np.ndarray, index: np.ndarray, k: int, *, exclude_self: bool = False,
               block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """The k most cosine-similar rows of ``index`` for each query row.

    Returns (neighbours, similarities), each (n_queries, k), best first, ties by index.
    With ``exclude_self`` the queries are the index itself and row i never lists i.
    Both inputs must already be unit-normalized.
    """
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    index = np.ascontiguousarray(index, dtype=np.float32)
    k = min(k, index.shape[0] - (1 if exclude_self else 0))
    if k <= 0:
        return np.zeros((queries.shape[0], 0), np.int64), np.zeros((queries.shape[0], 0), np.float32)
    top_k = _top_k()
    neighbours = np.empty((queries.shape[0], k), dtype=np.int64)
    similarities = np.empty((queries.shape[0], k), dtype=np.float32)
    for start in range(0, queries.shape[0], block):
        stop = min(start + block, queries.shape[0])
        sims = queries[start:stop] @ index.T
        if exclude_self:
            rows = np.arange(stop - start)
            sims[rows, rows + start] = -np.inf
        part, part_sims = top_k(sims, k)
        order = np.lexsort((part, -part_sims), axis=1)
        neighbours[start:stop] = np.take_along_axis(part, order, axis=1)
        similarities[start:stop] = np.take_along_axis(part_sims, order, axis=1)
    return neighbours, similarities
