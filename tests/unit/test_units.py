"""A corpus cut into passage units (long_documents='split'): nothing lost, and the way back to documents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topiclens.core.errors import ConfigError
from topiclens.io.corpus import Corpus, from_texts
from topiclens.io.units import (
    PASSAGE,
    PASSAGE_OF,
    PASSAGE_START,
    document_texts,
    split_corpus,
    unit_owners,
    unit_shares,
)

SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank. "


def corpus() -> Corpus:
    texts = [SENTENCE * 40, "A short one.", "", "短い文です。" * 60, SENTENCE * 3]
    return Corpus(texts=texts, ids=["a", "b", "c", "d", "e"], fields=pd.DataFrame({"year": [1, 2, 3, 4, 5]}),
                  id_type="str")


def test_units_give_every_document_back_and_keep_its_fields():
    split = split_corpus(corpus(), budget=64)
    units = split.corpus
    assert document_texts(units) == corpus().texts
    assert split.cut == 2  # the long English and Japanese documents
    owners, documents = unit_owners(units)
    assert documents == ["a", "b", "c", "d", "e"]
    np.testing.assert_array_equal(owners, split.rows)
    assert units.fields["year"].tolist() == [corpus().fields["year"][r] for r in split.rows]
    assert units.ids[0] == "a#1" and "b" in units.ids and "e" in units.ids  # an uncut document keeps its id
    starts = units.fields[PASSAGE_START].tolist()
    for text, row, start in zip(units.texts, split.rows, starts):
        assert corpus().texts[row][start:start + len(text)] == text
    numbers = units.fields[PASSAGE].tolist()
    assert numbers[:3] == [1, 2, 3] and units.fields[PASSAGE_OF].tolist()[0] == "a"


def test_a_documents_units_share_it_by_length():
    units = split_corpus(corpus(), budget=64).corpus
    shares = unit_shares(units)
    owners, documents = unit_owners(units)
    np.testing.assert_allclose(np.bincount(owners, weights=shares), np.ones(len(documents)))
    assert shares[units.ids.index("b")] == 1.0 and shares[units.ids.index("c")] == 1.0  # the empty one, too


def test_positions_as_ids_stay_numbers_until_a_document_is_cut():
    short = split_corpus(from_texts(["one text.", "another text."]), budget=64).corpus
    assert short.id_type == "int" and short.ids == ["0", "1"]
    cut = split_corpus(from_texts([SENTENCE * 40, "x"]), budget=64).corpus
    assert cut.id_type == "str" and cut.ids[-1] == "1"


def test_a_field_of_the_same_name_or_a_clash_of_ids_is_refused():
    taken = Corpus(texts=["x"], ids=["a"], fields=pd.DataFrame({PASSAGE_OF: ["y"]}))
    with pytest.raises(ConfigError, match="passage_of"):
        split_corpus(taken, budget=64)
    clash = Corpus(texts=[SENTENCE * 40, "other"], ids=["a", "a#1"])
    with pytest.raises(ConfigError, match="'a#1'"):
        split_corpus(clash, budget=64)
    twice = Corpus(texts=["one", "two"], ids=["x", "x"])
    with pytest.raises(ConfigError, match="make the ids unique"):
        split_corpus(twice, budget=64)
