"""The editing methods of TopicModel: each returns an edited model and leaves the original as it was."""

from __future__ import annotations

import copy
import time
import warnings
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import ConfigError, TopicLensWarning
from ..params import IsNone, Number, check_param
from ..pipeline.coherence import split_parts
from ..stages import adapt
from ..stages.protocols import StageContext
from ..state import check_topics
from . import reassign
from .rebuild import history_entry, rebuild
from .relabel import edit_labeler, naming_note

OUTLIER_STRATEGIES = ("embeddings", "probabilities")


class EditingMethods:
    """Mixed into TopicModel: ``merge_topics``, ``delete_topics``, ``split_topic``, ``reduce_topics``,
    ``reduce_outliers``.

    Each returns the edited model (a new one unless ``inplace=True``); its ``edit_`` (the last entry of
    ``history_``) tells what the edit did: the operation, the old-to-new id ``mapping``, the ``changed``
    topics and the labeler's call counts. Topics an edit does not touch keep their id, keywords,
    representations and label.
    """

    def merge_topics(self, groups: Sequence[Sequence[int]], *, labeler: Any = None, inplace: bool = False):
        """Merge each group of topics into one, which keeps the group's lowest id.

        Parameters
        ----------
        groups : list of lists of int
            e.g. ``[[1, 4], [7, 9, 12]]``.
        labeler : str, labeler or False, optional
            Labels the merged topics (one call each); None: the model's ``labeler``, else the bundled
            LLM that wrote the model's labels; False, or none of these: the merged topics get keyword
            labels, listed in ``waiting_for_names_`` and named in a warning that says how to label them.
        inplace : bool, default False
            Change this model instead of returning a new one.

        Returns
        -------
        TopicModel
        """
        state = self._editable()
        if isinstance(groups, (int, np.integer)) or any(isinstance(g, (int, np.integer)) for g in groups):
            raise ConfigError("merge_topics takes groups of ids, e.g. [[1, 4]] (a list of lists)")
        return self._apply(reassign.merge(state, groups), "merge", labeler, inplace)

    def delete_topics(self, topics: Sequence[int], *, to_outliers: bool = False, labeler: Any = None,
                      inplace: bool = False):
        """Delete topics: their documents join their nearest remaining topic (by centroid), or become outliers.

        Parameters
        ----------
        topics : list of int
        to_outliers : bool, default False
            Make the documents outliers instead; no other topic changes then.
        labeler, inplace
            As for :meth:`merge_topics` (topics that receive documents are relabeled).

        Returns
        -------
        TopicModel
        """
        state = self._editable()
        return self._apply(reassign.delete(state, topics, bool(to_outliers), self.n_neighbors), "delete", labeler,
                           inplace)

    def split_topic(self, topic: int, n: int | None = None, *, labeler: Any = None, inplace: bool = False):
        """Split one topic by clustering its documents again.

        Parameters
        ----------
        topic : int
        n : int, optional
            The number of parts (k-means); None lets Leiden decide on the documents' own kNN graph. A part
            needs ``min_cluster_size_`` documents or more, so at most the topic's size divided by that.
        labeler, inplace
            As for :meth:`merge_topics`. The largest part keeps the id, the others get new ids.

        Returns
        -------
        TopicModel
        """
        state = self._editable()
        check_topics(state.topic_ids, [topic])
        check_param(type(self).__name__, "n", n, [IsNone(), Number(int, 2)])
        parts = self._split_parts(state, int(topic), n)
        return self._apply(reassign.split(state, int(topic), parts, self.n_neighbors), "split", labeler, inplace)

    def reduce_topics(self, n_topics: int | None = None, *, level: int | None = None, labeler: Any = None,
                      inplace: bool = False):
        """Merge the most similar topics (the smallest into its nearest, by centroid) until ``n_topics`` remain,
        or cut the tree: each node of ``level`` becomes one topic.

        Parameters
        ----------
        n_topics : int, optional
        level : int, optional
            A level of ``hierarchy_`` (1 is the coarsest): its nodes become the topics. Exclusive with
            ``n_topics``.
        labeler, inplace
            As for :meth:`merge_topics`.

        Returns
        -------
        TopicModel
        """
        state = self._editable()
        if (n_topics is None) == (level is None):
            raise ConfigError("give n_topics or level (a level of the topic tree), one of them")
        if level is not None:
            check_param(type(self).__name__, "level", level, [Number(int, 1)])
            groups, arguments = self._level_groups(int(level)), {"level": int(level)}
        else:
            check_param(type(self).__name__, "n_topics", n_topics, [Number(int, 1)])
            groups, arguments = reassign.reduce_groups(state, int(n_topics)), {"n_topics": int(n_topics)}
        if not groups:
            raise ConfigError(f"level {level} of the tree has one topic per node: nothing to merge")
        change = reassign.merge(state, groups)
        change.arguments = {**arguments, "groups": change.arguments["groups"]}
        return self._apply(change, "reduce", labeler, inplace)

    def reduce_outliers(self, strategy: str = "embeddings", threshold: float | None = None, *,
                        target: float | None = None, labeler: Any = None, inplace: bool = False):
        """Move outliers into topics: to the topic whose centroid is most similar ('embeddings') or that most
        of their neighbours are in ('probabilities').

        Parameters
        ----------
        strategy : {'embeddings', 'probabilities'}, default 'embeddings'
        threshold : float, optional
            The least similarity (or vote share) that moves an outlier (None: 0, or what ``target`` needs).
        target : float, optional
            The outlier share to leave at most (e.g. 0.05): the threshold is chosen so that at most this
            share of the documents stays an outlier. Exclusive with ``threshold``.
        labeler, inplace
            As for :meth:`merge_topics` (the topics that receive documents are relabeled).

        Returns
        -------
        TopicModel
        """
        state = self._editable()
        if strategy not in OUTLIER_STRATEGIES:
            raise ConfigError(f"unknown outlier strategy {strategy!r}: use one of {', '.join(OUTLIER_STRATEGIES)}")
        check_param(type(self).__name__, "threshold", threshold, [IsNone(), Number(float, -1.0, 1.0)])
        check_param(type(self).__name__, "target", target, [IsNone(), Number(float, 0.0, 1.0)])
        if threshold is not None and target is not None:
            raise ConfigError("give threshold or target, not both")
        scores, best = reassign.outlier_scores(state, strategy)
        if target is not None:
            threshold = reassign.target_threshold(state, scores, float(target))
        elif threshold is None:
            threshold = 0.0
        arguments = {"strategy": strategy, "target": target}
        change = reassign.outliers(state, scores, best, threshold, self.n_neighbors, arguments)
        return self._apply(change, "outliers", labeler, inplace)

    # ------------------------------------------------------------------ helpers
    def _editable(self):
        self._check_fitted()
        if self.classic_ is not None:
            raise ConfigError("an LDA/NMF model's topics are its components and cannot be edited: fit an "
                              "embedding model (model='embedding') to shape its topics")
        return self._state()

    def _split_parts(self, state, topic: int, n: int | None) -> np.ndarray:
        """Sub-labels 0.. of the topic's members, 0 the largest part; every member gets one."""
        members = reassign.member_rows(state, topic)
        smallest = max(2, state.min_cluster_size)
        most = len(members) // smallest  # the rule: a part has `smallest` documents or more, on average too
        if most < max(2, n or 2):
            into = f" into {n} parts" if n is not None and most >= 2 else ""
            fix = f": give at most {most} parts" if into else ""
            raise ConfigError(f"topic {topic} has {len(members)} documents, too few to split{into} (a part needs "
                              f"{smallest} or more{fix})")
        unit = reassign.unit_of(state, members)
        context = StageContext.of(seed=self.seed, n_neighbors=self.n_neighbors, min_cluster_size=smallest,
                                  threads=self.threads, verbose=False)
        labels = split_parts(unit, n, int(self.n_neighbors), context)
        if labels.max() < 1:
            raise ConfigError(f"topic {topic} found no parts when clustered again: give the number of parts (n=2)")
        return labels

    def _apply(self, change: reassign.Reassignment, operation: str, labeler: Any, inplace: bool):
        clock = time.perf_counter()
        target = self if inplace else copy.copy(self)  # _assign gives it its own derived values (new topics)
        representation = adapt.as_representation(self.representation)
        encoder = self._optional_encoder()
        state = rebuild(self._state(), change, representation, encoder,
                        {"operation": operation, "arguments": change.arguments}, self._word_counts)
        target._assign(state, encoder)  # the edited model keeps the loaded embedder for its labels
        target._label_recorded(edit_labeler(labeler, self.labeler, self.llm_name_), state.history[-1]["changed"],
                               clock)
        return target

    def _label_recorded(self, labeler: Any, topics: Sequence[int], clock: float) -> None:
        """Label ``topics`` (those without a name the user gave) with ``labeler`` when there is one, and complete
        the last history record: LLM calls, answers from the cache, re-asks, the topics labeled, the seconds
        since ``clock``."""
        topics = self._unnamed(topics)
        stats = self.label_topics(labeler, topics=topics) if labeler is not None and topics else {}
        done = {**self.history_[-1], "llm_calls": int(stats.get("llm_calls", 0)),
                "cached": int(stats.get("cached", 0)), "reasked": int(stats.get("reasked", 0)),
                "labeled": list(topics) if labeler is not None else [],
                "seconds": round(time.perf_counter() - clock, 3)}
        self._assign(replace(self._state(), history=[*self.history_[:-1], done]))
        asked = set(topics)
        waiting = [t for t in self.waiting_for_names_ if t in asked]
        if waiting:
            warnings.warn(naming_note(waiting), TopicLensWarning, stacklevel=4)

    @property
    def waiting_for_names_(self) -> list[int]:
        """The topics whose label is a keyword stand-in waiting for an LLM name: an edit made with no LLM at hand
        changed them on a model whose labels an LLM wrote (``label_topics`` or ``set_labels`` names them)."""
        self._check_fitted()
        return [t for t, waiting in zip(self.topic_ids_, self.label_waiting_ or []) if waiting]

    def note_edit(self, operation: str, arguments: dict, changed: Sequence[int], stats: dict | None = None):
        """Record a change that is not a reshaping (a relabel, a description) in ``history_``, as the edits are.

        Parameters
        ----------
        operation : str
            e.g. 'label'.
        arguments : dict
            What it was asked (JSON values).
        changed : list of int
            The topics it changed.
        stats : dict, optional
            Its LLM call counts (``llm_calls``, ``cached``).

        Returns
        -------
        self
        """
        self._check_fitted()
        stats = stats or {}
        same = {t: t for t in self.topic_ids_}
        record = {**history_entry({"operation": operation, "arguments": arguments}, self.topic_ids_, self.topic_ids_,
                                  [int(t) for t in changed], same),
                  "llm_calls": int(stats.get("llm_calls", 0)), "cached": int(stats.get("cached", 0))}
        self._assign(replace(self._state(), history=[*self.history_, record]))
        return self

    def extend_edit(self, changed: Sequence[int], stats: dict | None = None):
        """Add topics and LLM call counts to the newest record of ``history_``: the next step of a change that
        is recorded (and saved) as it goes, such as a relabel topic by topic.

        Parameters
        ----------
        changed : list of int
            Topics this step changed (added to the record's ``changed``).
        stats : dict, optional
            This step's LLM call counts (``llm_calls``, ``cached``), added to the record's.

        Returns
        -------
        self
        """
        self._check_fitted()
        if not self.history_:
            raise ConfigError("this model has no history record to extend: record the change with note_edit first")
        stats = stats or {}
        last = dict(self.history_[-1])
        done = list(last.get("changed", []))
        last["changed"] = done + [int(t) for t in changed if int(t) not in done]
        for key in ("llm_calls", "cached"):
            last[key] = int(last.get(key, 0)) + int(stats.get(key, 0))
        self._assign(replace(self._state(), history=[*self.history_[:-1], last]))
        return self

    @property
    def edit_(self) -> dict:
        """The last edit: ``operation``, ``arguments``, ``mapping`` (old id -> new id, None: gone), ``changed``
        (the ids it created or changed), ``llm_calls`` and ``cached`` (its labels), ``seconds``, ``time``."""
        self._check_fitted()
        if not self.history_:
            raise ConfigError("this model has no edit: merge_topics, delete_topics, split_topic, reduce_topics "
                              "and reduce_outliers make one")
        record = dict(self.history_[-1])
        record["mapping"] = {int(old): new for old, new in record["mapping"]}
        return record

