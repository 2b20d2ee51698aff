"""The spec strings that pick an LLM backend, checked without building anything.

Specs: a bundled model name (``qwen2.5-coder-1.5b``, the default; ``qwen2.5-coder-0.5b``; ``smollm2-135m``) or
``PREFIX:REST`` for a backend: every module of this package that declares ``BACKEND`` (a
:class:`~topiclens.llm.base.Backend`) is one (``llama-cpp:PATH.gguf``, ``hf:DIR``, ``openai:MODEL@BASE_URL``).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path

from ..core.choices import BUNDLED_LLMS, DEFAULT_LLM
from ..core.errors import ConfigError, require_installed
from .base import LLM, Backend, LLMOptions


@functools.cache
def backends() -> dict[str, Backend]:
    """Every backend by prefix: the ``BACKEND`` of each module of ``topiclens.llm`` that has one.

    The modules import their heavy libraries (llama-cpp-python, transformers) only when a model is built,
    so finding them costs little.
    """
    found: dict[str, Backend] = {}
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        backend = getattr(importlib.import_module(f"{__package__}.{module.name}"), "BACKEND", None)
        if isinstance(backend, Backend):
            found[backend.prefix] = backend
    return found


def spec_forms() -> str:
    """How each backend's spec is written, for help texts and errors: 'hf:DIR, ... or openai:MODEL@BASE_URL'."""
    forms = [backend.form for backend in backends().values()]
    return forms[0] if len(forms) == 1 else f"{', '.join(forms[:-1])} or {forms[-1]}"


def parse_llm_spec(spec: str) -> tuple[str, str]:
    """(kind, rest) of a spec string: ('bundled', name), or (a backend's prefix, what follows the colon).

    Raises ConfigError naming the accepted forms; nothing is loaded or contacted.
    """
    if spec in ("default", "bundled"):
        return "bundled", DEFAULT_LLM
    if spec in BUNDLED_LLMS:
        return "bundled", spec
    kind, _, rest = spec.partition(":")
    backend = backends().get(kind)
    if backend is not None and rest and backend.accepts(rest):
        return kind, rest
    raise ConfigError(f"unknown LLM spec {spec!r}: use {spec_forms()}, or one of {', '.join(BUNDLED_LLMS)}")


def require_backend(kind: str) -> None:
    """The one-line error naming the extra of a backend whose library is not installed, before anything is built
    (a bundled model is assembled, a corpus is read): llama.cpp for bundled and llama-cpp specs."""
    if kind in ("bundled", "llama-cpp"):
        require_installed("llama_cpp", "llm", "local GGUF models")


def make_llm(spec: str | LLM, *, threads: int | None = None, n_ctx: int = 4096, chat_format: str | None = None,
             api_key_env: str | None = None, concurrency: int = 4, timeout: float = 60.0,
             max_retries: int = 5, verbose: bool = False) -> LLM:
    """Build the backend a spec string names (an LLM object passes through); ``verbose``: a local model says on
    stderr when it starts loading."""
    if not isinstance(spec, str):
        if isinstance(spec, LLM):
            return spec
        raise ConfigError(f"llm must be a spec string or an LLM object, not {type(spec).__name__}")
    kind, rest = parse_llm_spec(spec)
    options = LLMOptions(threads=threads, n_ctx=n_ctx, chat_format=chat_format, api_key_env=api_key_env,
                         concurrency=concurrency, timeout=timeout, max_retries=max_retries, verbose=verbose)
    require_backend(kind)
    if kind == "bundled":
        from .bundled import bundled_llm

        return bundled_llm(rest, options)
    return backends()[kind].build(rest, options)
