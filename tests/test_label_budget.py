"""Cost control: a dry run that makes no call and counts what a real run makes; labeling some topics; a call limit."""

from __future__ import annotations

import copy
import sqlite3

import pytest

from servers import MisbehavingServer
from topiclens import ConfigError, LLMLabeler

LOCAL = "qwen2.5-coder-0.5b"


def _answers_in(cache_dir) -> int:
    path = cache_dir / "llm-answers.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]


def test_a_dry_run_makes_no_call_and_counts_the_calls_a_real_run_makes(five_topics, tmp_path):
    model = copy.deepcopy(five_topics).set_params(cache=str(tmp_path), verbose=False)
    before = list(model.labels_)
    plan = model.plan_labels(LOCAL)
    assert plan["calls"] == 5 and plan["cached"] == 0 and plan["skipped"] == 0
    assert plan["tokens_counted_by"] == "the model's tokenizer" and plan["prompt_tokens"] > 5 * 100
    assert plan["seconds_estimate"] is not None and plan["seconds_estimate"] > 0
    assert _answers_in(tmp_path) == 0 and model.labels_ == before  # nothing asked, nothing stored or changed
    stats = model.label_topics(LOCAL, inplace=True).label_stats_
    assert stats["llm_calls"] == plan["calls"] + stats["reasked"] + stats.get("groups", 0)
    assert stats.get("groups", 0) <= plan["group_calls_at_most"] == 0  # joint disambiguation is off by default
    assert model.plan_labels(LLMLabeler(LOCAL, disambiguate=0.5))["group_calls_at_most"] == 2
    assert _answers_in(tmp_path) == stats["llm_calls"]
    again = model.plan_labels(LOCAL)
    assert again["calls"] == 0 and again["cached"] == 5 and again["seconds_estimate"] is None


def test_labeling_some_topics_keeps_the_others_and_stays_distinct_from_them(five_topics, tmp_path):
    model = copy.deepcopy(five_topics).set_params(cache=str(tmp_path), verbose=False)
    model.set_labels({0: "Hand label zero", 2: "Hand label two", 4: "Hand label four"}, inplace=True)
    before = list(model.labels_)
    stats = model.label_topics(LOCAL, topics=[3, 1], inplace=True).label_stats_
    assert stats["llm_calls"] + stats["cached"] >= 2 and stats["skipped"] == 0
    assert [model.labels_[t] for t in (0, 2, 4)] == [before[t] for t in (0, 2, 4)]
    assert model.labels_[1] != before[1] and model.labels_[3] != before[3]
    assert model.llm_labels_[0] == "" and model.llm_labels_[1] == model.labels_[1]
    assert len({label.casefold() for label in model.labels_}) == 5
    with pytest.raises(ConfigError, match="no topic 9"):
        model.label_topics(LOCAL, topics=[9], inplace=True)


def test_a_call_limit_labels_the_largest_topics_and_the_rest_keep_their_labels(five_topics, tmp_path):
    model = copy.deepcopy(five_topics).set_params(cache=str(tmp_path), verbose=False)
    before = list(model.labels_)
    plan = model.plan_labels(LOCAL, max_calls=2)
    assert (plan["calls"], plan["skipped"]) == (2, 3)
    stats = model.label_topics(LOCAL, max_calls=2, inplace=True).label_stats_
    assert stats["llm_calls"] <= 2 and stats["skipped"] == 3
    assert model.labels_[2:] == before[2:]
    assert model.labels_[0] == model.llm_labels_[0] != before[0]
    with pytest.raises(ConfigError, match="max_calls=-1"):
        model.label_topics(LOCAL, max_calls=-1, inplace=True)


def test_a_remote_dry_run_prices_the_prompt_tokens(five_topics, tmp_path):
    model = copy.deepcopy(five_topics).set_params(cache=str(tmp_path), verbose=False)
    with MisbehavingServer({"ok": ("ok", 0)}) as server:
        plan = model.plan_labels(LLMLabeler(f"openai:m@{server.url('ok')}"), price_per_1k_tokens=0.5)
        assert server.attempts.get("ok", 0) == 0
    assert plan["calls"] == 5 and plan["tokens_counted_by"].startswith("an estimate")
    assert plan["cost_estimate"] == round(plan["prompt_tokens"] / 1000 * 0.5, 4) > 0
    assert plan["seconds_estimate"] is None


