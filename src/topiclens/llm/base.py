"""The LLM layer's errors; the protocol every backend speaks and its generation settings; the one way an answer
leaves the layer (:func:`ask`, :func:`scrub_answer`): with the backend's secret taken out.

``LLM``, ``GenerationParams``, ``Backend`` and ``LLMOptions`` are declared in ``llm.protocol`` (light to import;
``stages.protocols`` shows the first two with the other protocols) and re-exported here; the spec strings that
pick a backend are read in ``llm.registry``, from the ``Backend`` each backend's module declares.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.errors import TopicLensError
from .protocol import LLM, Backend, GenerationParams, LLMOptions

__all__ = ["LLM", "Backend", "GenerationParams", "LLMError", "LLMOptions", "LLMUnavailable", "ask", "loading_message",
           "scrub_answer", "scrub_secret"]

SECRET_MARK = "[API key]"
SHORTEST_SECRET = 4  # a shorter "key" would blank ordinary words: it is left alone


class LLMError(TopicLensError):
    """An LLM call failed for one prompt (bad answer, server error after retries)."""


class LLMUnavailable(LLMError):
    """The backend cannot be used at all (unreachable server, rejected key, missing model)."""


def scrub_secret(text: str, secret: str) -> str:
    """``text`` with ``secret`` (an API key), and its ``Bearer`` form, replaced by ``[API key]``.

    Parameters
    ----------
    text : str
        Anything a server sent back: an answer, an error message.
    secret : str
        The key; one shorter than 4 characters is not looked for.

    Returns
    -------
    str
    """
    if len(secret) < SHORTEST_SECRET or secret not in text:
        return text
    text = re.sub(r"(?i)\bbearer\s+" + re.escape(secret), SECRET_MARK, text)
    return text.replace(secret, SECRET_MARK)


def scrub_answer(llm: LLM, text: str) -> str:
    """``text`` (an answer of ``llm``, fresh or from the cache) without the secret the backend holds.

    A backend with a secret (an API key) names it with a ``secret()`` method; the others have none.

    Parameters
    ----------
    llm : LLM
    text : str

    Returns
    -------
    str
    """
    secret = getattr(llm, "secret", None)
    return scrub_secret(text, secret() if callable(secret) else "")


def ask(llm: LLM, messages: list[dict[str, str]], params: GenerationParams) -> str:
    """``llm``'s answer to ``messages``, scrubbed of its secret before anything cleans, caches or stores it.

    Every answer of every backend is fetched through here: a server that echoes the key it was sent in an
    ordinary answer gets ``[API key]`` into the label, never the key.

    Parameters
    ----------
    llm : LLM
    messages : list of dict
        The chat messages (``role``, ``content``).
    params : GenerationParams

    Returns
    -------
    str
    """
    return scrub_answer(llm, llm.complete(messages, params))


def loading_message(model: str, runner: str, path: Path) -> str:
    """The line said before a local model loads (a pause of seconds with nothing else on the screen).

    Parameters
    ----------
    model : str
        The model's name (``qwen2.5-coder-1.5b``, a file or directory name).
    runner : str
        What runs it: ``llama.cpp``, ``transformers``.
    path : Path
        Its file, or its directory (the size of the files in it is given).

    Returns
    -------
    str
        e.g. ``loading the LLM qwen2.5-coder-1.5b (llama.cpp, 1.1 GB; this takes seconds to a minute)``.
    """
    try:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        total = sum(p.stat().st_size for p in files)
    except OSError:
        total = 0
    size = "" if not total else f", {total / 1e9:.1f} GB" if total >= 1e9 else f", {max(1, round(total / 1e6))} MB"
    return f"loading the LLM {model} ({runner}{size}; this takes seconds to a minute)"
