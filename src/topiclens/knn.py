"""Exact cosine nearest neighbours, computed in blocks so memory stays bounded."""

from __future__ import annotations

import numpy as np


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def cosine_knn(queries: np.ndarray, index: np.ndarray, k: int, *, exclude_self: bool = False,
               block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """The k most cosine-similar rows of ``index`` for each query row.

    Returns (neighbours, similarities), each (n_queries, k), best first. With
    ``exclude_self`` the queries are the index itself and row i never lists i.
    Both inputs must already be unit-normalized.
    """
    n_index = index.shape[0]
    k = min(k, n_index - (1 if exclude_self else 0))
    if k <= 0:
        empty = np.zeros((queries.shape[0], 0))
        return empty.astype(np.int64), empty.astype(np.float32)
    neighbours = np.empty((queries.shape[0], k), dtype=np.int64)
    similarities = np.empty((queries.shape[0], k), dtype=np.float32)
    for start in range(0, queries.shape[0], block):
        stop = min(start + block, queries.shape[0])
        sims = queries[start:stop] @ index.T
        if exclude_self:
            rows = np.arange(stop - start)
            sims[rows, rows + start] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        part_sims = np.take_along_axis(sims, part, axis=1)
        # Ties broken by index so the result does not depend on partition internals.
        order = np.lexsort((part, -part_sims), axis=1)
        neighbours[start:stop] = np.take_along_axis(part, order, axis=1)
        similarities[start:stop] = np.take_along_axis(part_sims, order, axis=1)
    return neighbours, similarities
