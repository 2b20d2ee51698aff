"""Guidance as arrays: which documents are pinned to a known topic, which are nudged toward a seed.

Pure functions over the usable documents' unit embeddings and word counts. Known topics are the
classes of ``y`` first, then the zero-shot names that some document reaches; pinned documents are
not clustered. Seeds pin nothing: documents that contain a seed's words move halfway toward the
mean of those documents, so the clustering finds them together, and clusters made mostly of one
seed's documents are merged into that seed's topic.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..core.errors import TopicLensWarning
from ..core.knn import cosine_knn, normalize
from ..guidance.spec import GuideSpec
from ..stages.represent import centroids
from .topics import neighbour_votes

# An unlabeled document joins a class when at least this share of its labeled neighbours' vote is that class's.
CLASS_VOTE_SHARE = 0.5
# A cluster joins a seed's topic when at least this share of its documents matched that seed.
SEED_CLUSTER_SHARE = 0.5
# Seed words' c-TF-IDF weight in their seed's topic is multiplied by this (BERTopic's seed multiplier is 2 too).
SEED_WORD_BOOST = 2.0


@dataclass
class Guidance:
    """What the clustering is given, over the usable documents."""

    pinned: np.ndarray                # (n,) int64: -1 free, k: known topic k (classes first, then names)
    names: list[str | None]           # per known topic, the label it keeps (None: written as usual)
    vectors: np.ndarray               # (n, d) unit rows the clustering sees (seed documents nudged)
    seeds: np.ndarray                 # (n,) int64: the seed whose words a document contains most, -1 none
    seed_columns: list[list[int]]     # per seed, the vocabulary columns of its words
    name_vectors: np.ndarray | None = None  # (r, d) unit embeddings of the reached names (known topics n_known-r..)
    min_similarity: float = 1.0       # a free cluster whose centroid is this close to a reached name joins it
    record: dict = field(default_factory=dict)  # JSON: what the guidance did (counts, unreached names)

    @property
    def n_known(self) -> int:
        return len(self.names)


def prepare(spec: GuideSpec | None, unit: np.ndarray, counts: sp.csr_matrix, words: list[str], *,
            classes: np.ndarray | None = None, class_names: list[str] | None = None,
            name_vectors: np.ndarray | None = None, n_neighbors: int = 15) -> Guidance:
    """Pin documents to the known topics and nudge the seeds' documents (see the module docstring)."""
    n = unit.shape[0]
    pinned = np.full(n, -1, dtype=np.int64)
    names: list[str | None] = []
    record: dict = {}
    if classes is not None:
        n_classes = int(classes.max()) + 1
        pinned, assigned = pin_classes(unit, classes, n_classes, n_neighbors)
        names = list(class_names) if class_names else [None] * n_classes
        record["classes"] = {"count": n_classes, "given": int((classes >= 0).sum()), "assigned": assigned}
    reached_vectors = None
    if spec is not None and spec.zeroshot_topics:
        pinned, reached, record["zeroshot"] = pin_names(unit, pinned, len(names), spec.zeroshot_topics,
                                                        name_vectors, spec.zeroshot_min_similarity)
        names += [spec.zeroshot_topics[i] for i in reached]
        reached_vectors = normalize(np.asarray(name_vectors, dtype=np.float32)[reached]) if reached else None
    seeds = np.full(n, -1, dtype=np.int64)
    columns: list[list[int]] = []
    vectors = unit
    if spec is not None and spec.seed_topics:
        seeds, columns, record["seeds"] = match_seeds(counts, words, spec.seed_topics)
        vectors = nudge(unit, seeds, len(spec.seed_topics))
    return Guidance(pinned, names, vectors, seeds, columns, reached_vectors,
                    spec.zeroshot_min_similarity if spec is not None else 1.0, record)


