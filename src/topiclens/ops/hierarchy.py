"""Tree operations: build and name the tree over the topics, print it, cut it into merge groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..core.errors import ConfigError
from ..core.untrusted import for_terminal
from ..hierarchy.naming import name_tree
from ..hierarchy.tree import build_tree, check_levels, default_levels, format_tree
from ..pipeline import adapt
from ..stages.protocols import LabelContext
from ..state import TopicState
from .fitted import Fitted


def build_hierarchy(fitted: Fitted, levels: Sequence[int] | None = None, *, labeler: Any = None) -> Fitted:
    """Build the tree over the topics and name every node.

    Parameters
    ----------
    levels : list of int, optional
        Nodes per level above the topics, e.g. ``[8, 30]`` (coarsest first, in any order). None: one
        level of about √t nodes for t topics, and from 40 topics a second of about t^¾.
    labeler : str or LLMLabeler, optional
        Names the nodes (one call per node with two or more children; a node with one child takes its
        name); None: the model's ``labeler``, and without one each node gets its keyword label.

    Returns
    -------
    Fitted
        The model with its tree in ``hierarchy_``; ``label_stats_`` holds the call counts: ``nodes``,
        ``llm_calls``, ``cached``, ``reused`` (single-child nodes), ``fallbacks``.
    """
    state, settings = fitted.state, fitted.settings
    n_topics = len(state.topic_ids)
    if n_topics < 3:
        raise ConfigError(f"a hierarchy needs 3 topics or more; this model has {n_topics}")
    levels = check_levels(default_levels(n_topics) if levels is None else levels, n_topics)
    tree = build_tree(state.topic_ids, state.centroids, state.topic_sizes, levels)
    chosen = adapt.as_labeler(labeler if labeler is not None else settings.labeler)
    if chosen is not None and not hasattr(chosen, "set_params"):
        raise ConfigError(f"{type(chosen).__name__} cannot name tree nodes: use an LLMLabeler or an LLM spec")
    context = LabelContext(language=state.language, threads=settings.threads, cache=fitted.label_cache(),
                           verbose=settings.verbose, encode=fitted.label_encoder())
    tree, stats = name_tree(tree, state, chosen, context)
    tree["node_counts"] = levels
    return fitted.evolve(replace(state, hierarchy=tree, label_stats=dict(stats)))


def topic_tree(fitted: Fitted) -> str:
    """The tree as text: each node with its id, documents, topics and name, the topics under it."""
    state = fitted.state
    if not state.hierarchy:
        raise ConfigError("the model has no hierarchy: call build_hierarchy() (topiclens tree DIR) first")
    return format_tree(state.hierarchy, dict(zip(state.topic_ids, state.labels)),
                       dict(zip(state.topic_ids, state.topic_sizes)), for_terminal)


def level_groups(state: TopicState, level: int) -> list[list[int]]:
    """The topics of each node of tree level ``level`` (1 is the coarsest), as merge groups."""
    if not state.hierarchy:
        raise ConfigError("reduce_topics(level=...) needs a hierarchy: call build_hierarchy() first")
    levels = state.hierarchy["levels"]
    if not 1 <= level <= len(levels):
        raise ConfigError(f"the tree has levels 1 to {len(levels)}: no level {level}")
    return [node["topics"] for node in levels[level - 1] if len(node["topics"]) > 1]
