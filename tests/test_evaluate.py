"""Topic quality: coherence, diversity, label quality, agreement with gold labels."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from states import with_state
from topiclens.evaluate import diversity, evaluate_model, label_quality


def test_diversity_counts_repeated_words():
    assert diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert diversity([["a", "b"], ["a", "c"]]) == 0.75


def test_label_quality_finds_the_own_topic():
    centroids = np.eye(3, dtype=np.float32)
    assert label_quality(np.eye(3, dtype=np.float32), centroids) == {"hit_rate": 1.0, "mean_rank": 1.0}
    swapped = label_quality(np.eye(3, dtype=np.float32)[[1, 0, 2]], centroids)
    assert swapped["hit_rate"] == pytest.approx(1 / 3) and swapped["mean_rank"] == pytest.approx(5 / 3)


@pytest.fixture(scope="module")
def report(fitted, gold):
    return evaluate_model(fitted, gold)


def test_coherence_per_topic_and_mean(report, fitted, five_topics):
    topics = report["topics"]
    assert len(topics) == len(fitted.topic_ids_)
    npmi = [t["npmi"] for t in topics]
    cv = [t["c_v"] for t in topics]
    assert all(-1 <= x <= 1 for x in npmi if not math.isnan(x))
    assert all(0 <= x <= 1 for x in cv if not math.isnan(x))
    assert report["summary"]["npmi"] == pytest.approx(np.nanmean(npmi))
    # Real topics co-occur more than chance: measured on five broad topics, as on 600 documents the rare words
    # of a 15-document topic seldom meet in one document at all (NPMI -1 for such a pair).
    assert evaluate_model(five_topics, measures=("c_npmi",))["summary"]["npmi"] > 0


def test_random_words_are_less_coherent_than_topics(fitted, report):
    rng = np.random.default_rng(0)
    vocab = [w for kw in fitted.keywords_ for w, _ in kw]
    shuffled = with_state(fitted, keywords=[[(w, 1.0) for w in rng.choice(vocab, 10, replace=False)]
                                            for _ in fitted.keywords_])
    random_report = evaluate_model(shuffled, measures=("c_npmi",))
    assert random_report["summary"]["npmi"] < report["summary"]["npmi"] - 0.05


def test_gold_agreement_and_label_quality(report, fitted):
    summary = report["summary"]
    assert summary["nmi"] > 0.35 and -1 <= summary["ari"] <= 1
    quality = summary["label_quality"]["keyword_labels"]
    assert quality["hit_rate"] > 0.5
    wrong = with_state(fitted, labels=fitted.labels_[1:] + fitted.labels_[:1])
    worse = evaluate_model(wrong, measures=("c_npmi",))["summary"]["label_quality"]["labels"]
    assert worse["hit_rate"] < quality["hit_rate"]


def test_evaluate_command(fitted, tmp_path, capsys, records):
    import pandas as pd

    from topiclens import Corpus
    from topiclens.apps.cli import main

    model = with_state(fitted, corpus=Corpus(fitted.corpus_.texts, fitted.corpus_.ids,
                                             pd.DataFrame({"label": [r["label"] for r in records]})))
    saved = model.save(tmp_path / "m")
    assert main(["evaluate", str(saved), "--labels", "label", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["summary"]["nmi"] > 0.35 and len(result["topics"]) == len(fitted.topic_ids_)
    assert main(["evaluate", str(saved), "--labels", "label", "--measures", "c_npmi"]) == 0
    out = capsys.readouterr().out
    assert "coherence: npmi" in out and "NMI" in out and "point at their own topic" in out
    assert main(["evaluate", str(saved), "--labels", "section"]) == 2
    assert "no field 'section' (fields: label)" in capsys.readouterr().err
