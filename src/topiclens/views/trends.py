"""The explorer's trend views: each topic's documents per period of the timestamps and per class of a field.

The periods are years when the times span four years or more, months from four months, otherwise
20 equal spans. A class view is made for each field with 2 to 50 distinct values that at least half
of the documents have (three at most; ids, text and the time field excluded). Every view carries
the counts of documents left out (no value, or a time that does not parse).
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from ..breakdown.groups import missing_mask, parse_times
from ..breakdown.table import document_count
from ..core.errors import ConfigError
from ..io.units import FIELDS as UNIT_FIELDS
from ..ops.breakdown import TIME_FIELD

MAX_CLASSES = 50
MAX_CLASS_VIEWS = 3
KEYWORDS = 3


def trend_views(model) -> list[dict[str, Any]]:
    """The views, each ``{"name", "kind": "time"|"class", "groups", "totals", "series", "missing", "unparsed"}``
    with one series per topic (outliers included): ``{"topic", "counts", "keywords"}``."""
    fields = model.corpus_.fields
    views = []
    if TIME_FIELD in fields.columns:
        options = _time_options(fields[TIME_FIELD])
        if options is not None:
            label, chosen = options
            views.append(_view(model, f"over time ({TIME_FIELD}, by {label})", "time",
                               lambda: model.topics_over_time(**chosen, n_words=KEYWORDS, empty=True), "period"))
    for name in _class_fields(fields):
        views.append(_view(model, f"per class ({name})", "class",
                           lambda name=name: model.topics_per_class(name, n_words=KEYWORDS, empty=True), "class"))
    return [view for view in views if view is not None]


def _time_options(values: pd.Series) -> tuple[str, dict] | None:
    times, _ = parse_times(values.tolist())
    known = times.dropna()
    if known.empty:
        return None
    days = (known.max() - known.min()).days
    if days >= 4 * 365:
        return "year", {"freq": "year"}
    if days >= 4 * 30:
        return "month", {"freq": "month"}
    return "equal periods", {"bins": 20}


def _class_fields(fields: pd.DataFrame) -> list[str]:
    chosen = []
    for name in fields.columns:
        if name == TIME_FIELD or name in UNIT_FIELDS or len(chosen) == MAX_CLASS_VIEWS:
            continue
        column = fields[name]
        present = ~missing_mask(column)
        distinct = column[present].astype(str).str.strip().nunique()
        if 2 <= distinct <= MAX_CLASSES and present.mean() >= 0.5:
            chosen.append(name)
    return chosen


def _view(model, name: str, kind: str, make, column: str) -> dict[str, Any] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the left-out counts go into the view
            table = make()
    except ConfigError:
        return None
    groups = list(dict.fromkeys(table[column]))
    series = []
    for topic, rows in table.groupby("topic", sort=False):
        series.append({"topic": int(topic), "counts": [document_count(c) for c in rows["documents"]],
                       "keywords": rows["keywords"].tolist()})
    totals = [document_count(c) for c in table.groupby(column, sort=False)["documents"].sum()]
    return {"name": name, "kind": kind, "groups": [str(g) for g in groups], "totals": totals, "series": series,
            "missing": int(table.attrs.get("missing", 0)), "unparsed": int(table.attrs.get("unparsed", 0))}
