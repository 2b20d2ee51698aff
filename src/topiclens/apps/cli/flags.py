"""The library's messages in the command line's words: ``min_df=`` (a Python parameter) becomes ``--min-df``.

A library error names a parameter in Python keyword form (``lower min_df=``); the command line prints it with
the flag of the command that ran. The table comes from the command's own parser (each option's ``dest`` to its
first long option), with :data:`PYTHON_NAMES` for the parameters whose flag is spelled otherwise. A name the
command has no option for, and every ``name=value`` inside a call (``Vocabulary(min_df=0)``), are left as they are.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping

# Python parameter -> the option dests that set it, first match wins (the command may have either).
PYTHON_NAMES: dict[str, tuple[str, ...]] = {
    "language": ("lang", "label_language"),  # TopicModel(language=) is --lang; LLMLabeler(language=) --label-language
    "text_column": ("text_field",),
    "id_column": ("id_field",),
    "classes": ("field",),                   # topics_per_class(classes=)
    "y": ("class_field",),                   # fit(docs, y=)
    "n_words": ("words",),                   # topics_over_time / topics_per_class
    "top_n": ("top",),                       # find_topics(top_n=)
    "gold": ("labels",),                     # evaluate_model(model, gold=)
    "n_epochs": ("umap_epochs",),            # UMAPReduction
    "iterations": ("leiden_iterations",),    # LeidenClustering
    "client": ("dask",),
    "template": ("label_template",),         # LLMLabeler's knobs
    "max_words": ("label_max_words",),
    "doc_tokens": ("label_doc_tokens",),
    "n_docs": ("label_docs",),
    "evidence": ("label_evidence",),
    "keyword_margin": ("label_keyword_margin",),
    "keyword_source": ("label_keywords",),
    "disambiguate": ("label_similar",),
    "concurrency": ("llm_concurrency",),
    "timeout": ("llm_timeout",),
}

# ``name=`` as a message names a parameter: not inside a word or a path, and not followed by a value (a number, a
# word, a bracket, ``...``); or followed by one simple quoted value (``decode_errors='replace'``).
_NAMED = re.compile(r"(?<![\w.\-$/])([a-z][a-z0-9_]*)=(?:(['\"])([\w.\-]+)\2(?!\w)|(?![\w\"'\[({=\-/\\~]|\.\.\.))")


def command_parser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser | None:
    """The subcommand ``command``'s parser (None when ``parser`` has no such subcommand)."""
    for action in parser._actions:  # argparse lists its actions nowhere public
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(command)
    return None


def flag_table(parser: argparse.ArgumentParser, command: str | None = None) -> dict[str, str]:
    """Python parameter name -> the flag that sets it, for ``command`` of ``parser`` (and ``parser``'s own)."""
    table: dict[str, str] = {}
    for owner in (parser, command_parser(parser, command)):
        for action in owner._actions if owner is not None else ():
            long = [option for option in action.option_strings if option.startswith("--")]
            if long and action.dest not in ("help", "version"):
                table.setdefault(action.dest, long[0])
    for name, dests in PYTHON_NAMES.items():
        flag = next((table[dest] for dest in dests if dest in table), None)
        if flag is not None and name not in table:
            table[name] = flag
    return table


def _inside_call(message: str, at: int) -> bool:
    """Whether position ``at`` of ``message`` is between a call's parentheses (``Vocabulary(min_df=0)``)."""
    depth = 0
    for position in range(at - 1, -1, -1):
        char = message[position]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return position > 0 and (message[position - 1].isalnum() or message[position - 1] in "_.")
            depth -= 1
    return False


def with_flags(message: str, table: Mapping[str, str]) -> str:
    """``message`` with each ``name=`` that ``table`` knows written as its flag (``name='value'``: ``--flag value``).

    Parameters
    ----------
    message : str
        A library message, naming parameters as ``name=``.
    table : mapping of str to str
        Python parameter -> flag, as :func:`flag_table` gives it.

    Returns
    -------
    str
    """
    def flag(match: re.Match) -> str:
        name, value = match.group(1), match.group(3)
        if name not in table or _inside_call(message, match.start()):
            return match.group(0)
        return table[name] if value is None else f"{table[name]} {value}"

    return _NAMED.sub(flag, message)
