"""Turning raw cluster labels into topics: order, duplicates, merging, outliers, assignment."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.knn import normalize
from ..stages.represent import centroids


def topic_count(labels: np.ndarray) -> int:
    """Topics are numbered 0..n-1: n (0 when every document is an outlier)."""
    return int(labels.max()) + 1 if len(labels) and (labels >= 0).any() else 0


def renumber_by_size(labels: np.ndarray) -> np.ndarray:
    """Topic 0 is the largest; ties go to the cluster met first. Outliers stay -1."""
    ids, first, counts = np.unique(labels[labels >= 0], return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    mapping = {int(ids[old]): new for new, old in enumerate(order)}
    return np.array([mapping.get(int(x), -1) for x in labels], dtype=np.int64)


def unify_duplicates(labels: np.ndarray, keys: Sequence[str]) -> np.ndarray:
    """Give every copy of a document the topic of its first copy."""
    labels = labels.copy()
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in first:
            labels[i] = labels[first[key]]
        else:
            first[key] = i
    return labels


def merge_to(labels: np.ndarray, unit_embeddings: np.ndarray, n_topics: int) -> np.ndarray:
    """Merge the smallest topic into its most similar one until ``n_topics`` remain (:func:`merge_groups`)."""
    labels = labels.copy()
    ids, counts = np.unique(labels[labels >= 0], return_counts=True)
    sums = [unit_embeddings[labels == t].sum(axis=0) for t in ids]
    for group in merge_groups(ids.tolist(), counts.tolist(), sums, n_topics):
        labels[np.isin(labels, group)] = group[0]
    return renumber_by_size(labels)


def merge_groups(ids: list[int], counts: list[int], sums: list[np.ndarray], n_topics: int) -> list[list[int]]:
    """Which topics merge when the smallest goes into its most similar (cosine of the summed vectors) until
    ``n_topics`` remain; ties go to the lower id. Each group of two or more, its surviving id first.

    Topic vectors are kept as running sums, so each merge costs O(topics), not O(documents).
    """
    counts, sums = list(counts), list(sums)
    groups = [[t] for t in ids]
    while len(groups) > max(1, n_topics):
        smallest = min(range(len(groups)), key=lambda i: (counts[i], groups[i][0]))
        vectors = normalize(np.stack(sums))
        sims = vectors @ vectors[smallest]
        sims[smallest] = -np.inf
        target = int(np.argmax(sims))
        groups[target] += groups[smallest]
        sums[target] = sums[target] + sums[smallest]
        counts[target] += counts[smallest]
        for seq in (groups, counts, sums):
            del seq[smallest]
    return [g for g in groups if len(g) > 1]


def reassign_outliers(labels: np.ndarray, unit_embeddings: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """Move each outlier to the topic with the most similar centroid, if similarity >= threshold."""
    labels = labels.copy()
    outliers = np.flatnonzero(labels < 0)
    ids = np.unique(labels[labels >= 0])
    if len(outliers) == 0 or len(ids) == 0:
        return labels
    sims = unit_embeddings[outliers] @ centroids(unit_embeddings, labels, ids).T
    best = sims.argmax(axis=1)
    ok = sims[np.arange(len(outliers)), best] >= threshold
    labels[outliers[ok]] = ids[best[ok]]
    return labels


def neighbour_votes(neighbours: np.ndarray, similarities: np.ndarray, index_topics: np.ndarray,
                    n_topics: int) -> np.ndarray:
    """Topic probabilities from similarity-weighted votes of the nearest training documents.

    Each row is over topics 0..n_topics-1; the share of votes from outliers is what a row
    falls short of 1.
    """
    weights = np.clip(similarities, 0, None).astype(np.float64)
    totals = weights.sum(axis=1)
    totals[totals == 0] = 1.0
    probs = np.zeros((neighbours.shape[0], n_topics), dtype=np.float64)
    voted = index_topics[neighbours]
    rows = np.repeat(np.arange(neighbours.shape[0]), neighbours.shape[1])
    mask = voted.ravel() >= 0
    np.add.at(probs, (rows[mask], voted.ravel()[mask]), weights.ravel()[mask])
    return (probs / totals[:, None]).astype(np.float32)


def topics_from_probs(probs: np.ndarray) -> np.ndarray:
    """The most voted topic, or -1 when outliers out-voted every topic."""
    if probs.shape[1] == 0:
        return np.full(probs.shape[0], -1, dtype=np.int64)
    best = probs.argmax(axis=1)
    outlier_share = 1.0 - probs.sum(axis=1)
    top = probs[np.arange(len(best)), best]
    return np.where(top >= outlier_share, best, -1).astype(np.int64)
