"""The spec strings that pick an LLM backend, checked without building anything.

Specs: ``llama-cpp:PATH.gguf``, ``hf:DIR``, ``openai:MODEL@BASE_URL``, or a bundled model
name (``qwen2.5-coder-1.5b``, the default; ``qwen2.5-coder-0.5b``; ``smollm2-135m``).
"""

from __future__ import annotations

from ..choices import BUNDLED_LLMS, DEFAULT_LLM
from ..errors import ConfigError
from .base import LLM


def parse_llm_spec(spec: str) -> tuple[str, str]:
    """(kind, rest) of a spec string: ('bundled', name), ('llama-cpp', path), ('hf', dir) or ('openai', 'MODEL@URL').

    Raises ConfigError naming the accepted forms; nothing is loaded or contacted.
    """
    if spec in ("default", "bundled"):
        return "bundled", DEFAULT_LLM
    if spec in BUNDLED_LLMS:
        return "bundled", spec
    kind, _, rest = spec.partition(":")
    if (kind in ("llama-cpp", "hf") and rest) or (kind == "openai" and "@" in rest):
        return kind, rest
    raise ConfigError(
        f"unknown LLM spec {spec!r}: use llama-cpp:PATH.gguf, hf:DIR, openai:MODEL@BASE_URL "
        f"or one of {', '.join(BUNDLED_LLMS)}"
    )


def make_llm(spec: str | LLM, *, threads: int | None = None, n_ctx: int = 4096, chat_format: str | None = None,
             api_key_env: str | None = None, concurrency: int = 4, timeout: float = 60.0,
             max_retries: int = 5) -> LLM:
    """Build the backend a spec string names (an LLM object passes through)."""
    if not isinstance(spec, str):
        if isinstance(spec, LLM):
            return spec
        raise ConfigError(f"llm must be a spec string or an LLM object, not {type(spec).__name__}")
    kind, rest = parse_llm_spec(spec)
    # Each backend is imported only when named: llama-cpp-python and transformers are heavy and optional.
    if kind == "bundled":
        from .bundled import bundled_model_path
        from .llamacpp import LlamaCppLLM

        fmt = chat_format or ("few-shot" if rest == "smollm2-135m" else None)
        return LlamaCppLLM(bundled_model_path(rest), threads=threads, n_ctx=n_ctx, chat_format=fmt, name=rest)
    if kind == "llama-cpp":
        from .llamacpp import LlamaCppLLM

        return LlamaCppLLM(rest, threads=threads, n_ctx=n_ctx, chat_format=chat_format)
    if kind == "hf":
        from .hf import TransformersLLM

        return TransformersLLM(rest, threads=threads, chat_format=chat_format)
    from .openai_compat import OpenAICompatLLM

    model, _, base_url = rest.partition("@")
    return OpenAICompatLLM(model, base_url, api_key_env=api_key_env, concurrency=concurrency,
                           timeout=timeout, max_retries=max_retries)
