"""Pure functions behind round 2's fixes: the key scrubbed from answers, times outside pandas' range, text as
a page shows it."""

from __future__ import annotations

import pandas as pd

from topiclens.breakdown.groups import parse_times, time_grouping
from topiclens.core.untrusted import BIDI_CONTROLS, strip_controls
from topiclens.llm.base import scrub_answer, scrub_secret
from topiclens.views.data import shown, snippet
from topiclens.views.trend_charts import _distinct

KEY = "sk-SECRET123"


class _Keyed:
    """Any backend that names its secret."""

    def secret(self) -> str:
        return KEY


def test_the_key_and_its_bearer_form_leave_an_answer():
    assert scrub_secret(f"Key Bearer {KEY}", KEY) == "Key [API key]"
    assert scrub_secret(f"bearer  {KEY} and {KEY}!", KEY) == "[API key] and [API key]!"
    assert scrub_secret("Rust crates", KEY) == "Rust crates"
    assert scrub_secret("a b c", "b") == "a b c"  # a one-letter "key" would blank words
    assert scrub_answer(_Keyed(), f"label {KEY}") == "label [API key]"
    assert scrub_answer(object(), f"label {KEY}") == f"label {KEY}"  # a backend without a secret


def test_times_outside_pandas_range_are_unparsed_not_an_error():
    """Regression: 9999-12-31, 0001-01-01 and -5 raised OutOfBoundsDatetime."""
    times, missing = parse_times(["2020-05-01", "9999-12-31", "0001-01-01", "-5", "1677-09-21", "", None])
    assert times.notna().tolist() == [True] + [False] * 6
    assert missing.tolist() == [False] * 5 + [True, True]
    seconds, _ = parse_times([0, 86_400, 1e12, -1e12, float("inf")])
    assert seconds.notna().tolist() == [True, True, False, False, False]
    years, _ = parse_times([1000, 2020])  # years, but 1000 is before any time pandas holds
    assert years.isna().tolist() == [True, False]
    edge = time_grouping(["1678-01-01", "2261-12-31"], freq="week")  # every period of a kept time fits
    assert edge.unparsed == 0 and edge.starts[0] < pd.Timestamp("1678-01-01")
    grouping = time_grouping(["2020-01-01", "9999-12-31", "-5"], freq="year")
    assert (grouping.names, grouping.unparsed, grouping.unparsed_examples) == (["2020"], 2, ["9999-12-31", "-5"])


def test_text_as_shown_has_no_control_and_is_cut_on_the_right():
    assert snippet("\u202eevil\u202c  name\n", 40) == "evil name"
    assert snippet("x" * 50, 10) == "x" * 9 + "…"
    assert snippet("a\u2067b" + " c" * 400, 20).startswith("ab c")
    value = shown({"groups": ["\u202eevil", ("\x1b[31mred",)], "n": 3, "id": "\u200fid"})
    assert value == {"groups": ["evil", ["red"]], "n": 3, "id": "id"}
    assert strip_controls("plain text") == "plain text"
    assert all(strip_controls(f"a{ch}b") == "ab" for ch in BIDI_CONTROLS)
    assert _distinct(["A", "B", "A"]) == ["A", "B", "A (2)"]
