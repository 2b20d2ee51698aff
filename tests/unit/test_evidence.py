"""Choosing the documents and keywords a labeler is shown: pure functions on tiny arrays."""

from __future__ import annotations

import numpy as np

from topiclens.labeling.evidence import diverse_rows, evidence_rows, nearest_rows, prompt_keywords


def _unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


# Five near-copies right at the centre, then three documents that cover other sides of the topic.
VECTORS = _unit([[1, 0.01, 0], [1, 0.011, 0], [1, 0.012, 0], [1, 0.013, 0], [1, 0.014, 0],
                 [0.8, 0.6, 0], [0.8, -0.6, 0], [0.8, 0, 0.6]])
CENTRE = _unit([[1, 0, 0]])[0]
MEMBERS = np.arange(10, 18)


def test_nearest_takes_the_near_copies_and_diverse_passes_them_over():
    assert nearest_rows(VECTORS, CENTRE, MEMBERS, 4) == [10, 11, 12, 13]
    picked = diverse_rows(VECTORS, CENTRE, MEMBERS, 4)
    assert picked[0] == 10  # the most central document comes first
    assert sorted(picked[1:]) == [15, 16, 17]  # then one from each side, no second copy


def test_diverse_falls_back_to_copies_only_when_nothing_else_is_left():
    picked = diverse_rows(VECTORS, CENTRE, MEMBERS, 6)
    assert len(picked) == len(set(picked)) == 6
    assert set(picked) >= {10, 15, 16, 17}


def test_evidence_rows_map_embedding_rows_back_to_corpus_rows():
    usable_rows = np.array([0, 2, 3, 5, 6, 8, 9, 11])  # corpus rows 1, 4, 7, 10 are empty documents
    topics = np.zeros(8, dtype=np.int64)
    rows = evidence_rows(VECTORS, usable_rows, topics, [0], CENTRE[None, :], [[0, 2]], 4, "diverse")
    assert rows[0][0] == 0 and sorted(rows[0][1:]) == [8, 9, 11]  # embedding rows 0, 5, 6, 7
    assert evidence_rows(None, usable_rows, topics, [0], CENTRE[None, :], [[0, 2, 3]], 2, "diverse") == [[0, 2]]
    no_vectors = np.zeros((8, 0), dtype=np.float32)  # a model without document embeddings
    assert evidence_rows(no_vectors, usable_rows, topics, [0], CENTRE[None, :], [[0, 2, 3]], 2, "diverse") == [[0, 2]]


def test_prompt_keywords_from_either_source_or_both_without_repeats():
    ctfidf = [("go", 1.0), ("golang", 0.9), ("library", 0.8)]
    keybert = [("golang", 0.7), ("parser", 0.6), ("json", 0.5)]
    assert prompt_keywords(ctfidf, keybert, "ctfidf", 2) == ["go", "golang"]
    assert prompt_keywords(ctfidf, keybert, "keybert", 2) == ["golang", "parser"]
    assert prompt_keywords(ctfidf, keybert, "both", 5) == ["go", "golang", "parser", "library", "json"]
    assert prompt_keywords(ctfidf, [], "keybert", 2) == ["go", "golang"]


def test_parts_takes_one_document_from_each_side_and_no_second_copy():
    from topiclens.labeling.evidence import part_rows

    picked = part_rows(VECTORS, MEMBERS, 4)
    assert len(picked) == 4
    assert sorted(picked[1:]) == [15, 16, 17] and picked[0] in range(10, 15)  # the largest part (the copies) first
    assert part_rows(VECTORS[:3], MEMBERS[:3], 5) == [10, 11, 12]  # fewer members than parts: all of them


def test_truncate_counts_with_the_model_tokenizer_when_given():
    from topiclens.labeling.clean import truncate

    def count(text: str) -> int:  # a tokenizer that makes two tokens of every word
        return 2 * len(text.split())

    text = "one two three four five six seven eight"
    assert truncate(text, 6, count) == "one two three …"
    assert truncate(text, 100, count) == text
    assert truncate("一二三四五六", 3, len) == "一二三…"
    assert truncate(text, 6) == "one two three four …"  # no tokenizer: about 0.75 words a token


def test_the_label_example_is_in_the_corpus_language_where_one_is_written():
    from topiclens.llm.prompts import label_messages

    assert label_messages(["ein Text"], ["wort"], language="de")[2]["content"] == "Umweltfolgen des Fleischkonsums"
    assert label_messages(["a text"], ["word"], language="en")[2]["content"] == "Environmental impact of eating meat"
    korean = label_messages(["텍스트"], ["단어"], language="ko")
    assert korean[2]["content"] == "Environmental impact of eating meat"
    assert korean[4]["content"] == "Musical instruments"  # the second example, English where none is written
    assert korean[-1]["content"].endswith("Write the label in Korean.")
    assert label_messages(["ein Text"], ["wort"], language="de")[4]["content"] == "Musikinstrumente"
