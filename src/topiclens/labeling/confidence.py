"""How well a label fits its topic and not its neighbours: the confidence kept with every label.

A label fits when it tells its topic's documents from those of the nearest other topics: embedded
with the model's embedder, it should be closer to a random document of its own topic than to a
random document of a neighbour. The confidence is that probability (the area under the ROC curve
of the label's similarity, own documents against the neighbours'): 1.0 when every own document is
closer, 0.5 when the label says nothing about the topic, lower when it names a neighbour. A label
resting on one document of a broad topic scores low, because most of its topic's documents are no
closer to it than the neighbours' are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..core.knn import normalize
from ..stages.protocols import TopicEvidence

OWN_SAMPLE = 40  # documents of the topic compared, at most (a seeded sample)
NEIGHBOURS = 3  # nearest other topics (by centroid)
NEIGHBOUR_SAMPLE = 40  # documents of each neighbour, at most


def separation(label_vectors: np.ndarray, own: Sequence[np.ndarray], others: Sequence[np.ndarray]) -> np.ndarray:
    """For each label (unit rows of ``label_vectors``), the probability that a document of ``own[i]`` (unit
    rows) is more similar to it than a document of ``others[i]``, ties counting half; NaN where either set is
    empty."""
    result = np.full(len(label_vectors), np.nan)
    for i, vector in enumerate(label_vectors):
        if not len(own[i]) or not len(others[i]):
            continue
        mine = own[i] @ vector
        theirs = np.sort(others[i] @ vector)
        below = np.searchsorted(theirs, mine, side="left")
        tied = np.searchsorted(theirs, mine, side="right") - below
        result[i] = float((below + 0.5 * tied).sum() / (len(mine) * len(theirs)))
    return result


class LabelFit:
    """Scores labels against the topics they name (see the module docstring).

    Parameters
    ----------
    embeddings : ndarray
        Unit embeddings of the usable documents.
    topics : ndarray
        The topic of each usable document (-1: outlier).
    topic_ids : list of int
        The model's topic ids, in the order of ``centroids``.
    centroids : ndarray
        Unit centroid of each topic.
    encode : callable
        The embedder that wrote ``embeddings``, as a function of a list of texts.
    seed : int, default 0
        Seeds the samples of documents compared.
    """

    def __init__(self, embeddings: np.ndarray, topics: np.ndarray, topic_ids: Sequence[int], centroids: np.ndarray,
                 encode: Callable[[list[str]], np.ndarray], seed: int = 0) -> None:
        self.embeddings = embeddings
        self.topics = np.asarray(topics)
        self.topic_ids = list(topic_ids)
        self.centroids = np.asarray(centroids, dtype=np.float32)
        self.encode = encode
        self.seed = seed
        self._samples: dict[int, np.ndarray] = {}

    def _sample(self, topic: int, n: int) -> np.ndarray:
        """Unit embeddings of at most ``n`` documents of ``topic`` (the same ones on every call)."""
        if topic not in self._samples:
            members = np.flatnonzero(self.topics == topic)
            rng = np.random.default_rng([self.seed, topic + 1])
            if len(members) > n:
                members = np.sort(rng.choice(members, n, replace=False))
            self._samples[topic] = normalize(np.asarray(self.embeddings[members], dtype=np.float32))
        return self._samples[topic]

    def neighbours(self, topic: int) -> list[int]:
        """The ``NEIGHBOURS`` topics whose centroids are nearest ``topic``'s."""
        at = self.topic_ids.index(topic)
        sims = self.centroids @ self.centroids[at]
        sims[at] = -np.inf
        order = np.argsort(-sims, kind="stable")[: min(NEIGHBOURS, len(self.topic_ids) - 1)]
        return [self.topic_ids[i] for i in order]

    def __call__(self, topics: Sequence[int], labels: Sequence[str]) -> np.ndarray:
        """The confidence of ``labels[i]`` as the label of ``topics[i]`` (NaN for an empty label, or a model with
        one topic)."""
        result = np.full(len(labels), np.nan)
        wanted = [i for i, label in enumerate(labels) if label and label.strip()]
        if not wanted:
            return result
        vectors = normalize(np.asarray(self.encode([labels[i] for i in wanted]), dtype=np.float32))
        own = [self._sample(topics[i], OWN_SAMPLE) for i in wanted]
        others = []
        for i in wanted:
            near = [self._sample(t, NEIGHBOUR_SAMPLE) for t in self.neighbours(topics[i])]
            others.append(np.concatenate(near) if near else np.zeros((0, self.centroids.shape[1]), np.float32))
        result[wanted] = separation(vectors, own, others)
        return result


def prefer_better_fit(topics: Sequence[TopicEvidence], labels: Sequence[str | None],
                      fit: Callable[[Sequence[int], Sequence[str]], np.ndarray], margin: float,
                      taken: Sequence[str] = ()) -> tuple[list[str | None], int]:
    """``labels`` with each LLM label replaced by its topic's keyword label (``fallback``) where that one fits
    the topic better by at least ``margin``, unless another label already reads the same; and how many were.

    ``fit(topic ids, labels)`` gives each label's confidence. None (a topic not labeled) stays None, and so does
    the label of evidence that is not one topic's (``topic`` -1: a node of the tree).
    """
    result = list(labels)
    done = [i for i, label in enumerate(labels) if label is not None and topics[i].fallback and topics[i].topic >= 0]
    if not done:
        return result, 0
    ids = [topics[i].topic for i in done]
    llm = np.asarray(fit(ids, [labels[i] or "" for i in done]), dtype=float)
    plain = np.asarray(fit(ids, [topics[i].fallback for i in done]), dtype=float)
    used = {label.casefold() for label in [*taken, *(x for x in labels if x)]}
    replaced = 0
    for at, i in enumerate(done):
        better = plain[at] - (llm[at] if llm[at] == llm[at] else 0.0)
        if plain[at] == plain[at] and better >= margin and topics[i].fallback.casefold() not in used:
            used.add(topics[i].fallback.casefold())
            result[i] = topics[i].fallback
            replaced += 1
    return result, replaced


def rounded(scores) -> list[float | None]:
    """Confidences as a model keeps them: four decimals, None where not known (NaN)."""
    return [None if s != s else round(float(s), 4) for s in np.asarray(scores, dtype=float)]


def weakest_first(confidence: Sequence[float | None]) -> list[int]:
    """Positions ordered for review: the lowest confidence first, unknown (None or NaN) last, ties in order."""
    def key(at: int) -> tuple[bool, float, int]:
        value = confidence[at]
        unknown = value is None or value != value
        return unknown, 0.0 if unknown else float(value), at

    return sorted(range(len(confidence)), key=key)
