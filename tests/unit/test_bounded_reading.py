"""Reading within bounds, as pure functions: a request body counted as it arrives, corpus lines checked one
at a time, and the memory a corpus may take."""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path

import pytest

from topiclens.apps.serve.requests import MAX_BODY, BodyTooLarge, read_json_body
from topiclens.core.errors import CorpusError, TopicLensError
from topiclens.io.streams import MemoryBudget, available_memory, lines, size_text


def _body(declared: str | None, *chunks: bytes, endless: bytes | None = None):
    """read_json_body over ``chunks`` (then ``endless`` forever); its result or error, and the bytes it took."""
    taken = [0]

    async def stream():
        for chunk in chunks:
            taken[0] += len(chunk)
            yield chunk
        while endless is not None:
            taken[0] += len(endless)
            yield endless

    async def run():
        try:
            return await read_json_body(stream(), declared), taken[0]
        except TopicLensError as exc:
            return exc, taken[0]

    return asyncio.run(run())


def test_a_body_is_counted_as_it_arrives_and_cut_off_at_the_cap():
    assert _body(None, b'{"a": ', b"1}") == ({"a": 1}, 8)
    assert _body("0") == (None, 0)
    error, taken = _body(None, endless=b"[" * 1000)  # chunked: no length declared, and no end
    assert isinstance(error, BodyTooLarge) and "at most 65,536 bytes" in str(error)
    assert MAX_BODY < taken <= MAX_BODY + 1000
    error, taken = _body(str(MAX_BODY + 1), endless=b"[")  # a declared length over the cap: nothing is read
    assert isinstance(error, BodyTooLarge) and taken == 0
    error, _ = _body(None, b"{nope")
    assert not isinstance(error, BodyTooLarge) and "not JSON" in str(error)


def test_lines_are_bounded_and_name_where_a_bad_byte_is(tmp_path):
    path = tmp_path / "docs.txt.gz"
    path.write_bytes(gzip.compress(b"short\n" + b"x" * 100 + b"\nbad \xff\n"))
    numbered = lines(path, max_line_bytes=100)
    assert next(numbered) == (1, "short") and next(numbered) == (2, "x" * 100)
    with pytest.raises(CorpusError, match=r"line 3: bytes that are not valid utf-8 \(0xff at byte 111\)"):
        next(numbered)
    with pytest.raises(CorpusError, match="line 2 is longer than 99 bytes"):
        list(lines(path, max_line_bytes=99))
    wide = tmp_path / "wide.txt"
    wide.write_bytes("un\r\ndeux\n".encode("utf-16"))
    assert list(lines(wide, "utf-16")) == [(1, "un\r"), (2, "deux")]
    with pytest.raises(CorpusError, match="unknown encoding 'klingon'"):
        list(lines(wide, "klingon"))


def test_a_budget_refuses_once_past_its_limit():
    budget = MemoryBudget(Path("c.jsonl"), limit=1000)
    budget.charge(600)
    with pytest.raises(CorpusError, match=r"c\.jsonl does not fit in memory: its first 2 record\(s\) already take "
                                          r"about 1\.2 KiB, and the limit given is 1000 bytes; use a smaller corpus"):
        budget.charge(600)
    found = MemoryBudget(Path("c.jsonl"))
    assert 0 < found.limit < found.available <= available_memory() * 1.1
    assert size_text(16 * 2**20) == "16 MiB" and size_text(1.5 * 2**30) == "1.5 GiB" and size_text(10) == "10 bytes"
