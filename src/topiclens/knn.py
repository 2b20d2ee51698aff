"""Exact cosine nearest neighbours, computed in blocks so memory stays bounded."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class KnnGraph(NamedTuple):
    """Each row's nearest rows: ``neighbours`` (n, k) int64 and their cosine ``similarities`` (n, k) float32,
    best first."""

    neighbours: np.ndarray
    similarities: np.ndarray


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def unit_rows(vectors: np.ndarray, tolerance: float = 1e-6) -> np.ndarray:
    """``vectors`` as they are when every row already has unit length, else normalized rows.

    Dividing unit rows by their norms again changes their last bits, and with them near-ties in a
    neighbour search: rows that are unit already are left exactly as they are.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1)
    return vectors if np.all(np.abs(norms - 1.0) <= tolerance) else normalize(vectors)


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
               block: int = 1024) -> KnnGraph:
    """The k most cosine-similar rows of ``index`` for each query row.

    Returns a :class:`KnnGraph`, each array (n_queries, k), best first, ties by the lower index.
    With ``exclude_self`` the queries are the index itself and row i never lists i.
    Both inputs must already be unit-normalized.
    """
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    index = np.ascontiguousarray(index, dtype=np.float32)
    k = min(k, index.shape[0] - (1 if exclude_self else 0))
    if k <= 0:
        return KnnGraph(np.zeros((queries.shape[0], 0), np.int64), np.zeros((queries.shape[0], 0), np.float32))
    top_k = _top_k()
    neighbours = np.empty((queries.shape[0], k), dtype=np.int64)
    similarities = np.empty((queries.shape[0], k), dtype=np.float32)
    for start in range(0, queries.shape[0], block):
        stop = min(start + block, queries.shape[0])
        sims = queries[start:stop] @ index.T
        if exclude_self:
            rows = np.arange(stop - start)
            sims[rows, rows + start] = -np.inf
        neighbours[start:stop], similarities[start:stop] = _best_k(sims, k, top_k)
    return KnnGraph(neighbours, similarities)


def _best_k(sims: np.ndarray, k: int, top_k) -> tuple[np.ndarray, np.ndarray]:
    """The k best columns of each row, best first; equal similarities go to the lower index.

    A fast top-k picks any of several equal values at the boundary, and duplicate documents make
    such ties common: one candidate more shows where the k-th and the next tie, and those rows
    (rare) are ranked again in full, so the result never depends on the selection algorithm.
    """
    extra = 1 if k < sims.shape[1] else 0
    part, part_sims = top_k(sims, k + extra)
    order = np.lexsort((part, -part_sims), axis=1)
    part = np.take_along_axis(part, order, axis=1)
    part_sims = np.take_along_axis(part_sims, order, axis=1)
    if extra:
        for row in np.flatnonzero(part_sims[:, k] == part_sims[:, k - 1]):
            best = np.lexsort((np.arange(sims.shape[1]), -sims[row]))[: k + 1]
            part[row], part_sims[row] = best, sims[row, best]
    return part[:, :k], part_sims[:, :k]