def pin_classes(unit: np.ndarray, classes: np.ndarray, n_classes: int, k: int) -> tuple[np.ndarray, int]:
    """Labeled documents keep their class; an unlabeled one joins the class that most of its ``k`` nearest
    labeled documents are in when that class holds :data:`CLASS_VOTE_SHARE` of their similarity, else stays free."""
    pinned = classes.astype(np.int64).copy()
    unlabeled, labeled = np.flatnonzero(classes < 0), np.flatnonzero(classes >= 0)
    if not len(unlabeled):
        return pinned, 0
    graph = cosine_knn(unit[unlabeled], unit[labeled], min(k, len(labeled)))
    votes = neighbour_votes(graph.neighbours, graph.similarities, classes[labeled], n_classes)
    best = votes.argmax(axis=1)
    joins = votes[np.arange(len(best)), best] >= CLASS_VOTE_SHARE
    pinned[unlabeled[joins]] = best[joins]
    return pinned, int(joins.sum())


def pin_names(unit: np.ndarray, pinned: np.ndarray, offset: int, names: tuple[str, ...], name_vectors: np.ndarray,
              min_similarity: float) -> tuple[np.ndarray, list[int], dict]:
    """Free documents whose cosine to a name's embedding is at least ``min_similarity`` (and highest for that
    name) are pinned to it; names that no document reaches are left out, with a warning naming them. Returns
    the pinned topics, the reached names' places in ``names`` and a record."""
    pinned = pinned.copy()
    free = np.flatnonzero(pinned < 0)
    sims = unit[free] @ normalize(np.asarray(name_vectors, dtype=np.float32)).T
    best = sims.argmax(axis=1) if len(free) else np.zeros(0, dtype=np.int64)
    top = sims[np.arange(len(free)), best] if len(free) else np.zeros(0)
    close = top >= min_similarity
    counts = np.bincount(best[close], minlength=len(names))
    reached = [i for i in range(len(names)) if counts[i] > 0]
    missed = [names[i] for i in range(len(names)) if counts[i] == 0]
    if missed:
        nearest = sims.max(axis=0) if len(free) else np.zeros(len(names))
        shown = ", ".join(f"{names[i]!r} (closest document {nearest[i]:.2f})" for i in range(len(names))
                          if counts[i] == 0)
        warnings.warn(f"zero-shot topic(s) {shown} reached no document at zeroshot_min_similarity="
                      f"{min_similarity:g}: they get no topic; lower zeroshot_min_similarity or rename them",
                      TopicLensWarning, stacklevel=6)
    number = {name_index: offset + k for k, name_index in enumerate(reached)}
    pinned[free[close]] = [number[int(i)] for i in best[close]]
    record = {"min_similarity": min_similarity, "documents": {names[i]: int(counts[i]) for i in range(len(names))},
              "unreached": missed}
    return pinned, reached, record


def match_seeds(counts: sp.csr_matrix, words: list[str], seed_topics: tuple[tuple[str, ...], ...]
                ) -> tuple[np.ndarray, list[list[int]], dict]:
    """Each document's seed: the one with the most distinct words in it (ties to the first), -1 when none.
    Seed words that are not in the vocabulary are named in a warning and ignored."""
    column = {w: i for i, w in enumerate(words)}
    columns = [[column[w] for w in group if w in column] for group in seed_topics]
    absent = [w for group in seed_topics for w in group if w not in column]
    if absent:
        shown = ", ".join(repr(w) for w in absent[:20]) + (" …" if len(absent) > 20 else "")
        warnings.warn(f"{len(absent)} seed word(s) are not in the vocabulary and guide nothing: {shown} (a stop word, "
                      "a word in fewer than min_df documents, or not in the corpus)", TopicLensWarning, stacklevel=6)
    present = counts.tocsc()
    present.data = np.ones_like(present.data)
    hits = np.zeros((counts.shape[0], len(seed_topics)), dtype=np.int64)
    for k, cols in enumerate(columns):
        if cols:
            hits[:, k] = np.asarray(present[:, cols].sum(axis=1)).ravel()
    seeds = np.where(hits.max(axis=1) > 0, hits.argmax(axis=1), -1)
    matched = np.bincount(seeds[seeds >= 0], minlength=len(seed_topics))
    record = {"documents": [int(m) for m in matched], "absent_words": absent}
    return seeds.astype(np.int64), columns, record


