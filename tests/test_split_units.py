"""Passages as units of the fit (long_documents='split') with the real embedder: a document holds the topics of its
passages, and every operation keeps passages and documents consistent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topiclens import TopicModel
from topiclens.core.errors import ConfigError
from topiclens.io.units import PASSAGE_OF


@pytest.fixture(scope="module")
def split_model(long_records, cache_root):
    return TopicModel(long_documents="split", seed=7, threads=1, verbose=False).fit(long_records)


def test_each_passage_is_a_unit_and_each_document_mixes_its_passages_topics(split_model, long_records):
    model = split_model
    assert model.long_documents_ == "split"
    info = model.document_info()
    assert len(info) == len(model.topics_) > 1.5 * len(long_records)  # most documents were cut
    assert info[PASSAGE_OF].drop_duplicates().tolist() == long_records.index.tolist()
    joined = info.groupby(PASSAGE_OF, sort=False)["text"].agg("".join)
    assert joined.tolist() == long_records["text"].tolist()  # the passages give every document back
    assert (info["section"] == long_records.loc[info[PASSAGE_OF], "section"].to_numpy()).all()  # fields copied
    mixture = model.topic_mixture_
    assert mixture.shape == (len(long_records), len(model.topic_ids_))
    claimed = mixture.sum(axis=1) > 0
    np.testing.assert_allclose(mixture[claimed].sum(axis=1), 1.0, atol=1e-5)
    # a document's share of a topic is the length of its passages in that topic over its length
    first = info[info[PASSAGE_OF] == long_records.index[0]]
    lengths = first["text"].str.len().to_numpy(dtype=float)
    expected = np.zeros(len(model.topic_ids_))
    for topic, length in zip(first["topic"], lengths):
        if topic >= 0:
            expected[list(model.topic_ids_).index(topic)] += length
    if expected.sum():
        np.testing.assert_allclose(mixture[0], expected / expected.sum(), atol=1e-5)
    assert (mixture > 0).sum(axis=1).max() >= 2  # some document holds several topics
    # a training document given again gets its row of topic_mixture_
    np.testing.assert_allclose(model.topic_mixture(long_records["text"].tolist()[:3]), mixture[:3], atol=1e-6)
    # its evidence and representative documents are passages, not whole documents
    longest = max(len(t) for t in long_records["text"])
    reps = [model.corpus_.texts[r] for rows in model.representative_docs_ for r in rows]
    assert reps and max(len(t) for t in reps) < longest


def test_breakdowns_count_documents_split_by_their_passages(split_model, long_records):
    over_time = split_model.topics_over_time(timestamps="year", freq="year")
    assert over_time["documents"].sum() == pytest.approx(len(long_records), abs=0.01)  # cells to 3 decimals
    per_year = over_time.groupby("period")["documents"].sum()
    expected = long_records["year"].value_counts()
    for period, count in per_year.items():
        assert count == pytest.approx(expected[int(str(period)[:4])], abs=0.01)
    per_class = split_model.topics_per_class("section")
    assert per_class["documents"].sum() == pytest.approx(len(long_records), abs=0.01)


def test_save_load_edit_and_grow_keep_passages_and_documents(split_model, long_records, tmp_path):
    split_model.save(tmp_path / "model")
    loaded = TopicModel.load(tmp_path / "model", verbose=False, threads=1)
    assert loaded.long_documents_ == "split"
    np.testing.assert_allclose(loaded.topic_mixture_, split_model.topic_mixture_, atol=1e-6)
    with pytest.raises(ConfigError, match="long_documents='split'"):
        TopicModel.load(tmp_path / "model", long_documents="truncate")
    merged = loaded.merge_topics([list(loaded.topic_ids_[:2])])
    mixture = merged.topic_mixture_
    assert mixture.shape == (len(long_records), len(merged.topic_ids_))
    np.testing.assert_allclose(mixture[mixture.sum(axis=1) > 0].sum(axis=1), 1.0, atol=1e-5)
    new_text = "\n\n".join(long_records["text"].iloc[:2])  # a long new document: cut like the fit's
    grown = merged.partial_fit(pd.DataFrame({"text": [new_text], "section": ["new"], "year": [2010]},
                                            index=["fresh"]))
    info = grown.document_info(mixture=False)
    added = info[info[PASSAGE_OF] == "fresh"]
    assert len(added) > 1 and "".join(added["text"]) == new_text
    assert added["id"].tolist()[0] == "fresh#1"
    assert grown.topic_mixture_.shape[0] == len(long_records) + 1


def test_split_refuses_embeddings_given_per_document(long_records, embeddings):
    with pytest.raises(ConfigError, match="long_documents='split'"):
        TopicModel(long_documents="split", verbose=False).fit(long_records["text"].tolist(),
                                                               embeddings=embeddings[:len(long_records)])


def test_the_workbench_shows_a_passage_within_its_whole_document(split_model, long_records):
    from topiclens.ops.mixtures import row_passages

    info = split_model.document_info(mixture=False)
    row = int(np.flatnonzero(info["passage"].to_numpy() == 2)[0])  # the second passage of a cut document
    document, spans = row_passages(split_model.fitted_, row)
    assert document == info[PASSAGE_OF].iloc[row]
    assert "".join(spans["text"]) == long_records.loc[document, "text"]
    assert spans["start"].iloc[0] == 0 and (spans["start"].to_numpy()[1:] == spans["end"].to_numpy()[:-1]).all()
    mine = info[info[PASSAGE_OF] == document]
    assert spans["topic"].tolist() == mine["topic"].tolist()
    assert spans["weight"].sum() == pytest.approx(1.0, abs=1e-3)


def test_values_given_per_document_and_gold_labels_are_read_per_document(split_model, long_records, tmp_path):
    from topiclens.evaluate import agreement, evaluate_model

    years = long_records["year"].tolist()  # one per document, not per passage
    over_time = split_model.topics_over_time(timestamps=years, freq="year")
    assert over_time["documents"].sum() == pytest.approx(len(long_records), abs=0.01)
    with pytest.raises(ConfigError, match=f"for {len(long_records)} documents"):
        split_model.topics_per_class(["a"] * (len(long_records) - 1))
    main = split_model.document_topics_
    mixture = split_model.topic_mixture_
    assert main.shape == (len(long_records),)
    claimed = mixture.sum(axis=1) > 0
    assert (main[claimed] == np.asarray(split_model.topic_ids_)[mixture[claimed].argmax(axis=1)]).all()
    assert (main[~claimed] == -1).all()
    gold = long_records["section"].tolist()
    expected = agreement(gold, main)["nmi"]
    assert evaluate_model(split_model, gold, measures=())["summary"]["nmi"] == pytest.approx(expected)
    per_passage = split_model.document_info(mixture=False)["section"].tolist()
    assert evaluate_model(split_model, per_passage, measures=())["summary"]["nmi"] == pytest.approx(expected)
    page = split_model.report(tmp_path / "report.html")  # the explorer's trend views take fractional counts
    assert page.stat().st_size > 10_000


def test_a_new_document_with_a_held_id_is_refused_and_the_same_one_skipped(split_model, long_records):
    import warnings

    model = split_model.merge_topics([list(split_model.topic_ids_[:2])])  # a copy to grow
    again = long_records.iloc[:1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.partial_fit(again)
    assert len(model.topics_) == len(split_model.topics_)  # the same document given again is not added
    assert any("already in the model" in str(w.message) for w in caught)
    changed = again.assign(text=again["text"] + " And a sentence more.")
    with pytest.raises(ConfigError, match="another text"):
        model.partial_fit(changed)


def test_fields_named_like_passages_do_not_make_a_model_split(long_records, embeddings):
    table = long_records.assign(passage_of="x", passage=1, passage_start=0)
    model = TopicModel(long_documents="truncate", seed=7, threads=1, verbose=False).fit(table)
    assert model.topic_mixture_.shape[0] == len(table) and not model.fitted_.state.split
    assert (model.document_topics_ == model.topics_).all()
