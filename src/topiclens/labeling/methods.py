"""The labeling methods of TopicModel: asking a labeler for every topic's label, or setting labels by hand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..choices import DEFAULT_LLM, LABEL_DOCS, LABEL_EVIDENCE
from ..errors import ConfigError
from ..params import IsNone, Number, check_param
from ..pipeline.keywords import top_terms
from ..stages import adapt
from ..stages.protocols import LabelContext
from ..state import check_topics
from .confidence import LabelFit, rounded
from .evidence import evidence_rows, topic_evidence


class LabelMethods:
    """Mixed into TopicModel: ``label_topics`` and ``set_labels`` (the new labels go through ``_assign``)."""

    def label_topics(self, labeler: Any = None, *, topics: Sequence[int] | None = None,
                     max_calls: int | None = None) -> dict[str, int]:
        """Write each topic's label: one labeler call per topic, every LLM answer cached on disk.

        Parameters
        ----------
        labeler : str, LLMLabeler or labeler object, optional
            What writes the labels; None uses the model's ``labeler`` parameter. Neither is changed.
        topics : sequence of int, optional
            Label only these topics (the others keep their labels, and the new labels differ from
            theirs); None: every topic.
        max_calls : int, optional
            At most this many LLM calls, re-asks included; topics are taken largest first, and those
            past the limit keep their labels (counted as ``skipped``). None: no limit.

        Returns
        -------
        dict
            The call counts (``llm_calls``, ``cached``, ``reasked``, ``fallbacks``, ``skipped``).
        """
        resolved, chosen, evidence, context = self._labeling_setup(labeler, topics, max_calls)
        result = resolved.label(evidence, context)
        labels = list(self.labels_)
        llm_labels = list(self.llm_labels_) if self.llm_labels_ else [""] * len(labels)
        shown = [list(rows) for rows in self.label_evidence_] if self.label_evidence_ else [[] for _ in labels]
        confidence = self._confidence_list()
        done = [(topic, label, seen) for topic, label, seen in zip(chosen, result.labels, evidence)
                if label is not None]
        scores = rounded(context.fit([t for t, _, _ in done], [lab for _, lab, _ in done])) \
            if context.fit and done else [None] * len(done)
        for (topic, label, seen), score in zip(done, scores):
            at = self._position(topic)
            labels[at] = llm_labels[at] = label
            shown[at] = list(seen.rows)
            confidence[at] = score
        self._assign(replace(self._state(), labels=labels, llm_labels=llm_labels, llm_name=result.source,
                             label_stats=dict(result.stats), label_evidence=shown, label_confidence=confidence,
                             label_waiting=self._waiting_without([t for t, _, _ in done])))
        if getattr(resolved, "describe", False) is True:  # from the same evidence, within what the limit leaves
            left = None if max_calls is None else max(0, max_calls - result.stats.get("llm_calls", 0))
            described = self._describe(resolved, chosen, evidence, replace(context, max_calls=left))
            return {**result.stats, "described": described["llm_calls"] + described["cached"]}
        return dict(result.stats)

    def describe_topics(self, labeler: Any = None, *, topics: Sequence[int] | None = None,
                        max_calls: int | None = None) -> dict[str, int]:
        """Write one or two sentences per topic on what its documents are about (one LLM call per topic,
        cached like labels), from the evidence its label was written from and the label itself.

        Parameters
        ----------
        labeler, topics, max_calls
            As for :meth:`label_topics`; the labeler must be an LLMLabeler (or a spec string).

        Returns
        -------
        dict
            The call counts (``llm_calls``, ``cached``, ``fallbacks``: answers with no usable sentence,
            ``skipped``: topics past ``max_calls``).
        """
        return self._describe(*self._labeling_setup(labeler, topics, max_calls))

    def _describe(self, resolved: Any, chosen: list[int], evidence: list, context: LabelContext) -> dict[str, int]:
        """Ask ``resolved`` for the descriptions of the ``chosen`` topics and keep them."""
        write = getattr(resolved, "describe_topics", None)
        if write is None:
            raise ConfigError(f"{type(resolved).__name__} cannot describe topics: use an LLMLabeler")
        result = write(evidence, [self.labels_[self._position(t)] for t in chosen], context)
        descriptions = list(self.descriptions_) if self.descriptions_ else [""] * len(self.labels_)
        for topic, text in zip(chosen, result.labels):
            if text is not None:
                descriptions[self._position(topic)] = text
        self._assign(replace(self._state(), descriptions=descriptions))
        return dict(result.stats)

    def plan_labels(self, labeler: Any = None, *, topics: Sequence[int] | None = None, max_calls: int | None = None,
                    price_per_1k_tokens: float | None = None) -> dict[str, Any]:
        """What :meth:`label_topics` would cost, without asking for a label (a dry run).

        Parameters
        ----------
        labeler, topics, max_calls
            As for :meth:`label_topics`.
        price_per_1k_tokens : float, optional
            A remote API's price per 1,000 prompt tokens, for ``cost_estimate``.

        Returns
        -------
        dict
            ``calls`` (LLM calls the run would make; each empty or repeated answer adds one re-ask),
            ``cached`` (answers already in the cache), ``skipped`` (topics past ``max_calls``),
            ``prompt_tokens`` and ``tokens_counted_by``, ``seconds_estimate`` (local llama.cpp
            models, from a short timing probe that is not a label; else None), ``cost_estimate``.
        """
        resolved, _, evidence, context = self._labeling_setup(labeler, topics, max_calls)
        plan = getattr(resolved, "plan", None)
        if plan is None:
            raise ConfigError(f"{type(resolved).__name__} cannot estimate its cost: use an LLMLabeler")
        return plan(evidence, context, price_per_1k_tokens=price_per_1k_tokens)

    def _labeling_setup(self, labeler: Any, topics: Sequence[int] | None, max_calls: int | None):
        """The labeler, the topics to label (largest first), their evidence and the context."""
        self._check_fitted()
        chosen_labeler = labeler if labeler is not None else self.labeler
        check_param(type(self).__name__, "labeler", chosen_labeler, self._constraints["labeler"])
        resolved = adapt.as_labeler(chosen_labeler)
        if resolved is None:
            from ..llm.registry import spec_forms

            raise ConfigError(f"no labeler given: pass labeler='{DEFAULT_LLM}' (bundled), a spec ({spec_forms()}) "
                              "or an LLMLabeler")
        check_param(type(self).__name__, "max_calls", max_calls, [IsNone(), Number(int, 0)])
        all_topics = list(self.topic_ids_)
        if topics is None:  # a name the user gave (zero-shot, a class of y) is not rewritten unless asked for
            chosen = self._unnamed(all_topics)
        else:
            check_topics(all_topics, topics)
            chosen = sorted(set(int(t) for t in topics))  # topics are numbered by size: largest first
        at = [self._position(t) for t in chosen]
        usable_rows = np.flatnonzero(self.usable_)
        rows = evidence_rows(self.embeddings_, usable_rows, self.topics_[usable_rows], chosen,
                             np.asarray(self.centroids_)[at], [self.representative_docs_[p] for p in at],
                             getattr(resolved, "n_docs", LABEL_DOCS), getattr(resolved, "evidence", LABEL_EVIDENCE))
        n_keywords = getattr(resolved, "n_keywords", 10)
        keywords = [self.keywords_[p] for p in at]
        if any(len(words) < n_keywords for words in keywords) and self.ctfidf_.shape[1]:
            # more keywords than the model keeps: the topics' best words straight from the c-TF-IDF weights
            ranked = top_terms(self.ctfidf_, self.words_, n_keywords)
            keywords = [ranked[p] if len(ranked[p]) > len(k) else k for p, k in zip(at, keywords)]
        evidence = topic_evidence(self.corpus_.texts, rows, keywords,
                                  [self.keybert_[p] for p in at], getattr(resolved, "keyword_source", "ctfidf"),
                                  n_keywords, topic_ids=chosen)
        cache = self._label_cache()
        others = tuple(label for t, label in zip(all_topics, self.labels_) if t not in set(chosen)) \
            if topics is not None else ()
        encode = self._label_encoder()
        context = LabelContext(language=self.language_, threads=self.threads, cache=cache, verbose=self.verbose,
                               taken=others, max_calls=None if max_calls is None else int(max_calls),
                               encode=encode, fit=self._label_fit(encode))
        return resolved, chosen, evidence, context

    def _unnamed(self, topics: Sequence[int]) -> list[int]:
        """The topics among ``topics`` without a label the user gave at fit (``given_labels_``)."""
        given = self.given_labels_ or [""] * len(self.topic_ids_)
        return [t for t in topics if not given[self._position(t)]]

    def _label_cache(self) -> bool | str:
        """Where LLM answers are cached: the model's ``cache`` setting, a folder becoming its answers file."""
        return self.cache if isinstance(self.cache, bool) else str(Path(self.cache) / "llm-answers.sqlite")

    def _label_encoder(self):
        """The model's embedder as a function of a list of labels, or None (a classic model has none, and a
        loaded model whose embedder is not restored has none either)."""
        if self._optional_encoder() is None:
            return None
        return lambda labels: self.embed(labels, desc="comparing labels")

    def _label_fit(self, encode=None) -> LabelFit | None:
        """How well labels fit their topics (:class:`LabelFit`), or None without embeddings and an embedder
        (``encode``: the model's label encoder when the caller has it already)."""
        encode = encode or self._label_encoder()
        if encode is None or self.embeddings_ is None or len(self.topic_ids_) < 2:
            return None
        usable = np.flatnonzero(self.usable_)
        return LabelFit(self.embeddings_, self.topics_[usable], self.topic_ids_, self.centroids_, encode,
                        self.seed if isinstance(self.seed, int) else 0)

    def _confidence_list(self) -> list[float | None]:
        """The model's label confidences as a list to change (None for every topic where there are none)."""
        return list(self.label_confidence_) if self.label_confidence_ else [None] * len(self.labels_)

    def _waiting_without(self, topics: Sequence[int]) -> list[bool] | None:
        """The model's waiting marks with ``topics`` named now (no longer waiting); None when none waits."""
        named = {self._position(t) for t in topics}
        waiting = [bool(w) and at not in named for at, w in enumerate(self.label_waiting_ or [])]
        return waiting if any(waiting) else None

    def label_confidence(self, topics: Sequence[int] | None = None) -> dict[int, float | None]:
        """How well each topic's current label fits it, computed now (see :mod:`topiclens.labeling.confidence`).

        Parameters
        ----------
        topics : sequence of int, optional
            The topics to score; None: every topic.

        Returns
        -------
        dict of int to float or None
            ``{topic: confidence}``: the probability that one of the topic's documents is closer to the
            label than a document of a neighbouring topic (0.5: the label says nothing about the topic);
            None where the model has no embedder to compare with.
        """
        self._check_fitted()
        chosen = list(self.topic_ids_) if topics is None else [int(t) for t in topics]
        check_topics(list(self.topic_ids_), chosen)
        fit = self._label_fit()
        if fit is None:
            return {t: None for t in chosen}
        return dict(zip(chosen, rounded(fit(chosen, [self.labels_[self._position(t)] for t in chosen]))))

    def _optional_encoder(self):
        """The model's document encoder, or None where it has none (a classic model, an embedder not restored)."""
        try:
            return self._encoder()
        except ConfigError:
            return None

    def set_labels(self, labels: dict[int, str]) -> LabelMethods:
        """Set topic labels by hand; they stay until the next ``fit`` or ``label_topics``.

        Parameters
        ----------
        labels : dict of int to str
            ``{topic: label}``.

        Returns
        -------
        self
        """
        self._check_fitted()
        updated = list(self.labels_)
        check_topics(self.topic_ids_, list(labels))
        confidence = self._confidence_list()
        topics = list(labels)
        fit = self._label_fit()
        scores = rounded(fit(topics, [str(labels[t]) for t in topics])) if fit else [None] * len(topics)
        for topic, score in zip(topics, scores):
            at = self._position(topic)
            updated[at] = str(labels[topic])
            confidence[at] = score
        self._assign(replace(self._state(), labels=updated, label_confidence=confidence,
                             label_waiting=self._waiting_without(topics)))
        return self

