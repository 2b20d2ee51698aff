"""Placing documents under a fitted model: training documents by text, new ones by their neighbours.

An embedding model gives a new document the similarity-weighted vote of its nearest clustered
documents, in the space the clustering saw when that space is linear (a saved :class:`LinearMap`),
else in the embedding space. LDA / NMF infer the mixture from word counts instead (the model
calls its ``ClassicAssigner``). The vote is a pure function of arrays, so big-corpus chunks run it
here or on Dask workers alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.ann import HnswIndex, use_approximate
from ..core.knn import KnnGraph, cosine_knn, normalize
from ..core.runtime import thread_limit
from ..io.corpus import Corpus
from ..stages.protocols import LinearMap
from . import topics as topic_ops


def training_lookup(corpus: Corpus, usable: np.ndarray) -> dict[str, int]:
    """Text hash -> the row of its first usable copy among the training documents."""
    lookup: dict[str, int] = {}
    for i, key in enumerate(corpus.hashes):
        if usable[i]:
            lookup.setdefault(key, i)
    return lookup


def known_rows(lookup: dict[str, int], corpus: Corpus) -> np.ndarray:
    """For each document, its row among the training documents (by text), or -1."""
    return np.array([lookup.get(h, -1) for h in corpus.hashes], dtype=np.int64)


def project(vectors: np.ndarray, projection: LinearMap | None) -> np.ndarray:
    """Embeddings placed in the neighbour space: through the projection, or unit rows of the embedding space."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return projection.apply(vectors) if projection is not None else normalize(vectors)


@dataclass(frozen=True)
class NeighbourIndex:
    """The clustered documents as the index that new documents vote against."""

    space: np.ndarray               # (n_index, k) unit rows in the neighbour space
    topics: np.ndarray              # (n_index,) their topics
    projection: LinearMap | None
    n_topics: int
    _graph: list[HnswIndex] = field(default_factory=list, repr=False, compare=False)  # built once, on first need

    @classmethod
    def of(cls, embeddings: np.ndarray, topics: np.ndarray, projection: LinearMap | None,
           n_topics: int) -> NeighbourIndex:
        """The index of unit ``embeddings`` (rows of the clustered documents) and their ``topics``."""
        return cls(project(embeddings, projection), np.asarray(topics), projection, n_topics)

    def graph_index(self, method: str, n_queries: int, threads: int | None) -> HnswIndex | None:
        """The HNSW graph to search for ``n_queries`` documents when ``method`` asks for one (None: exact); built
        on the first such search and kept with the index, so repeated big transforms do not build it again."""
        if not use_approximate(method, len(self.space), n_queries):
            return None
        if not self._graph:
            self._graph.append(HnswIndex.build(self.space, threads))
        return self._graph[0]

    def vote(self, vectors: np.ndarray, k: int, threads: int | None,
             approximate: HnswIndex | None = None) -> tuple[np.ndarray, KnnGraph]:
        return neighbour_vote(vectors, projection=self.projection, index_space=self.space,
                              index_topics=self.topics, n_topics=self.n_topics, k=k, threads=threads,
                              approximate=approximate)


def neighbour_vote(vectors: np.ndarray, *, projection: LinearMap | None, index_space: np.ndarray,
                   index_topics: np.ndarray, n_topics: int, k: int, threads: int | None,
                   approximate: HnswIndex | None = None) -> tuple[np.ndarray, KnnGraph]:
    """Topic probabilities (n, n_topics) of new documents from their k nearest indexed documents, and that graph
    (searched in ``approximate``, an HNSW graph of ``index_space``, when given)."""
    queries = project(vectors, projection)
    if approximate is not None:
        graph = approximate.search(queries, k, threads)
    else:
        with thread_limit(threads):
            graph = cosine_knn(queries, index_space, k)
    return topic_ops.neighbour_votes(graph.neighbours, graph.similarities, index_topics, n_topics), graph
