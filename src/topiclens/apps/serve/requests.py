"""What the browser may ask for, checked before anything runs: one line naming the problem otherwise.

Every value is checked for its type and range here; topic ids are checked against the model by the
model's own methods. Nothing the browser sends ever names a file.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from ...core.errors import ConfigError, TopicLensError
from ...editing.table import EDITS, label_text, topic_list, whole_number

LLM_JOBS = ("label", "describe")
MAX_BODY = 64 * 1024
EXPORTS = {
    "report.html": "text/html; charset=utf-8",
    "documents.csv": "text/csv; charset=utf-8",
    "documents.parquet": "application/vnd.apache.parquet",
    "topics.csv": "text/csv; charset=utf-8",
    "topics.parquet": "application/vnd.apache.parquet",
    "map.png": "image/png",
}


@dataclass(frozen=True)
class EditRequest:
    """One reshaping edit: the operation and its checked arguments (JSON values)."""

    operation: str
    arguments: dict[str, Any]

    def key(self) -> tuple:
        """The same request gives the same key (a preview can be reused by its apply)."""
        return (self.operation, tuple(sorted((k, repr(v)) for k, v in self.arguments.items())))


class BodyTooLarge(TopicLensError):
    """A request body over :data:`MAX_BODY` bytes (declared, or counted as it arrived)."""


async def read_json_body(chunks: AsyncIterator[bytes], declared: str | None, limit: int = MAX_BODY) -> Any:
    """The JSON value of a request body, read chunk by chunk and refused as soon as it passes ``limit`` bytes.

    Parameters
    ----------
    chunks : async iterator of bytes
        The body as it arrives (with ``Transfer-Encoding: chunked`` no length is declared).
    declared : str or None
        The ``Content-Length`` header, when the request has one (refused at once when over ``limit``).
    limit : int, default 64 KiB

    Returns
    -------
    The parsed JSON value (None for an empty body).

    Raises
    ------
    BodyTooLarge
        Over ``limit``: nothing more is read.
    TopicLensError
        A body that is not JSON.
    """
    too_large = f"the request body must be JSON of at most {limit:,} bytes"
    if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
        raise BodyTooLarge(too_large)
    raw = bytearray()
    async for chunk in chunks:
        raw += chunk
        if len(raw) > limit:
            raise BodyTooLarge(too_large)
    try:
        return json.loads(bytes(raw) or b"null")
    except (ValueError, RecursionError):
        raise TopicLensError("the request body is not JSON (or nests too deep)") from None


def _object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ConfigError("the request body must be a JSON object")
    return payload


def parse_edit(payload: Any) -> EditRequest:
    """The edit ``payload`` asks for: ``{"operation": NAME, ARGUMENT: value, ...}``, NAME and the arguments as the
    table of edits (:data:`topiclens.editing.table.EDITS`) declares them, e.g. ``{"operation": "merge", "groups":
    [[1, 4]]}``, ``{"operation": "split", "topic": 3, "parts": null}``; every value checked there. An apply's
    ``generation`` (:func:`parse_generation`) may come with it."""
    payload = dict(_object(payload))
    operation = payload.pop("operation", None)
    payload.pop("generation", None)
    edit = EDITS.get(operation) if isinstance(operation, str) else None
    if edit is None:
        raise ConfigError(f"unknown edit {str(operation)[:40]!r}: use one of {', '.join(EDITS)}")
    return EditRequest(edit.name, edit.checked(payload))


def parse_generation(payload: Any) -> int | None:
    """The model generation a preview was made for (``"generation"``), when the apply names one."""
    value = _object(payload).get("generation")
    return None if value is None else whole_number(value, "generation", 0)


def parse_rename(payload: Any) -> tuple[int, str]:
    """``{"topic": id, "label": text}``: the label cut to one clean line of at most 200 characters."""
    payload = _object(payload)
    topic = whole_number(payload.get("topic"), "topic", 0)
    return topic, label_text(payload.get("label"))


def parse_document(payload: Any) -> tuple[int, int]:
    """``{"point": position, "order_version": n}``: a document by its place among the page's points, and the
    point order the page was given."""
    payload = _object(payload)
    return whole_number(payload.get("point"), "point", 0), whole_number(payload.get("order_version"),
                                                                        "order_version", 0)


def parse_llm_job(payload: Any) -> tuple[str, list[int] | None]:
    """``{"kind": "label" | "describe", "topics": [...] or null}`` (null: every topic without a given name)."""
    payload = _object(payload)
    kind = payload.get("kind")
    if kind not in LLM_JOBS:
        raise ConfigError(f"kind must be one of {', '.join(LLM_JOBS)}")
    topics = payload.get("topics")
    return kind, None if topics is None else topic_list(topics)


def check_export(name: str) -> str:
    """One of the export names (the server picks where it is written; the browser only names which)."""
    if name not in EXPORTS:
        raise ConfigError(f"unknown export {name[:40]!r}: use one of {', '.join(EXPORTS)}")
    return name
