"""Corpus files read as streams, within bounds: one line may take at most :data:`MAX_LINE_BYTES`, and
what is kept of the whole may take at most a share of the memory this process can still get.

A small compressed file can expand to gigabytes (a ``.jsonl.gz`` of one 4 GB line is 4 MB on disk), so a
corpus is never decompressed or decoded as a whole: lines are read one at a time, each checked against
the line bound before it is decoded, and what the records kept cost is counted as they are read, so a
corpus that cannot fit is refused before memory runs out, with one line saying so.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import resource
import sys
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ..core.errors import CorpusError, TopicLensWarning

MAX_LINE_BYTES = 16 * 2**20
"""The most bytes one line of a corpus file (one document, or one record with its fields) may take."""

READ_SHARE = 0.5
"""The share of the memory available when reading starts that the records read may take."""

_GZIP_ERRORS = (OSError, EOFError, zlib.error)
_MISSING = object()  # a record without an id field


def size_text(n: float) -> str:
    """A byte count for people: '16 MiB', '1.5 GiB'."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" or n == int(n) else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover - the loop always returns


def _read_number(path: str, key: str | None = None) -> int | None:
    """An integer from a /proc or /sys file (``key``: the line that starts with it, value in kB), or None."""
    try:
        with open(path, encoding="ascii") as handle:
            if key is None:
                value = handle.read().strip()
                return int(value) if value.isdigit() else None
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def available_memory() -> int:
    """The bytes this process can still allocate: the least of the system's available memory, its
    control group's limit less its use, and the address-space and data limits less what is mapped."""
    found: list[int] = []
    available = _read_number("/proc/meminfo", "MemAvailable:")
    if available is not None:
        found.append(available)
    limit, used = _read_number("/sys/fs/cgroup/memory.max"), _read_number("/sys/fs/cgroup/memory.current")
    if limit is not None and used is not None:
        found.append(limit - used)
    for which, key in ((resource.RLIMIT_AS, "VmSize:"), (resource.RLIMIT_DATA, "VmData:")):
        soft = resource.getrlimit(which)[0]
        mapped = _read_number("/proc/self/status", key)
        if soft != resource.RLIM_INFINITY and mapped is not None:
            found.append(soft - mapped)
    if not found:  # no /proc: assume half of the physical memory is free
        try:
            found.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2)
        except (ValueError, OSError, AttributeError):
            found.append(4 * 2**30)
    return max(0, min(found))


class MemoryBudget:
    """What the records read so far keep in memory, counted against a limit.

    Parameters
    ----------
    path : Path
        The file being read (named in the refusal).
    limit : int, optional
        Bytes the records may take; default :data:`READ_SHARE` of :func:`available_memory` now.
    """

    def __init__(self, path: Path, limit: int | None = None) -> None:
        self.path = path
        self.available = available_memory() if limit is None else None
        self.limit = int(self.available * READ_SHARE) if self.available is not None else int(limit)
        self.used = 0
        self.records = 0

    def charge(self, size: int, records: int = 1) -> None:
        """Count ``size`` more bytes kept for ``records`` more records; refuse once past the limit."""
        self.used += size
        self.records += records
        if self.used > self.limit:
            self.refuse()

    def refuse(self, needed: int | None = None) -> None:
        """Raise the :class:`CorpusError` that says the corpus does not fit in memory."""
        so_far = (f"it needs about {size_text(needed)}" if needed is not None else
                  f"its first {self.records:,} record(s) already take about {size_text(self.used)}")
        allowed = (f"{size_text(self.limit)} of the {size_text(self.available)} this process can still get may go "
                   "to a corpus" if self.available is not None else f"the limit given is {size_text(self.limit)}")
        raise CorpusError(f"{self.path} does not fit in memory: {so_far}, and {allowed}; use a smaller corpus "
                          "(split the file, or sample it), or free memory")


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed as they are read when its name ends in .gz."""
    try:
        if path.name.lower().endswith(".gz"):
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except OSError as exc:
        raise CorpusError(f"cannot read {path} ({exc.strerror or exc}): check that you may read it") from None


def _ascii_compatible(encoding: str) -> bool:
    """Whether a newline is the byte 0x0a in ``encoding`` and never part of another character."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise CorpusError(f"unknown encoding {encoding!r}: give encoding= one Python knows, e.g. utf-8 or "
                          "latin-1") from None
    if name.startswith(("utf-16", "utf-32", "utf-7")):
        return False
    return "\n\r".encode(encoding) == b"\n\r"


