"""Topic representations beyond c-TF-IDF: KeyBERT-style and MMR keywords, representative documents.

Every candidate word is embedded once for all topics (and cached on disk with the
documents' embeddings), and topics are represented by the centroid of their documents'
embeddings, which are already computed: no document is embedded again.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from ..core.choices import KEYWORD_WEIGHTINGS
from ..core.errors import TopicLensWarning
from ..core.knn import normalize
from ..core.params import Number, OneOf, Rule
from ..io.rowfiles import blocks, release_pages
from .base import Stage


class Representation(Stage):
    """How each topic is described: its keywords (c-TF-IDF), KeyBERT-style and MMR keywords, documents.

    Parameters
    ----------
    keyword_weighting : {'docshare', 'classic'}, default 'docshare'
        'docshare': the share of the topic's documents that contain the word x BM25 idf;
        'classic': BERTopic's c-TF-IDF (word occurrences).
    top_n_words : int, default 10
        Keywords (and KeyBERT / MMR keywords) per topic.
    n_candidates : int, default 30
        The best c-TF-IDF words that KeyBERT and MMR re-rank.
    mmr_diversity : float, default 0.3
        0: MMR equals KeyBERT; 1: only diversity counts.
    n_representative_docs : int, default 5
        Documents nearest each topic's centroid, kept as its evidence.
    """

    _constraints: ClassVar[dict[str, list[Rule]]] = {
        "keyword_weighting": [OneOf(KEYWORD_WEIGHTINGS)], "top_n_words": [Number(int, 1)],
        "n_candidates": [Number(int, 1)], "mmr_diversity": [Number(float, 0, 1)],
        "n_representative_docs": [Number(int, 1)],
    }

    def __init__(self, keyword_weighting: str = "docshare", top_n_words: int = 10, n_candidates: int = 30,
                 mmr_diversity: float = 0.3, n_representative_docs: int = 5) -> None:
        self.keyword_weighting = keyword_weighting
        self.top_n_words = top_n_words
        self.n_candidates = n_candidates
        self.mmr_diversity = mmr_diversity
        self.n_representative_docs = n_representative_docs


def centroids(unit_embeddings: np.ndarray, topics: np.ndarray, topic_ids: Sequence[int]) -> np.ndarray:
    """Unit-length mean embedding of each topic's documents: (n_topics x dim), in one pass over the documents."""
    import scipy.sparse as sp

    index = {t: i for i, t in enumerate(topic_ids)}
    rows = np.array([index.get(int(t), -1) for t in topics], dtype=np.int64)
    total = np.zeros((len(topic_ids), unit_embeddings.shape[1]), dtype=np.float32)
    for start, stop in blocks(len(rows)):  # in blocks: a memory-mapped corpus is read once, never held
        block = rows[start:stop]
        keep = np.flatnonzero(block >= 0)
        membership = sp.csr_matrix((np.ones(len(keep), dtype=np.float32), (block[keep], keep)),
                                   shape=(len(topic_ids), stop - start))
        total += membership @ np.asarray(unit_embeddings[start:stop], dtype=np.float32)
        release_pages(unit_embeddings)
    return normalize(total)


def representative_docs(unit_embeddings: np.ndarray, topics: np.ndarray, topic_ids: Sequence[int],
                        topic_centroids: np.ndarray, n: int) -> list[list[int]]:
    """Indices of each topic's n documents closest to its centroid, closest first.

    The embeddings are read once, in order and in blocks: a memory-mapped corpus is never held whole
    (reading a topic's scattered rows would map most of the file).
    """
    position = {t: i for i, t in enumerate(topic_ids)}
    sims = np.full(len(topics), -np.inf, dtype=np.float32)
    for start, stop in blocks(len(topics)):
        rows = np.asarray(unit_embeddings[start:stop], dtype=np.float32)
        release_pages(unit_embeddings)
        block_topics = np.asarray(topics[start:stop])
        block_sims = sims[start:stop]
        for topic in np.unique(block_topics):
            if int(topic) in position:
                mask = block_topics == topic
                block_sims[mask] = rows[mask] @ topic_centroids[position[int(topic)]]
    result = []
    for topic in topic_ids:
        members = np.flatnonzero(topics == topic)
        result.append(closest(members, sims[members], n).tolist())
    return result