def nudge(unit: np.ndarray, seeds: np.ndarray, n_seeds: int) -> np.ndarray:
    """Documents of a seed moved halfway (before normalizing) toward the mean of that seed's documents."""
    vectors = np.array(unit, dtype=np.float32, copy=True)
    for k in range(n_seeds):
        rows = np.flatnonzero(seeds == k)
        if len(rows):
            target = normalize(vectors[rows].mean(axis=0, keepdims=True))
            vectors[rows] = normalize(vectors[rows] + target)
    return vectors


def combine(pinned: np.ndarray, n_known: int, clustered: np.ndarray) -> np.ndarray:
    """Known topics keep their numbers 0..n_known-1; the free documents' clusters (``clustered``, one value per
    document, read where ``pinned`` is -1) follow them; -1 stays -1."""
    return np.where(pinned >= 0, pinned, np.where(clustered >= 0, clustered + n_known, -1)).astype(np.int64)


def absorb_clusters(labels: np.ndarray, unit: np.ndarray, guidance: Guidance) -> np.ndarray:
    """A free cluster whose centroid is at least ``min_similarity`` similar to a reached zero-shot name (and most
    similar to it) joins that name's topic: a name's topic gathers the clusters on its subject, not only the
    documents that are each close to the name."""
    if guidance.name_vectors is None:
        return labels
    clusters = np.unique(labels[labels >= guidance.n_known])
    if not len(clusters):
        return labels
    sims = centroids(unit, labels, clusters) @ guidance.name_vectors.T
    close = sims.max(axis=1) >= guidance.min_similarity
    first_name = guidance.n_known - len(guidance.name_vectors)
    lookup = np.arange(int(labels.max()) + 1, dtype=np.int64)
    lookup[clusters[close]] = first_name + sims[close].argmax(axis=1)
    return np.where(labels >= 0, lookup[np.maximum(labels, 0)], -1)


def merge_seed_clusters(labels: np.ndarray, seeds: np.ndarray, n_seeds: int) -> np.ndarray:
    """Each seed's clusters made :data:`SEED_CLUSTER_SHARE` or more of its documents become one topic."""
    labels = labels.copy()
    for k in range(n_seeds):
        ids, sizes = np.unique(labels[labels >= 0], return_counts=True)
        if not len(ids):
            return labels
        own = np.bincount(labels[(seeds == k) & (labels >= 0)], minlength=int(ids.max()) + 1)[ids]
        group = ids[own >= SEED_CLUSTER_SHARE * sizes]
        if len(group) > 1:
            labels[np.isin(labels, group)] = group[0]
    return labels


def group_topics(labels: np.ndarray, groups: np.ndarray, n_groups: int) -> list[int | None]:
    """For each group (known topic or seed), the topic most of its documents ended in (None: all outliers)."""
    result: list[int | None] = []
    for k in range(n_groups):
        found = labels[(groups == k) & (labels >= 0)]
        result.append(int(np.bincount(found).argmax()) if len(found) else None)
    return result


def boost_seed_words(matrix: sp.csr_matrix, seed_topics: list[int | None], columns: list[list[int]]) -> sp.csr_matrix:
    """The seed words' weights in their seed's topic, times :data:`SEED_WORD_BOOST`."""
    boosted = matrix.tolil(copy=True)
    for topic, cols in zip(seed_topics, columns):
        if topic is not None and cols:
            boosted[topic, cols] = boosted[topic, cols] * SEED_WORD_BOOST
    return boosted.tocsr()
