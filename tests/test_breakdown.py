"""Topics over time and per class on the real changelog sample: tables, charts, the CLI, bad input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from topiclens import ConfigError, TopicLensWarning, TopicModel
from topiclens.apps.cli import main


def _records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_periods_count_every_document_once_with_the_share_of_its_period(changelog_model, changelog_file):
    table = changelog_model.topics_over_time(freq="year")
    years = pd.Series([r["timestamp"][:4] for r in _records(changelog_file)]).value_counts().sort_index()
    per_period = table.groupby("period")["documents"].sum()
    assert per_period.to_dict() == years.to_dict()  # every period sums to its documents, outliers included
    assert table.attrs["documents"] == len(changelog_model.topics_) and table.attrs["missing"] == 0
    assert set(table["topic"]) == {-1, *changelog_model.topic_ids_}
    shares = table.groupby("period")["share"].sum()
    assert np.allclose(shares, 1.0)
    counts = table[table["topic"] >= 0].groupby("topic")["documents"].sum()
    assert counts.to_dict() == dict(zip(changelog_model.topic_ids_, changelog_model.topic_sizes_))
    assert (table[table["documents"] == 0]["keywords"] == "").all()
    assert (table[(table["documents"] > 0) & (table["topic"] >= 0)]["keywords"] != "").all()


def test_one_period_untuned_gives_the_topics_global_keywords(changelog_model):
    whole = changelog_model.topics_over_time(1, n_words=5, tuning=0.0)
    for topic, words in zip(whole["topic"], whole["keywords"]):
        if topic >= 0:
            position = changelog_model.topic_ids_.index(topic)
            assert words == ", ".join(w for w, _ in changelog_model.keywords_[position][:5])
    tuned = changelog_model.topics_over_time(freq="year", tuning=1.0)
    busy = tuned[(tuned["topic"] >= 0) & (tuned["documents"] > 0)]
    topic = int(busy["topic"].iloc[0])
    global_words = ", ".join(w for w, _ in changelog_model.keywords_[changelog_model.topic_ids_.index(topic)][:5])
    assert set(busy[busy["topic"] == topic]["keywords"]) == {global_words}  # tuning 1: the global keywords


def test_bad_and_missing_times_are_counted_and_warned(changelog_model):
    n = len(changelog_model.topics_)
    times = ["2020-02-02"] * (n - 3) + [None, "not a date", ""]
    with pytest.warns(TopicLensWarning, match=r"2 document\(s\) without a timestamp and 1 whose timestamp did not "
                      r"parse \(e.g. 'not a date'\)"):
        table = changelog_model.topics_over_time(freq="month", timestamps=times)
    assert table["documents"].sum() == n - 3 and (table.attrs["missing"], table.attrs["unparsed"]) == (2, 1)
    with pytest.raises(ConfigError, match="no field 'date'.*time_field="):
        changelog_model.topics_over_time(time_field="date")
    with pytest.raises(ConfigError, match="3 timestamps for"):
        changelog_model.topics_over_time(timestamps=["2020"] * 3)
    with pytest.raises(ConfigError, match="tuning must be"):
        changelog_model.topics_over_time(tuning=2)


def test_classes_sum_to_their_documents_and_one_value_is_warned(changelog_model, changelog_file):
    table = changelog_model.topics_per_class("urgency")
    sizes = pd.Series([r["urgency"] for r in _records(changelog_file)]).value_counts()
    assert table.groupby("class")["documents"].sum().to_dict() == sizes.to_dict()
    with pytest.warns(TopicLensWarning, match="one value"):
        single = changelog_model.topics_per_class(["same"] * len(changelog_model.topics_))
    assert list(single["class"].unique()) == ["same"]
    with pytest.raises(ConfigError, match="no field 'section'"):
        changelog_model.topics_per_class("section")


def test_tables_survive_save_and_load(changelog_model, tmp_path):
    loaded = TopicModel.load(changelog_model.save(tmp_path / "model"), verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd.testing.assert_frame_equal(loaded.topics_over_time(bins=6), changelog_model.topics_over_time(bins=6))
        pd.testing.assert_frame_equal(loaded.topics_per_class("distribution"),
                                      changelog_model.topics_per_class("distribution"))


def test_charts_show_the_largest_topics_with_escaped_labels(changelog_model):
    model = _copy(changelog_model)
    largest = max(model.topic_ids_, key=lambda t: model.topic_sizes_[model.topic_ids_.index(t)])
    model.set_labels({largest: '<img src=x onerror="alert(1)">'}, inplace=True)
    fig = model.over_time_chart(freq="year", top_n=3)
    assert len(fig.data) == 3 and fig.data[0].name.startswith(f"{largest}: &lt;img")
    assert "<img" not in json.dumps(fig.to_plotly_json(), default=str)
    bars = model.per_class_chart("urgency", top_n=2)
    total = np.sum([np.asarray(trace.x, dtype=float) for trace in bars.data], axis=0)
    assert len(bars.data) == 3 and np.allclose(total, 1.0)  # two topics and the rest make each class whole


def test_cli_over_time_and_per_class(changelog_model, tmp_path, capsys):
    directory = changelog_model.save(tmp_path / "model")
    assert main(["over-time", str(directory), "--freq", "year", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert sum(row["documents"] for row in out["rows"]) == out["documents"] == len(changelog_model.topics_)
    assert main(["per-class", str(directory), "--field", "urgency", "--top", "2", "--chart",
                 str(tmp_path / "chart.html")]) == 0
    text = capsys.readouterr().out
    assert "3 classes" in text and (tmp_path / "chart.html").stat().st_size > 100_000
    assert main(["over-time", str(directory), "--time-field", "when"]) == 2
    assert "no field 'when'" in capsys.readouterr().err
    hostile = _copy(changelog_model)
    hostile.set_labels({hostile.topic_ids_[0]: '=HYPERLINK("http://x")'}, inplace=True)
    assert main(["per-class", str(hostile.save(tmp_path / "hostile")), "--field", "urgency", "--csv"]) == 0
    out = capsys.readouterr().out
    assert "'=HYPERLINK" in out and ',"=HYPERLINK' not in out  # a spreadsheet shows it as text


def _copy(model):
    import copy

    twin = copy.copy(model)  # its in-place operations leave the fixture as it is
    return twin
