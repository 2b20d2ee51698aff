"""c-TF-IDF on tiny count matrices: the formulas, chunk sums, ranking."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from topiclens.pipeline.keywords import ClassStats, ctfidf, top_terms, weigh_classes

COUNTS = sp.csr_matrix(np.array([
    [3, 1, 0, 0],
    [0, 1, 1, 0],
    [0, 0, 2, 1],
    [1, 0, 0, 1],
    [0, 2, 0, 0],
]))
TOPICS = np.array([0, 0, 1, 1, -1])
IDS = [0, 1, -1]


@pytest.mark.parametrize("weighting", ["docshare", "classic"])
def test_statistics_summed_over_chunks_equal_the_whole(weighting):
    whole = ClassStats.of(COUNTS, TOPICS, IDS, weighting)
    parts = [ClassStats.of(COUNTS[a:b], TOPICS[a:b], IDS, weighting) for a, b in ((0, 2), (2, 3), (3, 5))]
    summed = parts[0] + parts[1] + parts[2]
    assert np.allclose(summed.topic_counts.toarray(), whole.topic_counts.toarray())
    assert np.allclose(weigh_classes(summed, weighting).toarray(), ctfidf(COUNTS, TOPICS, IDS, weighting).toarray())
    again = ClassStats.from_arrays(summed.arrays())
    assert np.allclose(weigh_classes(again, weighting).toarray(), weigh_classes(summed, weighting).toarray())


def test_docshare_is_the_share_of_documents_times_bm25_idf():
    matrix = ctfidf(COUNTS, TOPICS, IDS, "docshare").toarray()
    doc_freq = np.array([2, 3, 2, 2])
    idf = np.log1p((5 - doc_freq + 0.5) / (doc_freq + 0.5))
    share_topic0 = np.array([1, 2, 1, 0]) / 2  # documents of topic 0 that contain each word
    assert np.allclose(matrix[0], share_topic0 * idf)


def test_classic_counts_occurrences():
    matrix = ctfidf(COUNTS, TOPICS, IDS, "classic").toarray()
    totals = np.array([6, 5, 2])
    term_freq = np.array([4, 4, 3, 2])
    idf = np.log1p(totals.mean() / term_freq)
    assert np.allclose(matrix[0], np.array([3, 2, 1, 0]) / 6 * idf)


def test_top_terms_rank_by_score_then_column_and_drop_zeros():
    matrix = sp.csr_matrix(np.array([[0.5, 0.0, 0.5, 0.2], [0.0, 0.0, 0.0, 0.0]]))
    assert top_terms(matrix, ["a", "b", "c", "d"], 3) == [[("a", 0.5), ("c", 0.5), ("d", 0.2)], []]


def test_unknown_weighting_is_named():
    from topiclens import ConfigError

    with pytest.raises(ConfigError, match="unknown keyword weighting 'tfidf'"):
        ctfidf(COUNTS, TOPICS, IDS, "tfidf")
