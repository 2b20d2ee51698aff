"""A 2-D layout of the documents for the document map, computed once at fit time.

UMAP is run on the kNN graph the clustering already built (``precomputed_knn``), so the
costly neighbour search is not repeated; PCA is the instant, cruder alternative.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError, require

LAYOUTS = ("umap", "pca", "none")


def map_layout(space: np.ndarray, knn: tuple[np.ndarray, np.ndarray] | None, method: str = "umap",
               seed: int = 42, n_epochs: int | None = None) -> np.ndarray | None:
    """2-D coordinates (n x 2, float32) of the rows of ``space``; ``None`` for method 'none'."""
    if method == "none":
        return None
    n = space.shape[0]
    if method == "pca" or n < 8:
        return _pca_2d(space)
    if method != "umap":
        raise ConfigError(f"unknown layout {method!r}: use one of {', '.join(LAYOUTS)}")
    umap = require("umap", "umap", "the UMAP document-map layout")
    kwargs = {}
    if knn is not None:
        neighbours, sims = knn
        # UMAP's precomputed graph lists each point as its own first neighbour at distance 0.
        index = np.concatenate([np.arange(n)[:, None], neighbours], axis=1)
        distance = np.concatenate([np.zeros((n, 1)), np.clip(1.0 - sims, 0.0, None)], axis=1)
        kwargs["precomputed_knn"] = (index.astype(np.int64), distance.astype(np.float32), None)
        k = index.shape[1]
    else:
        k = min(15, n - 1)
    if n_epochs is None and n > 10_000:
        n_epochs = 100  # UMAP's own default is 200 here; the map is for the eye, and 100 halves its cost
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # precomputed_knn and random_state notices
        reducer = umap.UMAP(n_components=2, n_neighbors=k, metric="cosine", min_dist=0.1, init="pca",
                            random_state=seed, n_epochs=n_epochs, n_jobs=1, **kwargs)
        coords = reducer.fit_transform(space)
    return _unit_box(coords)


def _pca_2d(space: np.ndarray) -> np.ndarray:
    centred = space - space.mean(axis=0)
    _, _, vt = np.linalg.svd(centred[: min(len(centred), 20000)], full_matrices=False)
    return _unit_box(centred @ vt[:2].T)


def _unit_box(coords: np.ndarray) -> np.ndarray:
    """Scale into [0, 1]² (robustly, ignoring extreme outliers) so every view shares one frame."""
    coords = np.asarray(coords, dtype=np.float64)
    if coords.shape[1] < 2:
        coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
    low = np.percentile(coords, 0.5, axis=0)
    high = np.percentile(coords, 99.5, axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    return np.clip((coords - low) / span, -0.05, 1.05).astype(np.float32)
