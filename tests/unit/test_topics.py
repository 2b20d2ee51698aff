"""Topic shaping on tiny arrays: order, duplicates, merging, outliers, votes."""

from __future__ import annotations

import numpy as np

from topiclens.core.knn import normalize
from topiclens.pipeline.topics import (
    merge_to,
    neighbour_votes,
    reassign_outliers,
    renumber_by_size,
    topic_count,
    topics_from_probs,
    unify_duplicates,
)
from topiclens.stages.cluster import auto_min_cluster_size, drop_small


def test_renumber_puts_the_largest_topic_first_and_breaks_ties_by_first_appearance():
    labels = np.array([7, 3, 3, -1, 7, 5, 5, 5])
    # sizes: 5 -> 3, 7 -> 2, 3 -> 2 (7 appears before 3)
    assert renumber_by_size(labels).tolist() == [1, 2, 2, -1, 1, 0, 0, 0]
    assert renumber_by_size(np.array([-1, -1])).tolist() == [-1, -1]


def test_topic_count():
    assert topic_count(np.array([0, 2, -1])) == 3
    assert topic_count(np.array([-1, -1])) == 0
    assert topic_count(np.array([], dtype=np.int64)) == 0


def test_every_copy_of_a_document_gets_the_topic_of_its_first_copy():
    labels = np.array([0, 1, 2, 3])
    assert unify_duplicates(labels, ["a", "b", "a", "a"]).tolist() == [0, 1, 0, 0]
    assert labels.tolist() == [0, 1, 2, 3]  # the input is left alone


def test_merge_to_joins_the_smallest_topic_with_its_most_similar_one():
    vectors = normalize(np.array([[1, 0], [1, 0.1], [1, 0.05], [0, 1], [0.1, 1], [1, 0.2]], dtype=np.float32))
    labels = np.array([0, 0, 0, 1, 1, 2])  # topic 2 (one document) points like topic 0
    merged = merge_to(labels, vectors, 2)
    assert merged.tolist() == [0, 0, 0, 1, 1, 0]
    assert merge_to(labels, vectors, 3).tolist() == renumber_by_size(labels).tolist()


def test_merge_to_uses_the_merged_topic_vector_for_later_merges():
    """D (2 documents) is nearer A than B, but nearer B once C has been merged into B."""
    a, b = [1.0, 0.0], [0.0, 1.0]
    c, d = normalize(np.array([[0.3, 0.954], [0.72, 0.694]], dtype=np.float32)).tolist()
    vectors = np.array([a] * 3 + [b] * 3 + [c] + [d] * 2, dtype=np.float32)
    labels = np.array([0, 0, 0, 1, 1, 1, 2, 3, 3])
    assert merge_to(labels, vectors, 2).tolist() == [1, 1, 1, 0, 0, 0, 0, 0, 0]


def test_reassign_outliers_respects_the_threshold():
    vectors = normalize(np.array([[1, 0], [1, 0.1], [0, 1], [0.9, 0.2], [0.7, 0.7]], dtype=np.float32))
    labels = np.array([0, 0, 1, -1, -1])
    assert reassign_outliers(labels, vectors, 0.0).tolist() == [0, 0, 1, 0, 0]
    strict = reassign_outliers(labels, vectors, 0.95)
    assert strict.tolist() == [0, 0, 1, 0, -1]
    assert reassign_outliers(np.array([-1, -1]), vectors[:2], 0.0).tolist() == [-1, -1]


def test_neighbour_votes_weigh_by_similarity_and_leave_the_outlier_share():
    neighbours = np.array([[0, 1, 2], [2, 2, 2]])
    sims = np.array([[0.5, 0.3, 0.2], [0.4, -0.6, 0.1]], dtype=np.float32)
    index_topics = np.array([0, 1, -1])
    probs = neighbour_votes(neighbours, sims, index_topics, 2)
    assert np.allclose(probs[0], [0.5, 0.3])  # 0.2 of the weight went to an outlier
    assert np.allclose(probs[1], [0.0, 0.0])  # negative similarities count as zero
    assert topics_from_probs(probs).tolist() == [0, -1]


def test_topics_from_probs_lets_outliers_win_when_they_outvote_every_topic():
    probs = np.array([[0.3, 0.2], [0.45, 0.1], [0.0, 0.0]], dtype=np.float32)
    # row 0: outliers 0.5 > 0.3; row 1: 0.45 >= 0.45; row 2: nothing voted
    assert topics_from_probs(probs).tolist() == [-1, 0, -1]
    assert topics_from_probs(np.zeros((2, 0))).tolist() == [-1, -1]


def test_drop_small_and_the_default_minimum_size():
    labels = np.array([0, 0, 0, 1, 1, 2, -1])
    assert drop_small(labels, 3).tolist() == [0, 0, 0, -1, -1, -1, -1]
    assert drop_small(labels, 1).tolist() == labels.tolist()
    assert auto_min_cluster_size(600) == 10 and auto_min_cluster_size(30_000) == 60
    assert auto_min_cluster_size(12) == 6  # never more than half the corpus
