"""Labeling operations: asking a labeler for topics' labels or descriptions, or setting labels by hand.

Each takes a :class:`~topiclens.ops.fitted.Fitted`; those that change labels return a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..core.choices import DEFAULT_LLM, LABEL_DOCS, LABEL_EVIDENCE
from ..core.errors import ConfigError
from ..core.params import IsNone, Number, check_param
from ..labeling.confidence import rounded
from ..labeling.evidence import evidence_rows, topic_evidence
from ..pipeline import adapt
from ..pipeline.keywords import top_terms
from ..stages.protocols import LabelContext
from ..state import check_topics
from .fitted import Fitted


def label_topics(fitted: Fitted, labeler: Any = None, *, topics: Sequence[int] | None = None,
                 max_calls: int | None = None) -> Fitted:
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
    Fitted
        The labeled model; ``label_stats_`` holds the call counts (``llm_calls``, ``cached``, ``reasked``,
        ``fallbacks``, ``skipped``, and ``described`` for a labeler that also describes).
    """
    resolved, chosen, evidence, context = prepare(fitted, labeler, topics, max_calls)
    result = resolved.label(evidence, context)
    state = fitted.state
    done = [(topic, label, seen) for topic, label, seen in zip(chosen, result.labels, evidence)
            if label is not None]
    scores = rounded(context.fit([t for t, _, _ in done], [lab for _, lab, _ in done])) \
        if context.fit and done else [None] * len(done)
    rows = {topic: {"label": label, "llm_label": label, "evidence": list(seen.rows), "confidence": score,
                    "waiting": False} for (topic, label, seen), score in zip(done, scores)}
    table = state.table.with_rows(rows, present=("llm_labels", "label_evidence", "label_confidence"))
    labeled = fitted.evolve(replace(state, table=table, llm_name=result.source, label_stats=dict(result.stats)))
    if getattr(resolved, "describe", False) is True:  # from the same evidence, within what the limit leaves
        left = None if max_calls is None else max(0, max_calls - result.stats.get("llm_calls", 0))
        described = _describe(labeled, resolved, chosen, evidence, replace(context, max_calls=left))
        stats = described.state.label_stats
        return described.evolve(replace(described.state, label_stats={
            **result.stats, "described": stats["llm_calls"] + stats["cached"]}))
    return labeled


def describe_topics(fitted: Fitted, labeler: Any = None, *, topics: Sequence[int] | None = None,
                    max_calls: int | None = None) -> Fitted:
    """Write one or two sentences per topic on what its documents are about (one LLM call per topic,
    cached like labels), from the evidence its label was written from and the label itself.

    Parameters
    ----------
    labeler, topics, max_calls
        As for :func:`label_topics`; the labeler must be an LLMLabeler (or a spec string).

    Returns
    -------
    Fitted
        The described model; ``label_stats_`` holds the call counts (``llm_calls``, ``cached``,
        ``fallbacks``: answers with no usable sentence, ``skipped``: topics past ``max_calls``).
    """
    return _describe(fitted, *prepare(fitted, labeler, topics, max_calls))


