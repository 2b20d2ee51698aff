"""Which group each document falls in: a time period from its timestamp, or a class from a field.

A :class:`Grouping` gives every document a group index (-1 when it has none) and names the groups.
Documents without a value and values that do not parse are counted, never silently dropped: the
counts travel with the grouping into the table and are reported by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.errors import ConfigError

FREQUENCIES = {"year": "Y", "quarter": "Q", "month": "M", "week": "W", "day": "D"}
MISSING_TEXT = {"", "nan", "none", "nat", "null"}
# Times outside these count as unparsed: every calendar period of a time inside them fits pandas' nanoseconds.
EARLIEST = pd.Timestamp("1678-01-01")
LATEST = pd.Timestamp("2262-01-01")


@dataclass
class Grouping:
    """Each document's group (``index``, -1 = none), the groups' names, and what was left out."""

    index: np.ndarray                  # (n_docs,) int
    names: list[str]
    starts: list[pd.Timestamp] | None = None  # periods only
    ends: list[pd.Timestamp] | None = None
    missing: int = 0                   # documents without a value
    unparsed: int = 0                  # documents whose value did not parse
    unparsed_examples: list[str] = field(default_factory=list)


def missing_mask(values: pd.Series) -> np.ndarray:
    """True where a value is absent: None, NaN, an empty string, or such a value saved as text."""
    text = values.astype(str).str.strip().str.lower()
    return (values.isna() | text.isin(MISSING_TEXT)).to_numpy()


def parse_times(values: Sequence) -> tuple[pd.Series, np.ndarray]:
    """The values as UTC times without a zone (NaT where absent or unparsed), and the absent mask.

    Strings and datetimes are parsed as dates (ISO or any format pandas reads, zones converted to UTC);
    numbers are years when all are whole numbers from 1000 to 3000, seconds since 1970 otherwise. A time
    before 1678 or from 2262 on (``9999-12-31``, ``0001-01-01``, the year ``-5``) counts as unparsed: every
    calendar period of the times kept fits pandas' nanosecond range. This is the one place times are read.
    """
    series = pd.Series(list(values), dtype=object)
    missing = missing_mask(series)
    present = series[~missing]
    numbers = pd.to_numeric(present, errors="coerce")
    times = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    if len(present) and numbers.notna().all():
        values_ = numbers.to_numpy(dtype=np.float64)
        if np.all((values_ == np.round(values_)) & (values_ >= 1000) & (values_ <= 3000)):
            parsed = pd.to_datetime(values_.astype(int).astype(str), format="%Y")
        else:
            inside = np.isfinite(values_) & (values_ >= EARLIEST.timestamp()) & (values_ < LATEST.timestamp())
            parsed = pd.to_datetime(np.where(inside, values_, np.nan), unit="s", errors="coerce")
        times[~missing] = _in_range(pd.Series(parsed, index=present.index))
    elif len(present):
        parsed = pd.to_datetime(present.astype(str), errors="coerce", utc=True, format="mixed")
        times[~missing] = _in_range(parsed.dt.tz_convert(None))
    return times, missing


def _in_range(parsed: pd.Series) -> np.ndarray:
    """Parsed times (of any resolution) as nanosecond times, NaT outside [EARLIEST, LATEST)."""
    kept = parsed.where(parsed.notna() & (parsed >= EARLIEST) & (parsed < LATEST))
    return kept.astype("datetime64[ns]").to_numpy()


def time_grouping(values: Sequence, *, freq: str | None = None, bins: int | None = None) -> Grouping:
    """Periods of a calendar frequency (``freq``) or ``bins`` equal spans between the first and last time."""
    if (freq is None) == (bins is None):
        raise ConfigError("give either freq ('year', 'quarter', 'month', 'week', 'day') or bins (a number of "
                          "equal periods)")
    if freq is not None and freq not in FREQUENCIES:
        raise ConfigError(f"unknown freq {freq!r}: use one of {', '.join(FREQUENCIES)}")
    if bins is not None and (not isinstance(bins, (int, np.integer)) or bins < 1):
        raise ConfigError(f"bins must be a whole number of periods, 1 or more; got {bins!r}")
    times, missing = parse_times(values)
    unparsed_mask = ~missing & times.isna().to_numpy()
    examples = [str(v) for v in pd.Series(list(values), dtype=object)[unparsed_mask].head(3)]
    known = times.notna().to_numpy()
    if not known.any():
        raise ConfigError(f"no timestamp could be read ({int(missing.sum())} absent, {int(unparsed_mask.sum())} "
                          f"unparsed, e.g. {examples[:1]}): give ISO dates, years or seconds since 1970")
    index = np.full(len(times), -1, dtype=np.int64)
    if freq is not None:
        periods = times[known].dt.to_period(FREQUENCIES[freq])
        ordered = sorted(periods.unique())
        position = {p: i for i, p in enumerate(ordered)}
        index[known] = [position[p] for p in periods]
        names = [str(p) for p in ordered]
        starts = [p.start_time for p in ordered]
        ends = [p.end_time.floor("s") for p in ordered]
    else:
        stamps = times[known].astype("int64").to_numpy()
        edges = np.linspace(stamps.min(), stamps.max(), bins + 1)
        where = np.clip(np.searchsorted(edges, stamps, side="right") - 1, 0, bins - 1)
        used = np.unique(where)
        renumber = np.full(bins, -1)
        renumber[used] = np.arange(len(used))
        index[known] = renumber[where]
        starts = [pd.Timestamp(int(edges[b])) for b in used]
        ends = [pd.Timestamp(int(edges[b + 1])) for b in used]
        daily = (edges[-1] - edges[0]) / bins >= 86_400e9  # a period of a day or more is named by its date
        names = [s.strftime("%Y-%m-%d" if daily else "%Y-%m-%d %H:%M") for s in starts]
    return Grouping(index=index, names=names, starts=starts, ends=ends, missing=int(missing.sum()),
                    unparsed=int(unparsed_mask.sum()), unparsed_examples=examples)


def class_grouping(values: Sequence) -> Grouping:
    """One group per distinct value (sorted as text); absent values counted."""
    series = pd.Series(list(values), dtype=object)
    missing = missing_mask(series)
    text = series[~missing].astype(str).str.strip()
    names = sorted(text.unique())
    if not names:
        raise ConfigError("no document has a class: every value is absent")
    position = {name: i for i, name in enumerate(names)}
    index = np.full(len(series), -1, dtype=np.int64)
    index[~missing] = [position[v] for v in text]
    return Grouping(index=index, names=names, missing=int(missing.sum()))
