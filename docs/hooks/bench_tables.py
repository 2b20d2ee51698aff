"""MkDocs hook: the benchmark tables, computed from bench/results/*.json when the pages are built.

A page writes ``<!-- table: NAME -->`` on a line of its own (indented, inside a list item, if need be) where
a table goes; this hook puts ``render(NAME)`` of bench/table.py there, indented the same. An unknown name,
a results file that is missing or lacks a field, or a hand-written row right under a placeholder (it would
join the generated table) stops the build with the page and the table named. Every table bench/table.py
knows must be used by some page (strict builds fail otherwise), so a new results table is not forgotten.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)<!-- table: (?P<name>[\w.-]+) -->[ \t]*$", re.MULTILINE)
HAND_ROWS = re.compile(r"^[ \t]*<!-- table: (?P<name>[\w.-]+) -->[ \t]*\n[ \t]*\|", re.MULTILINE)
log = logging.getLogger("mkdocs.hooks.bench_tables")


def _load_tables():
    spec = importlib.util.spec_from_file_location("topiclens_bench_table", ROOT / "bench" / "table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tables = _load_tables()
used: set[str] = set()


def on_config(config):
    """Rebuild on ``mkdocs serve`` when a results file or the table code changes."""
    config.watch.extend([str(ROOT / "bench" / "results"), str(ROOT / "bench" / "table.py")])
    return config


def on_pre_build(config):
    used.clear()


def on_page_markdown(markdown: str, page, config, files) -> str:
    stray = HAND_ROWS.search(markdown)
    if stray:  # a row typed by hand next to a generated table would read as part of it
        raise PluginError(f"{page.file.src_uri}: a hand-written table row follows <!-- table: {stray['name']} -->")
    def table(match: re.Match) -> str:
        name = match["name"]
        try:
            text = tables.render(name)
        except Exception as error:  # a missing file or field: say which page and table
            raise PluginError(f"{page.file.src_uri}: benchmark table {name!r}: "
                              f"{type(error).__name__}: {error}") from error
        used.add(name)
        return "\n".join(match["indent"] + line if line else line for line in text.split("\n"))

    return PLACEHOLDER.sub(table, markdown)


def on_post_build(config):
    unused = [name for name in tables.TABLES if name not in used]
    if unused:
        log.warning("benchmark tables no page shows (add <!-- table: NAME --> to a page): %s", ", ".join(unused))