def _too_long(path: Path, number: int, max_line_bytes: int) -> CorpusError:
    return CorpusError(f"{path} line {number} is longer than {size_text(max_line_bytes)}, the most one document "
                       "(one line) may take: split that document into smaller ones, or check that the file holds one "
                       "record per line")


def _bad_gzip(path: Path, exc: BaseException) -> CorpusError:
    """A failure while reading: a damaged gzip stream, or the file itself (an I/O error)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return CorpusError(f"cannot read {path} ({exc.strerror or exc}): check the file and the disk it is on")
    return CorpusError(f"{path}: not a valid gzip file ({exc}); re-compress it or drop .gz")


def lines(path: Path, encoding: str = "utf-8", errors: str = "strict",
          max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, str]]:
    """Each line of ``path`` (1-based number, text without its ``\\n``), decoded one at a time.

    A line longer than ``max_line_bytes`` is refused as soon as that many bytes of it are read; bytes
    that are not valid ``encoding`` are refused with their line and offset (``errors='strict'``), or
    replaced and counted in one warning at the end.
    """
    if not _ascii_compatible(encoding):
        yield from _wide_lines(path, encoding, errors, max_line_bytes)
        return
    replaced = 0
    offset = 0
    number = 0
    marker = "\ufffd".encode()
    with open_binary(path) as handle:
        while True:
            try:
                raw = handle.readline(max_line_bytes + 1)
            except _GZIP_ERRORS as exc:
                raise _bad_gzip(path, exc) from None
            if not raw:
                break
            number += 1
            if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
                raise _too_long(path, number, max_line_bytes)
            body = raw[:-1] if raw.endswith(b"\n") else raw
            try:
                text = body.decode(encoding, errors=errors)
            except UnicodeDecodeError as exc:
                raise CorpusError(
                    f"{path} line {number}: bytes that are not valid {encoding} (0x{body[exc.start]:02x} at byte "
                    f"{offset + exc.start}); convert the file to UTF-8, give its encoding=, or set decode_errors= "
                    "to 'replace'") from None
            if errors != "strict" and "\ufffd" in text:
                replaced += max(0, text.count("\ufffd") - body.count(marker))
            offset += len(raw)
            yield number, text
    if replaced:
        warnings.warn(f"{path}: replaced {replaced} undecodable byte sequence(s) with U+FFFD", TopicLensWarning,
                      stacklevel=4)


def _wide_lines(path: Path, encoding: str, errors: str, max_line_bytes: int) -> Iterator[tuple[int, str]]:
    """:func:`lines` for an encoding whose newline is more than one byte (UTF-16, UTF-32)."""
    width = max(1, len("\n".encode(encoding)) - len("".encode(encoding)))
    limit = max(1, max_line_bytes // width)
    number = 0
    with open_binary(path) as raw, io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="\n") as handle:
        while True:
            try:
                text = handle.readline(limit + 1)
            except _GZIP_ERRORS as exc:
                raise _bad_gzip(path, exc) from None
            except UnicodeError as exc:
                raise CorpusError(f"{path} line {number + 1}: bytes that are not valid {encoding} ({exc.reason}); "
                                  "convert the file to UTF-8, give its encoding=, or set decode_errors= to 'replace'") \
                    from None
            if not text:
                break
            number += 1
            if len(text) > limit and not text.endswith("\n"):
                raise _too_long(path, number, max_line_bytes)
            yield number, text[:-1] if text.endswith("\n") else text


def kept_size(*values: object) -> int:
    """Bytes that keeping ``values`` in lists costs: each object and the list slot that holds it."""
    return sum(sys.getsizeof(v) + 8 for v in values)


class TextSource:
    """Lines as a read-only text file for pandas' CSV reader, each counted against a budget as it is read."""

    def __init__(self, numbered: Iterator[tuple[int, str]], budget: MemoryBudget, delimiter: str,
                 first: str | None = None) -> None:
        self._lines = numbered
        self._pending = "" if first is None else first + "\n"
        self._budget = budget
        self._delimiter = delimiter
        if first is not None:
            self._charge(first)

    def _charge(self, line: str) -> None:
        # each cell becomes a str of its own in the frame: its characters and ~56 bytes of object and slot
        self._budget.charge(sys.getsizeof(line) + 56 * (line.count(self._delimiter) + 1))

    def read(self, size: int = -1) -> str:
        """At least ``size`` characters (whole lines; all of them when ``size`` < 0), '' at the end."""
        parts = [self._pending]
        count = len(self._pending)
        self._pending = ""
        while size < 0 or count < size:
            item = next(self._lines, None)
            if item is None:
                break
            line = item[1]
            self._charge(line)
            parts.append(line + "\n")
            count += len(line) + 1
        return "".join(parts)

    def __iter__(self) -> Iterator[str]:
        if self._pending:
            pending, self._pending = self._pending, ""
            yield pending
        for _, line in self._lines:
            self._charge(line)
            yield line + "\n"


