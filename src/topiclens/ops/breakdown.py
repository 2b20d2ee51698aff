"""Breakdown operations: topics over time and per class, as tables (they only read the model)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..breakdown.groups import class_grouping, time_grouping
from ..breakdown.table import group_table
from ..core.errors import ConfigError, TopicLensWarning
from ..io.corpus import corpus_field
from ..io.units import unit_owners
from ..pipeline import adapt
from .fitted import Fitted

if TYPE_CHECKING:
    import pandas as pd

TIME_FIELD = "timestamp"


def topics_over_time(fitted: Fitted, bins: int | None = None, *, freq: str | None = None,
                     timestamps: Sequence | str | None = None, time_field: str = TIME_FIELD, n_words: int = 5,
                     tuning: float = 0.5, empty: bool = False) -> pd.DataFrame:
    """How many documents each topic has in each period, and its keywords in that period.

    Parameters
    ----------
    bins : int, optional
        Cut the time span into this many equal periods (empty ones left out). Default: 20 when
        ``freq`` is not given.
    freq : {'year', 'quarter', 'month', 'week', 'day'}, optional
        Calendar periods instead of equal spans.
    timestamps : sequence or str, optional
        One time per document (ISO strings, datetimes, years or seconds since 1970; a Series is read
        in order), or the name of the corpus field that holds them (a column of the DataFrame the model
        was fitted on); default: the field ``time_field``.
    time_field : str, default 'timestamp'
        The corpus field holding the times, when ``timestamps`` is not given.
    n_words : int, default 5
        Keywords per topic and period.
    tuning : float, default 0.5
        How far a period's keywords lean toward the topic's global keywords (0: the period's own
        c-TF-IDF, 1: the global keywords).
    empty : bool, default False
        Also give the period and topic pairs without documents (rows of zeros), for a full grid.

    Returns
    -------
    DataFrame
        One row per period and topic with documents in it (outliers as topic -1): ``period``,
        ``start``, ``end``, ``topic``, ``label``, ``documents``, ``share`` (of the period's documents)
        and ``keywords`` (the words joined by ", "). ``attrs`` holds ``documents`` (in some period),
        ``missing`` and ``unparsed`` (left out, and warned about).
    """
    if isinstance(timestamps, str):
        values = _per_document(fitted.state, None, timestamps, "timestamps")
    else:
        values = _per_document(fitted.state, timestamps, time_field, "timestamps", argument="time_field")
    grouping = time_grouping(values, freq=freq, bins=bins if bins is not None or freq else 20)
    if grouping.missing or grouping.unparsed:
        examples = f" (e.g. {grouping.unparsed_examples[0]!r})" if grouping.unparsed_examples else ""
        warnings.warn(f"{grouping.missing} document(s) without a timestamp and {grouping.unparsed} whose "
                      f"timestamp did not parse{examples} are in no period", TopicLensWarning, stacklevel=3)
    return _group_table(fitted, grouping, "period", n_words, tuning, empty)


def topics_per_class(fitted: Fitted, classes: str | Sequence, *, n_words: int = 5, tuning: float = 0.5,
                     empty: bool = False) -> pd.DataFrame:
    """How many documents each topic has in each class, and its keywords within the class.

    Parameters
    ----------
    classes : str or sequence
        A corpus field (e.g. ``"section"``, a column of the DataFrame the model was fitted on), or one
        class per document (a Series is read in order).
    n_words, tuning, empty
        As in :meth:`topics_over_time`.

    Returns
    -------
    DataFrame
        One row per class and topic with documents in it: ``class``, ``topic``, ``label``, ``documents``,
        ``share`` (of the class's documents) and ``keywords``; ``attrs["missing"]`` counts documents
        without a class.
    """
    if isinstance(classes, str):
        values = _per_document(fitted.state, None, classes, "classes")
    else:
        values = _per_document(fitted.state, classes, "", "classes")
    grouping = class_grouping(values)
    what = f"field {classes!r}" if isinstance(classes, str) else "classes"
    if len(grouping.names) == 1:
        warnings.warn(f"{what} has one value ({grouping.names[0]!r}): every document is in one class",
                      TopicLensWarning, stacklevel=3)
    if grouping.missing:
        warnings.warn(f"{grouping.missing} document(s) without a class in {what} are in no class",
                      TopicLensWarning, stacklevel=3)
    return _group_table(fitted, grouping, "class", n_words, tuning, empty)


def _group_table(fitted: Fitted, grouping, column: str, n_words: int, tuning: float, empty: bool) -> pd.DataFrame:
    if not isinstance(n_words, int) or n_words < 1:
        raise ConfigError(f"n_words must be a whole number, 1 or more; got {n_words!r}")
    weighting = adapt.as_representation(fitted.settings.representation).keyword_weighting
    table = group_table(fitted.state, grouping, fitted.word_counts(), column=column, weighting=weighting,
                        n_words=n_words, tuning=tuning)
    if empty:
        return table
    kept = table[table["documents"] > 0].reset_index(drop=True)
    kept.attrs.update(table.attrs)
    return kept


def _per_document(state, values: Sequence | None, field: str, what: str, argument: str | None = None) -> list:
    """``values`` checked against the documents, or the corpus field ``field`` (named by ``argument``, default
    ``what``)."""
    n_docs = len(state.corpus)
    if values is not None:
        values = list(values)
        if state.split and len(values) != n_docs:  # one per document, given to each of its passages
            owners, documents = unit_owners(state.corpus)
            if len(values) == len(documents):
                return [values[o] for o in owners]
            raise ConfigError(f"{len(values)} {what} for {len(documents)} documents ({n_docs} passages): give one "
                              "per document")
        if len(values) != n_docs:
            raise ConfigError(f"{len(values)} {what} for {n_docs} documents: give one per document")
        return values
    return corpus_field(state.corpus, field, argument or what)
