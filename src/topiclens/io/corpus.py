"""Reading and validating input documents.

A :class:`Corpus` keeps every input record, in order. Documents that cannot be modeled
(empty or whitespace-only) stay in it, flagged unusable, so no data is lost: they come
out as outliers (topic -1) and a warning says how many there were.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CorpusError, TopicLensWarning

SUFFIXES = (".txt", ".jsonl", ".jsonl.gz", ".ndjson", ".csv", ".parquet")


@dataclass
class Corpus:
    """Documents with their ids and any other fields of the input, aligned by position."""

    texts: list[str]
    ids: list[str]
    fields: pd.DataFrame = field(default_factory=pd.DataFrame)
    source: str = "<list>"

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.ids):
            raise CorpusError(f"{len(self.texts)} texts but {len(self.ids)} ids: give one id per text")
        if len(self.fields) and len(self.fields) != len(self.texts):
            raise CorpusError(f"{len(self.fields)} field rows for {len(self.texts)} texts")

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def usable(self) -> np.ndarray:
        """Boolean mask of documents that have text to model."""
        return np.array([bool(t.strip()) for t in self.texts], dtype=bool)

    @property
    def hashes(self) -> list[str]:
        return [text_hash(t) for t in self.texts]

    def column(self, name: str) -> list | None:
        """An input field by name (e.g. 'label'), or None when the input has none."""
        if name in self.fields.columns:
            return self.fields[name].tolist()
        return None


def text_hash(text: str) -> str:
    """A stable key for a document's text (cache and lookup key)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def from_texts(texts: Sequence[str], ids: Sequence | None = None) -> Corpus:
    """Make a corpus from a list of strings, checking every element."""
    if isinstance(texts, (str, bytes)):
        raise CorpusError("documents must be a list of strings, not a single string: wrap it in a list")
    texts = list(texts)
    for i, t in enumerate(texts):
        if isinstance(t, bytes):
            raise CorpusError(f"document {i} is bytes: decode it to str first (e.g. b.decode('utf-8'))")
        if not isinstance(t, str):
            raise CorpusError(f"document {i} is {type(t).__name__}, not str: pass a list of strings")
    ids = [str(i) for i in (ids if ids is not None else range(len(texts)))]
    return Corpus(texts=texts, ids=ids, source="<list>")


def as_corpus(docs: Sequence[str] | Corpus | Path) -> Corpus:
    """Accept a list of strings, a Corpus, or a corpus file path (pathlib.Path)."""
    if isinstance(docs, Corpus):
        return docs
    if isinstance(docs, Path):
        return read_corpus(docs)
    if isinstance(docs, str):
        raise CorpusError("documents must be a list of strings; to read a file pass pathlib.Path(...) "
                          "or topiclens.read_corpus(path)")
    return from_texts(docs)


def read_corpus(
    path: str | Path,
    *,
    text_field: str = "text",
    id_field: str = "id",
    encoding: str = "utf-8",
    decode_errors: str = "strict",
) -> Corpus:
    """Read .txt, .jsonl(.gz), .csv or .parquet into a :class:`Corpus`.

    ``text_field`` and ``id_field`` name the columns of structured formats; every other
    field (e.g. ``label``, ``timestamp``) is kept. ``decode_errors='replace'`` reads files
    that are not valid in ``encoding``, replacing the bad bytes (and saying how many).
    """
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"corpus file not found: {path} (check the path)")
    if path.is_dir():
        raise CorpusError(f"{path} is a directory: give a corpus file ({', '.join(SUFFIXES)})")
    name = path.name.lower()
    if name.endswith(".parquet"):
        return _read_parquet(path, text_field, id_field, encoding, decode_errors)
    text = _decode(path, encoding, decode_errors)
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")):
        return _from_jsonl(text, path, text_field, id_field)
    if name.endswith((".csv", ".csv.gz")):
        return _from_frame(_read_csv(text, path, text_field), path, text_field, id_field, encoding, decode_errors)
    if name.endswith((".txt", ".txt.gz")):
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        lines = [line.rstrip("\r") for line in lines]
        return Corpus(texts=lines, ids=[str(i + 1) for i in range(len(lines))], source=str(path))
    raise CorpusError(f"unknown corpus format: {path.name}; use one of {', '.join(SUFFIXES)}")


def _read_parquet(path: Path, text_field: str, id_field: str, encoding: str, errors: str) -> Corpus:
    """A Parquet file read in row batches (no table-wide copy of the text); other columns become fields."""
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
        names = handle.schema_arrow.names
        if text_field not in names:
            raise CorpusError(f"{path}: no '{text_field}' column (columns: {', '.join(names)}); "
                              "name the text column with --text-field")
        texts: list[str] = []
        ids: list[str] = []
        for batch in handle.iter_batches(batch_size=65_536, columns=[c for c in (text_field, id_field) if c in names]):
            start = len(texts)
            texts.extend(_text_value(v, start + i, path, text_field, encoding, errors)
                         for i, v in enumerate(batch.column(text_field).to_pylist()))
            if id_field in names:
                ids.extend(str(v) for v in batch.column(id_field).to_pylist())
        rest = [c for c in names if c not in (text_field, id_field)]
        fields = handle.read(columns=rest).to_pandas() if rest else pd.DataFrame(index=pd.RangeIndex(len(texts)))
    except CorpusError:
        raise
    except OSError as exc:
        raise CorpusError(f"cannot read {path} ({exc.strerror or exc}): check that it exists and that you may "
                          "read it") from None
    except Exception as exc:  # pyarrow's errors for a file that is not Parquet
        raise CorpusError(f"{path} is not a readable Parquet file ({type(exc).__name__}: {exc}); check the "
                          "file, or convert it to .jsonl or .csv") from None
    if id_field in names:
        _warn_repeated(ids, path)
    else:
        ids = [str(i) for i in range(len(texts))]
    return Corpus(texts=texts, ids=ids, fields=fields.reset_index(drop=True), source=str(path))