def _json_record(line: str, number: int, path: Path, text_field: str) -> dict:
    """One line of a JSON-lines file as its object, which must hold ``text_field``."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{path} line {number}: not valid JSON ({exc.msg}); fix or remove that line") from None
    except RecursionError:
        raise CorpusError(f"{path} line {number}: JSON that nests too deep; fix or remove that line") from None
    if not isinstance(record, dict):
        raise CorpusError(f"{path} line {number}: expected a JSON object with a '{text_field}' field")
    if text_field not in record:
        present = ", ".join(sorted(record)) or "none"
        raise CorpusError(f"{path} line {number}: no '{text_field}' field (fields: {present}); name the text field "
                          "with text_field=")
    return record


def jsonl_columns(numbered: Iterator[tuple[int, str]], path: Path, text_field: str, id_field: str,
                  budget: MemoryBudget) -> tuple[list[str], list[str] | None, dict[str, list[Any]]]:
    """The texts, ids (None when no record has one) and other fields (a list per field, NaN where a record
    has none) of JSON lines, read one record at a time and counted against ``budget``."""
    texts: list[str] = []
    ids: list[Any] = []
    columns: dict[str, list[Any]] = {}
    for number, line in numbered:
        if not line or line.isspace():
            continue
        record = _json_record(line, number, path, text_field)
        value = record.pop(text_field)
        if value is None:
            value = ""
        elif not isinstance(value, str):
            raise CorpusError(f"{path} line {number}: '{text_field}' is {type(value).__name__}, not a string")
        ident = value if id_field == text_field else record.pop(id_field, _MISSING)
        size = sys.getsizeof(value) + sys.getsizeof(ident) + 16
        if record or columns:
            row = len(texts)
            for key, field_value in record.items():
                column = columns.get(key)
                if column is None:
                    column = columns[key] = [np.nan] * row
                column.append(field_value)
                size += sys.getsizeof(field_value) + 8
            if len(columns) > len(record):
                for column in columns.values():
                    if len(column) == row:
                        column.append(np.nan)
        texts.append(value)
        ids.append(ident)
        budget.charge(size)
    if all(i is _MISSING for i in ids):
        return texts, None, columns
    return texts, ["nan" if i is _MISSING else str(i) for i in ids], columns
