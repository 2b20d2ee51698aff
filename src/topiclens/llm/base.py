"""One LLM interface for every backend: the protocol, its errors and the generation settings.

The spec strings that pick a backend are read in ``llm.registry``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Protocol, runtime_checkable

from ..errors import TopicLensError


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
