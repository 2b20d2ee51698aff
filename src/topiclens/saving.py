"""Saving a fitted model to a directory and loading it back, without pickle (``TopicModel.save`` / ``load``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from .core.errors import ConfigError, ModelFileError
from .core.params import Unrestored, check_param
from .state import TopicState

# What a model directory restores; the rest (where LLM requests, keys, caches and work go, and how
# this process runs) is always the caller's choice, never the files'.
PIPELINE_PARAMS = ("model", "embedding_model", "reduction", "clustering", "vectorizer", "representation", "layout",
                   "language", "n_neighbors", "knn", "min_cluster_size", "nr_topics", "outlier_threshold",
                   "member_threshold", "mixed_topics", "long_documents", "max_passages", "sample_size", "chunk_size",
                   "seed")


def load_model(model_class: type, directory: Path, params: dict[str, Any]) -> tuple[Any, TopicState, str]:
    """A model of ``model_class`` with the directory's settings overridden by ``params``, the state it holds,
    and the digest of its manifest (see ``TopicModel.load``)."""
    from .embedders.registry import resolve_embedding_model
    from .store.persist import load_state
    from .store.records import restore_param

    state, records, saved = load_state(directory)
    restored = {name: restore_param(records[name]) for name in PIPELINE_PARAMS if name in records}
    restored.setdefault("mixed_topics", "keep")  # saved before mixed topics were split: fitted keeping them
    restored.setdefault("member_threshold", None)  # saved before members were trimmed: fitted keeping them
    restored.setdefault("long_documents", "truncate")  # saved before passages: fitted reading the beginning
    _check_restored(model_class, restored, directory)
    model = model_class(**{**restored, **params})
    if "embedding_model" in params and not _names_its_own_table(params["embedding_model"], state.embedding_model):
        # new documents are embedded with the model the caller names
        state = replace(state, embedding_model=resolve_embedding_model(params["embedding_model"], state.language))
    asked = params.get("long_documents")
    if asked is not None and asked != "auto" and (asked == "split") != (state.long_documents == "split"):
        raise ConfigError(f"the model in {directory} was fitted with long_documents={state.long_documents!r}, and "
                          f"long_documents={asked!r} would change what its documents are (whole documents or "
                          "passages): load it without long_documents, or fit again")
    if asked in ("passages", "truncate"):  # and read as the caller says
        state = replace(state, long_documents=asked)
    return model, state, saved


def _names_its_own_table(asked: Any, saved: Any) -> bool:
    """Whether ``embedding_model=asked`` at load names the learned table the model was saved with ('learned', or an
    untrained LearnedEmbedder): that table, not a new untrained one, embeds new documents."""
    from .embedders.learned import LearnedEmbedder

    learned = asked == "learned" or (isinstance(asked, LearnedEmbedder) and not asked.learned)
    return learned and isinstance(saved, LearnedEmbedder)


def _check_restored(model_class: type, restored: dict[str, Any], directory: Path) -> None:
    """A model file's settings pass the same checks as the caller's would (an edited file is refused)."""
    from .stages.base import Stage

    for name, value in restored.items():
        if isinstance(value, Unrestored):
            continue
        try:
            check_param(model_class.__name__, name, value, model_class._constraints[name])
            if isinstance(value, Stage):
                value.check()
        except ConfigError as exc:
            raise ModelFileError(f"{directory / 'topiclens.json'} holds an invalid setting ({exc}); fit the model "
                                 "again") from None
