"""An edit run on a copy of the model, and what it changes, in words and figures, before it is applied."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...editing.table import EDITS
from .requests import EditRequest

PREVIEW_KEYWORDS = 6


def run_edit(model, request: EditRequest):
    """The edited model (a new one: ``model`` is left as it is), through TopicModel's own edit methods.

    No LLM is asked here (``labeler=False``): the changed topics get keyword labels waiting for a name,
    and the workbench page asks the LLM to name them once the edit is applied (by default; a separate step,
    with its own progress and its own undo).
    """
    return EDITS[request.operation].run(model, request.arguments, labeler=False)


def _topic_row(model, topic: int) -> dict[str, Any]:
    row = model.fitted_.topic(topic)
    return {"id": int(topic), "label": row.label, "size": int(row.size),
            "keywords": [w for w, _ in row.keywords[:PREVIEW_KEYWORDS]]}


def describe_change(before, after) -> dict[str, Any]:
    """What ``after`` (an edit of ``before``) changes: the topics it makes or reshapes, with where their
    documents come from, the topics it removes, the documents that change topic and the outliers."""
    edit = after.edit_
    old_topics = np.asarray(before.topics_)
    new_topics = np.asarray(after.topics_)
    moved = old_topics != new_topics
    changed = []
    for topic in edit["changed"]:
        row = _topic_row(after, topic)
        sources = old_topics[new_topics == topic]
        ids, counts = np.unique(sources, return_counts=True)
        row["from"] = [[int(t), int(c)] for t, c in sorted(zip(ids, counts), key=lambda p: -p[1])]
        changed.append(row)
    remaining = set(after.topic_ids_)
    removed = [_topic_row(before, t) for t in before.topic_ids_ if t not in remaining]
    return {
        "operation": edit["operation"], "arguments": edit["arguments"],
        "n_topics": [len(before.topic_ids_), len(after.topic_ids_)],
        "changed": changed, "removed": removed,
        "documents_moved": int(moved.sum()),
        "outliers": [int((old_topics < 0).sum()), int((new_topics < 0).sum())],
        "summary": _summary(edit["operation"], before, after, changed, removed, int(moved.sum())),
    }


def _summary(operation: str, before, after, changed: list, removed: list, moved: int) -> str:
    n_before, n_after = len(before.topic_ids_), len(after.topic_ids_)
    return (f"{operation}: {n_before} → {n_after} topics; {len(changed)} topic(s) made or reshaped, "
            f"{len(removed)} removed; {moved:,} document(s) change topic")
