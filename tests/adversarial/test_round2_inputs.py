"""Round 2 of bad inputs: gzip bombs, an endless chunked request body, tables passed as documents, and an
update that holds a copy of a document the model already has.

Memory-bound cases run the real command line under an address-space limit (``RLIMIT_AS``), so a reader that
tried to hold the whole input would fail fast with an out-of-memory line instead of taking gigabytes.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from topiclens import CorpusError, TopicModel, read_corpus
from topiclens.core.errors import TopicLensWarning

from .conftest import assert_one_line_error

MiB = 2**20
ADDRESS_SPACE = 1000 * MiB  # the CLI reaches its corpus with ~560 MiB mapped: room to read, none to blow up


def _limited_cli(*argv, limit: int = ADDRESS_SPACE, timeout: float = 120) -> subprocess.CompletedProcess:
    """topiclens in its own process with at most ``limit`` bytes of address space."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-m", "topiclens", *map(str, argv)], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=cap, env={**os.environ, "TOPICLENS_THREADS": "1"})


def _fit(corpus: Path, tmp: Path) -> list:
    return ["fit", corpus, "--out", tmp / "out", "--no-llm", "--quiet", "--threads", "1", "--layout", "none"]


def _bomb(path: Path, head: bytes, repeated: bytes, times: int, tail: bytes = b"") -> Path:
    """A gzip file of ``head``, ``times`` copies of ``repeated`` and ``tail``: one compressed member each, so a
    few MB on disk expand to gigabytes (gzip readers read concatenated members as one stream)."""
    member = gzip.compress(repeated, compresslevel=9)
    with open(path, "wb") as handle:
        handle.write(gzip.compress(head))
        for _ in range(times):
            handle.write(member)
        handle.write(gzip.compress(tail))
    return path


LONG_LINE = {  # name -> (what comes before the long text, what comes after it, the long line's number)
    "docs.jsonl.gz": (b'{"text": "', b'"}\n', 1),
    "docs.txt.gz": (b"", b"\n", 1),
    "docs.csv.gz": (b"id,text\n1,", b"\n", 2),
}


@pytest.mark.parametrize("name", sorted(LONG_LINE))
def test_a_gzip_bomb_of_one_4_gb_line_is_refused_by_its_length(name, tmp_path):
    head, tail, number = LONG_LINE[name]
    corpus = _bomb(tmp_path / name, head, b"a" * (64 * MiB), 64, tail)  # 4 GiB of one line, ~4 MB on disk
    assert corpus.stat().st_size < 8 * MiB
    done = _limited_cli(*_fit(corpus, tmp_path))
    assert_one_line_error(done, f"line {number} is longer than 16 MiB, the most one document (one line) may take")
    assert "split that document" in done.stderr
    assert not (tmp_path / "out").exists()


TINY_LINES = {"docs.jsonl.gz": b'{"text": "a"}\n', "docs.txt.gz": b"a\n", "docs.csv.gz": b"a\n"}


@pytest.mark.parametrize("name", sorted(TINY_LINES))
def test_a_gzip_bomb_of_100_million_tiny_lines_is_refused_before_memory_runs_out(name, tmp_path):
    head = b"text\n" if name.endswith(".csv.gz") else b""
    corpus = _bomb(tmp_path / name, head, TINY_LINES[name] * 1_000_000, 100)  # 100 million records
    assert corpus.stat().st_size < 8 * MiB
    done = _limited_cli(*_fit(corpus, tmp_path))
    assert_one_line_error(done, "does not fit in memory")
    assert "use a smaller corpus" in done.stderr and "record(s) already take about" in done.stderr