def plan_labels(fitted: Fitted, labeler: Any = None, *, topics: Sequence[int] | None = None,
                max_calls: int | None = None, price_per_1k_tokens: float | None = None) -> dict[str, Any]:
    """What :func:`label_topics` would cost, without asking for a label (a dry run).

    Parameters
    ----------
    labeler, topics, max_calls
        As for :func:`label_topics`.
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
    resolved, _, evidence, context = prepare(fitted, labeler, topics, max_calls)
    plan = getattr(resolved, "plan", None)
    if plan is None:
        raise ConfigError(f"{type(resolved).__name__} cannot estimate its cost: use an LLMLabeler")
    return plan(evidence, context, price_per_1k_tokens=price_per_1k_tokens)


def label_confidence(fitted: Fitted, topics: Sequence[int] | None = None) -> dict[int, float | None]:
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
    state = fitted.state
    chosen = list(state.topic_ids) if topics is None else [int(t) for t in topics]
    check_topics(list(state.topic_ids), chosen)
    fit = fitted.label_fit()
    if fit is None:
        return {t: None for t in chosen}
    return dict(zip(chosen, rounded(fit(chosen, [fitted.topic(t).label for t in chosen]))))


def set_labels(fitted: Fitted, labels: dict[int, str]) -> Fitted:
    """Set topic labels by hand; they stay until the next ``fit`` or ``label_topics``.

    Parameters
    ----------
    labels : dict of int to str
        ``{topic: label}``.

    Returns
    -------
    Fitted
        The relabeled model.
    """
    state = fitted.state
    check_topics(state.topic_ids, list(labels))
    topics = list(labels)
    fit = fitted.label_fit()
    scores = rounded(fit(topics, [str(labels[t]) for t in topics])) if fit else [None] * len(topics)
    rows = {topic: {"label": str(labels[topic]), "confidence": score, "waiting": False}
            for topic, score in zip(topics, scores)}
    return fitted.evolve(replace(state, table=state.table.with_rows(rows, present=("label_confidence",))))


# ---------------------------------------------------------------------- helpers
def _describe(fitted: Fitted, resolved: Any, chosen: list[int], evidence: list, context: LabelContext) -> Fitted:
    """Ask ``resolved`` for the descriptions of the ``chosen`` topics and keep them."""
    write = getattr(resolved, "describe_topics", None)
    if write is None:
        raise ConfigError(f"{type(resolved).__name__} cannot describe topics: use an LLMLabeler")
    state = fitted.state
    result = write(evidence, [fitted.topic(t).label for t in chosen], context)
    rows = {topic: {"description": text} for topic, text in zip(chosen, result.labels) if text is not None}
    table = state.table.with_rows(rows, present=("descriptions",))
    return fitted.evolve(replace(state, table=table, label_stats=dict(result.stats)))


def resolve_labeler(labeler: Any) -> Any:
    """``labeler`` (a spec, an LLMLabeler or a labeler object) checked and resolved; a ConfigError when None."""
    check_param("TopicModel", "labeler", labeler, adapt.LABELER_RULES)
    resolved = adapt.as_labeler(labeler)
    if resolved is None:
        from ..llm.registry import spec_forms

        raise ConfigError(f"no labeler given: pass labeler='{DEFAULT_LLM}' (bundled), a spec ({spec_forms()}) "
                          "or an LLMLabeler")
    return resolved


def prepare(fitted: Fitted, labeler: Any = None, topics: Sequence[int] | None = None, max_calls: int | None = None):
    """What a labeling asks: the labeler (checked and resolved), the topics to label (largest first), their
    evidence and the context."""
    state, settings = fitted.state, fitted.settings
    resolved = resolve_labeler(labeler if labeler is not None else settings.labeler)
    check_param("TopicModel", "max_calls", max_calls, [IsNone(), Number(int, 0)])
    all_topics = list(state.topic_ids)
    if topics is None:  # a name the user gave (zero-shot, a class of y) is not rewritten unless asked for
        chosen = fitted.unnamed(all_topics)
    else:
        check_topics(all_topics, topics)
        chosen = sorted(set(int(t) for t in topics))  # topics are numbered by size: largest first
    at = [fitted.position(t) for t in chosen]
    usable_rows = np.flatnonzero(state.usable)
    rows = evidence_rows(state.embeddings, usable_rows, state.topics[usable_rows], chosen,
                         np.asarray(state.centroids)[at], [state.representative_docs[p] for p in at],
                         getattr(resolved, "n_docs", LABEL_DOCS), getattr(resolved, "evidence", LABEL_EVIDENCE))
    n_keywords = getattr(resolved, "n_keywords", 10)
    keywords = [state.keywords[p] for p in at]
    if any(len(words) < n_keywords for words in keywords) and state.ctfidf.shape[1]:
        # more keywords than the model keeps: the topics' best words straight from the c-TF-IDF weights
        ranked = top_terms(state.ctfidf, state.vectorizer.words, n_keywords)
        keywords = [ranked[p] if len(ranked[p]) > len(k) else k for p, k in zip(at, keywords)]
    evidence = topic_evidence(state.corpus.texts, rows, keywords,
                              [state.keybert[p] for p in at], getattr(resolved, "keyword_source", "ctfidf"),
                              n_keywords, topic_ids=chosen)
    others = tuple(label for t, label in zip(all_topics, state.labels) if t not in set(chosen)) \
        if topics is not None else ()
    encode = fitted.label_encoder()
    context = LabelContext(language=state.language, threads=settings.threads, cache=fitted.label_cache(),
                           verbose=settings.verbose, taken=others,
                           max_calls=None if max_calls is None else int(max_calls),
                           encode=encode, fit=fitted.label_fit(encode))
    return resolved, chosen, evidence, context
