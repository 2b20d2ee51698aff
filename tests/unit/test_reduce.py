"""Reducers and the linear map that places new documents: measured, not assumed."""

from __future__ import annotations

import numpy as np

from topiclens.core.knn import normalize
from topiclens.stages.protocols import LinearMap, StageContext
from topiclens.stages.reduce import PCAReduction, SklearnReducer, measure_linear_map

CONTEXT = StageContext(seed=0, n_neighbors=5, min_cluster_size=2, threads=1)
UNIT = normalize(np.random.default_rng(0).normal(size=(80, 12)).astype(np.float32))


def test_a_scikit_learn_pca_is_measured_as_its_affine_map():
    from sklearn.decomposition import PCA

    reduction = SklearnReducer(PCA(4, random_state=0)).reduce(UNIT, CONTEXT)
    assert reduction.linear and reduction.projection is not None
    assert np.allclose(reduction.projection.apply(UNIT), normalize(reduction.vectors), atol=1e-5)


def test_truncated_svd_is_linear_and_kernel_pca_is_not():
    from sklearn.decomposition import KernelPCA, TruncatedSVD

    svd = TruncatedSVD(3, random_state=0).fit(UNIT)
    assert measure_linear_map(svd, UNIT) is not None
    kernel = KernelPCA(3, kernel="rbf", gamma=2.0).fit(UNIT)
    assert measure_linear_map(kernel, UNIT) is None
    reduction = SklearnReducer(KernelPCA(3, kernel="rbf")).reduce(UNIT, CONTEXT)
    assert not reduction.linear and reduction.projection is None


def test_the_users_estimator_is_never_fitted():
    from sklearn.decomposition import PCA

    pca = PCA(4)
    SklearnReducer(pca).reduce(UNIT, CONTEXT)
    assert not hasattr(pca, "components_")


def test_our_pca_projection_matches_its_reduced_vectors_and_survives_its_arrays():
    reduction = PCAReduction(5).reduce(UNIT, CONTEXT)
    assert reduction.vectors.shape == (80, 5)
    assert np.allclose(reduction.projection.apply(UNIT), reduction.vectors, atol=1e-5)
    again = LinearMap.from_arrays(reduction.projection.arrays())
    assert np.array_equal(again.apply(UNIT), reduction.projection.apply(UNIT))
    old_file = {"mean": reduction.projection.mean, "components": reduction.projection.components}  # schema 1
    assert np.array_equal(LinearMap.from_arrays(old_file).apply(UNIT), reduction.projection.apply(UNIT))
