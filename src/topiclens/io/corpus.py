"""Reading and validating input documents.

A :class:`Corpus` keeps every input record, in order. Documents that cannot be modeled
(empty or whitespace-only) stay in it, flagged unusable, so no data is lost: they come
out as outliers (topic -1) and a warning says how many there were.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import ConfigError, CorpusError, TopicLensWarning
from .streams import MAX_LINE_BYTES, MemoryBudget, TextSource, jsonl_columns, kept_size, lines, size_text

SUFFIXES = (".txt", ".jsonl", ".jsonl.gz", ".ndjson", ".csv", ".parquet")


@dataclass
class Corpus:
    """Documents with their ids and any other fields of the input, aligned by position."""

    texts: list[str]
    ids: list[str]
    fields: pd.DataFrame = field(default_factory=pd.DataFrame)
    source: str = "<list>"
    ids_given: bool = True  # False: the ids are positions the reader made up (the input names none)
    id_type: str = "str"  # the type the input's ids had (ID_TYPES): a table's index, given back with it

    def __post_init__(self) -> None:
        if not len(self.fields.columns):  # no fields, whatever rows a reader gave the empty table
            self.fields = pd.DataFrame()
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
    def id_values(self) -> list:
        """The ids as the input gave them: whole numbers for a table's integer index (and for positions),
        numbers and times for a float or datetime index, else strings; ``ids`` holds the same ids as strings,
        the form every lookup uses."""
        convert = ID_TYPES.get(self.id_type, str)
        return [convert(i) for i in self.ids]

    @property
    def hashes(self) -> list[str]:
        return [text_hash(t) for t in self.texts]

    def column(self, name: str) -> list | None:
        """An input field by name (e.g. 'label'), or None when the input has none."""
        if name in self.fields.columns:
            return self.fields[name].tolist()
        return None


ID_TYPES = {"int": int, "float": float, "datetime": pd.Timestamp, "str": str}


def id_type_of(dtype) -> str:
    """The id type (a key of :data:`ID_TYPES`) of a column or index of ids with ``dtype``."""
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "str"


def corpus_field(corpus: Corpus, name: str, argument: str) -> list:
    """The values of the corpus field ``name``; a :class:`ConfigError` naming the fields there are when it has
    none (``argument``: the parameter that named it)."""
    column = corpus.column(name)
    if column is None:
        present = ", ".join(map(str, corpus.fields.columns)) or "none"
        raise ConfigError(f"the documents have no field {name!r} (fields: {present}): name one of them with "
                          f"{argument}=, or pass one value per document")
    return column


def text_hash(text: str) -> str:
    """A stable key for a document's text (cache and lookup key)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _refuse_containers(texts: object) -> None:
    """Refuse inputs whose iteration does not give the texts: a string, bytes, a table, a mapping, a set."""
    if isinstance(texts, (str, bytes)):
        raise CorpusError("documents must be a list of strings, not a single string: wrap it in a list")
    if isinstance(texts, pd.DataFrame):
        raise CorpusError(f"from_texts takes a list of strings, not a DataFrame (its {len(texts.columns)} column names "
                          "would be read as the documents): pass the DataFrame to as_corpus or fit, with "
                          "text_column= naming its documents")
    if isinstance(texts, Mapping):
        raise CorpusError(f"documents must be a list of strings, not a {type(texts).__name__} (its keys would be read "
                          "as the documents): pass the texts, e.g. list(d.values())")
    if isinstance(texts, (set, frozenset)):
        raise CorpusError("documents must be a list of strings, not a set (it has no order, so no document would keep "
                          "its place): pass a list, e.g. sorted(s)")
    if isinstance(texts, np.ndarray) and texts.ndim != 1:
        raise CorpusError(f"documents must be a list of strings, not a {texts.ndim}-d array: pass a 1-d array or list")


