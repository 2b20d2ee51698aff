"""What an update does to the documents, before any representation is recomputed.

New documents vote with their nearest clustered documents, as ``predict`` places them; those whose
vote gives one topic at least ``min_probability`` join it. The others are clustered among
themselves in the model's neighbour space (its saved projection, no refit), and clusters of at
least the model's minimum topic size become new topics with ids never used before; the rest are
outliers. A new document whose text the model holds already is a copy: it takes that document's
embedding, map place, topic and probabilities, as copies do in ``fit``, and neither votes nor is clustered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..core.ann import knn_graph
from ..editing.reassign import Reassignment
from ..io.corpus import Corpus
from ..pipeline import topics as topic_ops
from ..pipeline.assign import project
from ..stages.cluster import drop_small
from ..stages.protocols import Clusterer, StageContext
from ..stages.topicmap import neighbour_mean
from ..state import TopicState


@dataclass
class Votes:
    """The new usable documents' votes among the model's clustered documents."""

    probabilities: np.ndarray   # (m, t) float32, columns in topic_ids order
    neighbours: np.ndarray      # (m, k) rows of the clustered documents (the index)
    similarities: np.ndarray    # (m, k)


def joined_topics(votes: Votes, topic_ids: list[int], min_probability: float) -> np.ndarray:
    """Each new document's existing topic id when its vote for it reaches ``min_probability``, else -1."""
    probs = votes.probabilities
    if probs.shape[1] == 0:
        return np.full(probs.shape[0], -1, dtype=np.int64)
    best = probs.argmax(axis=1)
    ok = probs[np.arange(len(best)), best] >= min_probability
    return np.where(ok, np.asarray(topic_ids, dtype=np.int64)[best], -1)


def cluster_rest(vectors: np.ndarray, state: TopicState, clusterer: Clusterer, context: StageContext, *,
                 knn: str, threads: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Clusters of the documents that joined no topic (0.. largest first, -1: too small) and their votes among
    themselves (m, n_clusters), in the model's neighbour space."""
    n = len(vectors)
    labels = np.full(n, -1, dtype=np.int64)
    if n < max(context.min_cluster_size, context.n_neighbors + 1):
        return labels, np.zeros((n, 0), dtype=np.float32)
    space = project(vectors, state.projection)
    graph = knn_graph(space, context.n_neighbors, knn, threads)
    labels = drop_small(np.asarray(clusterer.cluster(space, graph, context), dtype=np.int64),
                        context.min_cluster_size)
    labels = topic_ops.renumber_by_size(labels)
    n_new = topic_ops.topic_count(labels)
    return labels, topic_ops.neighbour_votes(graph.neighbours, graph.similarities, labels, n_new)


def grown_state(state: TopicState, corpus: Corpus, vectors: np.ndarray, votes: Votes,
                index_rows: np.ndarray, copies: np.ndarray | None = None) -> TopicState:
    """The state with ``corpus``'s documents appended (their embeddings, map places, and zero probabilities),
    every existing topic as it was. ``vectors``: the embeddings of the usable documents that are not copies,
    whose ``votes`` place them on the map; ``index_rows``: the corpus rows of the clustered documents the votes
    used; ``copies``: each document's row among the model's documents with the same text (-1: none), whose
    embedding and map place a copy takes."""
    usable = corpus.usable
    copies = np.full(len(corpus), -1, dtype=np.int64) if copies is None else np.asarray(copies)
    copy = copies >= 0
    fresh = usable & ~copy
    fields = state.corpus.fields
    if len(fields.columns) or len(corpus.fields.columns):
        fields = pd.concat([_fields(state.corpus), _fields(corpus)], ignore_index=True)
    id_type = state.corpus.id_type if state.corpus.id_type == corpus.id_type else "str"
    grown = Corpus(texts=[*state.corpus.texts, *corpus.texts], ids=[*state.corpus.ids, *corpus.ids], fields=fields,
                   source=state.corpus.source, id_type=id_type)
    embedded = np.zeros((int(usable.sum()), state.embeddings.shape[1]), dtype=np.float32)
    embedded[fresh[usable]] = vectors
    if copy.any():
        embedding_row = np.cumsum(state.usable) - 1  # a usable document's row among the embeddings
        embedded[copy[usable]] = np.asarray(state.embeddings[embedding_row[copies[copy]]], dtype=np.float32)
    layout = state.layout
    if layout is not None:
        placed = np.full((len(corpus), 2), np.nan, dtype=np.float32)
        if len(votes.neighbours):
            placed[fresh] = neighbour_mean(layout[index_rows], votes.neighbours, votes.similarities)[0]
        placed[copy] = layout[copies[copy]]
        layout = np.concatenate([layout, placed])
    return replace(
        state, corpus=grown, usable=np.concatenate([state.usable, usable]),
        topics=np.concatenate([state.topics, np.full(len(corpus), -1, dtype=np.int64)]),
        probabilities=np.concatenate([state.probabilities,
                                      np.zeros((len(corpus), state.probabilities.shape[1]), np.float32)]),
        sample=np.concatenate([state.sample, usable]),  # new documents join the index that places the next ones
        embeddings=np.concatenate([np.asarray(state.embeddings, dtype=np.float32), embedded]),
        layout=layout)


def _fields(corpus: Corpus) -> pd.DataFrame:
    return corpus.fields if len(corpus.fields.columns) else pd.DataFrame(index=range(len(corpus)))


def update_reassignment(before: TopicState, grown: TopicState, joined: np.ndarray, clusters: np.ndarray,
                        cluster_votes: np.ndarray, votes: Votes, keys: list[str], arguments: dict,
                        copies: np.ndarray | None = None) -> Reassignment:
    """Topics and probabilities of the grown model: joined documents in their topics, clusters as new ids
    (copies of one text among the new documents all get its first copy's topic), and copies of the model's
    documents (``copies``: their rows, -1 for the others) with those documents' topics and probabilities."""
    n_old = len(before.corpus)
    n_added = len(grown.corpus) - n_old
    copies = np.full(n_added, -1, dtype=np.int64) if copies is None else np.asarray(copies)
    copy = copies >= 0
    new_rows = n_old + np.flatnonzero(grown.usable[n_old:] & ~copy)
    copy_rows, originals = n_old + np.flatnonzero(copy), copies[copy]
    first = before.fresh_id()
    n_new = cluster_votes.shape[1]
    new_ids = list(range(first, first + n_new))
    topic_ids = [*before.topic_ids, *new_ids]
    topics = grown.topics.copy()
    placed = np.where(joined >= 0, joined, np.where(clusters >= 0, clusters + first, -1))
    topics[new_rows] = topic_ops.unify_duplicates(placed, keys)
    topics[copy_rows] = before.topics[originals]
    probabilities = np.zeros((len(grown.corpus), len(topic_ids)), dtype=np.float32)
    probabilities[:n_old, : len(before.topic_ids)] = before.probabilities
    rest = joined < 0
    probabilities[new_rows[~rest], : len(before.topic_ids)] = votes.probabilities[~rest]
    probabilities[new_rows[rest], len(before.topic_ids):] = cluster_votes
    probabilities[copy_rows, : len(before.topic_ids)] = before.probabilities[originals]
    gained = sorted({int(t) for t in joined[joined >= 0]} | {int(t) for t in before.topics[originals] if t >= 0})
    mapping: dict[int, int | None] = {t: t for t in before.topic_ids}
    return Reassignment(topics, topic_ids, probabilities, [*gained, *new_ids], mapping, arguments)
