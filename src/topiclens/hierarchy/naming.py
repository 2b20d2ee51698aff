"""Names for the tree's nodes, bottom-up: each from what is under it, one level more general.

A node is shown to the LLM as its children (their names and best keywords), the node's own best
keywords (its topics' c-TF-IDF weights summed by size) and a few exemplar documents (the most
representative document of each of its largest topics), with a prompt that asks for a broader
name. The finest level is named first, so each level reads its children's fresh names. A node
with one child takes the child's name without a call. Calls go through the labeler's answer cache.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from ..labeling.clean import keyword_label
from ..pipeline.keywords import top_terms
from ..stages.protocols import LabelContext, TopicEvidence
from ..state import TopicState

PARENT_TEMPLATE = (
    "A group of related topics contains these topics (name, then keywords):\n[DOCUMENTS]\n"
    "Keywords of the whole group: [KEYWORDS].\n"
    "Write a short name for the whole group: one level more general than the topic names, true of every "
    "topic in the list, not only of the first. Do not answer with the name of one of the topics. "
    "Answer with the name only, nothing else."
)
PARENT_TEMPLATE_ZH = (
    "一组相关的主题包含以下主题（先是名称，然后是关键词）：\n[DOCUMENTS]\n整组的关键词：[KEYWORDS]。\n"
    "请为整组写一个简短的名称：比各个主题的名称更概括一级，适用于列表中的每一个主题，而不仅是第一个。"
    "不要用其中某一个主题的名称作答。只回答名称，不要其他内容。"
)
COVER_TEMPLATE = (
    "A group of related topics contains these topics, each with its name and one of its documents:\n[DOCUMENTS]\n"
    "Keywords of the whole group: [KEYWORDS].\n"
    "What do all these topics have in common? Write a short name (2 to 6 words) for the whole group that is "
    "true of every topic in the list. Do not answer with the name of one of the topics. "
    "Answer with the name only, nothing else."
)
COVER_TEMPLATE_ZH = (
    "一组相关的主题包含以下主题，每个主题给出名称和其中一篇文档：\n[DOCUMENTS]\n整组的关键词：[KEYWORDS]。\n"
    "这些主题的共同点是什么？请为整组写一个简短的名称（2到6个词），适用于列表中的每一个主题。"
    "不要用其中某一个主题的名称作答。只回答名称，不要其他内容。"
)
MAX_CHILDREN_SHOWN = 8
EXEMPLARS = 3


def name_tree(tree: dict, state: TopicState, labeler, context: LabelContext,
              naming: str = "children") -> tuple[dict, dict[str, int]]:
    """``tree`` with every node named; the call counts (``llm_calls``, ``cached``, ``reused``: single-child
    nodes, ``fallbacks``). ``labeler`` None: each node gets its keyword label. ``naming``: what the LLM is
    shown of a node, its children's names and keywords (``"children"``) or each child's name and one of its
    documents (``"cover"``)."""
    names: dict[object, str] = dict(zip(state.topic_ids, state.labels))
    position = {t: i for i, t in enumerate(state.topic_ids)}
    stats = {"llm_calls": 0, "cached": 0, "reused": 0, "fallbacks": 0, "nodes": 0}
    topics_of = {node["id"]: node["topics"] for level in tree["levels"] for node in level}

    @functools.cache
    def keywords_of(topics: tuple[int, ...]) -> list[tuple[str, float]]:  # a node's, then again as a child's
        return _node_keywords(state, list(topics), position)

    parent_labeler = None
    if labeler is not None:
        from sklearn.base import clone

        language = context.language if getattr(labeler, "language", "auto") == "auto" else labeler.language
        parent_labeler = clone(labeler).set_params(template=parent_template(language, naming))
    for nodes in reversed(tree["levels"]):  # the finest level first
        asked, evidence = [], []
        for node in nodes:
            stats["nodes"] += 1
            if len(node["children"]) == 1:
                node["name"] = names[node["children"][0]]
                stats["reused"] += 1
                continue
            keywords = keywords_of(tuple(node["topics"]))
            shown = _cover_evidence if naming == "cover" else _evidence
            evidence.append(shown(state, node, names, keywords, position, topics_of, keywords_of))
            asked.append(node)
        if asked and parent_labeler is not None:
            result = parent_labeler.label(evidence, replace(context, step="naming tree nodes", unit="node"))
            for key in ("llm_calls", "cached", "fallbacks"):
                stats[key] += int(result.stats.get(key, 0))
            new_names = result.labels
        else:
            new_names = [None] * len(asked)
        for node, seen, name in zip(asked, evidence, new_names):
            node["name"] = name if name else seen.fallback
        for node in nodes:
            names[node["id"]] = node["name"]
    return tree, stats


def parent_template(language: str, naming: str = "children") -> str:
    """The prompt for a node's name: Chinese for a Chinese corpus; English otherwise (the labeler asks for
    the answer in the corpus language)."""
    if naming == "cover":
        return COVER_TEMPLATE_ZH if language == "zh" else COVER_TEMPLATE
    return PARENT_TEMPLATE_ZH if language == "zh" else PARENT_TEMPLATE


def _node_keywords(state: TopicState, topics: list[int], position: dict[int, int]) -> list[tuple[str, float]]:
    rows = [position[t] for t in topics]
    weights = np.asarray([state.topic_sizes[r] for r in rows], dtype=np.float64)
    combined = sp.csr_matrix(weights[None, :] @ state.ctfidf[rows] / max(weights.sum(), 1.0))
    return top_terms(combined, state.vectorizer.words, 10)[0]


def _evidence(state: TopicState, node: dict, names: dict, keywords: list[tuple[str, float]],
              position: dict[int, int], topics_of: dict[str, list[int]], keywords_of) -> TopicEvidence:
    lines = []
    for child in node["children"][:MAX_CHILDREN_SHOWN]:
        under = [child] if isinstance(child, int) else topics_of[child]
        child_keywords = keywords_of(tuple(under))[:4]
        lines.append(f"{names[child]} ({', '.join(w for w, _ in child_keywords)})")
    # exemplar documents only for a small group: beside many children they pull the name toward the largest
    largest = sorted(node["topics"], key=lambda t: -state.topic_sizes[position[t]])[:EXEMPLARS]
    rows = [state.representative_docs[position[t]][0] for t in largest
            if state.representative_docs[position[t]]] if len(node["children"]) <= EXEMPLARS else []
    documents = lines + [state.corpus.texts[r] for r in rows]
    return TopicEvidence(documents=documents, keywords=[w for w, _ in keywords], fallback=keyword_label(keywords),
                         rows=rows)


def _cover_evidence(state: TopicState, node: dict, names: dict, keywords: list[tuple[str, float]],
                    position: dict[int, int], topics_of: dict[str, list[int]], keywords_of) -> TopicEvidence:
    """Each child's name and the most representative document of its largest topic."""
    del keywords_of
    lines, rows = [], []
    for child in node["children"][:MAX_CHILDREN_SHOWN]:
        under = [child] if isinstance(child, int) else topics_of[child]
        largest = max(under, key=lambda t: state.topic_sizes[position[t]])
        best = state.representative_docs[position[largest]][:1]
        text = " ".join(state.corpus.texts[best[0]].split()[:40]) if best else ""
        rows += best
        lines.append(f"{names[child]}: {text}" if text else str(names[child]))
    return TopicEvidence(documents=lines, keywords=[w for w, _ in keywords], fallback=keyword_label(keywords),
                         rows=rows)
