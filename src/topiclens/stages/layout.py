"""A 2-D layout of the documents for the document map, computed once at fit time.

UMAP is run on the kNN graph the clustering already built (``precomputed_knn``), so the
costly neighbour search is not repeated; PCA is the instant, cruder alternative.
"""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np

from ..core.errors import require
from ..core.knn import KnnGraph
from ..core.params import IsNone, Number, Rule
from ..core.runtime import note
from .base import Stage
from .protocols import StageContext


class UMAPLayout(Stage):
    """UMAP to two dimensions on the model's kNN graph.

    Parameters
    ----------
    n_epochs : int or None, default None
        Optimisation epochs; None: 100 above 10,000 documents (half UMAP's own 200: the map is for
        the eye), else UMAP's default.
    min_dist : float, default 0.1
        How tightly UMAP packs neighbouring points.
    """

    _constraints: ClassVar[dict[str, list[Rule]]] = {"n_epochs": [IsNone(), Number(int, 1)],
                                                      "min_dist": [Number(float, 0)]}

    def __init__(self, n_epochs: int | None = None, min_dist: float = 0.1) -> None:
        self.n_epochs = n_epochs
        self.min_dist = min_dist

    def layout(self, space: np.ndarray, graph: KnnGraph | None, context: StageContext) -> np.ndarray:
        n = space.shape[0]
        if n < 8:
            return pca_2d(space)
        umap = require("umap", "umap", "the UMAP document-map layout")
        kwargs = {}
        if graph is not None:
            neighbours, sims = graph
            # UMAP's precomputed graph lists each point as its own first neighbour at distance 0.
            index = np.concatenate([np.arange(n)[:, None], neighbours], axis=1)
            distance = np.concatenate([np.zeros((n, 1)), np.clip(1.0 - sims, 0.0, None)], axis=1)
            kwargs["precomputed_knn"] = (index.astype(np.int64), distance.astype(np.float32), None)
            k = index.shape[1]
        else:
            k = min(15, n - 1)
        n_epochs = self.n_epochs if self.n_epochs is not None or n <= 10_000 else 100
        if context.verbose:
            note(f"laying out the document map (UMAP on {n:,} documents: seconds to a minute, and about 10 s more "
                 "the first time in a process, while numba compiles it)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # precomputed_knn and random_state notices
            reducer = umap.UMAP(n_components=2, n_neighbors=k, metric="cosine", min_dist=self.min_dist, init="pca",
                                random_state=context.seed, n_epochs=n_epochs, n_jobs=1, **kwargs)
            coords = reducer.fit_transform(space)
        return unit_box(coords)


class PCALayout(Stage):
    """The first two principal components: instant, cruder than UMAP."""

    def layout(self, space: np.ndarray, graph: KnnGraph | None, context: StageContext) -> np.ndarray:
        return pca_2d(space)


def pca_2d(space: np.ndarray) -> np.ndarray:
    """The rows' first two principal components, scaled into the unit box."""
    centred = space - space.mean(axis=0)
    _, _, vt = np.linalg.svd(centred[: min(len(centred), 20000)], full_matrices=False)
    return unit_box(centred @ vt[:2].T)


def unit_box(coords: np.ndarray) -> np.ndarray:
    """Scale into [0, 1]² (robustly, ignoring extreme outliers) so every view shares one frame."""
    coords = np.asarray(coords, dtype=np.float64)
    if coords.shape[1] < 2:
        coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
    low = np.percentile(coords, 0.5, axis=0)
    high = np.percentile(coords, 99.5, axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    return np.clip((coords - low) / span, -0.05, 1.05).astype(np.float32)
