"""LDA and NMF beside the embedding pipeline: same result objects, representations, save/load, evaluation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from topiclens import ConfigError, Representation, TopicModel
from topiclens.evaluate import evaluate_model


@pytest.fixture(scope="module", params=["lda", "nmf"])
def classic(request, docs, embeddings):
    return TopicModel(model=request.param, nr_topics=12, seed=3, threads=1, verbose=False).fit(
        docs, embeddings=embeddings)


def test_result_objects_match_the_embedding_model(classic, fitted):
    assert len(classic.topic_ids_) <= 12
    usable = classic.usable_
    probs = classic.probabilities_[usable]
    has_words = probs.sum(axis=1) > 0
    assert np.allclose(probs[has_words].sum(axis=1), 1.0, atol=1e-4)
    # each document's topic is the argmax of its distribution; documents with no known word are outliers
    topics = classic.topics_[usable]
    assert (topics[has_words] == probs[has_words].argmax(axis=1)).all()
    assert (topics[~has_words] == -1).all()
    sizes = np.bincount(topics[topics >= 0], minlength=len(classic.topic_ids_))
    assert sizes.tolist() == classic.topic_sizes_ and (np.diff(sizes) <= 0).all() and sizes.min() > 0
    assert list(classic.topic_info().columns) == list(fitted.topic_info().columns)
    assert list(classic.document_info().columns) == list(fitted.document_info().columns)
    settings = Representation()
    for reps in (classic.keywords_, classic.keybert_, classic.mmr_):
        assert all(len(r) == settings.top_n_words for r in reps)
    assert all(len(r) == settings.n_representative_docs for r in classic.representative_docs_)
    assert classic.layout_.shape == (len(docs_of(classic)), 2)


def docs_of(model):
    return model.corpus_.texts


def test_topics_follow_the_gold_sections(classic, gold):
    """Clearly better than the same topic sizes dealt at random (NMI has a chance level with 600 documents)."""
    real = normalized_mutual_info_score(gold, classic.topics_)
    rng = np.random.default_rng(0)
    chance = max(normalized_mutual_info_score(gold, rng.permutation(classic.topics_)) for _ in range(5))
    assert real > chance + 0.05, (real, chance)


def test_keywords_are_the_models_own_top_words(classic):
    matrix = classic.ctfidf_.toarray()
    for t in classic.topic_ids_:
        best = [classic.words_[i] for i in np.argsort(-matrix[t], kind="stable")[:10]]
        assert [w for w, _ in classic.keywords_[t]] == best


def test_save_load_and_assign_new_documents(classic, docs, tmp_path):
    loaded = TopicModel.load(classic.save(tmp_path / "m"))
    assert loaded.model == classic.model and (loaded.topics_ == classic.topics_).all()
    assert (loaded.predict(docs) == classic.topics_).all()
    new = ["A Perl module to parse and write XML documents with an object interface",
           "Fonts: a TrueType font family with wide coverage of Latin and Cyrillic glyphs"]
    probs = loaded.transform(new)
    assert probs.shape == (2, len(classic.topic_ids_)) and np.allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    # Inference from the saved arrays agrees with the model in memory.
    assert np.allclose(probs, classic.transform(new), atol=0.05)
    perl = [t for t in classic.topic_ids_ if "perl" in [w for w, _ in classic.keywords_[t]]]
    if perl:
        assert loaded.predict(new)[0] in perl


def test_evaluate_works_on_classic_models(classic, gold):
    report = evaluate_model(classic, gold)["summary"]
    assert -1 <= report["npmi"] <= 1 and 0 < report["diversity"] <= 1
    assert 0 < report["nmi"] < 1 and report["outlier_fraction"] < 0.05
    assert "keyword_labels" in report["label_quality"]


def test_unknown_model_is_a_clear_error(docs):
    with pytest.raises(ConfigError, match="unknown model 'plsa': use one of 'embedding', 'lda', 'nmf'"):
        TopicModel(model="plsa").fit(docs)


def test_llm_labels_on_a_classic_model(docs, embeddings, tmp_path):
    model = TopicModel(model="nmf", nr_topics=5, seed=3, threads=1, verbose=False, cache=str(tmp_path)).fit(
        docs, embeddings=embeddings)
    stats = model.label_topics("smollm2-135m", inplace=True).label_stats_
    assert stats["llm_calls"] >= 5
    assert model.llm_labels_ is not None and len(model.llm_labels_) == len(model.topic_ids_)
    assert model.labels_ == model.llm_labels_ and all(label.strip() for label in model.labels_)


def test_fit_command_with_lda(records, tmp_path, capsys):
    from topiclens.apps.cli import main

    corpus = tmp_path / "docs.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records[:300]), encoding="utf-8")
    assert main(["fit", str(corpus), "--out", str(tmp_path / "m"), "--model", "lda", "--nr-topics", "6",
                 "--no-llm", "--quiet", "--threads", "1", "--json", "--layout", "pca"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert 1 <= table["n_topics"] <= 6
    assert TopicModel.load(tmp_path / "m").model == "lda"


def test_nmf_settings_are_kept_for_new_documents(docs, embeddings, tmp_path):
    from topiclens import NMFTopics

    model = TopicModel(model=NMFTopics(n_topics=6, max_iter=30), threads=1, verbose=False, layout="none").fit(
        docs, embeddings=embeddings)
    loaded = TopicModel.load(model.save(tmp_path / "m"), verbose=False)
    assert loaded.classic_.fitted.max_iter == 30 and loaded.model.max_iter == 30
    new = ["A Perl module to parse and write XML documents with an object interface"]
    assert np.array_equal(loaded.transform(new), model.transform(new))
