"""The topic table as pure data: records keyed by id, columns read from them, rows changed one at a time."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from topiclens.core.topic_table import COLUMNS, Topic, TopicTable


def _table(ids=(0, 2, 5), **optional) -> TopicTable:
    n = len(ids)
    columns = {"topic_ids": list(ids), "topic_sizes": [10 * (i + 1) for i in range(n)],
               "keywords": [[(f"w{t}", 1.0)] for t in ids], "keybert": [[] for _ in ids], "mmr": [[] for _ in ids],
               "representative_docs": [[t] for t in ids], "labels": [f"w{t}" for t in ids], **optional}
    centroids = np.eye(n, 4, dtype=np.float32)
    return TopicTable.from_columns(columns, centroids, sp.csr_matrix(np.arange(n * 3, dtype=float).reshape(n, 3)))


def test_columns_read_in_id_order_and_optional_ones_are_none_until_given():
    table = _table()
    assert table.column("topic_ids") == [0, 2, 5] and table.column("labels") == ["w0", "w2", "w5"]
    assert table[2].size == 20 and table.place(5) == 2
    for name in ("llm_labels", "label_evidence", "descriptions", "label_confidence", "given_labels",
                 "label_waiting"):
        assert table.column(name) is None, name
    evidence = [row.evidence for row in table.rows]
    assert evidence == [[], [], []] and len({id(e) for e in evidence}) == 3  # no list shared between topics
    for wrong in (1, True, 2.0, "2"):
        with pytest.raises(KeyError):
            table.place(wrong)


def test_a_row_change_keeps_every_other_record_and_the_matrices():
    table = _table()
    changed = table.with_rows({2: {"label": "Two", "llm_label": "Two"}}, present=("llm_labels",))
    assert changed.column("labels") == ["w0", "Two", "w5"] and changed.column("llm_labels") == ["", "Two", ""]
    assert changed.rows[0] is table.rows[0] and changed.rows[2] is table.rows[2]
    assert changed.centroids is table.centroids and changed.ctfidf is table.ctfidf
    assert table.column("labels") == ["w0", "w2", "w5"]  # the table it came from is as it was


def test_given_names_and_waiting_marks_read_as_none_where_no_topic_has_one():
    table = _table(given_labels=["", "", ""])
    assert table.column("given_labels") is None
    named = table.with_rows({5: {"given_label": "Five", "waiting": True}})
    assert named.column("given_labels") == ["", "", "Five"] and named.column("label_waiting") == [False, False, True]


def test_a_rebuilt_table_carries_kept_rows_with_their_vectors_and_takes_fresh_ones():
    table = _table()
    fresh = Topic(id=7, size=3, keywords=[("new", 1.0)], keybert=[], mmr=[], representative_docs=[1], label="new")
    rebuilt = table.rebuilt([0, 5, 7], {0: table[0], 5: table[5]},
                            {7: (fresh, np.full(4, 0.5, np.float32), sp.csr_matrix([[9.0, 9.0, 9.0]]))}, table.present)
    assert rebuilt.column("topic_ids") == [0, 5, 7] and rebuilt.rows[1] is table.rows[2]
    assert np.array_equal(rebuilt.centroids[1], table.centroids[2]) and rebuilt.centroids[2][0] == 0.5
    assert rebuilt.ctfidf.toarray().tolist() == [[0, 1, 2], [6, 7, 8], [9, 9, 9]]


def test_whole_columns_replace_and_none_drops_an_optional_one():
    table = _table(descriptions=["a", "b", "c"])
    assert table.with_columns(descriptions=None).column("descriptions") is None
    relabeled = table.with_columns(labels=["x", "y", "z"])
    assert relabeled.column("labels") == ["x", "y", "z"] and relabeled.column("descriptions") == ["a", "b", "c"]
    with pytest.raises(TypeError, match="not a column"):
        table.with_columns(label=["x"])
    assert set(COLUMNS) >= {"topic_ids", "labels", "llm_labels"}