def from_texts(texts: Sequence[str], ids: Sequence | None = None) -> Corpus:
    """Make a corpus from a list of strings, checking every element.

    Parameters
    ----------
    texts : sequence of str
        A list, tuple, 1-d array or pandas Series of strings (a Series gives its values in order; its
        index is not used: :func:`as_corpus` keeps it). A DataFrame, a dict and a set are refused (a
        DataFrame goes to :func:`as_corpus`).
    ids : sequence, optional
        One id per text; default the positions 0, 1, ... (whole numbers, as are ids that all are).

    Returns
    -------
    Corpus
    """
    _refuse_containers(texts)
    texts = list(texts)
    for i, t in enumerate(texts):
        if isinstance(t, bytes):
            raise CorpusError(f"document {i} is bytes: decode it to str first (e.g. b.decode('utf-8'))")
        if not isinstance(t, str):
            missing = t is None or (isinstance(t, float) and t != t)
            hint = " (a missing text? fill it in, e.g. series.fillna(''))" if missing else ""
            raise CorpusError(f"document {i} is {type(t).__name__}, not str{hint}: pass a list of strings")
    given = ids is not None
    id_type = "int" if not given or all(isinstance(i, (int, np.integer)) and not isinstance(i, bool)
                                        and -2**63 <= i < 2**63 for i in ids) else "str"
    ids = [str(i) for i in (ids if ids is not None else range(len(texts)))]
    return Corpus(texts=texts, ids=ids, source="<list>", ids_given=given, id_type=id_type)


def read_corpus(
    path: str | Path,
    *,
    text_field: str = "text",
    id_field: str = "id",
    encoding: str = "utf-8",
    decode_errors: str = "strict",
    max_line_bytes: int = MAX_LINE_BYTES,
    memory_limit: int | None = None,
) -> Corpus:
    """Read .txt, .jsonl(.gz), .csv or .parquet into a :class:`Corpus`.

    Files are read as streams (a ``.gz`` file is decompressed as it is read), within bounds: a line
    longer than ``max_line_bytes`` and a corpus whose records would take more than ``memory_limit``
    are refused with a :class:`~topiclens.core.errors.CorpusError` as soon as that is known, before the
    memory they would need is taken.

    Parameters
    ----------
    path : str or Path
    text_field, id_field : str, default 'text', 'id'
        The columns of structured formats that hold the text and the id; every other field
        (e.g. ``label``, ``timestamp``) is kept.
    encoding : str, default 'utf-8'
    decode_errors : str, default 'strict'
        'replace' reads files that are not valid in ``encoding``, replacing the bad bytes (and saying
        how many).
    max_line_bytes : int, default 16 MiB
        The most bytes one line (one document, or one record with its fields) may take.
    memory_limit : int, optional
        The most bytes the records read may keep in memory; default: half of the memory this process
        can still get when reading starts.

    Returns
    -------
    Corpus
    """
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"corpus file not found: {path} (check the path)")
    if path.is_dir():
        raise CorpusError(f"{path} is a directory: give a corpus file ({', '.join(SUFFIXES)})")
    name = path.name.lower()
    budget = MemoryBudget(path, memory_limit)
    if name.endswith(".parquet"):
        return _read_parquet(path, text_field, id_field, encoding, decode_errors, budget, max_line_bytes)
    numbered = lines(path, encoding, decode_errors, max_line_bytes)
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")):
        return _from_jsonl(numbered, path, text_field, id_field, budget)
    if name.endswith((".csv", ".csv.gz")):
        frame = _read_csv(numbered, path, text_field, budget)
        return _from_frame(frame, path, text_field, id_field, encoding, decode_errors)
    if name.endswith((".txt", ".txt.gz")):
        texts: list[str] = []
        ids: list[str] = []
        for number, line in numbered:
            text, ident = line.rstrip("\r"), str(number)
            budget.charge(kept_size(text, ident))
            texts.append(text)
            ids.append(ident)
        return Corpus(texts=texts, ids=ids, source=str(path), ids_given=False)
    raise CorpusError(f"unknown corpus format: {path.name}; use one of {', '.join(SUFFIXES)}")


def _read_parquet(path: Path, text_field: str, id_field: str, encoding: str, errors: str, budget: MemoryBudget,
                  max_line_bytes: int) -> Corpus:
    """A Parquet file read in row batches (no table-wide copy of the text); other columns become fields.
    What its metadata says the columns take is checked against ``budget`` before any is read."""
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
        meta = handle.metadata
        needed = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)) + 120 * meta.num_rows
        if needed > budget.limit:
            budget.refuse(needed)
        names = handle.schema_arrow.names
        if text_field not in names:
            raise CorpusError(f"{path}: no '{text_field}' column (columns: {', '.join(names)}); "
                              "name the text column with text_field=")
        texts: list[str] = []
        ids: list[str] = []
        for batch in handle.iter_batches(batch_size=65_536, columns=[c for c in (text_field, id_field) if c in names]):
            start = len(texts)
            values = [text_value(v, start + i, path, text_field, encoding, errors)
                      for i, v in enumerate(batch.column(text_field).to_pylist())]
            over = next((i for i, v in enumerate(values) if len(v) * 4 > max_line_bytes
                         and len(v.encode("utf-8", "surrogatepass")) > max_line_bytes), None)
            if over is not None:
                raise CorpusError(f"{path} row {start + over + 1}: the '{text_field}' text is longer than "
                                  f"{size_text(max_line_bytes)}, the most one document may take: split that document "
                                  "into smaller ones")
            texts.extend(values)
            if id_field in names:
                ids.extend(str(v) for v in batch.column(id_field).to_pylist())
            budget.charge(kept_size(*values, *ids[start:]), len(values))
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
        warn_repeated(ids, path)
    else:
        ids = [str(i) for i in range(len(texts))]
    return Corpus(texts=texts, ids=ids, fields=fields.reset_index(drop=True), source=str(path),
                  ids_given=id_field in names)