def test_the_label_command_dry_run_prints_the_plan_and_changes_nothing(five_topics, tmp_path, capsys):
    import json

    from topiclens.apps.cli import main

    directory = five_topics.save(tmp_path / "model")
    manifest = (directory / "topiclens.json").read_bytes()
    assert main(["label", str(directory), "--llm", LOCAL, "--dry-run", "--json", "--threads", "1",
                 "--max-calls", "3"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["calls"] == 3 and plan["skipped"] == 2
    assert (directory / "topiclens.json").read_bytes() == manifest
    assert main(["label", str(directory), "--llm", LOCAL, "--dry-run", "--threads", "1"]) == 0
    assert capsys.readouterr().out.startswith("dry run, no LLM call made: 5 LLM call(s)")


def test_the_documents_each_label_was_written_from_are_recorded_and_saved(five_topics, tmp_path):
    """Issue 13: record which documents each prompt used, so a user can see why a label says what it says."""
    from topiclens import TopicModel

    model = copy.deepcopy(five_topics).set_params(cache=str(tmp_path), verbose=False)
    assert model.label_evidence_ is None
    model.label_topics(LLMLabeler(LOCAL, evidence="diverse", n_docs=4, keyword_source="both"), topics=[0, 1],
                       inplace=True)
    shown = model.label_evidence_
    assert [len(rows) for rows in shown] == [4, 4, 0, 0, 0]
    for topic in (0, 1):
        assert all(model.topics_[row] == topic for row in shown[topic])
        assert shown[topic][0] == model.representative_docs_[topic][0]  # the most central document leads
    loaded = TopicModel.load(model.save(tmp_path / "m"), verbose=False)
    assert loaded.label_evidence_ == shown
    nearest = copy.deepcopy(five_topics).set_params(cache=str(tmp_path), verbose=False)
    nearest.label_topics(LLMLabeler(LOCAL, n_docs=3, evidence="nearest"), topics=[0], inplace=True)
    assert nearest.label_evidence_[0] == nearest.representative_docs_[0][:3]
    parts = copy.deepcopy(five_topics).set_params(cache=str(tmp_path), verbose=False)
    parts.label_topics(LLMLabeler(LOCAL, n_docs=3, evidence="parts"), topics=[0],  # one from each of 3 parts
                       inplace=True)
    assert len(set(parts.label_evidence_[0])) == 3 and all(parts.topics_[r] == 0 for r in parts.label_evidence_[0])


def test_descriptions_are_written_cached_saved_and_shown(five_topics, tmp_path, capsys, monkeypatch):
    """Issue 13: one or two sentences per topic, cached, counted and resumable like labels."""
    import json

    from topiclens import TopicModel
    from topiclens.apps.cli import main

    model = copy.deepcopy(five_topics).set_params(cache=str(tmp_path / "cache"), verbose=False)
    assert model.descriptions_ is None
    stats = model.label_topics(LLMLabeler(LOCAL, describe=True), max_calls=7, inplace=True).label_stats_
    # five labels, one call more for each label asked again (empty, repeated or in another script)
    assert stats["llm_calls"] <= 5 + stats["reasked"] and stats["described"] == min(5, 7 - stats["llm_calls"])
    described = [text for text in model.descriptions_ if text]
    assert len(described) >= stats["described"] - 1  # an answer with no usable sentence stays ''
    assert all(len(text) <= 400 and "\n" not in text for text in described)
    # the same prompts: answers from the cache, the rest asked now
    again = model.describe_topics(LOCAL, inplace=True).label_stats_
    assert again["cached"] >= stats["described"] and again["llm_calls"] == 5 - again["cached"]
    assert all(model.descriptions_)
    info = model.topic_info().query("topic >= 0")
    assert info["description"].tolist() == model.descriptions_
    directory = model.save(tmp_path / "m")
    assert TopicModel.load(directory).descriptions_ == model.descriptions_
    assert main(["info", str(directory), "--topic", "0"]) == 0
    assert f"about:     {model.descriptions_[0]}" in capsys.readouterr().out
    report = model.report(tmp_path / "r.html").read_text(encoding="utf-8")
    assert json.dumps(model.descriptions_[0], ensure_ascii=False)[1:-1] in report
    monkeypatch.setenv("TOPICLENS_CACHE", str(tmp_path / "cache"))  # the command line's cache: the same answers
    assert main(["describe", str(directory), "--llm", LOCAL, "--threads", "1", "--quiet", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["llm_calls"] == 0 and printed["descriptions"] == model.descriptions_


def test_more_keywords_than_the_model_keeps_come_from_the_ctfidf_weights(five_topics, tmp_path):
    model = copy.deepcopy(five_topics).set_params(cache=str(tmp_path), verbose=False)
    ten = model.plan_labels(LLMLabeler(LOCAL))["prompt_tokens"]
    thirty = model.plan_labels(LLMLabeler(LOCAL, n_keywords=30))["prompt_tokens"]
    assert thirty > ten + 5 * 15  # at least 20 more words in each of the 5 prompts, a token or more each
