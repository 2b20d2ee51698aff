"""Documents in any form the API takes, as a :class:`~topiclens.io.corpus.Corpus`."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import CorpusError
from .corpus import Corpus, from_texts, read_corpus
from .tables import corpus_from_table, is_table


def as_corpus(docs: Sequence[str] | Corpus | Path | Any, *, text_column: Hashable | None = None,
              id_column: Hashable | None = None) -> Corpus:
    """Accept a list of strings, a table, a Corpus, or a corpus file path (pathlib.Path).

    Parameters
    ----------
    docs : sequence of str, DataFrame, Series, Corpus or Path
        A table (pandas or polars DataFrame or Series, ``datasets.Dataset``) is read by
        :func:`~topiclens.io.tables.corpus_from_table`: its text column, the other columns as fields,
        its index as ids. See :func:`from_texts` for the sequences accepted; a dict is refused with the fix.
    text_column, id_column : str, optional
        For a table: the column of the documents and the column of the ids (default: the one obvious
        text column, and the index).

    Returns
    -------
    Corpus
    """
    if is_table(docs):
        return corpus_from_table(docs, text_column=text_column, id_column=id_column)
    _refuse_unread_tables(docs)
    if text_column is not None or id_column is not None:
        raise CorpusError(f"text_column= and id_column= name the columns of a table, but the documents are a "
                          f"{type(docs).__name__}: pass a DataFrame, or leave them out")
    if isinstance(docs, Corpus):
        return docs
    if isinstance(docs, Path):
        return read_corpus(docs)
    if isinstance(docs, str):
        raise CorpusError("documents must be a list of strings; to read a file pass pathlib.Path(...) "
                          "or topiclens.read_corpus(path)")
    return from_texts(docs)


def _refuse_unread_tables(docs: Any) -> None:
    """A lazy polars query and a datasets dictionary of splits, refused with what to pass."""
    module = type(docs).__module__.partition(".")[0]
    if module == "polars" and hasattr(docs, "collect"):
        raise CorpusError(f"a polars {type(docs).__name__} is a query, not its rows: pass .collect() of it")
    if module == "datasets" and isinstance(docs, Mapping):
        splits = ", ".join(map(str, docs)) or "none"
        first = next(iter(docs), "train")
        raise CorpusError(f"a {type(docs).__name__} holds splits ({splits}): pass one of them, e.g. ds[{first!r}]")
