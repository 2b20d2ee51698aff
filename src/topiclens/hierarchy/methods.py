"""The hierarchy methods of TopicModel: build and name the tree, print it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..errors import ConfigError
from ..stages import adapt
from ..stages.protocols import LabelContext
from ..untrusted import for_terminal
from .naming import name_tree
from .tree import build_tree, check_levels, default_levels, format_tree


class HierarchyMethods:
    """Mixed into TopicModel: ``build_hierarchy`` (the tree, in ``hierarchy_``) and ``topic_tree``."""

    def build_hierarchy(self, levels: Sequence[int] | None = None, *, labeler: Any = None) -> dict[str, int]:
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
        dict
            Call counts: ``nodes``, ``llm_calls``, ``cached``, ``reused`` (single-child nodes), ``fallbacks``.
        """
        self._check_fitted()
        n_topics = len(self.topic_ids_)
        if n_topics < 3:
            raise ConfigError(f"a hierarchy needs 3 topics or more; this model has {n_topics}")
        levels = check_levels(default_levels(n_topics) if levels is None else levels, n_topics)
        tree = build_tree(self.topic_ids_, self.centroids_, self.topic_sizes_, levels)
        chosen = adapt.as_labeler(labeler if labeler is not None else self.labeler)
        if chosen is not None and not hasattr(chosen, "set_params"):
            raise ConfigError(f"{type(chosen).__name__} cannot name tree nodes: use an LLMLabeler or an LLM spec")
        context = LabelContext(language=self.language_, threads=self.threads, cache=self._label_cache(),
                               verbose=self.verbose, encode=self._label_encoder())
        tree, stats = name_tree(tree, self, chosen, context)
        tree["node_counts"] = levels
        self._assign(replace(self._state(), hierarchy=tree))
        return stats

    def topic_tree(self) -> str:
        """The tree as text: each node with its id, documents, topics and name, the topics under it."""
        self._check_fitted()
        if not self.hierarchy_:
            raise ConfigError("the model has no hierarchy: call build_hierarchy() (topiclens tree DIR) first")
        return format_tree(self.hierarchy_, dict(zip(self.topic_ids_, self.labels_)),
                           dict(zip(self.topic_ids_, self.topic_sizes_)), for_terminal)

    def _level_groups(self, level: int) -> list[list[int]]:
        """The topics of each node of tree level ``level`` (1 is the coarsest), as merge groups."""
        if not self.hierarchy_:
            raise ConfigError("reduce_topics(level=...) needs a hierarchy: call build_hierarchy() first")
        levels = self.hierarchy_["levels"]
        if not 1 <= level <= len(levels):
            raise ConfigError(f"the tree has levels 1 to {len(levels)}: no level {level}")
        return [node["topics"] for node in levels[level - 1] if len(node["topics"]) > 1]
