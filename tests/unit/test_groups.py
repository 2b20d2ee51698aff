"""Pure functions behind topics over time and per class: reading times, cutting periods, naming classes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topiclens import ConfigError
from topiclens.breakdown.groups import class_grouping, parse_times, time_grouping


def test_times_read_iso_dates_zones_years_and_epoch_seconds():
    times, missing = parse_times(["2020-01-02", "2020-01-02T23:30:00+02:00", None, "", "nan", "soon"])
    assert list(missing) == [False, False, True, True, True, False]
    assert times[0] == pd.Timestamp("2020-01-02") and times[1] == pd.Timestamp("2020-01-02 21:30")
    assert times[5] is pd.NaT or pd.isna(times[5])
    years, _ = parse_times([1998, 2004.0, "2010"])
    assert list(years) == [pd.Timestamp("1998-01-01"), pd.Timestamp("2004-01-01"), pd.Timestamp("2010-01-01")]
    epoch, _ = parse_times([0, 86_400 * 365])
    assert list(epoch) == [pd.Timestamp("1970-01-01"), pd.Timestamp("1971-01-01")]


def test_calendar_periods_count_every_dated_document_once_and_report_the_rest():
    values = ["2019-05-01", "2019-12-31", "2021-03-04", "garbage", None, "2021-07-30"]
    grouping = time_grouping(values, freq="year")
    assert grouping.names == ["2019", "2021"]  # empty years are left out
    assert list(grouping.index) == [0, 0, 1, -1, -1, 1]
    assert (grouping.missing, grouping.unparsed, grouping.unparsed_examples) == (1, 1, ["garbage"])
    assert grouping.starts[1] == pd.Timestamp("2021-01-01") and grouping.ends[0] == pd.Timestamp("2019-12-31 23:59:59")
    months = time_grouping(values, freq="month")
    assert months.names == ["2019-05", "2019-12", "2021-03", "2021-07"]


def test_equal_bins_span_first_to_last_time_and_put_the_last_in_the_last_bin():
    values = pd.date_range("2000-01-01", "2009-12-31", periods=100).astype(str).tolist()
    grouping = time_grouping(values, bins=4)
    assert len(grouping.names) == 4 and np.bincount(grouping.index).tolist() == [25, 25, 25, 25]
    assert grouping.starts[0] == pd.Timestamp("2000-01-01") and grouping.ends[-1] == pd.Timestamp("2009-12-31")
    assert grouping.names[0] == "2000-01-01"
    gap = time_grouping(["2000-01-01", "2000-01-02", "2010-01-01"], bins=10)
    assert len(gap.names) == 2  # the empty spans between are left out


def test_bad_time_settings_are_named():
    with pytest.raises(ConfigError, match="either freq"):
        time_grouping(["2020"], freq="year", bins=3)
    with pytest.raises(ConfigError, match="unknown freq 'decade'"):
        time_grouping(["2020"], freq="decade")
    with pytest.raises(ConfigError, match="bins must be"):
        time_grouping(["2020"], bins=0)
    with pytest.raises(ConfigError, match="no timestamp could be read"):
        time_grouping(["yesterday", None], freq="year")


def test_classes_are_the_distinct_values_with_the_absent_counted():
    grouping = class_grouping(["net", "web", None, "net", " web ", "None"])
    assert grouping.names == ["net", "web"] and list(grouping.index) == [0, 1, -1, 0, 1, -1]
    assert grouping.missing == 2
    with pytest.raises(ConfigError, match="every value is absent"):
        class_grouping([None, ""])
