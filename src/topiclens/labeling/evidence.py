"""What a labeler is shown of each topic: documents chosen to cover it, and its keywords.

The documents nearest a topic's centre are often near-copies of one another (a family of Go
packages with one description), so a label written from them names that family, not the topic.
``diverse`` (the default) picks by maximal marginal relevance among the topic's central documents:
each next document is close to the centre and unlike those already picked, and near-copies of a
picked document are passed over. ``nearest`` shows the most central ones; ``parts`` splits the
topic's members into as many parts as documents are shown (k-means on their embeddings) and shows
the member nearest each part's centre, largest part first. On the judged benchmark
(bench/bench_judged.py) readers accepted the most labels written from ``diverse`` documents.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..stages.protocols import TopicEvidence
from ..stages.represent import mmr_select, nearest_members
from .clean import keyword_label
from .keyword_filter import readable_keywords

PARTS_SAMPLE = 2000  # members k-means sees at most (a seeded sample of a larger topic)


def nearest_rows(vectors: np.ndarray, centre: np.ndarray, members: np.ndarray, n: int) -> list[int]:
    """The ``n`` members closest to the centre, closest first (ties by row)."""
    return nearest_members(vectors, centre, members, n).tolist()


def diverse_rows(vectors: np.ndarray, centre: np.ndarray, members: np.ndarray, n: int, *, pool: int = 50,
                 diversity: float = 0.5, duplicate: float = 0.95) -> list[int]:
    """``n`` members by maximal marginal relevance among the ``pool`` closest to the centre.

    ``vectors`` are the members' unit embeddings. A candidate more similar than ``duplicate`` to a
    document already picked is taken only when nothing else is left.
    """
    sims = vectors @ centre
    order = np.lexsort((members, -sims))[:pool]
    candidates = vectors[order]
    chosen = mmr_select(sims[order], candidates @ candidates.T, n, diversity, duplicate)
    return members[order[chosen]].tolist()


def part_rows(vectors: np.ndarray, members: np.ndarray, n: int, seed: int = 0) -> list[int]:
    """One member from each of ``n`` parts of a topic, the largest part first.

    ``vectors`` are the members' unit embeddings. The parts are k-means clusters of (a seeded sample of
    at most ``PARTS_SAMPLE``) members; from each, the member nearest its centre.
    """
    if len(members) <= n:
        return members[np.argsort(members, kind="stable")].tolist()
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(seed)
    at = np.sort(rng.choice(len(members), PARTS_SAMPLE, replace=False)) if len(members) > PARTS_SAMPLE \
        else np.arange(len(members))
    sample = np.asarray(vectors[at], dtype=np.float32)
    parts = KMeans(n_clusters=n, n_init=3, random_state=seed).fit(sample)
    sizes = np.bincount(parts.labels_, minlength=n)
    picked = []
    for part in np.argsort(-sizes, kind="stable"):
        inside = np.flatnonzero(parts.labels_ == part)
        if not len(inside):
            continue
        distance = np.linalg.norm(sample[inside] - parts.cluster_centers_[part], axis=1)
        picked.append(int(members[at[inside[int(np.argmin(distance))]]]))
    return picked


def evidence_rows(unit_embeddings: np.ndarray | None, usable_rows: np.ndarray, topics: np.ndarray,
                  topic_ids: Sequence[int], centroids: np.ndarray, representative: Sequence[Sequence[int]], n: int,
                  strategy: str = "diverse") -> list[list[int]]:
    """The corpus rows shown for each topic in ``topic_ids`` (``centroids`` and ``representative`` in that order).

    ``unit_embeddings`` has one row per usable document, ``usable_rows`` gives each one's corpus row and
    ``topics`` its topic. Without embeddings, or for ``nearest`` within what was kept, the topics'
    representative documents are used.
    """
    no_vectors = (unit_embeddings is None or unit_embeddings.ndim != 2 or not len(unit_embeddings)
                  or unit_embeddings.shape[1] != centroids.shape[1])
    if no_vectors or strategy == "nearest" and all(n <= len(r) for r in representative):
        return [list(rows[:n]) for rows in representative]
    result = []
    for topic, centroid in zip(topic_ids, centroids):
        members = np.flatnonzero(topics == topic)
        vectors = np.asarray(unit_embeddings[members], dtype=np.float32)
        if strategy == "parts":
            chosen = part_rows(vectors, members, n)
        else:
            pick = diverse_rows if strategy == "diverse" else nearest_rows
            chosen = pick(vectors, centroid, members, n)
        result.append([int(usable_rows[m]) for m in chosen])
    return result


def prompt_keywords(ctfidf: Sequence[tuple[str, float]], keybert: Sequence[tuple[str, float]], source: str,
                    n: int = 10) -> list[str]:
    """The keywords a prompt lists: c-TF-IDF's, KeyBERT's, or both interleaved without repeats."""
    if source == "ctfidf" or not keybert:
        return [w for w, _ in ctfidf[:n]]
    if source == "keybert":
        return [w for w, _ in keybert[:n]]
    merged: list[str] = []
    for pair in zip(ctfidf, keybert):
        for word, _ in pair:
            if word not in merged:
                merged.append(word)
    return merged[:n]


def topic_evidence(texts: Sequence[str], rows: Sequence[Sequence[int]], keywords: Sequence[Sequence[tuple[str, float]]],
                   keybert: Sequence[Sequence[tuple[str, float]]] | None = None, source: str = "ctfidf",
                   n_keywords: int = 10, topic_ids: Sequence[int] | None = None) -> list[TopicEvidence]:
    """What a labeler sees of each topic: the chosen documents and keywords (and a label to fall back on)."""
    keybert = keybert or [[] for _ in keywords]
    ids = list(topic_ids) if topic_ids is not None else [-1] * len(keywords)
    evidence = []
    for docs, words, kb, topic in zip(rows, keywords, keybert, ids):
        clean, clean_kb = readable_keywords(words), readable_keywords(kb)
        evidence.append(TopicEvidence(documents=[texts[i] for i in docs],
                                      keywords=prompt_keywords(clean, clean_kb, source, n_keywords),
                                      fallback=keyword_label(words), rows=[int(i) for i in docs],
                                      topic=int(topic)))
    return evidence
