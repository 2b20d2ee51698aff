"""One LLM interface for every backend, and the spec strings that pick one.

Specs: ``llama-cpp:PATH.gguf``, ``hf:DIR``, ``openai:MODEL@BASE_URL``, or a bundled model
name (``qwen2.5-coder-1.5b``, the default; ``qwen2.5-coder-0.5b``; ``smollm2-135m``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Protocol, runtime_checkable

from ..errors import ConfigError, TopicLensError


class LLMError(TopicLensError):
    """An LLM call failed for one prompt (bad answer, server error after retries)."""


class LLMUnavailable(LLMError):
    """The backend cannot be used at all (unreachable server, rejected key, missing model)."""


@dataclass(frozen=True)
class GenerationParams:
    """Sampling settings; part of every cache key."""

    max_tokens: int = 24
    temperature: float = 0.0
    seed: int = 42
    stop: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {**asdict(self), "stop": list(self.stop)}


@runtime_checkable
class LLM(Protocol):
    """``complete(messages, params) -> str``; ``backend`` and ``model`` name it in the cache."""

    backend: str
    model: str
    concurrency: int

    def complete(self, messages: list[dict[str, str]], params: GenerationParams) -> str: ...


BUNDLED_NAMES = ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m")
DEFAULT_LLM = "qwen2.5-coder-1.5b"


def make_llm(spec: str | LLM, *, threads: int | None = None, n_ctx: int = 4096, chat_format: str | None = None,
             api_key_env: str | None = None, concurrency: int = 4, timeout: float = 60.0,
             max_retries: int = 5) -> LLM:
    """Build the backend a spec string names (an LLM object passes through)."""
    if not isinstance(spec, str):
        if isinstance(spec, LLM):
            return spec
        raise ConfigError(f"llm must be a spec string or an LLM object, not {type(spec).__name__}")
    kind, _, rest = spec.partition(":")
    if spec in ("default", "bundled") or spec in BUNDLED_NAMES:
        from .bundled import bundled_model_path

        name = DEFAULT_LLM if spec in ("default", "bundled") else spec
        from .llamacpp import LlamaCppLLM

        fmt = chat_format or ("few-shot" if name == "smollm2-135m" else None)
        return LlamaCppLLM(bundled_model_path(name), threads=threads, n_ctx=n_ctx, chat_format=fmt, name=name)
    if kind == "llama-cpp" and rest:
        from .llamacpp import LlamaCppLLM

        return LlamaCppLLM(rest, threads=threads, n_ctx=n_ctx, chat_format=chat_format)
    if kind == "hf" and rest:
        from .hf import TransformersLLM

        return TransformersLLM(rest, threads=threads, chat_format=chat_format)
    if kind == "openai" and "@" in rest:
        from .openai_compat import OpenAICompatLLM

        model, _, base_url = rest.partition("@")
        return OpenAICompatLLM(model, base_url, api_key_env=api_key_env, concurrency=concurrency,
                               timeout=timeout, max_retries=max_retries)
    raise ConfigError(
        f"unknown LLM spec {spec!r}: use llama-cpp:PATH.gguf, hf:DIR, openai:MODEL@BASE_URL "
        f"or one of {', '.join(BUNDLED_NAMES)}"
    )
