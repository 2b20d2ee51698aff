"""Growing a fitted model with newer documents (the real changelog slice, split by date)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from topiclens import ConfigError, TopicModel, undo
from topiclens.apps.cli import main
from topiclens.io.corpus import read_corpus


@pytest.fixture(scope="module")
def halves(changelog_file, tmp_path_factory):
    """The slice's older 500 and newer 300 entries by date, as files."""
    rows = sorted((json.loads(line) for line in changelog_file.read_text(encoding="utf-8").splitlines()),
                  key=lambda r: r["timestamp"])
    folder = tmp_path_factory.mktemp("halves")
    paths = []
    for name, part in (("old", rows[:500]), ("new", rows[500:])):
        path = folder / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
        paths.append(path)
    return paths


def test_an_update_keeps_ids_and_labels_and_places_every_document(halves, tmp_path):
    old, new = (read_corpus(p) for p in halves)
    model = TopicModel(seed=7, threads=1, verbose=False).fit(old)
    model.set_labels({model.topic_ids_[0]: "hand label"}, inplace=True)
    before = {t: label for t, label in zip(model.topic_ids_, model.labels_)}
    keywords_before = {t: k for t, k in zip(model.topic_ids_, model.keywords_)}
    repeated = old.texts[:4]
    model.partial_fit(new.texts + repeated)  # every record is added: the copies take their originals' topics
    record = model.history_[-1]
    assert record["operation"] == "update" and record["arguments"]["added"] == 304
    assert record["arguments"]["copies"] == 4 and (model.topics_[-4:] == model.topics_[:4]).all()
    new_ids = record["arguments"]["new_topics"]
    assert new_ids and min(new_ids) > max(before)  # ids never given before
    assert {t: model.labels_[model.fitted_.position(t)] for t in before} == before
    assert record["arguments"]["joined"] + sum(model.topic_sizes_[model.fitted_.position(t)] for t in new_ids) \
        + record["arguments"]["outliers"] == 300
    gained = [t for t in before if t in record["changed"]]
    untouched = [t for t in before if t not in record["changed"]]
    assert gained and all(model.keywords_[model.fitted_.position(t)] == keywords_before[t] for t in untouched)
    everything = old.texts + new.texts + repeated
    assert len(model.corpus_) == 804 and np.array_equal(model.predict(everything), model.topics_)
    for p, topic in enumerate(model.topic_ids_):
        assert model.topic_sizes_[p] == int((model.topics_ == topic).sum())
    model.save(tmp_path / "grown")
    loaded = TopicModel.load(tmp_path / "grown", verbose=False)
    assert np.array_equal(loaded.predict(everything), model.topics_)
    assert loaded.history_[-1]["arguments"]["new_topics"] == new_ids
    # the next update places a copy of a newer document as the one already there
    again = loaded.predict([new.texts[7]])
    assert again[0] == model.topics_[500 + 7]


def test_min_probability_decides_who_joins(halves):
    old, new = (read_corpus(p) for p in halves)
    strict = TopicModel(seed=7, threads=1, verbose=False).fit(old).partial_fit(new, min_probability=0.95)
    loose = TopicModel(seed=7, threads=1, verbose=False).fit(old).partial_fit(new, min_probability=0.2)
    assert strict.history_[-1]["arguments"]["joined"] < loose.history_[-1]["arguments"]["joined"]


def test_cli_update_labels_only_the_new_topics_and_undoes(halves, tmp_path, capsys):
    old_path, new_path = halves
    directory = tmp_path / "m"
    assert main(["fit", str(old_path), "--out", str(directory), "--no-llm", "--quiet", "--threads", "1"]) == 0
    before = TopicModel.load(directory, verbose=False)
    capsys.readouterr()
    assert main(["update", str(directory), str(new_path), "--llm", "smollm2-135m", "--quiet", "--json",
                 "--threads", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    new_ids = report["arguments"]["new_topics"]
    # the labeler is asked about the new topics alone (each once, plus a re-ask after an empty or repeated answer)
    assert new_ids and report["labeled"] == new_ids
    assert len(new_ids) <= report["llm_calls"] + report["cached"] <= 2 * len(new_ids)
    grown = TopicModel.load(directory, verbose=False)
    assert [grown.labels_[grown.fitted_.position(t)] for t in before.topic_ids_] == before.labels_
    assert all(grown.llm_labels_[grown.fitted_.position(t)] for t in new_ids)
    assert main(["history", str(directory), "--json"]) == 0 and "update" in capsys.readouterr().out
    assert main(["update", str(directory), str(new_path), "--no-llm", "--quiet"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    undo(directory)
    assert TopicModel.load(directory, verbose=False).topic_ids_ == before.topic_ids_


def test_bad_updates_are_refused(halves, docs, embeddings):
    classic = TopicModel(model="nmf", nr_topics=4, seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings)
    with pytest.raises(ConfigError, match="LDA/NMF model cannot grow"):
        classic.partial_fit(["a new document about fonts"])
    model = TopicModel(seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings)
    with pytest.raises(ConfigError, match="min_probability"):
        model.partial_fit(["x y"], min_probability=2)
    with pytest.raises(ConfigError, match="2 embeddings for 1 documents"):
        model.partial_fit(["a new document"], embeddings=np.zeros((2, 384), np.float32))
    assert main(["update", "/nonexistent-model", str(halves[1]), "--no-llm"]) == 2


def test_a_labeler_that_fails_loses_none_of_the_growth(halves, tmp_path):
    """As a fit keeps its topics when the labeler fails, an update keeps the documents it placed."""
    from topiclens.core.errors import TopicLensError

    old, new = (read_corpus(p) for p in halves)
    model = TopicModel(seed=7, threads=1, verbose=False).fit(old)
    with pytest.raises(TopicLensError):
        model.partial_fit(new.texts, labeler=f"llama-cpp:{tmp_path / 'missing.gguf'}")
    assert len(model.corpus_) == 800 and model.history_[-1]["operation"] == "update"
    new_ids = model.history_[-1]["arguments"]["new_topics"]
    assert new_ids and all(model.labels_[model.fitted_.position(t)] for t in new_ids)  # keyword labels
