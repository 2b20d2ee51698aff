"""What each edit does to the documents' topics and probabilities, before any representation is recomputed.

Every function takes the fitted state and returns a :class:`Reassignment`; none changes the state.
Topic ids are stable: a topic the edit does not touch keeps its id, a merged group keeps its lowest
id, the largest part of a split keeps the split topic's id and the other parts get ids never used
before. Probability columns move with the documents: merged columns are summed, and the mass of a
column that disappears (a deleted or split topic, or the outliers' share) is shared among the topics
its documents went to, as each document's nearest former members went.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..core.errors import ConfigError
from ..core.knn import cosine_knn, normalize
from ..pipeline.topics import merge_groups, neighbour_votes
from ..state import TopicState, check_topics, positions


@dataclass
class Reassignment:
    """The documents' topics after an edit, and what changed."""

    topics: np.ndarray                 # (n,) every document's new topic id, -1 = outlier
    topic_ids: list[int]               # the edited model's topic ids, ascending
    probabilities: np.ndarray          # (n, len(topic_ids)) float32, columns in topic_ids order
    changed: list[int]                 # ids whose documents changed (new topics included)
    mapping: dict[int, int | None]     # every old id -> its new id (None: its documents went elsewhere)
    arguments: dict = field(default_factory=dict)  # what the edit was asked, as JSON


def member_rows(state: TopicState, topic: int) -> np.ndarray:
    return np.flatnonzero(state.topics == topic)


def unit_of(state: TopicState, rows: np.ndarray) -> np.ndarray:
    """Unit embeddings of corpus rows (the state keeps one row per usable document)."""
    usable_index = np.cumsum(state.usable) - 1
    return normalize(np.asarray(state.embeddings[usable_index[rows]], dtype=np.float32))


def spread(state: TopicState, mass: np.ndarray, members: np.ndarray, member_topics: np.ndarray,
           topic_ids: list[int], k: int) -> np.ndarray:
    """Each document's ``mass`` shared among ``topic_ids`` as its ``k`` nearest ``members`` went.

    ``member_topics`` gives each member's new topic; a share that goes to -1 stays with the outliers.
    Returns (n, len(topic_ids)) float32.
    """
    out = np.zeros((len(state.corpus), len(topic_ids)), dtype=np.float32)
    affected = np.flatnonzero((mass > 0) & state.usable)
    if not len(affected) or not len(members):
        return out
    graph = cosine_knn(unit_of(state, affected), unit_of(state, members), k)
    votes = neighbour_votes(graph.neighbours, graph.similarities, positions(topic_ids, member_topics),
                            len(topic_ids))
    out[affected] = votes * mass[affected, None]
    return out


def _columns(state: TopicState, ids: Sequence[int]) -> np.ndarray:
    return state.probabilities[:, [state.position(t) for t in ids]]


def _keep_columns(state: TopicState, topic_ids: list[int]) -> np.ndarray:
    """The edited model's probability columns for the topics it keeps (zeros for new ones)."""
    out = np.zeros((len(state.corpus), len(topic_ids)), dtype=np.float32)
    old = set(state.topic_ids)
    for i, t in enumerate(topic_ids):
        if t in old:
            out[:, i] = state.probabilities[:, state.position(t)]
    return out


def merge(state: TopicState, groups: Sequence[Sequence[int]]) -> Reassignment:
    """Each group becomes one topic with the group's lowest id."""
    groups = [sorted(set(int(t) for t in g)) for g in groups]
    if not groups:
        raise ConfigError("nothing to merge: give groups of topic ids, e.g. [[1, 4], [7, 9]]")
    seen: set[int] = set()
    for group in groups:
        check_topics(state.topic_ids, group)
        if len(group) < 2:
            raise ConfigError(f"cannot merge topic {group[0]} with itself: a group needs two different topics")
        if seen & set(group):
            raise ConfigError(f"topic {sorted(seen & set(group))[0]} is in two groups: merge the groups into one")
        seen |= set(group)
    mapping: dict[int, int | None] = {t: t for t in state.topic_ids}
    for group in groups:
        for t in group:
            mapping[t] = group[0]
    topic_ids = sorted({t for t in mapping.values() if t is not None})
    topics = _mapped(state.topics, mapping)
    probabilities = _keep_columns(state, topic_ids)
    for group in groups:
        probabilities[:, topic_ids.index(group[0])] = _columns(state, group).sum(axis=1)
    return Reassignment(topics, topic_ids, probabilities, [g[0] for g in groups], mapping, {"groups": groups})


def delete(state: TopicState, doomed: Sequence[int], to_outliers: bool, k: int) -> Reassignment:
    """The topics go; their documents join the nearest remaining topic by centroid, or become outliers."""
    doomed = sorted(set(int(t) for t in doomed))
    if not doomed:
        raise ConfigError("nothing to delete: give one or more topic ids")
    check_topics(state.topic_ids, doomed)
    topic_ids = [t for t in state.topic_ids if t not in doomed]
    if not topic_ids and not to_outliers:
        raise ConfigError("cannot delete every topic: their documents would have nowhere to go (use to_outliers)")
    mapping: dict[int, int | None] = {t: (None if t in doomed else t) for t in state.topic_ids}
    members = np.flatnonzero(np.isin(state.topics, doomed))
    topics = state.topics.copy()
    if to_outliers:
        topics[members] = -1
    else:
        remaining = state.centroids[[state.position(t) for t in topic_ids]]
        nearest = np.argmax(unit_of(state, members) @ np.asarray(remaining, dtype=np.float32).T, axis=1)
        topics[members] = np.asarray(topic_ids)[nearest]
    probabilities = _keep_columns(state, topic_ids)
    if not to_outliers:
        probabilities += spread(state, _columns(state, doomed).sum(axis=1), members, topics[members], topic_ids, k)
    changed = sorted(set(topics[members].tolist()) - {-1})
    return Reassignment(topics, topic_ids, probabilities, changed, mapping,
                        {"topics": doomed, "to_outliers": to_outliers})


