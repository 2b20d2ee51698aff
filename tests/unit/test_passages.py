"""Passages: sentence ends in the supported scripts, cuts within the budget, nothing of the text lost."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from topiclens.core.passages import estimate_pieces, passage_spans, sentence_spans
from topiclens.ops.mixtures import combine, shares

DATA = Path(__file__).resolve().parents[2] / "data"


def texts_of(text: str, spans) -> list[str]:
    return [text[start:end] for start, end in spans]


@pytest.mark.parametrize("text, sentences", [
    ("这是第一句。这是第二句！第三句？最后一句", ["这是第一句。", "这是第二句！", "第三句？", "最后一句"]),
    ("これは文です。二つ目の文。「引用。」三つ目", ["これは文です。", "二つ目の文。", "「引用。」", "三つ目"]),
    ("이것은 첫 문장입니다. 두 번째 문장입니다! 세 번째?",
     ["이것은 첫 문장입니다. ", "두 번째 문장입니다! ", "세 번째?"]),
    ("Das ist z. B. ein Satz mit 3.1 Zahlen. Hier ist der zweite! Und?",
     ["Das ist z. B. ein Satz mit 3.1 Zahlen. ", "Hier ist der zweite! ", "Und?"]),
    ("Это первое предложение, т.е. важное. Второе предложение! Третье.",
     ["Это первое предложение, т.е. важное. ", "Второе предложение! ", "Третье."]),
    ("Use e.g. this (see Fig. 3). Then \"quoted.\" Next.\n- one\n- two",
     ["Use e.g. this (see Fig. 3). ", "Then \"quoted.\" ", "Next.\n", "- one\n", "- two"]),
    ("A paragraph without a stop\n\nanother one", ["A paragraph without a stop\n\n", "another one"]),
])
def test_sentences_end_where_the_script_ends_them(text, sentences):
    assert texts_of(text, sentence_spans(text)) == sentences


def corpus_texts(name: str, n: int) -> list[str]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line, _ in zip(handle, range(n))]


@pytest.mark.parametrize("name", ["debian_sample.jsonl.gz", "debian_de_sample.jsonl.gz",
                                  "debian_ru_sample.jsonl.gz", "debian_ja_sample.jsonl.gz",
                                  "debian_ko_sample.jsonl.gz"])
def test_passages_give_the_document_back_and_keep_to_the_budget(name):
    docs = corpus_texts(name, 60)
    long = "\n\n".join(docs)  # one long document of many paragraphs
    for text in [long, *docs]:
        for budget in (16, 64, 256):
            spans = passage_spans(text, budget)
            assert "".join(texts_of(text, spans)) == text
            assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
            assert all(estimate_pieces(part) <= budget for part in texts_of(text, spans))
    assert len(passage_spans(long, 64)) > 10


def test_passages_end_at_sentence_ends_where_sentences_fit():
    text = " ".join(f"Sentence number {i} talks about one thing only." for i in range(40))
    for start, end in passage_spans(text, 40):
        assert text[start:end].rstrip().endswith("only.")


def test_a_sentence_longer_than_the_budget_is_cut_between_words_and_unspaced_text_between_characters():
    words = "alpha beta gamma delta " * 50
    parts = texts_of(words, passage_spans(words, 20))
    assert "".join(parts) == words and len(parts) > 3
    assert all(part.endswith(" ") for part in parts[:-1])  # never inside a word
    chinese = "中文文本没有空格" * 40
    parts = texts_of(chinese, passage_spans(chinese, 50))
    assert "".join(parts) == chinese and max(len(p) for p in parts) == 50
    for one_word in ("x" * 3000, "б" * 100_000, "é" * 5000 + "a", "x" * 44 + "б"):  # one word longer than a passage
        parts = texts_of(one_word, passage_spans(one_word, 32))
        assert "".join(parts) == one_word and all(estimate_pieces(part) <= 32 for part in parts)


def test_overlap_repeats_the_last_sentences_of_the_passage_before():
    text = " ".join(f"Sentence {i} is here." for i in range(30))
    plain = texts_of(text, passage_spans(text, 30))
    overlapping = texts_of(text, passage_spans(text, 30, overlap=1))
    assert len(overlapping) > len(plain)
    for before, after in zip(overlapping, overlapping[1:]):
        last = before.rstrip().rsplit(". ", 1)[-1]
        assert after.startswith(last)
    assert text.startswith(overlapping[0]) and text.endswith(overlapping[-1])
    with pytest.raises(ValueError):
        passage_spans(text, 0)
    with pytest.raises(ValueError):
        passage_spans(text, 10, overlap=-1)


def test_a_short_text_is_one_passage():
    assert passage_spans("One short sentence. Two.", 64) == [(0, 24)]
    assert passage_spans("", 64) == [(0, 0)]


def test_the_estimate_follows_the_embedders_tokenizer():
    tokenizers = pytest.importorskip("tokenizers")
    from topiclens.embedders import bundled_minilm_path

    tokenizer = tokenizers.Tokenizer.from_file(str(bundled_minilm_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    for name, low, high in [("debian_sample.jsonl.gz", 0.9, 1.1), ("debian_ru_sample.jsonl.gz", 0.9, 1.1),
                            ("debian_ja_sample.jsonl.gz", 0.9, 1.15), ("debian_de_sample.jsonl.gz", 0.65, 1.0)]:
        docs = corpus_texts(name, 200)
        ratio = np.mean([estimate_pieces(d) / max(1, len(tokenizer.encode(d, add_special_tokens=False).ids))
                         for d in docs])
        assert low <= ratio <= high, (name, ratio)


def test_mixtures_sum_to_one_and_weigh_passages_by_length():
    votes = np.array([[0.6, 0.2, 0.0], [0.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.1, 0.0, 0.0]])
    owners = np.array([0, 0, 0, 1])
    mixture = combine(votes, np.array([1.0, 5.0, 3.0, 2.0]), owners, 3)
    np.testing.assert_allclose(mixture.sum(axis=1), [1.0, 1.0, 0.0], atol=1e-6)
    # document 0: passage 0 (weight 1: 0.75/0.25/0) and passage 2 (weight 3: 0/0.5/0.5); the unclaimed one counts
    # for nothing
    np.testing.assert_allclose(mixture[0], [0.75 / 4, (0.25 + 1.5) / 4, 1.5 / 4], atol=1e-6)
    np.testing.assert_allclose(mixture[1], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(shares(np.array([[0.2, 0.2], [0.0, 0.0]])), [[0.5, 0.5], [0.0, 0.0]])
