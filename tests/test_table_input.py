"""Tables in, tables out: DataFrames, Series and polars tables as documents, with their ids and fields kept."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from topiclens import CorpusError, TopicLensWarning, TopicModel, as_corpus, write_table
from topiclens.apps.cli import main
from topiclens.io.corpus import from_texts
from topiclens.io.tables import pick_text_column


# ---------------------------------------------------------------- choosing the text column (pure)
def test_the_only_column_of_text_is_the_documents():
    frame = pd.DataFrame({"n": [1, 2], "body": ["a long text", "another"], "score": [0.5, 0.1]})
    assert pick_text_column(frame, None) == "body"


def test_a_column_named_like_text_wins_among_several():
    frame = pd.DataFrame({"title": ["Short", "Also short"], "text": ["a b c", "d e"]})
    assert pick_text_column(frame, None) == "text"


def test_a_column_of_clearly_longer_texts_wins():
    frame = pd.DataFrame({"package": ["vim", "emacs"], "summary": ["an editor of text " * 5, "another editor " * 6]})
    assert pick_text_column(frame, None) == "summary"


def test_two_alike_columns_of_text_are_refused_naming_both():
    frame = pd.DataFrame({"title": ["one title here", "a second one"], "subject": ["some subject", "the other"]})
    with pytest.raises(CorpusError, match=r"several columns of text: .*title.*subject.*text_column=") as info:
        pick_text_column(frame, None)
    assert "\n" not in str(info.value)


def test_a_named_column_that_is_not_there_is_refused_naming_the_columns():
    frame = pd.DataFrame({"body": ["x"], "section": ["y"]})
    with pytest.raises(CorpusError, match=r"no column 'text' \(columns: body, section\).*text_column="):
        pick_text_column(frame, "text")


def test_a_table_without_text_is_refused():
    with pytest.raises(CorpusError, match="no column of text"):
        pick_text_column(pd.DataFrame({"a": [1, 2], "b": [0.1, 0.2]}), None)


# ---------------------------------------------------------------- a table as a corpus (pure)
def test_the_index_gives_the_ids_with_their_type_and_the_other_columns_the_fields():
    frame = pd.DataFrame({"body": ["alpha", None, "gamma"], "section": ["a", "b", "c"]}, index=[10, 20, 30])
    corpus = as_corpus(frame)
    assert corpus.texts == ["alpha", "", "gamma"]  # a missing text is an empty document, kept in its place
    assert corpus.id_values == [10, 20, 30] and corpus.ids == ["10", "20", "30"] and corpus.ids_given
    assert list(corpus.fields.columns) == ["section"] and corpus.column("section") == ["a", "b", "c"]


def test_the_default_index_gives_positions_and_an_id_column_gives_named_ids():
    frame = pd.DataFrame({"key": ["k1", "k2"], "text": ["one", "two"], "year": [2020, 2021]})
    positions = as_corpus(frame)
    assert positions.id_values == [0, 1] and not positions.ids_given
    named = as_corpus(frame, id_column="key")
    assert named.id_values == ["k1", "k2"] and named.ids_given and list(named.fields.columns) == ["year"]
    with pytest.raises(CorpusError, match=r"no column 'id' .*id_column="):
        as_corpus(frame, id_column="id")


def test_a_series_keeps_its_index_and_a_list_gives_whole_number_positions():
    series = pd.Series(["one text", "two text"], index=["a", "b"], name="body")
    corpus = as_corpus(series)
    assert corpus.texts == ["one text", "two text"] and corpus.id_values == ["a", "b"]
    assert as_corpus(["x", "y"]).id_values == [0, 1]
    with pytest.raises(CorpusError, match="text_column= and id_column= name the columns of a table"):
        as_corpus(["x"], text_column="body")


def test_a_polars_table_reads_as_its_pandas_form():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"text": ["first text", "second text"], "section": ["a", "b"]})
    corpus = as_corpus(frame)
    assert corpus.texts == ["first text", "second text"] and corpus.column("section") == ["a", "b"]
    assert corpus.id_values == [0, 1]
    assert as_corpus(frame["text"]).texts == ["first text", "second text"]


def test_a_hugging_face_dataset_reads_as_its_pandas_form():
    datasets = pytest.importorskip("datasets")
    dataset = datasets.Dataset.from_dict({"title": ["A", "B"], "abstract": ["a first abstract of words " * 3,
                                                                           "a second abstract " * 4]})
    corpus = as_corpus(dataset)  # the abstracts are clearly the longest texts
    assert corpus.texts == dataset["abstract"] and corpus.column("title") == ["A", "B"]
    assert corpus.id_values == [0, 1] and corpus.source == "<Dataset column 'abstract'>"


# ---------------------------------------------------------------- a fitted model (real embeddings)
@pytest.fixture(scope="module")
def frame(records) -> pd.DataFrame:
    """The slice as an analyst would hold it: an integer index that is not the positions, and fields."""
    return pd.DataFrame({"package": [r["id"] for r in records], "body": [r["text"] for r in records],
                         "section": [r["label"] for r in records]},
                        index=pd.Index(np.arange(len(records)) * 3 + 1000, name="row"))


@pytest.fixture(scope="module")
def table_model(frame, embeddings) -> TopicModel:
    return TopicModel(seed=7, threads=1, verbose=False).fit(frame, embeddings=embeddings, text_column="body")


def test_a_dataframe_fits_as_its_text_column_with_ids_and_fields(table_model, fitted, frame):
    assert np.array_equal(table_model.topics_, fitted.topics_)  # the same documents, the same topics
    info = table_model.document_info()
    assert info["id"].tolist() == frame.index.tolist() and info["id"].dtype.kind == "i"
    assert info["package"].tolist() == frame["package"].tolist()
    joined = frame.join(info.set_index("id")[["topic"]])  # joins back without a cast
    assert joined["topic"].tolist() == table_model.topics_.tolist()
    per_class = table_model.topics_per_class("section")
    assert set(per_class["class"]) == set(frame["section"])


def test_the_saved_model_keeps_whole_number_ids(table_model, frame, tmp_path):
    table_model.save(tmp_path / "m")
    loaded = TopicModel.load(tmp_path / "m")
    assert loaded.document_info()["id"].tolist() == frame.index.tolist()
    assert loaded.corpus_.column("section") == frame["section"].tolist()


def test_assign_predict_and_transform_take_the_table(table_model, frame, embeddings):
    rows = frame.iloc[:40]
    vectors = embeddings[:40]
    topics = table_model.predict(rows, embeddings=vectors, text_column="body")
    assert topics.tolist() == table_model.topics_[:40].tolist()
    assert table_model.transform(rows, embeddings=vectors).shape == (40, len(table_model.topic_ids_))
    assigned = table_model.assign(rows, embeddings=vectors)
    assert list(assigned.columns) == ["id", "topic", "probability", "label", "mixture", "package", "section"]
    assert assigned["id"].tolist() == rows.index.tolist() and assigned["topic"].tolist() == topics.tolist()


def test_a_class_column_names_the_supervision(frame, embeddings):
    model = TopicModel(seed=7, threads=1, verbose=False).fit(frame, embeddings=embeddings, y="section")
    assert set(model.labels_) <= set(frame["section"])
    with pytest.raises(Exception, match=r"no field 'sectoin' \(fields: package, section\).*y="):
        TopicModel(seed=7, threads=1, verbose=False).fit(frame, embeddings=embeddings, y="sectoin")


def test_a_table_grows_the_model_with_its_own_ids(frame, embeddings):
    model = TopicModel(seed=7, threads=1, verbose=False).fit(frame.iloc[:500], embeddings=embeddings[:500])
    model.partial_fit(frame.iloc[500:], embeddings=embeddings[500:])
    assert model.document_info()["id"].tolist() == frame.index.tolist()


def test_over_time_gives_only_the_periods_and_topics_with_documents(table_model, frame):
    # every other document in 2020, and all of topic 0's: topic 0 has no documents in 2021
    years = np.where((np.arange(len(frame)) % 2 == 1) | (table_model.topics_ == 0), "2020-06-01", "2021-06-01")
    sparse = table_model.topics_over_time(freq="year", timestamps=pd.Series(years))
    full = table_model.topics_over_time(freq="year", timestamps=years, empty=True)
    assert (sparse["documents"] > 0).all() and (full["documents"] == 0).any()
    assert sparse["documents"].sum() == full["documents"].sum() == len(frame)
    chart = table_model.over_time_chart(sparse, top_n=30)  # a period without a topic's documents is a zero
    assert {len(trace.y) for trace in chart.data} == {2}
    assert sorted(float(v) for trace in chart.data for v in trace.y) == sorted(
        full[full["topic"].isin([int(t) for t in sparse["topic"].unique() if t >= 0])]["documents"].astype(float))


# ---------------------------------------------------------------- tables out
def test_list_columns_are_written_joined_to_csv_and_excel_and_kept_in_parquet(table_model, tmp_path):
    info = table_model.topic_info()
    first = int(np.flatnonzero(info["topic"] >= 0)[0])  # the first topic's row (the outliers' row comes before)
    words = info["keywords"].iloc[first]
    csv = pd.read_csv(write_table(info, tmp_path / "topics.csv"))
    assert csv["keywords"].iloc[first] == ", ".join(words)
    assert csv["representative_docs"].iloc[first].split("\n\n") == info["representative_docs"].iloc[first]
    excel = pd.read_excel(write_table(info, tmp_path / "topics.xlsx"))
    assert excel["keywords"].iloc[first] == ", ".join(words)
    parquet = pd.read_parquet(write_table(info, tmp_path / "topics.parquet"))
    assert list(parquet["keywords"].iloc[first]) == words
    assert table_model.topic_info(joined=True)["keywords"].iloc[first] == ", ".join(words)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".jsonl"])
def test_assign_on_the_command_line_keeps_the_inputs_fields(table_model, records, tmp_path, suffix):
    directory = tmp_path / "model"
    table_model.save(directory)
    corpus = tmp_path / "new.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records[:12]), encoding="utf-8")
    out = tmp_path / f"assigned{suffix}"
    assert main(["assign", str(directory), str(corpus), "--out", str(out), "--quiet", "--threads", "1"]) == 0
    read = {".csv": pd.read_csv, ".xlsx": pd.read_excel, ".parquet": pd.read_parquet,
            ".jsonl": lambda p: pd.read_json(p, lines=True)}[suffix]
    table = read(out)
    # its field, renamed
    assert list(table.columns) == ["id", "topic", "probability", "label", "mixture", "input_label"]
    assert table["input_label"].astype(str).tolist() == [r["label"] for r in records[:12]]
    assert table["id"].astype(str).tolist() == [r["id"] for r in records[:12]]


# ---------------------------------------------------------------- edges a notebook meets (found in review)
def test_a_model_fitted_on_text_alone_grows_and_so_does_a_loaded_one(docs, embeddings, tmp_path):
    model = TopicModel(seed=7, threads=1, verbose=False).fit(pd.Series(docs[:500]), embeddings=embeddings[:500])
    model.partial_fit(pd.Series(docs[500:550]), embeddings=embeddings[500:550])
    assert len(model.topics_) == 550 and model.document_info()["id"].tolist() == list(range(550))
    loaded = TopicModel.load(model.save(tmp_path / "m"), verbose=False)  # saved without fields
    loaded.partial_fit(list(docs[550:]), embeddings=embeddings[550:])
    assert len(loaded.topics_) == len(docs)


@pytest.mark.parametrize("index", [pd.date_range("2020-01-01", periods=4, freq="D"),
                                   pd.Index([0.5, 1.5, 2.5, 3.5]), pd.Index(["a", "b", "c", "d"])])
def test_dates_numbers_and_text_as_ids_keep_their_type(index):
    corpus = as_corpus(pd.DataFrame({"text": ["w x", "x y", "y z", "z w"]}, index=index))
    assert corpus.id_values == index.tolist()


def test_ids_of_dates_keep_their_type_through_save_and_load(frame, embeddings, tmp_path):
    dated = frame.set_index(pd.date_range("2001-01-01", periods=len(frame), freq="h"))
    model = TopicModel(seed=7, threads=1, verbose=False).fit(dated, embeddings=embeddings, text_column="body")
    loaded = TopicModel.load(model.save(tmp_path / "m"), verbose=False)
    assert loaded.document_info()["id"].tolist() == dated.index.tolist()
    assert dated.join(loaded.document_info().set_index("id")["topic"])["topic"].notna().all()


def test_tables_that_cannot_give_documents_say_what_to_do():
    with pytest.raises(CorpusError, match="index has 1 missing value.*id_column="):
        as_corpus(pd.DataFrame({"text": ["a", "b"]}, index=pd.array([1, None], dtype="Int64")))
    with pytest.raises(CorpusError, match="more than one column named '1'"):
        as_corpus(pd.DataFrame([["a", "b"]], columns=[1, "1"]), text_column=1)
    with pytest.raises(CorpusError, match="no rows"):
        as_corpus(pd.DataFrame({"text": [], "title": []}))
    with pytest.warns(TopicLensWarning, match="index has 2 levels"):
        keyed = as_corpus(pd.DataFrame({"text": ["a", "b"]}, index=pd.MultiIndex.from_tuples([("x", 1), ("y", 2)])))
    assert keyed.id_values == ["('x', 1)", "('y', 2)"]
    assert from_texts(["a", "b"], ids=[2**64, 1]).id_values == [str(2**64), "1"]  # beyond int64: text


def test_a_lazy_polars_query_and_dataset_splits_are_refused_with_what_to_pass():
    pl = pytest.importorskip("polars")
    with pytest.raises(CorpusError, match=r"query, not its rows: pass \.collect\(\)"):
        as_corpus(pl.DataFrame({"text": ["a"]}).lazy())
    datasets = pytest.importorskip("datasets")
    splits = datasets.DatasetDict({"train": datasets.Dataset.from_dict({"text": ["a"]})})
    with pytest.raises(CorpusError, match=r"holds splits \(train\).*ds\['train'\]"):
        as_corpus(splits)


def test_parquet_takes_a_field_whose_cells_mix_types(tmp_path):
    frame = pd.DataFrame({"id": [1, 2, 3], "version": [1, "1.0", None], "words": [["a"], ["b", "c"], []]})
    read = pd.read_parquet(write_table(frame, tmp_path / "mixed.parquet"))
    assert read["version"].tolist()[:2] == ["1", "1.0"] and read["version"].isna().iloc[2]
    assert list(read["words"].iloc[1]) == ["b", "c"]


def test_a_column_of_bytes_is_decoded_as_utf8_or_refused_with_how_to_decode_it():
    assert as_corpus(pd.DataFrame({"text": [b"caf\xc3\xa9", "plain"]})).texts == ["café", "plain"]
    with pytest.raises(CorpusError, match=r"row 0: bytes that are not valid UTF-8: .*str\.decode\('latin-1'\)"):
        as_corpus(pd.DataFrame({"text": [b"caf\xe9", "plain"]}))