def warn_repeated(ids: list[str], path: Path | str) -> None:
    repeated = [k for k, n in Counter(ids).items() if n > 1]
    if repeated:
        warnings.warn(f"{path}: {len(repeated)} id(s) occur more than once (e.g. {repeated[0]!r}); "
                      "lookups by id will be ambiguous", TopicLensWarning, stacklevel=4)


def _read_csv(numbered: Iterator[tuple[int, str]], path: Path, text_field: str, budget: MemoryBudget
              ) -> pd.DataFrame:
    """A CSV file read with the delimiter its header uses (comma, semicolon, tab or bar), in chunks of rows."""
    import csv

    first = next(numbered, None)
    header = "" if first is None else first[1]
    delimiter = next((d for d in (",", ";", "\t", "|")
                      if text_field in [c.strip().strip('"') for c in header.split(d)]), ",")
    source = TextSource(numbered, budget, delimiter, first=None if first is None else header)
    try:
        with pd.read_csv(source, dtype=str, keep_default_na=False, sep=delimiter, chunksize=65_536) as reader:
            chunks = list(reader)
    except CorpusError:
        raise
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise CorpusError(f"{path} is not a well-formed CSV file ({str(exc).strip()}): check its quoting and that "
                          "every row has as many fields as the header") from None
    if not chunks:
        return pd.DataFrame()
    return chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)


def _from_jsonl(numbered: Iterator[tuple[int, str]], path: Path, text_field: str, id_field: str,
                budget: MemoryBudget) -> Corpus:
    """JSON lines read one record at a time into columns (no object per record is kept)."""
    texts, ids, columns = jsonl_columns(numbered, path, text_field, id_field, budget)
    if not texts:
        return Corpus(texts=[], ids=[], source=str(path))
    if ids is not None:
        warn_repeated(ids, path)
    return Corpus(texts=texts, ids=ids if ids is not None else [str(i) for i in range(len(texts))],
                  fields=pd.DataFrame(columns, index=pd.RangeIndex(len(texts))), source=str(path),
                  ids_given=ids is not None)


def text_value(value, row: int, path: Path | str, field: str, encoding: str, errors: str) -> str:
    """One document's text from a table cell: strings as they are, bytes decoded, numbers written out."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode(encoding, errors=errors)
        except UnicodeDecodeError:
            raise CorpusError(f"{path} row {row + 1}: the '{field}' bytes are not valid {encoding}: give encoding=, "
                              "or decode_errors='replace'") from None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return str(value)
    raise CorpusError(f"{path} row {row + 1}: '{field}' holds a {type(value).__name__}, not text: store each "
                      "document as a string")


def _from_frame(frame: pd.DataFrame, path: Path, text_field: str, id_field: str, encoding: str = "utf-8",
                errors: str = "strict") -> Corpus:
    if text_field not in frame.columns:
        raise CorpusError(
            f"{path}: no '{text_field}' column (columns: {', '.join(map(str, frame.columns))}); "
            "name the text column with text_field="
        )
    texts = [text_value(v, i, path, text_field, encoding, errors) for i, v in enumerate(frame[text_field])]
    if id_field in frame.columns:
        ids = [str(v) for v in frame[id_field]]
        warn_repeated(ids, path)
    else:
        ids = [str(i) for i in range(len(texts))]
    rest = frame.drop(columns=[c for c in (text_field, id_field) if c in frame.columns]).reset_index(drop=True)
    return Corpus(texts=texts, ids=ids, fields=rest, source=str(path), ids_given=id_field in frame.columns)


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