def test_the_python_reader_takes_its_bounds_as_arguments(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": f"document number {i}"}) + "\n" for i in range(1000)))
    assert len(read_corpus(path)) == 1000
    with pytest.raises(CorpusError, match=r"does not fit in memory: its first \d[\d,]* record\(s\) already take"):
        read_corpus(path, memory_limit=20_000)
    with pytest.raises(CorpusError, match="line 1 is longer than 16 bytes"):
        read_corpus(path, max_line_bytes=16)
    frame = pd.DataFrame({"id": range(1000), "text": [f"document number {i}" for i in range(1000)]})
    frame.to_parquet(tmp_path / "docs.parquet")
    assert len(read_corpus(tmp_path / "docs.parquet")) == 1000
    with pytest.raises(CorpusError, match="does not fit in memory: it needs about"):  # from its metadata, unread
        read_corpus(tmp_path / "docs.parquet", memory_limit=20_000)
    with pytest.raises(CorpusError, match="row 1: the 'text' text is longer than 8 bytes"):
        read_corpus(tmp_path / "docs.parquet", max_line_bytes=8)


# ------------------------------------------------------------------ the workbench's body cap, chunked


def _endless_chunked_post(server, limit: int, token: bool = True) -> tuple[bytes, int, int]:
    """POST an endless chunked body (stopping at ``limit`` bytes) over a raw socket; the answer, the bytes
    sent when it came, and the bytes sent in all (the server closing the connection stops the sender)."""
    sock = socket.create_connection((server.host, server.port), timeout=30)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    sock.sendall((f"POST /api/preview HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
                  + (f"X-Topiclens-Token: {server.token}\r\n" if token else "") + "Content-Type: application/json\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n").encode())
    frame = b"10000\r\n" + b"[" * 0x10000 + b"\r\n"
    sent = [0]
    stop = threading.Event()

    def send() -> None:
        try:
            while not stop.is_set() and sent[0] < limit:
                sock.sendall(frame)
                sent[0] += len(frame)
        except OSError:  # the server ended the connection
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = b""
    sent_when_answered = -1
    try:
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            if sent_when_answered < 0:
                sent_when_answered = sent[0]
            answer += data
        sock.settimeout(5)
        while True:  # the rest of the answer, up to the server's close
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except OSError:  # timed out (no answer), or reset after the answer
        pass
    finally:
        stop.set()
        sender.join(30)
        sock.close()
    return answer, sent_when_answered, sent[0]


def test_an_endless_chunked_body_is_cut_off_at_the_cap_and_the_server_goes_on(model_copy):
    from workbench_server import Served

    server = Served(model_copy, "--no-llm")
    try:
        limit = 128 * MiB
        answer, when, total = _endless_chunked_post(server, limit)
        assert answer.startswith(b"HTTP/1.1 400"), (answer[:200], when, total)
        assert b"at most 65,536 bytes" in answer and b"connection: close" in answer.lower()
        # answered after little (~130 KB here, socket buffers included), and the connection closed soon after
        assert 0 <= when < 16 * MiB and total < 32 * MiB
        # refused at the door (no token): the body is not read either, nor drained to its end
        answer, when, total = _endless_chunked_post(server, limit, token=False)
        assert answer.startswith(b"HTTP/1.1 403") and b"connection: close" in answer.lower(), (answer[:200], total)
        assert 0 <= when < 16 * MiB and total < 32 * MiB
        assert server.process.poll() is None
        status, _, body = server.request("GET", "/api/topics")
        assert status == 200 and json.loads(body)
    finally:
        server.stop()


# ------------------------------------------------------------------ a table is read by its text column, never its names


def test_a_dataframe_is_read_by_its_text_column_and_a_dict_is_refused(fitted, docs, embeddings):
    frame = pd.DataFrame({"id": range(300), "text": docs[:300], **{f"f{i}": 0 for i in range(7)}})
    by_frame = TopicModel(seed=7, threads=1, verbose=False).fit(frame, embeddings=embeddings[:300])
    by_list = TopicModel(seed=7, threads=1, verbose=False).fit(list(docs[:300]), embeddings=embeddings[:300])
    assert np.array_equal(by_frame.topics_, by_list.topics_)  # its 9 column names were never the documents
    twins = pd.DataFrame({"summary": docs[:300], "notes": [text[::-1] for text in docs[:300]]})
    with pytest.raises(CorpusError, match=r"several columns of text: (summary|notes) .*(notes|summary) .*text_column="):
        TopicModel(threads=1, verbose=False).fit(twins, embeddings=embeddings[:300])
    with pytest.raises(CorpusError, match=r"not a dict .*e\.g\. list\(d\.values\(\)\)"):
        TopicModel(threads=1, verbose=False).fit(dict(enumerate(docs[:300])), embeddings=embeddings[:300])
    with pytest.raises(CorpusError, match="not a set"):
        TopicModel(threads=1, verbose=False).fit_predict(set(docs[:300]))
    with pytest.raises(CorpusError, match="not a DataFrame .*text_column="):
        fitted.embed(frame[["text"]])
    with pytest.raises(CorpusError, match=r"document 2 is \w+, not str \(a missing text\?"):
        fitted.predict(["a", "b", None])
    with pytest.warns(TopicLensWarning, match="1 empty"):  # a table's missing text is an empty document, kept
        assert fitted.predict(pd.Series(["a", "b", None]))[2] == -1


def test_a_series_of_texts_is_read_as_its_values_in_order(docs, embeddings):
    series = pd.Series(docs[:200], index=range(1000, 1200))
    by_series = TopicModel(seed=7, threads=1, verbose=False).fit(series, embeddings=embeddings[:200])
    by_list = TopicModel(seed=7, threads=1, verbose=False).fit(list(docs[:200]), embeddings=embeddings[:200])
    assert np.array_equal(by_series.topics_, by_list.topics_)
    assert by_series.predict(series[:5]).tolist() == by_list.topics_[:5].tolist()


# ------------------------------------------------------------------ an update keeps every record


def test_an_update_keeps_a_copy_of_a_known_text_with_its_own_id_and_fields(small, records, embeddings, tmp_path):
    model_dir = tmp_path / "m"
    from .conftest import run_cli

    fitted = run_cli("fit", small / "docs.jsonl", "--embeddings", small / "emb.npy", "--out", model_dir, "--no-llm",
                     "--quiet", "--threads", "1")
    assert fitted.returncode == 0, fitted.stderr
    before = TopicModel.load(model_dir, verbose=False)
    batch = [dict(r) for r in records[200:260]]
    copy = {**records[5], "id": "copy-of-5", "label": "a field of the copy's own"}
    batch.insert(17, copy)
    (tmp_path / "batch.jsonl").write_text("".join(json.dumps(r) + "\n" for r in batch), encoding="utf-8")
    np.save(tmp_path / "batch.npy", np.vstack([embeddings[200:217], embeddings[5:6], embeddings[217:260]]))
    done = run_cli("update", model_dir, tmp_path / "batch.jsonl", "--embeddings", tmp_path / "batch.npy", "--no-llm",
                   "--quiet", "--json", "--threads", "1")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["arguments"]["added"] == 61 and report["arguments"]["copies"] == 1
    grown = TopicModel.load(model_dir, verbose=False)
    info = grown.document_info()
    assert len(grown.corpus_) == len(info) == 261
    assert info["id"].astype(str).tolist() == [str(r["id"]) for r in records[:200] + batch]
    row = info.index[info["id"].astype(str) == "copy-of-5"][0]
    assert info.loc[row, "text"] == records[5]["text"] and info.loc[row, "label"] == copy["label"]
    assert grown.topics_[row] == grown.topics_[5] == before.topics_[5]
    assert np.array_equal(grown.probabilities_[row], grown.probabilities_[5])
    # the same file given again holds only records the model has (same id, same text): nothing changes
    with pytest.warns(TopicLensWarning, match="61 of the 61 record"):
        again = TopicModel.load(model_dir, verbose=False).partial_fit(read_corpus(tmp_path / "batch.jsonl"),
                                                                      embeddings=tmp_path / "batch.npy")
    assert len(again.corpus_) == 261
    # a list names no ids: a copy in it is a new document too, and takes its original's topic
    listed = TopicModel.load(model_dir, verbose=False).partial_fit([records[9]["text"], records[9]["text"]],
                                                                   embeddings=embeddings[[9, 9]])
    assert len(listed.corpus_) == 263 and (listed.topics_[-2:] == listed.topics_[9]).all()
    assert listed.corpus_.ids[-2:] == ["261", "262"]  # numbered on from the model's documents: no id twice
    shutil.rmtree(model_dir)


def test_the_address_space_limit_leaves_room_to_read_a_corpus_that_fits(tmp_path):
    """What refuses the bombs is the reader's bound, not the limit they run under: 200,000 records read under it."""
    record = b'{"id": 7, "text": "a short document", "label": "x"}\n'
    corpus = _bomb(tmp_path / "docs.jsonl.gz", b"", record * 1000, 200)
    code = f"from topiclens import read_corpus; print(len(read_corpus({str(corpus)!r})))"

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, preexec_fn=cap)
    assert done.returncode == 0 and done.stdout.strip() == "200000", done.stderr[-2000:]