def split(state: TopicState, topic: int, parts: np.ndarray, k: int) -> Reassignment:
    """Topic ``topic``'s documents take the sub-labels ``parts`` (0 = the largest part, which keeps the id)."""
    members = member_rows(state, topic)
    n_parts = int(parts.max()) + 1
    fresh = state.fresh_id()
    new_ids = [topic] + list(range(fresh, fresh + n_parts - 1))
    topics = state.topics.copy()
    topics[members] = np.asarray(new_ids)[parts]
    topic_ids = sorted([*state.topic_ids, *new_ids[1:]])
    mapping: dict[int, int | None] = {t: t for t in state.topic_ids}
    probabilities = _keep_columns(state, topic_ids)
    probabilities[:, topic_ids.index(topic)] = 0.0
    probabilities += spread(state, _columns(state, [topic])[:, 0], members, topics[members], topic_ids, k)
    return Reassignment(topics, topic_ids, probabilities, new_ids, mapping, {"topic": topic, "parts": n_parts})


def reduce_groups(state: TopicState, n_topics: int) -> list[list[int]]:
    """Which topics merge to leave ``n_topics``: the smallest into its most similar, again and again."""
    ids = list(state.topic_ids)
    if not 1 <= n_topics < len(ids):
        raise ConfigError(f"cannot reduce {len(ids)} topics to {n_topics}: give a number from 1 to {len(ids) - 1}")
    sums = [np.asarray(c, dtype=np.float64) * s for c, s in zip(state.centroids, state.topic_sizes)]
    return [sorted(g) for g in merge_groups(ids, list(state.topic_sizes), sums, n_topics)]


def outlier_rows(state: TopicState) -> np.ndarray:
    return np.flatnonzero((state.topics < 0) & state.usable)


def outlier_scores(state: TopicState, strategy: str) -> tuple[np.ndarray, np.ndarray]:
    """Each outlier's best topic and how well it fits: cosine to the topic's centroid ('embeddings'), or
    its neighbours' vote ('probabilities', 0 where no neighbour has a topic)."""
    rows = outlier_rows(state)
    ids = np.asarray(state.topic_ids, dtype=np.int64)
    if not len(ids) or not len(rows):
        return np.zeros(len(rows)), np.full(len(rows), -1, dtype=np.int64)
    if strategy == "embeddings":
        sims = unit_of(state, rows) @ np.asarray(state.centroids, dtype=np.float32).T
    elif strategy == "probabilities":
        sims = state.probabilities[rows]
    else:
        raise ConfigError(f"unknown outlier strategy {strategy!r}: use 'embeddings' or 'probabilities'")
    best = sims.argmax(axis=1)
    scores = sims[np.arange(len(rows)), best].astype(np.float64)
    if strategy == "probabilities":
        scores = np.where(scores > 0, scores, -np.inf)  # no topic among its neighbours: it cannot move
    return scores, ids[best]


def target_threshold(state: TopicState, scores: np.ndarray, target: float) -> float | None:
    """The threshold that leaves at most ``target`` of the usable documents as outliers (None: none need move)."""
    allowed = int(np.floor(target * int(state.usable.sum()) + 1e-9))
    n_move = len(scores) - allowed
    if n_move <= 0:
        return None
    ranked = np.sort(scores)[::-1]
    if not np.isfinite(ranked[n_move - 1]):
        reachable = (len(scores) - int(np.isfinite(scores).sum())) / max(int(state.usable.sum()), 1)
        raise ConfigError(f"an outlier share of {target:.1%} cannot be reached with this strategy: at best "
                          f"{reachable:.1%} (use strategy='embeddings', or a higher target)")
    return float(ranked[n_move - 1])


def outliers(state: TopicState, scores: np.ndarray, best: np.ndarray, threshold: float | None, k: int,
             arguments: dict) -> Reassignment:
    """Outliers whose best topic scores ``threshold`` or more join it (``scores``/``best``: per outlier row;
    ``threshold`` None: none moves)."""
    rows = outlier_rows(state)
    move = np.zeros(len(rows), dtype=bool) if threshold is None else scores >= threshold
    topics = state.topics.copy()
    topics[rows[move]] = best[move]
    topic_ids = list(state.topic_ids)
    outlier_share = np.clip(1.0 - state.probabilities.sum(axis=1), 0.0, None)
    probabilities = state.probabilities + spread(state, outlier_share, rows, topics[rows], topic_ids, k)
    mapping: dict[int, int | None] = {t: t for t in topic_ids}
    changed = sorted(set(best[move].tolist()))
    return Reassignment(topics, topic_ids, np.minimum(probabilities, 1.0), changed, mapping,
                        {**arguments, "threshold": threshold, "moved": int(move.sum())})


def _mapped(topics: np.ndarray, mapping: dict[int, int | None]) -> np.ndarray:
    """Each document's new topic; -1 (outliers) and topics mapped to None become -1."""
    lookup = np.full(max(mapping, default=-1) + 2, -1, dtype=np.int64)  # index t + 1, so -1 maps to slot 0
    for old, new in mapping.items():
        lookup[old + 1] = -1 if new is None else new
    return lookup[np.asarray(topics, dtype=np.int64) + 1]
