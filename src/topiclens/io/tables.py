"""Documents from a table: a pandas DataFrame or Series, a polars one, or a Hugging Face ``datasets.Dataset``.

The text comes from one column (``text_column``, or the one obvious text column); every other column is
kept as a field of the corpus, and the ids are the table's index (or ``id_column``) with their type: an
integer index gives integer ids, so a result table joins back onto the input without a cast. A table's
missing texts (None, NaN) are kept as empty documents, which get no topic, as an empty line of a file
does. Neither polars nor datasets is a dependency: such a table is recognised by its module and turned
into pandas with its own ``to_pandas()``.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import Any

import pandas as pd

from ..core.errors import CorpusError, TopicLensWarning
from .corpus import Corpus, id_type_of, text_value, warn_repeated

TEXT_NAMES = ("text", "texts", "document", "documents", "doc", "docs", "body", "content", "abstract", "message")
CLEAR_MARGIN = 2.0  # the longest text column is the obvious one when its texts are this many times the next's
SAMPLE_ROWS = 1_000


def is_table(data: Any) -> bool:
    """Whether ``data`` is a table this module reads (pandas, polars or datasets)."""
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return True
    module = type(data).__module__.partition(".")[0]
    return module in ("polars", "datasets") and hasattr(data, "to_pandas")


def as_pandas(data: Any) -> pd.DataFrame | pd.Series:
    """A pandas DataFrame or Series holding ``data``'s rows (polars and datasets through ``to_pandas()``)."""
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return data
    try:
        return data.to_pandas()
    except ImportError as exc:  # polars needs pyarrow for to_pandas
        raise CorpusError(f"cannot read a {type(data).__name__} ({exc}): install pyarrow, or pass a pandas "
                          "DataFrame") from None


def corpus_from_table(data: Any, *, text_column: Hashable | None = None, id_column: Hashable | None = None
                      ) -> Corpus:
    """A corpus from a table's text column, with the other columns as fields and the index (or
    ``id_column``) as ids.

    Parameters
    ----------
    data : pandas DataFrame or Series, polars DataFrame or Series, or datasets.Dataset
    text_column : str, optional
        The column that holds the documents. Default: the only column of text, or, among several, the one
        named like ``text``/``body``/``document``, or the one whose texts are clearly the longest; when
        none of these settles it, the error names the columns to choose from.
    id_column : str, optional
        The column that holds the ids; default the table's index (a polars or datasets table has none:
        its row numbers).

    Returns
    -------
    Corpus
    """
    table = as_pandas(data)
    kind = type(data).__name__
    names = [str(c) for c in table.columns] if isinstance(table, pd.DataFrame) else []
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CorpusError(f"the table has more than one column named {twice[0]!r}: rename them so each name is "
                          "used once (df.columns = [...])")
    if isinstance(table, pd.Series):
        if text_column is not None and text_column != table.name:
            raise CorpusError(f"text_column={text_column!r} is given for a Series (named {table.name!r}): leave "
                              "text_column out, or pass the DataFrame")
        name = table.name if table.name is not None else "text"
        table = table.to_frame(name=name)
        text_column = name
    if id_column is not None:
        _require_column(table, id_column, "id_column")
        ids = _complete(table[id_column], f"id_column={id_column!r} has", "or leave id_column out to use the index")
        given = True
    else:
        ids = _index_ids(table.index)
        given = not _is_positions(table.index, data)
    column = pick_text_column(table, text_column, id_column)
    source = f"<{kind} column {column!r}>"
    values = table[column].tolist()
    undecodable = next((i for i, v in enumerate(values) if isinstance(v, (bytes, bytearray)) and not _utf8(v)), None)
    if undecodable is not None:
        raise CorpusError(f"{source} row {undecodable}: bytes that are not valid UTF-8: decode the column first, e.g. "
                          f"df[{column!r}].str.decode('latin-1')")
    texts = [text_value(v, i, source, str(column), "utf-8", "strict") for i, v in enumerate(values)]
    fields = table.drop(columns=[c for c in (column, id_column) if c is not None]).reset_index(drop=True)
    fields.columns = [str(c) for c in fields.columns]
    id_type = id_type_of(ids.dtype)
    keys = [str(v) for v in ids.tolist()]
    if given:
        warn_repeated(keys, source)
    return Corpus(texts=texts, ids=keys, fields=fields, source=source, ids_given=given, id_type=id_type)