def nearest_members(vectors: np.ndarray, centre: np.ndarray, members: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` members (rows ``vectors``) most similar to ``centre``, most similar first, ties by member."""
    return closest(members, vectors @ centre, n)


def closest(members: np.ndarray, sims: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` members with the highest ``sims``, highest first, ties by member."""
    return members[np.lexsort((members, -sims))[:n]]


def mmr_select(relevance: np.ndarray, pairwise: np.ndarray, n: int, diversity: float,
               duplicate: float | None = None) -> list[int]:
    """Maximal marginal relevance: indices relevant to the topic and unlike those already chosen.

    With ``duplicate``, a candidate more similar than that to one already chosen comes last.
    """
    chosen = [int(np.argmax(relevance))]
    while len(chosen) < min(n, len(relevance)):
        rest = [i for i in range(len(relevance)) if i not in chosen]
        redundancy = pairwise[np.ix_(rest, chosen)].max(axis=1)
        scores = (1 - diversity) * relevance[rest] - diversity * redundancy
        if duplicate is not None:
            scores = np.where(redundancy > duplicate, scores - 10.0, scores)
        chosen.append(rest[int(np.argmax(scores))])
    return chosen


def keybert_keywords(candidates: Sequence[Sequence[str]], word_vectors: dict[str, np.ndarray],
                     topic_centroids: np.ndarray, n: int) -> list[list[tuple[str, float]]]:
    """Re-rank each topic's candidate words by cosine similarity to the topic's centroid."""
    result = []
    for words, centroid in zip(candidates, topic_centroids):
        if not words:
            result.append([])
            continue
        sims = np.stack([word_vectors[w] for w in words]) @ centroid
        order = np.lexsort((np.arange(len(words)), -sims))[:n]
        result.append([(words[i], float(sims[i])) for i in order])
    return result


def mmr_keywords(candidates: Sequence[Sequence[str]], word_vectors: dict[str, np.ndarray],
                 topic_centroids: np.ndarray, n: int, diversity: float = 0.3) -> list[list[tuple[str, float]]]:
    """Maximal marginal relevance: relevant to the topic, unlike the words already chosen."""
    result = []
    for words, centroid in zip(candidates, topic_centroids):
        if not words:
            result.append([])
            continue
        vectors = np.stack([word_vectors[w] for w in words])
        relevance = vectors @ centroid
        chosen = mmr_select(relevance, vectors @ vectors.T, n, diversity)
        result.append([(words[i], float(relevance[i])) for i in chosen])
    return result


def embed_words(words: Sequence[str], encode) -> dict[str, np.ndarray]:
    """Unit vectors for each distinct word, through ``encode(list_of_texts)``."""
    unique = sorted(set(words))
    if not unique:
        return {}
    vectors = normalize(encode(unique))
    return dict(zip(unique, vectors))


def word_representations(representation: Representation, candidates: list[list[str]], topic_centroids: np.ndarray,
                         encoder) -> tuple[list, list]:
    """KeyBERT-style and MMR keywords of each topic's candidate words, each word embedded once through
    ``encoder`` (a DocumentEncoder, so through the cache); empty lists, with a warning, without one."""
    if encoder is None:
        warnings.warn("no embedding model: KeyBERT and MMR keywords are left empty", TopicLensWarning, stacklevel=5)
        return [[] for _ in candidates], [[] for _ in candidates]
    words = [w for ws in candidates for w in ws]
    vectors = embed_words(words, lambda ws: encoder.encode(ws, desc="embedding keywords"))
    keybert = keybert_keywords(candidates, vectors, topic_centroids, representation.top_n_words)
    mmr = mmr_keywords(candidates, vectors, topic_centroids, representation.top_n_words,
                       representation.mmr_diversity)
    return keybert, mmr
