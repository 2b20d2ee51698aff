"""Mixed topics on small arrays: tightness and the split into parts."""

from __future__ import annotations

import numpy as np

from topiclens.core.knn import normalize
from topiclens.pipeline.coherence import (
    MIXED_TIGHTNESS,
    is_mixed,
    outlying_members,
    split_mixed,
    split_parts,
    topic_tightness,
)
from topiclens.stages.protocols import StageContext


def _families(rng, centres: np.ndarray, per: int, noise: float) -> np.ndarray:
    """``per`` unit vectors around each of ``centres``."""
    return normalize(np.concatenate([c + noise * rng.standard_normal((per, centres.shape[1])) for c in centres]))


def test_tightness_is_the_length_of_the_mean_direction_and_ignores_outliers():
    unit = normalize(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    topics = np.array([0, 0, 1, 1, -1])
    tight = topic_tightness(unit, topics, [0, 1, 2], chunk=2)  # chunks must add up like one pass
    assert np.isclose(tight[0], np.sqrt(0.5)) and np.isclose(tight[1], 1.0) and tight[2] is None
    assert is_mixed(MIXED_TIGHTNESS - 0.01) and not is_mixed(MIXED_TIGHTNESS) and not is_mixed(None)


def test_a_grab_bag_of_three_families_is_split_into_them_and_a_tight_topic_is_left_alone():
    rng = np.random.default_rng(0)
    centres = np.eye(24)[:4] * 3.0
    bag = _families(rng, centres[:3], 30, 0.4)  # three unrelated families in one topic
    tight = _families(rng, centres[3:], 40, 0.4)
    unit = np.concatenate([bag, tight])
    labels = np.array([0] * 90 + [1] * 40)
    values = topic_tightness(unit, labels, [0, 1])
    assert is_mixed(values[0]) and not is_mixed(values[1])
    context = StageContext(seed=1, n_neighbors=10, min_cluster_size=10, threads=1, verbose=False)
    split, which = split_mixed(labels, unit, 10, context)
    assert which == [0]
    assert (split[90:] == 1).all()  # the tight topic keeps its documents and its number
    family = np.repeat([0, 1, 2], 30)
    found = split[:90]
    assert len(set(found.tolist())) == 3
    for f in range(3):  # each family is one part, whole
        assert len(set(found[family == f].tolist())) == 1
    parts = split_parts(bag, 2, 10, context)  # k-means into a number asked
    assert sorted(np.bincount(parts).tolist(), reverse=True) == np.bincount(parts).tolist()



def test_outlying_members_are_those_below_the_cosine_to_their_own_topics_mean_direction():
    unit = normalize(np.array([[1.0, 0.0], [1.0, 0.2], [0.0, 1.0], [0.0, 1.0], [0.1, 1.0], [1.0, 1.0], [-1.0, 0.0]]))
    topics = np.array([0, 0, 0, 1, 1, 1, -1])
    found = outlying_members(topics, unit, 0.6, chunk=3)  # chunks must add up like one pass
    for topic in (0, 1):  # the rule, row by row
        rows = np.flatnonzero(topics == topic)
        centre = unit[rows].mean(axis=0)
        expected = unit[rows] @ (centre / np.linalg.norm(centre)) < 0.6
        assert found[rows].tolist() == expected.tolist()
    assert found.tolist() == [False, False, True, False, False, False, False]  # row 2 lies away from topic 0
    assert not outlying_members(topics, unit, -1.0).any()  # no cosine is below -1
    assert not outlying_members(np.full(3, -1), unit[:3], 0.9).any()  # only outliers: nothing to send


def test_settle_moves_a_document_no_neighbour_shares_a_part_with_to_its_neighbours_part():
    from topiclens.pipeline.coherence import settle

    labels = np.array([0, 0, 0, 5, 5, 5, 5, 9])
    neighbours = np.array([[1, 2], [0, 2], [0, 1], [4, 5], [3, 5], [3, 4], [0, 1], [6, -1]])
    rows = np.arange(7)  # one topic split into parts 0 and 5; row 7 is another topic
    settle(labels, rows, [0, 5], neighbours)
    assert labels.tolist() == [0, 0, 0, 5, 5, 5, 0, 9]  # row 6's neighbours are all in part 0
    every = np.array([labels[n[n >= 0]] for n in neighbours[:7]])
    assert all(labels[r] in every[r] for r in rows)
