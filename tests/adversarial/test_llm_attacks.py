"""Hostile and broken LLM servers on 127.0.0.1: the key stays where it was sent, answers stay text, no hang."""

from __future__ import annotations

import time

import pytest

from servers import MisbehavingServer, free_port
from topiclens import LLMLabeler
from topiclens.labeling.clean import clean_label
from topiclens.labeling.engine import TopicLabeler
from topiclens.llm.base import GenerationParams, LLMError, LLMUnavailable
from topiclens.llm.openai_compat import OpenAICompatLLM
from topiclens.stages.protocols import TopicEvidence

MESSAGES = [{"role": "user", "content": "It is described by these keywords: rust, cargo, crate.\nBased on"}]
SECRET = "sk-the-users-secret-123"


@pytest.fixture
def servers(monkeypatch):
    """Two servers: the one the user named, and another origin that records what reaches it."""
    monkeypatch.setenv("ATTACK_KEY", SECRET)
    routes = {"away": ("redirect", 99), "home": ("redirect", 99), "echo": ("echo400", 99), "trickle": ("trickle", 99),
              "huge": ("huge", 99), "evil": ("evil", 99), "ok": ("ok", 0)}
    with MisbehavingServer(routes) as named, MisbehavingServer({"ok": ("ok", 0)}) as other:
        yield named, other


def client(url: str, **kwargs) -> OpenAICompatLLM:
    return OpenAICompatLLM("m", url, **{"api_key_env": "ATTACK_KEY", "timeout": 3.0, "max_retries": 1,
                                        "backoff": 0.01, **kwargs})


@pytest.mark.parametrize("status", [302, 307])
def test_a_redirect_to_another_origin_is_refused_and_gets_no_key(servers, status):
    """Regression: a 302 to another origin received the Authorization header."""
    named, other = servers
    named.redirect_status = status
    named.redirect_target = other.url("ok") + "/chat/completions"
    with pytest.raises(LLMUnavailable, match="redirected the request to another address") as caught:
        client(named.url("away")).complete(MESSAGES, GenerationParams())
    assert other.attempts == {} and other.headers_seen == []
    assert SECRET not in str(caught.value)


def test_a_redirect_on_the_same_origin_is_followed(servers):
    named, _ = servers
    named.redirect_target = named.url("ok") + "/chat/completions"
    assert client(named.url("home")).complete(MESSAGES, GenerationParams()) == "Rust things"
    assert any(h.get("Authorization") == f"Bearer {SECRET}" for h in named.headers_seen)


def test_a_server_echoing_the_key_never_gets_it_printed(servers, recwarn):
    named, _ = servers
    with pytest.raises(LLMError) as caught:
        client(named.url("echo")).complete(MESSAGES, GenerationParams())
    assert SECRET not in str(caught.value) and "[API key]" in str(caught.value)
    labels, stats = TopicLabeler(client(named.url("echo")), cache=False, verbose=False).label(
        [TopicEvidence(["a document"], ["rust", "cargo"], "rust, cargo")])
    assert labels == ["rust, cargo"] and stats.fallbacks == 1
    assert all(SECRET not in str(w.message) for w in recwarn.list) and recwarn.list


def test_a_trickling_server_is_cut_off_at_the_total_deadline(servers):
    """Regression: the timeout bounded each read, so a byte every 0.5 s kept a 5 s request going for minutes."""
    named, _ = servers
    start = time.monotonic()
    with pytest.raises(LLMError, match="no complete answer within 2 s after 1 attempts"):
        client(named.url("trickle"), timeout=2.0, max_retries=0).complete(MESSAGES, GenerationParams())
    assert time.monotonic() - start < 6


def test_a_huge_answer_is_not_read_whole(servers):
    named, _ = servers
    with pytest.raises(LLMError, match="answer longer than 1,048,576 bytes"):
        client(named.url("huge"), max_retries=0).complete(MESSAGES, GenerationParams())


def test_escape_sequences_and_bidi_overrides_never_reach_a_label(servers, tmp_path):
    named, _ = servers
    answer = client(named.url("evil")).complete(MESSAGES, GenerationParams())
    assert "\x1b" in answer and "\u202e" in answer  # the server did send them
    label = clean_label(answer)
    assert label == "Rust crates tools"
    assert clean_label("Rust " * 2_000_000) == "Rust Rust Rust Rust Rust Rust Rust Rust"
    assert len(clean_label("x" * 500)) == 80


def test_answers_are_cached_per_server(fitted, tmp_path, servers):
    """Regression: the cache key left out the address, so a dead server 'answered' from the cache."""
    import copy

    named, _ = servers
    model = copy.deepcopy(fitted).set_params(cache=str(tmp_path), verbose=False)
    first = model.label_topics(LLMLabeler(f"openai:m@{named.url('ok')}"), inplace=True).label_stats_
    assert first["llm_calls"] >= len(model.topic_ids_)
    dead = f"openai:m@http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(LLMUnavailable, match="cannot reach"):
        model.label_topics(LLMLabeler(dead), inplace=True)
