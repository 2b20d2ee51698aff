"""The one table of edits: each edit's name, TopicModel method, arguments with their checks, and help.

The command line (``topiclens merge DIR 1,4``), the workbench (its buttons and the JSON it sends) and the
Python API (``TopicModel.merge_topics(groups=...)``) all read this table, so an edit is written once: its
arguments are spelled the same everywhere (``n_topics`` in Python and JSON, ``--n-topics`` on the command line;
topics are positional there), and
every value from the browser or the command line passes the same check before the model sees it. Topic ids
are checked against the model by the operation itself.

This module imports nothing heavy: ``topiclens --help`` builds its parser from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.errors import ConfigError
from ..core.untrusted import strip_controls

# What an argument holds, how the command line reads it, and how the workbench asks for it.
KINDS = ("topic", "topics", "groups", "count", "share", "number", "choice", "flag")
TOPIC_KINDS = ("topic", "topics", "groups")  # filled from the selection in the workbench


@dataclass(frozen=True)
class Argument:
    """One argument of an edit: ``name`` is the method's keyword, the JSON key and (``--name``) the option."""

    name: str
    kind: str
    help: str
    required: bool = False
    default: Any = None
    least: float | None = None        # the smallest value (a count, a number), or the fewest topics
    most: float | None = None         # the largest value of a number
    choices: tuple[str, ...] = ()
    suggested: Any = None             # what the workbench fills in (None: empty)

    def check(self, value: Any) -> Any:
        """``value`` (from JSON or the command line) as the method takes it; a ConfigError names the problem."""
        if value is None:
            if self.required:
                raise ConfigError(f"{self.name} is required: {self.help}")
            return self.default
        if self.kind == "topic":
            return whole_number(value, self.name, 0)
        if self.kind == "topics":
            return topic_list(value, self.name, int(self.least or 1))
        if self.kind == "groups":
            if not isinstance(value, list) or not value:
                raise ConfigError(f"{self.name} must be a list of topic groups, e.g. [[1, 4]]")
            return [topic_list(group, "a group", int(self.least or 2)) for group in value]
        if self.kind == "count":
            return whole_number(value, self.name, int(self.least) if self.least is not None else None)
        if self.kind in ("share", "number"):
            low, high = (0.0, 1.0) if self.kind == "share" else (self.least, self.most)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value \
                    or (low is not None and value < low) or (high is not None and value > high):
                span = f" between {low:g} and {high:g}" if low is not None and high is not None else ""
                raise ConfigError(f"{self.name} must be a number{span}, not {value!r}"[:200])
            return float(value)
        if self.kind == "choice":
            if value not in self.choices:
                raise ConfigError(f"{self.name} must be one of {', '.join(self.choices)}")
            return value
        if not isinstance(value, bool):
            raise ConfigError(f"{self.name} must be true or false")
        return value

    def record(self) -> dict[str, Any]:
        """The argument as JSON, for the workbench page."""
        return {"name": self.name, "kind": self.kind, "help": self.help, "required": self.required,
                "default": self.default, "least": self.least, "most": self.most, "choices": list(self.choices),
                "suggested": self.suggested}


@dataclass(frozen=True)
class Edit:
    """One edit: its ``name`` (the command, the workbench's operation, the history's record), the TopicModel
    ``method`` it runs, its help, its arguments, and groups of arguments of which at most one may be given
    (``exclusive``; ``one_required``: exactly one)."""

    name: str
    method: str
    title: str                        # the workbench button
    summary: str                      # one line: the command's help
    description: str                  # the command's description
    arguments: tuple[Argument, ...]
    exclusive: tuple[str, ...] = ()
    one_required: bool = False

    @property
    def on_selection(self) -> bool:
        """Whether the edit works on chosen topics (the workbench fills them from its selection)."""
        return any(a.kind in TOPIC_KINDS for a in self.arguments)

    def checked(self, values: dict[str, Any]) -> dict[str, Any]:
        """The arguments the method is called with, each checked; unknown names are refused."""
        known = {a.name for a in self.arguments}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"{self.name} takes {', '.join(sorted(known))}; not {', '.join(unknown)}"[:200])
        given = [name for name in self.exclusive if values.get(name) is not None]
        if len(given) > 1 or (self.one_required and not given):
            raise ConfigError(f"{self.name}: give {' or '.join(self.exclusive)}, "
                              f"{'one of them' if self.one_required else 'not both'}")
        return {a.name: a.check(values.get(a.name)) for a in self.arguments}

    def run(self, model: Any, values: dict[str, Any], labeler: Any = None) -> Any:
        """The edited model: ``model``'s method with the checked ``values`` (a new model; ``model`` is kept)."""
        return getattr(model, self.method)(**self.checked(values), labeler=labeler)

    def record(self) -> dict[str, Any]:
        """The edit as JSON, for the workbench page."""
        return {"name": self.name, "title": self.title, "summary": self.summary, "on_selection": self.on_selection,
                "exclusive": list(self.exclusive), "one_required": self.one_required,
                "arguments": [a.record() for a in self.arguments]}


