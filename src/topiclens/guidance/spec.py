"""What the user already knows about the topics, checked before any work: seed words, names, classes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.errors import ConfigError
from ..core.params import Rule

# Values of ``y`` that mean "no class given" (semi-supervised fits).
UNLABELED = (-1, None, "")


class WordLists(Rule):
    """A list of lists of non-empty strings (``seed_topics``)."""

    def accepts(self, value: Any) -> bool:
        return (isinstance(value, (list, tuple)) and len(value) > 0
                and all(isinstance(group, (list, tuple)) and group and not isinstance(group, str)
                        and all(isinstance(w, str) and w.strip() for w in group) for group in value))

    def describe(self) -> str:
        return "a list of lists of words, e.g. [['vaccine', 'dose'], ['tax', 'budget']]"


class NameList(Rule):
    """A list of distinct non-empty strings (``zeroshot_topics``)."""

    def accepts(self, value: Any) -> bool:
        return (isinstance(value, (list, tuple)) and len(value) > 0
                and all(isinstance(name, str) and name.strip() for name in value)
                and len({name.strip() for name in value}) == len(value))

    def describe(self) -> str:
        return "a list of distinct topic names, e.g. ['Networking', 'Databases']"


@dataclass(frozen=True)
class GuideSpec:
    """The guidance a fit was asked for (checked values; the classes are read at ``fit``)."""

    seed_topics: tuple[tuple[str, ...], ...] = ()
    zeroshot_topics: tuple[str, ...] = ()
    zeroshot_min_similarity: float = 0.5

    @classmethod
    def of(cls, seed_topics: Sequence[Sequence[str]] | None, zeroshot_topics: Sequence[str] | None,
           zeroshot_min_similarity: float) -> GuideSpec | None:
        if not seed_topics and not zeroshot_topics:
            return None
        seeds = tuple(tuple(w.strip().lower() for w in group) for group in seed_topics or ())
        names = tuple(name.strip() for name in zeroshot_topics or ())
        return cls(seeds, names, float(zeroshot_min_similarity))


def read_classes(y: Any, n_documents: int) -> tuple[np.ndarray, list[str] | None]:
    """``y`` as class numbers (-1: not given) and, when ``y`` holds names, the name of each class number.

    Raises ConfigError for a wrong length, for a mix of names and numbers, and when no document has a class.
    """
    values = list(y)
    if len(values) != n_documents:
        raise ConfigError(f"y has {len(values)} values for {n_documents} documents: give one class per document "
                          "(-1 or None where it is not known)")
    given = [v for v in values if not _unlabeled(v)]
    if not given:
        raise ConfigError("y gives no document a class (every value is -1, None or empty): drop y, or label some "
                          "documents")
    if all(isinstance(v, str) for v in given):
        names = sorted({v.strip() for v in given})
        number = {name: i for i, name in enumerate(names)}
        return np.array([-1 if _unlabeled(v) else number[v.strip()] for v in values], dtype=np.int64), names
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0 for v in given):
        numbers = sorted({int(v) for v in given})
        number = {value: i for i, value in enumerate(numbers)}
        return np.array([-1 if _unlabeled(v) else number[int(v)] for v in values], dtype=np.int64), None
    example = next(v for v in given if not isinstance(v, str))
    raise ConfigError(f"y mixes class names and other values (e.g. {example!r}): give names (str) or class "
                      "numbers (int >= 0), with -1 or None for documents without a class")


def _unlabeled(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value) == -1
    return value is None
