"""Tables out to files that spreadsheets and other tools read safely.

The format follows the file name: ``.csv``, ``.tsv``, ``.jsonl`` / ``.json`` (JSON lines),
``.parquet``, ``.xlsx``. Text cells come from documents and LLMs, so in CSV, TSV and XLSX a cell
that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading ``'``, which spreadsheets show as text; every text cell of a CSV is
quoted, so a carriage return or newline inside an id stays inside its cell. A cell that holds a list (a
topic's keywords, its representative documents) is written to CSV, TSV and XLSX as one text
(:func:`joined`); JSON lines and Parquet keep it a list.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import ConfigError
from .files import write_atomic

FORMATS = (".csv", ".tsv", ".jsonl", ".json", ".parquet", ".xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ", "
SEPARATORS = {"representative_docs": "\n\n"}  # documents hold commas: one blank line between them


def joined(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every list (tuple, array) cell written as one text: words joined by ``", "``, the
    representative documents by a blank line. Other cells are left as they are.

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    DataFrame
        A copy, ready for ``to_csv`` or ``to_excel``.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype != object:
            continue
        separator = SEPARATORS.get(str(column), LIST_SEPARATOR)
        out[column] = out[column].map(
            lambda v, sep=separator: sep.join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v)
    return out


def neutralise(value):
    """A text cell a spreadsheet would run as a formula, made plain text with a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each column whose cells mix types (a JSON field that is 1 in one record and "1.0" in
    another) written as text, which Parquet's one type per column can hold; lists and uniform columns stay."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype != object:
            continue
        kinds = {type(v) for v in out[column] if v is not None and not (isinstance(v, float) and v != v)}
        if len(kinds) > 1 and not kinds <= {list, tuple, np.ndarray}:
            out[column] = out[column].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell neutralised (numbers are left as numbers)."""
    return _map_text(frame, neutralise)


def _map_text(frame: pd.DataFrame, function) -> pd.DataFrame:
    """``frame`` with ``function`` applied to every text cell."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: function(v) if isinstance(v, str) else v)
    return out


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` in the format its suffix names; an unknown suffix is an error, not CSV."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(f"cannot write {path.name}: name the file with one of {', '.join(FORMATS)}")
    if suffix in (".csv", ".tsv"):
        sep = "\t" if suffix == ".tsv" else ","
        return write_atomic(path, lambda out: spreadsheet_safe(joined(frame)).to_csv(
            out, index=False, sep=sep, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n"))
    if suffix in (".jsonl", ".json"):
        return write_atomic(path, lambda out: frame.to_json(out, orient="records", lines=True, force_ascii=False))
    if suffix == ".parquet":
        return write_atomic(path, lambda out: parquet_ready(frame).to_parquet(out, index=False), binary=True)
    try:
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    except ImportError:
        raise ConfigError("writing .xlsx needs openpyxl: pip install 'topiclens[excel]' (or write .csv or .parquet)"
                          ) from None
    # Control characters cannot be stored in a worksheet: they are shown as \uXXXX instead.
    safe = _map_text(spreadsheet_safe(joined(frame)),
                     lambda v: ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", v))
    return write_atomic(path, lambda out: safe.to_excel(out, index=False, engine="openpyxl"), binary=True)
