"""Dimension reduction before clustering: PCA, UMAP, none, or any scikit-learn transformer.

A linear reduction places new documents in the space it learned with plain arrays (a
:class:`LinearMap`), saved with the model, no pickled estimator. A scikit-learn transformer is
measured once after fitting: if it is affine (PCA, TruncatedSVD, random projections, ...) its map
is recovered from a few probe rows and saved the same way; if not (UMAP, t-SNE, kernel PCA), new
documents are compared with the training documents in the embedding space instead.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..core.errors import require
from ..core.knn import normalize
from ..core.params import IsNone, Number, Rule
from ..core.runtime import note
from .base import Stage
from .protocols import LinearMap, Reduction, StageContext


class NoReduction(Stage):
    """Keep the embeddings (unit length: cosine geometry)."""

    def reduce(self, unit: np.ndarray, context: StageContext) -> Reduction:
        return Reduction(vectors=unit, linear=True, projection=None)


class PCAReduction(Stage):
    """Principal components of the unit-length embeddings, rescaled to unit length.

    Dropping the low-variance directions sharpens the neighbourhoods: on the Debian corpus
    64 components gave better topics than all 384 dimensions (see the README).

    Parameters
    ----------
    n_components : int, default 64
        Dimensions kept (at most the number of documents and of embedding dimensions).
    """

    _constraints: ClassVar[dict[str, list[Rule]]] = {"n_components": [Number(int, 1)]}

    def __init__(self, n_components: int = 64) -> None:
        self.n_components = n_components

    def reduce(self, unit: np.ndarray, context: StageContext) -> Reduction:
        from sklearn.decomposition import PCA

        n = min(self.n_components, unit.shape[0], unit.shape[1])
        pca = PCA(n_components=n, random_state=context.seed, svd_solver="full" if n >= min(unit.shape) else "auto")
        reduced = normalize(pca.fit_transform(unit))
        components = pca.components_.astype(np.float32)
        projection = LinearMap(components, pca.mean_.astype(np.float32), np.zeros(n, np.float32))
        return Reduction(vectors=reduced, linear=True, projection=projection)


class UMAPReduction(Stage):
    """UMAP on cosine distance, as BERTopic uses it.

    Parameters
    ----------
    n_components : int, default 5
    n_neighbors : int or None, default None
        UMAP's neighbourhood; None follows the model's ``n_neighbors``.
    n_epochs : int or None, default None
        Optimisation epochs; None is UMAP's own default (200 above 10,000 rows, else 500).
    """

    _constraints: ClassVar[dict[str, list[Rule]]] = {
        "n_components": [Number(int, 1)], "n_neighbors": [IsNone(), Number(int, 2)],
        "n_epochs": [IsNone(), Number(int, 1)],
    }

    def __init__(self, n_components: int = 5, n_neighbors: int | None = None, n_epochs: int | None = None) -> None:
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.n_epochs = n_epochs

    def reduce(self, unit: np.ndarray, context: StageContext) -> Reduction:
        umap = require("umap", "umap", "UMAP reduction")
        n = unit.shape[0]
        if context.verbose:
            note(f"reducing {n:,} embeddings with UMAP (seconds to minutes; about 10 s more the first time in a "
                 "process, while numba compiles it)")
        reducer = umap.UMAP(
            n_neighbors=min(self.n_neighbors or context.n_neighbors, n - 1),
            n_components=min(self.n_components, n - 2), min_dist=0.0, metric="cosine",
            random_state=context.seed, n_epochs=self.n_epochs, n_jobs=1,
            init="spectral" if n > self.n_components + 2 else "random",
        )
        return Reduction(vectors=reducer.fit_transform(unit).astype(np.float32), linear=False, projection=None)


class SklearnReducer:
    """Adapts a scikit-learn transformer (``fit_transform``) to the Reducer protocol.

    The estimator is cloned before fitting, so the object the user passed is never changed.
    """

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def reduce(self, unit: np.ndarray, context: StageContext) -> Reduction:
        from sklearn.base import clone

        fitted = clone(self.estimator)
        vectors = np.asarray(fitted.fit_transform(unit), dtype=np.float32)
        projection = measure_linear_map(fitted, unit)
        return Reduction(vectors=vectors, linear=projection is not None, projection=projection)


def measure_linear_map(fitted: Any, sample: np.ndarray, *, tolerance: float = 1e-4) -> LinearMap | None:
    """The affine map a fitted transformer computes, or None when it is not affine (or cannot transform).

    ``transform`` is applied to the origin and the unit vectors (dim + 1 probe rows) to read the
    map, which is then checked on up to 64 real rows: the result must agree within ``tolerance``
    (relative to the output's scale). Affine maps are exactly the reducers whose space can be
    saved as arrays.
    """
    if not callable(getattr(fitted, "transform", None)):
        return None
    dim = sample.shape[1]
    try:
        probes = np.vstack([np.zeros((1, dim)), np.eye(dim)]).astype(np.float32)
        images = np.asarray(fitted.transform(probes), dtype=np.float64)
        rows = np.asarray(sample[: min(64, len(sample))], dtype=np.float32)
        actual = np.asarray(fitted.transform(rows), dtype=np.float64)
    except Exception:  # a transformer that cannot take arbitrary rows is treated as nonlinear
        return None
    if images.ndim != 2 or actual.shape != (len(rows), images.shape[1]):
        return None
    offset = images[0]
    components = (images[1:] - offset).T  # (k, dim)
    predicted = rows.astype(np.float64) @ components.T + offset
    scale = max(float(np.abs(actual).max()), 1e-12)
    if not np.allclose(predicted, actual, atol=tolerance * scale, rtol=0):
        return None
    return LinearMap(components.astype(np.float32), np.zeros(dim, np.float32), offset.astype(np.float32))
