"""Reading every input format, and clear errors for bad input."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest

from topiclens import CorpusError, TopicLensWarning, TopicModel, read_corpus
from topiclens.io.corpus import check_corpus, from_texts

TEXTS = ["the cat sat on the mat", "dogs bark at night", "a third document here"]


def test_txt_one_document_per_line(tmp_path):
    path = tmp_path / "docs.txt"
    path.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    corpus = read_corpus(path)
    assert corpus.texts == TEXTS
    assert corpus.ids == ["1", "2", "3"]


@pytest.mark.parametrize("name", ["docs.jsonl", "docs.jsonl.gz"])
def test_jsonl_keeps_ids_and_fields(tmp_path, name):
    lines = [json.dumps({"id": f"d{i}", "text": t, "label": "x", "timestamp": f"2024-01-0{i + 1}"})
             for i, t in enumerate(TEXTS)]
    data = ("\n".join(lines) + "\n").encode()
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    corpus = read_corpus(path)
    assert corpus.texts == TEXTS
    assert corpus.ids == ["d0", "d1", "d2"]
    assert corpus.column("label") == ["x", "x", "x"]
    assert corpus.column("timestamp")[2] == "2024-01-03"


def test_configurable_field_names(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(json.dumps({"key": str(i), "body": t}) for i, t in enumerate(TEXTS)))
    corpus = read_corpus(path, text_field="body", id_field="key")
    assert corpus.texts == TEXTS and corpus.ids == ["0", "1", "2"]


def test_csv_and_parquet(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b", "c"], "text": TEXTS, "label": ["p", "q", "p"]})
    frame.to_csv(tmp_path / "docs.csv", index=False)
    frame.to_parquet(tmp_path / "docs.parquet", index=False)
    for name in ("docs.csv", "docs.parquet"):
        corpus = read_corpus(tmp_path / name)
        assert corpus.texts == TEXTS
        assert corpus.ids == ["a", "b", "c"]
        assert corpus.column("label") == ["p", "q", "p"]


def test_missing_path_names_the_path(tmp_path):
    with pytest.raises(CorpusError, match="corpus file not found: .*nope.jsonl"):
        read_corpus(tmp_path / "nope.jsonl")


def test_missing_text_field_names_line_and_fix(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps({"text": "ok"}) + "\n" + json.dumps({"body": "no text field"}) + "\n")
    with pytest.raises(CorpusError, match=r"line 2: no 'text' field \(fields: body\).*with text_field=$"):
        read_corpus(path)


def test_undecodable_bytes_name_line_and_fix(tmp_path):
    path = tmp_path / "docs.txt"
    path.write_bytes(b"fine line\nsecond fine\nbad \xff\xfe byte\n")
    with pytest.raises(CorpusError,
                       match=r"line 3: bytes that are not valid utf-8 \(0xff.*set decode_errors= to 'replace'$"):
        read_corpus(path)
    with pytest.warns(TopicLensWarning, match="replaced 2 undecodable"):
        corpus = read_corpus(path, decode_errors="replace")
    assert len(corpus) == 3 and "\ufffd" in corpus.texts[2]


def test_invalid_json_line(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"text": "ok"}\n{"text": broken\n')
    with pytest.raises(CorpusError, match="line 2: not valid JSON"):
        read_corpus(path)


def test_list_input_rejects_non_strings():
    with pytest.raises(CorpusError, match="document 1 is int"):
        from_texts(["a", 3])
    with pytest.raises(CorpusError, match="not a single string"):
        from_texts("just one string")


def test_empty_corpus_is_an_error():
    with pytest.raises(CorpusError, match="is empty"):
        TopicModel(verbose=False).fit([])


def test_fewer_documents_than_min_cluster_size():
    with pytest.raises(CorpusError, match=r"only 3 non-empty document\(s\).*minimum cluster size 10"):
        check_corpus(from_texts(TEXTS), 10)


def test_whitespace_documents_are_kept_as_outliers_and_reported(docs, embeddings):
    import numpy as np

    texts = list(docs[:200]) + ["", "   \n\t"]
    vectors = np.vstack([embeddings[:200], np.zeros((2, embeddings.shape[1]), dtype=np.float32)])
    with pytest.warns(TopicLensWarning, match=r"2 empty or whitespace-only document\(s\) get no topic"):
        model = TopicModel(threads=1, verbose=False).fit(texts, embeddings=vectors)
    assert len(model.topics_) == 202
    assert list(model.topics_[-2:]) == [-1, -1]
    info = model.document_info()
    assert len(info) == 202 and info["text"].iloc[-1] == "   \n\t"


def test_duplicates_are_reported_and_share_a_topic(docs, embeddings):
    import numpy as np

    texts = list(docs[:200]) + [docs[5], docs[5]]
    vectors = np.vstack([embeddings[:200], embeddings[[5, 5]]])
    with pytest.warns(TopicLensWarning, match=r"2 duplicate document\(s\)"):
        model = TopicModel(threads=1, verbose=False).fit(texts, embeddings=vectors)
    assert model.topics_[200] == model.topics_[201] == model.topics_[5]
