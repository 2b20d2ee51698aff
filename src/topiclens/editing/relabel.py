"""Who names the topics an edit changes, and which labels still wait for a name.

After an edit, a changed topic is named by the labeler given, else by the model's ``labeler``, else,
on a model whose labels a bundled LLM wrote (``llm_name_`` such as ``llama-cpp:qwen2.5-coder-1.5b``),
by that same bundled model: a loaded model never silently swaps an LLM label for a keyword string.
Where no LLM is at hand (``labeler=False``, or labels from a server or a file), the changed topics
keep a keyword label that is marked as waiting for a name (``label_waiting`` in the model's state, until
a labeler or ``set_labels`` names them) and a one-line note says how to name them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.choices import BUNDLED_LLMS


def bundled_name(llm_name: str | None) -> str | None:
    """The bundled model that wrote a model's labels (``llm_name_`` 'llama-cpp:qwen2.5-coder-1.5b'), else None."""
    backend, _, model = (llm_name or "").partition(":")
    return model if backend == "llama-cpp" and model in BUNDLED_LLMS else None


def edit_labeler(given: Any, own: Any, llm_name: str | None) -> Any:
    """The labeler for the topics an edit changes: ``given`` (False: none), else the model's own, else the
    bundled model that wrote its labels, else None."""
    if given is False:
        return None
    if given is not None:
        return given
    if own is not None:
        return own
    return bundled_name(llm_name)


def naming_note(topics: Sequence[int]) -> str:
    """One line saying which topics wait for a name and how to give them one."""
    shown = " ".join(str(t) for t in topics)
    return (f"{len(topics)} changed topic(s) have keyword labels until an LLM names them (topics {shown}): "
            f"model = model.label_topics(labeler=..., topics=[{', '.join(str(t) for t in topics)}]), or on the "
            f"command line topiclens label DIR --topics {','.join(str(t) for t in topics)}")
