"""The OpenAI-compatible backend against real loopback servers that misbehave on purpose."""

from __future__ import annotations

import time

import pytest

from servers import MisbehavingServer, free_port
from topiclens import LLMLabeler, TopicLensWarning
from topiclens.llm.base import GenerationParams, LLMError, LLMUnavailable
from topiclens.llm.openai_compat import OpenAICompatLLM

MESSAGES = [{"role": "user", "content": "It is described by these keywords: rust, cargo, crate.\nBased on"}]
PARAMS = GenerationParams()


def client(url: str, **kwargs) -> OpenAICompatLLM:
    settings = dict(timeout=5.0, max_retries=3, backoff=0.05)
    settings.update(kwargs)
    return OpenAICompatLLM("test-model", url, **settings)


@pytest.fixture
def server():
    routes = {"r429": ("429", 2), "r500": ("500", 1), "hang": ("hang", 1), "malformed": ("malformed", 1),
              "drop": ("drop", 1), "always500": ("500", 99), "r401": ("401", 99), "slow": ("slow", 999),
              "ok": ("ok", 0)}
    with MisbehavingServer(routes, hang_seconds=2.0) as running:
        yield running


def test_429_is_retried_after_retry_after(server):
    assert client(server.url("r429")).complete(MESSAGES, PARAMS) == "Rust things"
    assert server.attempts["r429"] == 3
    gaps = [b - a for a, b in zip(server.times["r429"], server.times["r429"][1:])]
    assert min(gaps) >= 0.95  # Retry-After: 1 is honoured over the 0.05 s backoff


@pytest.mark.parametrize("route", ["r500", "malformed", "drop"])
def test_transient_failures_are_retried(server, route):
    assert client(server.url(route)).complete(MESSAGES, PARAMS) == "Rust things"
    assert server.attempts[route] == 2


def test_a_hanging_server_times_out_and_is_retried(server):
    llm = client(server.url("hang"), timeout=0.5)
    start = time.monotonic()
    assert llm.complete(MESSAGES, PARAMS) == "Rust things"
    assert server.attempts["hang"] == 2
    assert time.monotonic() - start < 2.0


def test_persistent_errors_give_up_with_a_clear_message(server):
    with pytest.raises(LLMError, match=r"HTTP 500 after 4 attempts"):
        client(server.url("always500")).complete(MESSAGES, PARAMS)
    assert server.attempts["always500"] == 4


def test_401_fails_at_once(server):
    with pytest.raises(LLMUnavailable, match=r"refused the request \(401"):
        client(server.url("r401"), api_key_env=None).complete(MESSAGES, PARAMS)
    assert server.attempts["r401"] == 1


def test_unreachable_server_fails_fast():
    llm = client(f"http://127.0.0.1:{free_port()}/v1")
    start = time.monotonic()
    with pytest.raises(LLMUnavailable, match="cannot reach .* is the server running"):
        llm.complete(MESSAGES, PARAMS)
    assert time.monotonic() - start < 2.0


def test_missing_key_variable_is_named(monkeypatch):
    monkeypatch.delenv("TOPICLENS_TEST_KEY", raising=False)
    with pytest.raises(LLMUnavailable, match=r"\$TOPICLENS_TEST_KEY is not set"):
        client("http://127.0.0.1:9/v1", api_key_env="TOPICLENS_TEST_KEY")


def test_key_is_sent_but_never_saved(server, fitted, tmp_path, monkeypatch):
    import copy

    monkeypatch.setenv("TOPICLENS_TEST_KEY", "sk-very-secret-value")
    model = copy.deepcopy(fitted)
    model.cache = str(tmp_path)
    model.label_topics(LLMLabeler(f"openai:test-model@{server.url('ok')}", api_key_env="TOPICLENS_TEST_KEY"),
                       inplace=True)
    assert any(h.get("Authorization") == "Bearer sk-very-secret-value" for h in server.headers_seen)
    saved = model.save(tmp_path / "model")
    for path in saved.rglob("*"):
        assert path.is_dir() or b"sk-very-secret-value" not in path.read_bytes()
    assert b"sk-very-secret-value" not in (tmp_path / "llm-answers.sqlite").read_bytes()


def test_labels_come_concurrently_once_per_topic_and_then_from_cache(server, fitted, tmp_path):
    import copy

    model = copy.deepcopy(fitted)
    model.cache = str(tmp_path)
    n = len(model.topic_ids_)
    labeler = LLMLabeler(f"openai:test-model@{server.url('slow')}", concurrency=4)
    stats = model.label_topics(labeler, inplace=True).label_stats_
    assert stats["llm_calls"] == n + stats["reasked"] + stats.get("groups", 0) and stats["cached"] == 0
    assert server.max_in_flight >= 2
    labels = model.topic_info().query("topic >= 0")["llm"].tolist()
    assert all(labels) and len({lab.casefold() for lab in labels}) == n
    first = server.attempts["slow"]
    again = copy.deepcopy(fitted)
    again.cache = str(tmp_path)
    stats = again.label_topics(f"openai:test-model@{server.url('slow')}", inplace=True).label_stats_
    assert stats["llm_calls"] == 0 and stats["cached"] >= n
    assert server.attempts["slow"] == first
    assert again.labels_ == model.labels_


def test_failed_topics_fall_back_to_keywords(server):
    from topiclens.labeling.engine import TopicLabeler
    from topiclens.stages.protocols import TopicEvidence

    llm = client(server.url("always500"), max_retries=1)
    prompts = [TopicEvidence(["a document"], ["alpha", "beta"], "alpha, beta")]
    with pytest.warns(TopicLensWarning, match="1 LLM call"):
        labels, stats = TopicLabeler(llm, cache=False, verbose=False).label(prompts)
    assert labels == ["alpha, beta"] and stats.fallbacks == 1


def test_fit_with_a_dead_server_keeps_the_fitted_model(records, embeddings, tmp_path, capsys):
    import json

    import numpy as np

    from topiclens.apps.cli import main

    corpus = tmp_path / "docs.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    np.save(tmp_path / "emb.npy", embeddings)
    out = tmp_path / "model"
    code = main(["fit", str(corpus), "--out", str(out), "--embeddings", str(tmp_path / "emb.npy"), "--quiet",
                 "--llm", f"openai:m@http://127.0.0.1:{free_port()}/v1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "cannot reach" in err and "saved with keyword labels" in err and err.count("\n") == 1
    assert (out / "topiclens.json").exists()
