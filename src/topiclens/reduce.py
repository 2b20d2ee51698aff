"""Dimension reduction before clustering: UMAP, PCA, or none."""

from __future__ import annotations

import numpy as np

from .errors import ConfigError, require
from .knn import normalize

REDUCTIONS = ("none", "umap", "pca")


class NoReduction:
    """Keep the embeddings, scaled to unit length (cosine geometry)."""

    def fit_transform(self, embeddings: np.ndarray) -> np.ndarray:
        return normalize(embeddings)


class PCAReduction:
    """Principal components of the unit-length embeddings."""

    def __init__(self, n_components: int = 50, seed: int = 42) -> None:
        self.n_components = n_components
        self.seed = seed

    def fit_transform(self, embeddings: np.ndarray) -> np.ndarray:
        from sklearn.decomposition import PCA

        vectors = normalize(embeddings)
        n = min(self.n_components, vectors.shape[0], vectors.shape[1])
        return PCA(n_components=n, random_state=self.seed).fit_transform(vectors).astype(np.float32)


class UMAPReduction:
    """UMAP on cosine distance, as BERTopic uses it, with an optional epoch budget."""

    def __init__(self, n_components: int = 5, n_neighbors: int = 15, n_epochs: int | None = None,
                 seed: int = 42) -> None:
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.n_epochs = n_epochs
        self.seed = seed

    def fit_transform(self, embeddings: np.ndarray) -> np.ndarray:
        umap = require("umap", "umap", "UMAP reduction")
        n = embeddings.shape[0]
        reducer = umap.UMAP(
            n_neighbors=min(self.n_neighbors, n - 1), n_components=min(self.n_components, n - 2),
            min_dist=0.0, metric="cosine", random_state=self.seed, n_epochs=self.n_epochs, n_jobs=1,
            init="spectral" if n > self.n_components + 2 else "random",
        )
        return reducer.fit_transform(embeddings).astype(np.float32)


def make_reduction(name: str, *, n_components: int | None, n_neighbors: int, n_epochs: int | None,
                   seed: int):
    """A reduction stage by name."""
    if name == "none":
        return NoReduction()
    if name == "pca":
        return PCAReduction(n_components or 50, seed)
    if name == "umap":
        return UMAPReduction(n_components or 5, n_neighbors, n_epochs, seed)
    raise ConfigError(f"unknown reduction {name!r}: use one of {', '.join(REDUCTIONS)}")