def whole_number(value: Any, name: str, least: int | None = None) -> int:
    """``value`` as a whole number (not a bool) of at least ``least``; a ConfigError names ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, not {value!r}"[:200])
    if least is not None and value < least:
        raise ConfigError(f"{name} must be at least {least}, not {value}")
    return int(value)


MAX_LABEL_CHARS = 200


def label_text(value: Any) -> str:
    """A label typed by a person as one clean line (control characters gone, spaces collapsed) of at most
    :data:`MAX_LABEL_CHARS` characters; a ConfigError when it is not text, is empty or is longer."""
    if not isinstance(value, str):
        raise ConfigError("label must be text")
    label = " ".join(strip_controls(value).split())
    if not label:
        raise ConfigError("the new label is empty: type a few words")
    if len(label) > MAX_LABEL_CHARS:
        raise ConfigError(f"the new label has {len(label)} characters: keep it under {MAX_LABEL_CHARS}")
    return label


def topic_list(value: Any, name: str = "topics", least: int = 1) -> list[int]:
    """``value`` as a list of at least ``least`` different topic ids (whole numbers, 0 or more)."""
    if not isinstance(value, list) or len(value) < least:
        raise ConfigError(f"{name} must be a list of at least {least} topic id(s)")
    topics = [whole_number(t, "a topic id", 0) for t in value]
    if len(set(topics)) != len(topics):
        raise ConfigError(f"{name} names a topic twice")
    return topics


EDITS: dict[str, Edit] = {edit.name: edit for edit in (
    Edit("merge", "merge_topics", "Merge", "merge topics of a saved model",
         "Merge each group of topics into one topic, which keeps the group's lowest id; only the merged topics get "
         "new keywords and an LLM label.",
         (Argument("groups", "groups", "the groups of topics to merge, e.g. 1,4 7,9,12", required=True, least=2),)),
    Edit("delete", "delete_topics", "Delete", "delete topics of a saved model",
         "Delete topics; their documents join their nearest remaining topic (by centroid), or become outliers "
         "with --to-outliers.",
         (Argument("topics", "topics", "the topics to delete", required=True),
          Argument("to_outliers", "flag", "make their documents outliers", default=False))),
    Edit("split", "split_topic", "Split", "split a topic of a saved model",
         "Cluster one topic's documents again; the largest part keeps the id, the others get new ids.",
         (Argument("topic", "topic", "the topic to split", required=True),
          Argument("parts", "count", "the number of parts (default: Leiden decides)", least=2))),
    Edit("reduce", "reduce_topics", "Reduce", "merge the most similar topics of a saved model",
         "Merge the smallest topic into its most similar one (by centroid) until --n-topics remain, or make each "
         "node of a level of the topic tree (--level) one topic.",
         (Argument("n_topics", "count", "the number of topics to keep", least=1),
          Argument("level", "count", "a level of the topic tree (1: the coarsest) whose nodes become the topics",
                   least=1)),
         exclusive=("n_topics", "level"), one_required=True),
    Edit("outliers", "reduce_outliers", "Reassign outliers", "move outliers of a saved model into topics",
         "Move each outlier to the topic whose centroid is most similar (embeddings) or that most of its "
         "neighbours are in (probabilities).",
         (Argument("strategy", "choice", "how an outlier's topic is chosen", default="embeddings",
                   choices=("embeddings", "probabilities")),
          Argument("threshold", "number", "the least similarity (or vote share) that moves an outlier", least=-1.0,
                   most=1.0),
          Argument("target", "share", "the outlier share to leave at most, e.g. 0.05 (the threshold is chosen "
                   "to reach it)", suggested=0.05)),
         exclusive=("threshold", "target")),
)}
