"""The LLM layer's errors; the protocol every backend speaks and its generation settings.

``LLM`` and ``GenerationParams`` are declared with the other protocols in ``stages.protocols``
and re-exported here; the spec strings that pick a backend are read in ``llm.registry``.
"""

from __future__ import annotations

from ..errors import TopicLensError
from ..stages.protocols import LLM, GenerationParams

__all__ = ["LLM", "GenerationParams", "LLMError", "LLMUnavailable"]


class LLMError(TopicLensError):
    """An LLM call failed for one prompt (bad answer, server error after retries)."""


class LLMUnavailable(LLMError):
    """The backend cannot be used at all (unreachable server, rejected key, missing model)."""
