"""A fitted model with some of its state replaced: how a test builds a model a fit would not make."""

from __future__ import annotations

from dataclasses import replace

from topiclens import TopicModel
from topiclens.core.topic_table import COLUMNS, MATRICES


def with_state(model: TopicModel, **fields) -> TopicModel:
    """A copy of ``model`` whose fitted state has ``fields`` replaced (``model`` is left as it is): the state's
    own fields by name, and the topic table's columns (``labels=...``; None drops an optional one) and
    matrices (``centroids``, ``ctfidf``) by the names the state reads them by."""
    changed = TopicModel.__new__(TopicModel)
    changed.__dict__.update(model.__dict__)
    fitted = model.fitted_
    columns = {name: fields.pop(name) for name in list(fields) if name in COLUMNS or name in MATRICES}
    if columns:
        fields["table"] = fitted.state.table.with_columns(**columns)
    changed._install(fitted.evolve(replace(fitted.state, **fields)))
    return changed