def _index_ids(index: pd.Index) -> pd.Series:
    """The ids an index gives: its values (a MultiIndex's as text, said once); an index with missing values is
    refused."""
    if isinstance(index, pd.MultiIndex):
        warnings.warn(f"the table's index has {index.nlevels} levels: its ids are text such as {str(index[0])!r}; to "
                      "join results back, reset_index() first or pass id_column=", TopicLensWarning, stacklevel=5)
        return pd.Series([str(v) for v in index], dtype=object)
    return _complete(index.to_series(), "the table's index has", "reset_index(drop=True), or pass id_column=")


def _complete(ids: pd.Series, where: str, fix: str) -> pd.Series:
    """``ids``, refused with a :class:`CorpusError` (``where`` ... ``fix``) when any is missing."""
    missing = ids.isna().to_numpy()
    if missing.any():
        raise CorpusError(f"{where} {int(missing.sum())} missing value(s), first at row {int(missing.argmax())}: "
                          f"fill them in, {fix}")
    return ids


def pick_text_column(table: pd.DataFrame, text_column: Hashable | None, id_column: Hashable | None = None
                     ) -> Hashable:
    """The column of ``table`` that holds the documents: ``text_column`` when given (checked), else the one
    obvious column of text, else a :class:`CorpusError` naming the choices."""
    if text_column is not None:
        _require_column(table, text_column, "text_column")
        return text_column
    if not len(table):
        raise CorpusError("the table has no rows: give at least one document (or name its text_column=)")
    lengths = {c: _mean_length(table[c]) for c in table.columns if c != id_column}
    texts = {c: n for c, n in lengths.items() if n is not None}
    columns = ", ".join(map(str, table.columns)) or "none"
    if not texts:
        raise CorpusError(f"the table has no column of text (columns: {columns}): name the one that holds the "
                          "documents with text_column=")
    if len(texts) == 1:
        return next(iter(texts))
    named = [c for c in texts if str(c).lower() in TEXT_NAMES]
    if len(named) == 1:
        return named[0]
    ranked = sorted(texts, key=texts.get, reverse=True)
    if texts[ranked[0]] >= CLEAR_MARGIN * max(texts[ranked[1]], 1.0):
        return ranked[0]
    choices = ", ".join(f"{c!s} ({texts[c]:.0f} characters on average)" for c in ranked)
    raise CorpusError(f"the table has several columns of text: {choices}; name the one that holds the documents "
                      f"with text_column=, e.g. text_column={ranked[0]!r}")


def _utf8(value: bytes) -> bool:
    try:
        bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mean_length(column: pd.Series) -> float | None:
    """The mean length of a column's texts (over its first rows; bytes count as text to decode), or None when it is
    not a column of text."""
    values = column.head(SAMPLE_ROWS).dropna().tolist()
    if not values or not all(isinstance(v, (str, bytes, bytearray)) for v in values):
        return None
    return sum(map(len, values)) / len(values)


def _require_column(table: pd.DataFrame, column: Hashable, argument: str) -> None:
    if column not in table.columns:
        columns = ", ".join(map(str, table.columns)) or "none"
        raise CorpusError(f"the table has no column {column!r} (columns: {columns}): pass one of them as "
                          f"{argument}=")


def _is_positions(index: pd.Index, data: Any) -> bool:
    """Whether an index only numbers the rows 0, 1, 2, ... (pandas's default, and what polars and datasets
    tables become), so the ids are positions the input does not name."""
    if not isinstance(data, (pd.DataFrame, pd.Series)):
        return True
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
