"""The topic map layout's pure parts: topic places, non-overlapping discs, disc coordinates, smoothing."""

from __future__ import annotations

import numpy as np

from topiclens.core.knn import KnnGraph, cosine_knn, normalize
from topiclens.stages.protocols import StageContext
from topiclens.stages.topicmap import TopicLayout, disc_coordinates, place_between, refine, separate, topic_places

CONTEXT = StageContext(seed=1, n_neighbors=5, min_cluster_size=5, threads=1, verbose=False)


def test_similar_topics_are_placed_nearer_than_unlike_ones():
    centres = normalize(np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1], [0, 1, 0]], dtype=np.float32))
    places = topic_places(centres)
    gap = lambda a, b: np.linalg.norm(places[a] - places[b])  # noqa: E731
    assert gap(0, 1) < gap(0, 2) and gap(0, 1) < gap(1, 3)


def test_discs_end_apart_whatever_their_start():
    rng = np.random.default_rng(0)
    places = rng.normal(scale=0.01, size=(12, 2))  # all piled up
    radii = rng.uniform(0.05, 0.3, size=12)
    moved = separate(places, radii, 1.1)
    gaps = np.linalg.norm(moved[:, None] - moved[None], axis=2)
    need = 1.1 * (radii[:, None] + radii[None])
    upper = np.triu_indices(12, 1)
    assert (gaps[upper] >= need[upper] - 1e-6).all()


def test_disc_coordinates_stay_in_the_unit_disc_and_follow_the_main_direction():
    rng = np.random.default_rng(2)
    rows = np.zeros((500, 6))
    rows[:, 0] = np.linspace(-1, 1, 500)  # spread along one axis, a little noise on the others
    rows[:, 1:] = rng.normal(scale=0.01, size=(500, 5))
    coords = disc_coordinates(rows, rng)
    assert (np.linalg.norm(coords, axis=1) <= 1 + 1e-9).all()
    order = np.argsort(coords[:, 0] * np.sign(coords[-1, 0] - coords[0, 0]))
    assert abs(np.corrcoef(order, np.arange(500))[0, 1]) > 0.95  # the line's order survives
    assert disc_coordinates(rows[:2], rng).shape == (2, 2)


def test_outliers_are_placed_between_their_placed_neighbours():
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [np.nan, np.nan], [np.nan, np.nan]])
    graph = KnnGraph(np.array([[1, 2], [0, 2], [0, 1], [2, 2]]), np.ones((4, 2), dtype=np.float32))
    placed = place_between(coords, graph)
    assert np.allclose(placed[:2], coords[:2])
    assert np.allclose(placed[2], [0.5, 0]) and np.allclose(placed[3], [0.5, 0])  # via the outlier placed first


def test_the_forces_bring_neighbours_closer_than_strangers():
    rng = np.random.default_rng(4)
    n = 400
    start = rng.uniform(0, 4, size=(n, 2))  # within reach of the forces, as the topic discs put them
    # Two chains: each point's neighbours are the next points of its own chain.
    chain = np.arange(n) % 2
    order = np.argsort(chain, kind="stable")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    neighbours = np.stack([order[np.clip(rank + s, 0, n - 1)] for s in (1, 2, -1, -2)], axis=1)
    graph = KnnGraph(neighbours, np.ones(neighbours.shape, dtype=np.float32))
    gap = lambda y, pairs: np.linalg.norm(y[pairs[0]] - y[pairs[1]], axis=1).mean()  # noqa: E731
    edges = (np.repeat(np.arange(n), 4), neighbours.ravel())
    strangers = (rng.integers(0, n, 2000), rng.integers(0, n, 2000))
    moved = refine(start, graph, 30, np.random.default_rng(0))
    assert gap(moved, edges) / gap(moved, strangers) < 0.5 * gap(start, edges) / gap(start, strangers)


def test_the_layout_separates_clear_topics_and_places_every_document():
    rng = np.random.default_rng(3)
    centres = normalize(rng.normal(size=(4, 16)).astype(np.float32))
    topics = np.repeat(np.arange(4), 60)
    space = normalize(centres[topics] + rng.normal(scale=0.05, size=(240, 16)).astype(np.float32))
    topics[:5] = -1  # outliers
    graph = cosine_knn(space, space, 5, exclude_self=True)
    coords = TopicLayout().layout_topics(space, graph, topics, CONTEXT)
    assert coords.shape == (240, 2) and np.isfinite(coords).all()
    assert coords.min() >= -0.05 and coords.max() <= 1.05
    means = np.stack([coords[topics == t].mean(axis=0) for t in range(4)])
    spread = max(coords[topics == t].std(axis=0).max() for t in range(4))
    gaps = np.linalg.norm(means[:, None] - means[None], axis=2)[np.triu_indices(4, 1)]
    assert gaps.min() > 2 * spread
