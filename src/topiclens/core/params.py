"""Declared parameter rules, checked once before any work starts.

Each estimator (``TopicModel`` and every stage object) lists, per parameter, the rules a value
may satisfy (``_constraints``); :func:`check_params` raises one :class:`ConfigError` whose message
names the parameter, the bad value and what to use instead. A value that a saved model could not
restore (a user's own object: topiclens never unpickles code) is an :class:`Unrestored` marker,
which fails the same check with a message that says how to supply it.
"""

from __future__ import annotations

import numbers
import reprlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import ConfigError

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60


class Rule:
    """One kind of value a parameter accepts."""

    def accepts(self, value: Any) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


class OneOf(Rule):
    """One of a fixed set of strings (or other constants)."""

    def __init__(self, values: Sequence[Any]) -> None:
        self.values = tuple(values)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.values

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)


class IsNone(Rule):
    def accepts(self, value: Any) -> bool:
        return value is None

    def describe(self) -> str:
        return "None"


class Number(Rule):
    """An int (or, with ``kind=float``, any real number) in [low, high]; bools are not numbers here."""

    def __init__(self, kind: type, low: float | None = None, high: float | None = None, *,
                 low_open: bool = False) -> None:
        self.kind = kind
        self.low = low
        self.high = high
        self.low_open = low_open

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral if self.kind is int else numbers.Real):
            return False  # numpy's integers and floats register as numbers.Integral / numbers.Real
        if value != value:  # NaN
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or value <= self.high

    def describe(self) -> str:
        what = "an integer" if self.kind is int else "a number"
        if self.low is not None and self.low == self.high and not self.low_open:
            return str(self.low)
        if self.low is not None and self.high is not None:
            return f"{what} in {'(' if self.low_open else '['}{self.low}, {self.high}]"
        if self.low is not None:
            return f"{what} {'>' if self.low_open else '>='} {self.low}"
        return what


class Instance(Rule):
    """An instance of one of the given types."""

    def __init__(self, *types: type, what: str | None = None) -> None:
        self.types = types
        self.what = what

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) and bool not in self.types:
            return False  # True is an int to Python, not to a user
        return isinstance(value, self.types)

    def describe(self) -> str:
        return self.what or " or ".join(t.__name__ for t in self.types)


class Conforms(Rule):
    """An object that speaks a runtime-checkable protocol (``stages.protocols``); names and paths do not."""

    def __init__(self, protocol: type, what: str) -> None:
        self.protocol = protocol
        self.what = what

    def accepts(self, value: Any) -> bool:
        return not isinstance(value, (str, bytes, Path)) and isinstance(value, self.protocol)

    def describe(self) -> str:
        return self.what


class HasMethods(Rule):
    """An object with these methods (for objects outside topiclens's protocols, such as a Dask client)."""

    def __init__(self, *methods: str, what: str) -> None:
        self.methods = methods
        self.what = what

    def accepts(self, value: Any) -> bool:
        return not isinstance(value, (str, bytes, Path)) and all(callable(getattr(value, m, None))
                                                                 for m in self.methods)

    def describe(self) -> str:
        return self.what


class Unrestored:
    """Stands for a parameter a saved model recorded but could not rebuild (a user's own object).

    Loading never runs code from the files, so a custom clusterer, reducer, vectorizer or embedder
    comes back as this marker; a fitted model still predicts, labels and draws, but fitting again
    (or embedding new documents, for an embedder) needs the object passed to ``TopicModel.load``.
    """

    def __init__(self, type_name: str, description: str) -> None:
        self.type_name = type_name
        self.description = description

    def __repr__(self) -> str:
        return f"<not restored: {self.description}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unrestored) and (other.type_name, other.description) == (self.type_name,
                                                                                         self.description)

    def __hash__(self) -> int:
        return hash((self.type_name, self.description))

    def problem(self, name: str) -> str:
        return (f"{name} was {self.description}, which a saved model cannot restore (loading never runs code): "
                f"pass it again, e.g. TopicModel.load(DIR, {name}=...)")


def check_param(owner: str, name: str, value: Any, rules: Sequence[Rule]) -> None:
    """Raise ConfigError unless ``value`` satisfies one of ``rules``."""
    if any(rule.accepts(value) for rule in rules):
        return
    if isinstance(value, Unrestored):
        raise ConfigError(value.problem(name))
    options = "; or ".join(rule.describe() for rule in rules)
    if isinstance(value, str) and any(isinstance(rule, OneOf) for rule in rules):
        raise ConfigError(f"unknown {name} {value!r}: use {options}")
    raise ConfigError(f"{owner}({name}={_short.repr(value)}) is not valid: use {options}")


def check_params(estimator: Any) -> None:
    """Check every declared parameter of ``estimator`` (its class's ``_constraints``)."""
    owner = type(estimator).__name__
    for name, rules in type(estimator)._constraints.items():
        check_param(owner, name, getattr(estimator, name), rules)