def _warn_repeated(ids: list[str], path: Path) -> None:
    repeated = [k for k, n in Counter(ids).items() if n > 1]
    if repeated:
        warnings.warn(f"{path}: {len(repeated)} id(s) occur more than once (e.g. {repeated[0]!r}); "
                      "lookups by id will be ambiguous", TopicLensWarning, stacklevel=4)


def _read_csv(text: str, path: Path, text_field: str) -> pd.DataFrame:
    """A CSV file read with the delimiter its header uses (comma, semicolon, tab or bar)."""
    import csv
    import io

    header = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t", "|")
                      if text_field in [c.strip().strip('"') for c in header.split(d)]), ",")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=delimiter)
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise CorpusError(f"{path} is not a well-formed CSV file ({str(exc).strip()}): check its quoting and that "
                          "every row has as many fields as the header") from None


def _decode(path: Path, encoding: str, errors: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {path} ({exc.strerror or exc}): check that you may read it") from None
    if path.name.lower().endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise CorpusError(f"{path}: not a valid gzip file ({exc}); re-compress it or drop .gz") from exc
    try:
        text = raw.decode(encoding, errors=errors)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise CorpusError(
            f"{path} line {line}: bytes that are not valid {encoding} (0x{raw[exc.start]:02x} at byte "
            f"{exc.start}); convert the file to UTF-8, give --encoding, or pass --decode-errors replace"
        ) from None
    if errors != "strict":
        bad = text.count("\ufffd") - raw.count("\ufffd".encode())
        if bad > 0:
            warnings.warn(f"{path}: replaced {bad} undecodable byte sequence(s) with U+FFFD",
                          TopicLensWarning, stacklevel=3)
    return text


def _from_jsonl(text: str, path: Path, text_field: str, id_field: str) -> Corpus:
    records = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{path} line {number}: not valid JSON ({exc.msg}); fix or remove that line") from None
        if not isinstance(record, dict):
            raise CorpusError(f"{path} line {number}: expected a JSON object with a '{text_field}' field")
        if text_field not in record:
            present = ", ".join(sorted(record)) or "none"
            raise CorpusError(
                f"{path} line {number}: no '{text_field}' field (fields: {present}); "
                "name the text field with --text-field"
            )
        value = record[text_field]
        if value is None:
            record[text_field] = ""
        elif not isinstance(value, str):
            raise CorpusError(f"{path} line {number}: '{text_field}' is {type(value).__name__}, not a string")
        records.append(record)
    if not records:
        return Corpus(texts=[], ids=[], source=str(path))
    frame = pd.DataFrame.from_records(records)
    return _from_frame(frame, path, text_field, id_field)


def _text_value(value, row: int, path: Path, field: str, encoding: str, errors: str) -> str:
    """One document's text from a table cell: strings as they are, bytes decoded, numbers written out."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode(encoding, errors=errors)
        except UnicodeDecodeError:
            raise CorpusError(f"{path} row {row + 1}: the '{field}' bytes are not valid {encoding}: give --encoding, "
                              "or --decode-errors replace") from None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return str(value)
    raise CorpusError(f"{path} row {row + 1}: '{field}' holds a {type(value).__name__}, not text: store each "
                      "document as a string")


def _from_frame(frame: pd.DataFrame, path: Path, text_field: str, id_field: str, encoding: str = "utf-8",
                errors: str = "strict") -> Corpus:
    if text_field not in frame.columns:
        raise CorpusError(
            f"{path}: no '{text_field}' column (columns: {', '.join(map(str, frame.columns))}); "
            "name the text column with --text-field"
        )
    texts = [_text_value(v, i, path, text_field, encoding, errors) for i, v in enumerate(frame[text_field])]
    if id_field in frame.columns:
        ids = [str(v) for v in frame[id_field]]
        _warn_repeated(ids, path)
    else:
        ids = [str(i) for i in range(len(texts))]
    rest = frame.drop(columns=[c for c in (text_field, id_field) if c in frame.columns]).reset_index(drop=True)
    return Corpus(texts=texts, ids=ids, fields=rest, source=str(path))


def check_corpus(corpus: Corpus, min_docs: int) -> np.ndarray:
    """Validate a corpus for fitting; return the usable mask. Warns about skipped documents."""
    if len(corpus) == 0:
        raise CorpusError(f"the corpus {corpus.source} is empty: give at least {min_docs} documents")
    usable = corpus.usable
    n_empty = int((~usable).sum())
    if n_empty:
        where = np.flatnonzero(~usable)[:5].tolist()
        warnings.warn(
            f"{n_empty} empty or whitespace-only document(s) get no topic (-1); first at positions {where}",
            TopicLensWarning, stacklevel=4,  # check_corpus <- fit_topics <- TopicModel.fit <- the caller
        )
    n_usable = int(usable.sum())
    if n_usable < min_docs:
        raise CorpusError(
            f"only {n_usable} non-empty document(s) in {corpus.source}, fewer than the minimum cluster size "
            f"{min_docs}: add documents or lower min_cluster_size"
        )
    counts = Counter(t for t, ok in zip(corpus.texts, usable) if ok)
    n_dup = sum(n - 1 for n in counts.values() if n > 1)
    if n_dup:
        warnings.warn(f"{n_dup} duplicate document(s) in {corpus.source}: each copy gets the same topic",
                      TopicLensWarning, stacklevel=4)
    return usable
