"""Finding near-identical labels and reading a numbered answer back: pure functions on tiny inputs."""

from __future__ import annotations

import numpy as np

from topiclens.labeling.disambiguate import label_similarity, read_renames, similar_groups, spread


def test_groups_join_the_most_similar_pairs_first_and_stop_at_the_threshold():
    sims = np.array([[1.0, 0.9, 0.2, 0.1],
                     [0.9, 1.0, 0.7, 0.1],
                     [0.2, 0.7, 1.0, 0.1],
                     [0.1, 0.1, 0.1, 1.0]])
    assert similar_groups(sims, 0.8) == [[0, 1]]
    assert similar_groups(sims, 0.6) == [[0, 1, 2]]  # 2 joins through 1 (single linkage)
    assert similar_groups(sims, 0.95) == []


def test_a_group_never_passes_its_size_limit_and_the_closest_pair_wins():
    sims = np.full((4, 4), 0.9) + 0.1 * np.eye(4)
    sims[2, 3] = sims[3, 2] = 0.95  # the closest pair is joined first
    assert similar_groups(sims, 0.5, max_size=2) == [[0, 1], [2, 3]]
    assert similar_groups(sims, 0.5) == [[0, 1, 2, 3]]
    alike = np.full((7, 7), 0.9) + 0.1 * np.eye(7)
    groups = similar_groups(alike, 0.5, max_size=3)
    assert [len(g) for g in groups] == [3, 3] and sorted(sum(groups, [])) == [0, 1, 2, 3, 4, 5]


def test_without_an_embedder_labels_are_compared_by_their_words():
    sims = label_similarity(["Python libraries", "python LIBRARIES", "Perl modules", "软件包管理", "软件包安装"], None)
    assert sims[0, 1] == 1.0 and sims[0, 2] == 0.0
    assert 0.4 < sims[3, 4] < 1.0  # Chinese: shared characters
    embedded = label_similarity(["a", "b"], lambda labels: np.array([[3.0, 4.0], [3.0, 4.0]]))
    assert np.allclose(embedded, 1.0)  # cosine: vectors are normalised first


def test_a_numbered_answer_is_read_line_by_line_and_nothing_else_counts():
    answer = ("Here are the labels:\nTopic 1: Perl date modules\n2) Perl web frameworks\n- Topic 3: X\n"
              "Topic 1: again\n9: out")
    assert read_renames(answer, 2) == {0: "Perl date modules", 1: "Perl web frameworks"}
    assert read_renames("主题 1：软件包安装\n主题 2：软件源", 2) == {0: "软件包安装", 1: "软件源"}
    assert read_renames("Perl date modules", 2) == {}


def test_spread_is_zero_for_twins_and_grows_as_labels_move_apart():
    assert spread(np.ones((3, 3))) == 0.0
    assert spread(np.eye(3)) == 1.0
    assert spread(np.eye(1)) == 1.0
