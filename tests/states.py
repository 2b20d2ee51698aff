"""A fitted model with some of its state replaced: how a test builds a model a fit would not make."""

from __future__ import annotations

from topiclens import TopicModel


def with_state(model: TopicModel, **fields) -> TopicModel:
    """A copy of ``model`` whose fitted state has ``fields`` replaced (``model`` is left as it is)."""
    changed = TopicModel.__new__(TopicModel)
    changed.__dict__.update(model.__dict__)
    fitted = model.fitted_
    changed._install(fitted.evolve(fitted.state.but(**fields)))
    return changed
