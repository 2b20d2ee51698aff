"""Saved models: JSON + numpy + parquet, no pickle, exact round trip, assignment of new documents."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from topiclens import ModelFileError, NotFittedError, TopicModel


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    return fitted.save(tmp_path_factory.mktemp("models") / "model")


def data_of(directory):
    """The data folder the manifest names."""
    return directory / json.loads((directory / "topiclens.json").read_text())["data"]


def test_model_directory_holds_no_pickle(saved):
    data = data_of(saved)
    assert sorted(p.name for p in saved.iterdir()) == sorted([".topiclens.lock", data.name, "topiclens.json"])
    names = sorted(p.name for p in data.iterdir())
    assert names == ["centroids.npy", "ctfidf.npz", "documents.parquet", "embeddings.npy",
                     "layout.npy", "probabilities.npy", "projection.npz", "vocabulary.json"]
    for path in data.iterdir():
        assert b"\x80\x04\x95" not in path.read_bytes()[:64]  # pickle protocol 4 header
    for name in ("centroids.npy", "embeddings.npy", "probabilities.npy", "layout.npy"):
        np.load(data / name, allow_pickle=False)


def test_round_trip_is_exact(fitted, saved):
    loaded = TopicModel.load(saved)
    assert (loaded.topics_ == fitted.topics_).all()
    assert loaded.labels_ == fitted.labels_
    assert loaded.topic_info().equals(fitted.topic_info())
    assert loaded.document_info().drop(columns="probability").equals(
        fitted.document_info().drop(columns="probability"))
    assert loaded.get_params()["seed"] == fitted.seed
    assert np.array_equal(loaded.layout_, fitted.layout_, equal_nan=True)


def test_predict_on_training_documents_returns_fit_topics(fitted, saved, docs):
    assert (fitted.predict(docs) == fitted.topics_).all()
    loaded = TopicModel.load(saved, verbose=False)
    assert (loaded.predict(docs) == fitted.topics_).all()
    probs = loaded.transform(docs)
    assert probs.shape == (len(docs), len(fitted.topic_ids_))
    assert np.allclose(probs, fitted.probabilities_)


def test_new_documents_are_assigned_by_neighbours(docs, embeddings, gold):
    """Fit on 500 documents, assign the other 100: their topics agree with the archive sections."""
    model = TopicModel(seed=7, threads=1, verbose=False).fit(docs[:500], embeddings=embeddings[:500])
    held_out = model.predict(docs[500:], embeddings=embeddings[500:])
    assert held_out.shape == (100,)
    majority = {}
    for t in set(model.topics_.tolist()) - {-1}:
        labels = [g for g, x in zip(gold[:500], model.topics_) if x == t]
        majority[t] = max(set(labels), key=labels.count)
    hits = [majority.get(t) == g for t, g in zip(held_out, gold[500:]) if t >= 0]
    assert len(hits) >= 80
    assert np.mean(hits) > 0.4
    # The same held-out documents embedded by the model itself (int8, not the fp32 vectors given) give the same
    # answer but for a few near a border (more borders since mixed topics are split: 95 of 100 here).
    assert (model.predict(docs[500:]) == held_out).mean() >= 0.93
    assert normalized_mutual_info_score(gold[500:], held_out) > 0.3


def test_newer_schema_is_a_clear_error(saved, tmp_path):
    import shutil

    copy = tmp_path / "future"
    shutil.copytree(saved, copy)
    manifest = json.loads((copy / "topiclens.json").read_text())
    manifest["schema_version"] = 99
    (copy / "topiclens.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="uses model schema 99.*upgrade topiclens"):
        TopicModel.load(copy)


def test_not_a_model_directory(tmp_path):
    with pytest.raises(ModelFileError, match="not a topiclens model directory"):
        TopicModel.load(tmp_path)
    with pytest.raises(ModelFileError, match="model directory not found"):
        TopicModel.load(tmp_path / "missing")


def test_damaged_array_is_a_clear_error(saved, tmp_path):
    import shutil

    copy = tmp_path / "damaged"
    shutil.copytree(saved, copy)
    (data_of(copy) / "embeddings.npy").write_bytes(b"not numpy")
    with pytest.raises(ModelFileError, match="embeddings.npy has changed since the model was saved"):
        TopicModel.load(copy)


def test_saving_over_a_foreign_directory_is_refused(fitted, tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(ModelFileError, match="is not a topiclens model"):
        fitted.save(tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_unfitted_model_says_so():
    with pytest.raises(NotFittedError, match="call fit"):
        TopicModel().topic_info()


def test_a_model_saved_by_topiclens_0_1_loads_and_predicts_as_it_did(records, embeddings, tmp_path):
    """tests/data/model_v1 was written by topiclens 0.1 (schema 1, the 45 flat parameters)."""
    import shutil
    from pathlib import Path

    from topiclens import LeidenClustering, PCAReduction, Vocabulary

    data = Path(__file__).parent / "data"
    expected = json.loads((data / "model_v1_expected.json").read_text())
    model = TopicModel.load(data / "model_v1", verbose=False)
    assert isinstance(model.reduction, PCAReduction) and model.reduction.n_components == 16
    assert isinstance(model.clustering, LeidenClustering) and model.clustering.resolution == 1.5
    assert isinstance(model.vectorizer, Vocabulary) and model.vectorizer.ngram_range == (1, 2)
    assert model.representation.top_n_words == 8 and model.nr_topics == 4 and model.seed == 3
    assert model.labels_[0] == "Hand label" and len(model.keywords_[1]) == 8
    texts = [r["text"] for r in records]
    assert (model.predict(texts[:100]) == model.topics_).all()
    new = model.predict(texts[100:130], embeddings=embeddings[100:130])
    assert new.tolist() == expected["predict"]
    assert np.allclose(model.transform(texts[100:130], embeddings=embeddings[100:130]), expected["transform"],
                       atol=1e-5)
    # Saved again, it is a schema-3 directory (arrays in a data folder) that loads to the same model.
    copy = tmp_path / "copy"
    shutil.copytree(data / "model_v1", copy)
    again = TopicModel.load(model.save(copy), verbose=False)
    assert json.loads((copy / "topiclens.json").read_text())["schema_version"] == 3
    assert not (copy / "embeddings.npy").exists() and (data_of(copy) / "embeddings.npy").exists()
    assert again.topic_info().equals(model.topic_info())
    assert repr(again.get_params(deep=True)) == repr(model.get_params(deep=True))


def test_a_schema_2_model_with_its_arrays_beside_the_manifest_loads_and_moves_them_when_saved(saved, tmp_path):
    """topiclens 0.2.0 kept the arrays beside topiclens.json and recorded no checksums."""
    flat = tmp_path / "flat"
    flat.mkdir()
    manifest = json.loads((saved / "topiclens.json").read_text())
    for path in data_of(saved).iterdir():
        (flat / path.name).write_bytes(path.read_bytes())
    del manifest["data"], manifest["files"]
    (flat / "topiclens.json").write_text(json.dumps({**manifest, "schema_version": 2}))
    (flat / "notes.txt").write_text("mine")
    model = TopicModel.load(flat, verbose=False)
    assert model.topic_info().equals(TopicModel.load(saved, verbose=False).topic_info())
    model.save(flat)
    assert sorted(p.name for p in flat.iterdir()) == sorted(
        [".topiclens.lock", data_of(flat).name, "notes.txt", "topiclens.json"])
    assert (flat / "notes.txt").read_text() == "mine"
    assert TopicModel.load(flat, verbose=False).topic_info().equals(model.topic_info())
