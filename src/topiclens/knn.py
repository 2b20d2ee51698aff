"""Exact cosine nearest neighbours (numpy and torch, or torch on a GPU), in blocks so memory stays bounded."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from .runtime import accelerator, default_threads


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
    Both inputs must already be unit-normalized. On a GPU the products and the top-k run there
    (:func:`cosine_knn_torch`); on the CPU, numpy's products and torch's top-k. (faiss's exact flat
    index was measured 1.8x as fast on the Debian graph, but its products round differently, which
    moved enough near-ties to change the Leiden partition and the benchmark's NPMI by 0.014.)
    """
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    index = np.ascontiguousarray(index, dtype=np.float32)
    k = int(min(k, index.shape[0] - (1 if exclude_self else 0)))
    if k <= 0:
        return KnnGraph(np.zeros((queries.shape[0], 0), np.int64), np.zeros((queries.shape[0], 0), np.float32))
    if accelerator() == "cuda":
        return cosine_knn_torch(queries, index, k, exclude_self=exclude_self, block=block * 4, device="cuda")
    top_k = _top_k()
    neighbours = np.empty((queries.shape[0], k), dtype=np.int64)
    similarities = np.empty((queries.shape[0], k), dtype=np.float32)
    for start in range(0, queries.shape[0], block):
        stop = min(start + block, queries.shape[0])
        sims = queries[start:stop] @ index.T
        if exclude_self:
            rows = np.arange(stop - start)
            sims[rows, rows + start] = -np.inf
        extra = 1 if k < sims.shape[1] else 0
        part, part_sims = top_k(sims, k + extra)
        neighbours[start:stop], similarities[start:stop] = _best_k(part, part_sims, k, sims.__getitem__)
    return KnnGraph(neighbours, similarities)


def without_self(neighbours: np.ndarray, similarities: np.ndarray, first_row: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Each row's results without the row itself (or without its last result where it was not found);
    row i of the arrays is the query ``first_row + i``."""
    rows = first_row + np.arange(len(neighbours))[:, None]
    is_self = neighbours == rows
    drop = np.where(is_self.any(axis=1), is_self.argmax(axis=1), neighbours.shape[1] - 1)
    keep = np.ones(neighbours.shape, dtype=bool)
    keep[np.arange(len(neighbours)), drop] = False
    width = neighbours.shape[1] - 1
    return neighbours[keep].reshape(-1, width), similarities[keep].reshape(-1, width)


@contextlib.contextmanager
def faiss_threads(threads: int | None) -> Iterator[Any]:
    """faiss with its OpenMP threads capped for a block (``threads`` None: $TOPICLENS_THREADS or every core)."""
    import faiss

    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads or default_threads())
    try:
        yield faiss
    finally:
        faiss.omp_set_num_threads(previous)


def cosine_knn_torch(queries: np.ndarray, index: np.ndarray, k: int, *, exclude_self: bool = False,
                     block: int = 4096, device: str = "cuda") -> KnnGraph:
    """:func:`cosine_knn` with the products and the top-k on a torch device (the GPU), same result.

    The index is copied to the device once; each block of queries comes back as its k + 1 best candidates.
    """
    import torch

    queries = np.ascontiguousarray(queries, dtype=np.float32)
    index = np.ascontiguousarray(index, dtype=np.float32)
    k = min(k, index.shape[0] - (1 if exclude_self else 0))
    if k <= 0:
        return KnnGraph(np.zeros((queries.shape[0], 0), np.int64), np.zeros((queries.shape[0], 0), np.float32))
    extra = 1 if k < index.shape[0] else 0
    on_device = torch.from_numpy(index).to(device)
    neighbours = np.empty((queries.shape[0], k), dtype=np.int64)
    similarities = np.empty((queries.shape[0], k), dtype=np.float32)
    for start in range(0, queries.shape[0], block):
        stop = min(start + block, queries.shape[0])
        sims = torch.from_numpy(queries[start:stop]).to(device) @ on_device.T
        if exclude_self:
            rows = torch.arange(stop - start, device=sims.device)
            sims[rows, rows + start] = -torch.inf
        values, part = torch.topk(sims, k + extra, dim=1)

        def full_row(row: int, start: int = start) -> np.ndarray:
            row_sims = index @ queries[start + row]
            if exclude_self:
                row_sims[start + row] = -np.inf
            return row_sims

        neighbours[start:stop], similarities[start:stop] = _best_k(part.cpu().numpy(), values.cpu().numpy(), k,
                                                                   full_row)
    return KnnGraph(neighbours, similarities)


def _best_k(part: np.ndarray, part_sims: np.ndarray, k: int,
            full_row: Callable[[int], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The k best of each row's candidates (k + 1 of them when the row has more), best first; ties to the lower index.

    A fast top-k picks any of several equal values at the boundary, and duplicate documents make
    such ties common: one candidate more shows where the k-th and the next tie, and those rows
    (rare) are ranked again in full (``full_row(i)``: row i's every similarity), so the result never
    depends on the selection algorithm.
    """
    order = np.lexsort((part, -part_sims), axis=1)
    part = np.take_along_axis(part, order, axis=1)
    part_sims = np.take_along_axis(part_sims, order, axis=1)
    if part.shape[1] > k:
        for row in np.flatnonzero(part_sims[:, k] == part_sims[:, k - 1]):
            sims = full_row(row)
            best = np.lexsort((np.arange(len(sims)), -sims))[: k + 1]
            part[row], part_sims[row] = best, sims[best]
    return part[:, :k], part_sims[:, :k]
