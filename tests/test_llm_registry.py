"""LLM backends are declared once, in their own module, and every entry point reads that declaration."""

from __future__ import annotations

import pytest

from topiclens import ConfigError, LLMLabeler
from topiclens.apps.cli import main
from topiclens.llm.base import Backend, GenerationParams
from topiclens.llm.registry import backends, make_llm, parse_llm_spec, spec_forms


def test_the_backends_are_found_in_their_modules():
    assert {prefix: backend.form for prefix, backend in backends().items()} == {
        "hf": "hf:DIR", "llama-cpp": "llama-cpp:PATH.gguf", "openai": "openai:MODEL@BASE_URL"}
    assert spec_forms() == "hf:DIR, llama-cpp:PATH.gguf or openai:MODEL@BASE_URL"
    assert parse_llm_spec("openai:m@http://127.0.0.1:1/v1") == ("openai", "m@http://127.0.0.1:1/v1")
    for bad in ("openai:m", "hf:", "llama-cpp", "gpt:4"):
        with pytest.raises(ConfigError, match=f"unknown LLM spec '{bad}': use hf:DIR, llama-cpp:PATH.gguf or openai"):
            parse_llm_spec(bad)


class Shout:
    """A backend a test adds: answers with its word in capitals."""

    backend, concurrency = "shout", 1

    def __init__(self, word: str, threads: int | None) -> None:
        self.model, self.threads = word, threads

    def complete(self, messages: list[dict[str, str]], params: GenerationParams) -> str:
        return self.model.upper()


def test_a_new_backend_is_one_declaration_seen_by_the_api_and_the_command_line(monkeypatch, capsys):
    shout = Backend("shout", "shout:WORD", lambda rest, options: Shout(rest, options.threads),
                    accepts=str.isalpha)
    monkeypatch.setitem(backends(), "shout", shout)
    llm = make_llm("shout:hello", threads=3)
    assert isinstance(llm, Shout) and (llm.model, llm.threads) == ("hello", 3)
    assert llm.complete([], GenerationParams()) == "HELLO"
    LLMLabeler("shout:hello").check()
    with pytest.raises(ConfigError, match="shout:WORD"):
        LLMLabeler("shout:hello world").check()
    with pytest.raises(SystemExit):
        main(["label", "--help"])
    assert "shout:WORD" in " ".join(capsys.readouterr().out.split())
