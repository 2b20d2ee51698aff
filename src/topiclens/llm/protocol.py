"""What an LLM backend is: the protocol every backend speaks, its generation settings, and the ``Backend``
declaration by which the registry finds it. Imports nothing heavy, so the command line can list the backends
at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Protocol, runtime_checkable


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


@dataclass(frozen=True)
class LLMOptions:
    """What a backend may be built with; each backend takes the options that apply to it."""

    threads: int | None = None
    n_ctx: int = 4096
    chat_format: str | None = None
    api_key_env: str | None = None
    concurrency: int = 4
    timeout: float = 60.0
    max_retries: int = 5
    verbose: bool = False  # a local model says on stderr that it is loading (it takes seconds)


@dataclass(frozen=True)
class Backend:
    """A kind of LLM that a spec string ``PREFIX:REST`` names.

    A module of ``topiclens.llm`` that defines ``BACKEND = Backend(...)`` is found by ``llm.registry``: the
    spec check, ``make_llm``, the command line's help and the error messages all read it there, so a new
    backend is one file.

    Attributes
    ----------
    prefix : str
        What comes before the colon (``"llama-cpp"``).
    form : str
        How a spec is written, shown in help texts and errors (``"llama-cpp:PATH.gguf"``).
    build : callable
        ``build(rest, options)``: the LLM object; heavy libraries are imported here, not at import.
    accepts : callable
        ``accepts(rest)``: whether the part after the colon is well formed; nothing is loaded or contacted.
    """

    prefix: str
    form: str
    build: Callable[[str, LLMOptions], LLM]
    accepts: Callable[[str], bool] = bool
