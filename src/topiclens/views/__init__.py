"""Views of a fitted model: the document map, the static labeled map, topic charts and the HTML explorer.

Each lives in its own module and is imported on first use (plotly and matplotlib load only when needed).
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "document_map": "docmap", "static_map": "static", "barchart": "charts", "hierarchy": "dendrogram",
    "heatmap": "charts", "topic_linkage": "dendrogram", "write_report": "report", "render_report": "report",
    "report_data": "report",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
