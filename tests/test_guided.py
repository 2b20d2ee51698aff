"""Guided fits on the real Debian slice: seed words, zero-shot names, known classes (y)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from topiclens import ConfigError, GuidedClustering, TopicModel
from topiclens.apps.cli import main
from topiclens.core.errors import TopicLensWarning

NAMES = ["Fonts", "Python libraries", "Quantum gravity poetry"]


def test_seed_words_end_in_their_topics_keywords_and_absent_words_are_named(docs, embeddings):
    with pytest.warns(TopicLensWarning, match=r"not in the vocabulary.*'xyzzyq'"):
        model = TopicModel(seed=7, threads=1, verbose=False, clustering=GuidedClustering(
            seed_topics=[["font", "fonts"], ["xyzzyq", "perl"]])).fit(docs, embeddings=embeddings)
    record = model.guidance_
    assert record["seeds"]["absent_words"] == ["xyzzyq"]
    assert record["seeds"]["documents"][0] > 0 and record["seeds"]["documents"][1] > 0
    for words, topic in zip([["font", "fonts"], ["perl"]], record["seed_topics"]):
        keywords = [w for w, _ in model.keywords_[model.fitted_.position(topic)]]
        assert set(words) <= set(keywords), (words, keywords)
    # most of a seed's documents are in its topic
    matched = model.vectorizer_.transform(docs)[:, model.words_.index("perl")].toarray().ravel() > 0
    assert (model.topics_[matched] == record["seed_topics"][1]).mean() >= 0.5


def test_zeroshot_names_are_kept_as_labels_and_unreached_names_are_named(docs, embeddings):
    with pytest.warns(TopicLensWarning, match=r"'Quantum gravity poetry' \(closest document"):
        guided = GuidedClustering(zeroshot_topics=NAMES, zeroshot_min_similarity=0.4)
        model = TopicModel(seed=7, threads=1, verbose=False, clustering=guided).fit(docs, embeddings=embeddings)
    named = {label for label, given in zip(model.labels_, model.given_labels_) if given}
    assert named == {"Fonts", "Python libraries"}
    assert model.guidance_["zeroshot"]["unreached"] == ["Quantum gravity poetry"]
    fonts = model.topic_ids_[model.given_labels_.index("Fonts")]
    members = [docs[i].lower() for i in np.flatnonzero(model.topics_ == fonts)]
    assert sum("font" in text for text in members) >= 0.6 * len(members)
    # documents closer to a name than the threshold are in a named topic
    loaded = TopicModel.load(_saved(model), verbose=False)
    assert loaded.given_labels_ == model.given_labels_ and loaded.guidance_ == model.guidance_


def _saved(model, directory=None):
    import tempfile

    directory = directory or tempfile.mkdtemp()
    model.save(directory)
    return directory


def test_named_topics_take_no_llm_call_and_keep_their_names(docs, embeddings, gold):
    rng = np.random.default_rng(3)
    y = [g if rng.random() < 0.7 else None for g in gold]
    model = TopicModel(seed=7, threads=1, verbose=False, labeler="smollm2-135m").fit(docs, embeddings=embeddings,
                                                                                    y=y)
    given = model.given_labels_
    unnamed = [t for t, g in zip(model.topic_ids_, given) if not g]
    assert unnamed and len(unnamed) < len(given)  # both kinds, so the count below tells them apart
    stats = model.label_stats_  # one first answer per unnamed topic; re-asks and group renames come on top
    first = stats.get("llm_calls", 0) + stats.get("cached", 0) - stats.get("reasked", 0) - stats.get("groups", 0)
    assert first == len(unnamed), stats
    assert all(label == g for label, g in zip(model.labels_, given) if g)
    assert set(g for g in given if g) <= set(gold)
    # an edit keeps a named topic's name with its id and asks the LLM for none of them
    merged = model.merge_topics([[model.topic_ids_[0], model.topic_ids_[1]]], labeler="smollm2-135m")
    assert merged.labels_[0] == given[0] and merged.edit_["llm_calls"] == 0


def test_semi_supervised_classes_raise_agreement_with_the_classes(docs, embeddings, gold):
    plain = TopicModel(seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings)
    rng = np.random.default_rng(0)
    y = [g if rng.random() < 0.3 else -1 for g in gold]
    guided = TopicModel(seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings, y=y)
    assert guided.guidance_["classes"]["given"] == sum(v != -1 for v in y)
    for i in np.flatnonzero([v != -1 for v in y]):  # labeled documents are in their class's topic
        assert guided.labels_[guided.fitted_.position(guided.topics_[i])] == y[i]
    assert normalized_mutual_info_score(gold, guided.topics_) > normalized_mutual_info_score(gold, plain.topics_)


def test_bad_guidance_is_one_clear_error(docs, embeddings):
    with pytest.raises(ConfigError, match="y has 3 values for 600 documents"):
        TopicModel(verbose=False).fit(docs, embeddings=embeddings, y=[1, 2, 3])
    with pytest.raises(ConfigError, match="mixes class names"):
        TopicModel(verbose=False).fit(docs, embeddings=embeddings, y=["a", 2] * 300)
    with pytest.raises(ConfigError, match="seed_topics"):
        TopicModel(clustering=GuidedClustering(seed_topics=["font"])).validate_params()
    with pytest.raises(ConfigError, match="zeroshot_topics"):
        TopicModel(clustering=GuidedClustering(zeroshot_topics=["A", "A"])).validate_params()
    with pytest.raises(ConfigError, match="model='embedding'"):
        TopicModel(model="nmf", verbose=False).fit(docs, embeddings=embeddings, y=["a", "b"] * 300)


def test_cli_fit_with_a_class_field_and_zeroshot_names(tmp_path, records, capsys):
    corpus = tmp_path / "c.jsonl"
    rows = [{"text": r["text"], "section": r["label"] if i % 2 else ""} for i, r in enumerate(records)]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "m"
    assert main(["fit", str(corpus), "--out", str(out), "--no-llm", "--quiet", "--json", "--threads", "1",
                 "--class-field", "section", "--zeroshot", "Fonts", "--zeroshot-min-similarity", "0.4"]) == 0
    table = json.loads(capsys.readouterr().out)
    labels = {t["label"] for t in table["topics"]}
    assert {r["section"] for r in rows if r["section"]} <= labels
    assert main(["fit", str(corpus), "--out", str(tmp_path / "n"), "--no-llm", "--quiet",
                 "--class-field", "nope"]) == 2
    assert "no field 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "n").exists()


def test_zeroshot_topics_are_never_sent_to_the_llm(docs, embeddings):
    guided = GuidedClustering(zeroshot_topics=NAMES[:2], zeroshot_min_similarity=0.4)
    model = TopicModel(seed=7, threads=1, verbose=False, clustering=guided, labeler="smollm2-135m").fit(
        docs, embeddings=embeddings)
    named = [p for p, given in enumerate(model.given_labels_) if given]
    assert sorted(model.labels_[p] for p in named) == sorted(NAMES[:2])
    assert all(model.llm_labels_[p] == "" and model.label_evidence_[p] == [] for p in named)  # never asked
    assert all(model.llm_labels_[p] for p in range(len(model.topic_ids_)) if p not in named)
    model.label_topics("smollm2-135m", inplace=True)  # a relabel leaves the names too
    assert sorted(model.labels_[p] for p in named) == sorted(NAMES[:2])
