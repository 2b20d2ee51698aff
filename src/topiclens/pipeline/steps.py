"""The steps of a fit, each over arrays: count words, cluster (reduce, kNN graph, clusterer, topic shaping),
lay out the map, and the two small-corpus paths built from them (embedding and LDA / NMF).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..core.ann import knn_graph
from ..core.knn import KnnGraph, normalize, unit_rows
from ..core.runtime import note
from ..stages.classic import DEFAULT_CLASSIC_TOPICS, ClassicAssigner
from ..stages.protocols import LinearMap, StageContext, TopicMapLayout, WordCounter
from . import guides
from . import topics as topic_ops
from .coherence import mixed_topic_ids, outlying_members, split_mixed
from .guides import Guidance
from .keywords import ctfidf
from .plan import FitPlan


@dataclass
class Clustering:
    """The embedding path's clusters: topics of the usable documents and the geometry they came from."""

    labels: np.ndarray              # (n_usable,) int64, renumbered largest first, -1 = outlier
    unit: np.ndarray                # (n_usable, d) unit embeddings
    space: np.ndarray               # (n_usable, k) the neighbour space of the clustering
    graph: KnnGraph                 # kNN graph in that space
    projection: LinearMap | None    # places new documents in that space


@dataclass
class LearnedTopics:
    """What any path learned about the usable documents, before the representations."""

    labels: np.ndarray              # (n_usable,)
    unit: np.ndarray                # (n_usable, d)
    probabilities: np.ndarray       # (n_usable, t)
    keyword_matrix: sp.csr_matrix   # (t, n_words)
    vectorizer: WordCounter
    sample: np.ndarray              # (n_usable,) bool
    projection: LinearMap | None
    layout: np.ndarray | None       # (n_usable, 2)
    classic: ClassicAssigner | None = None
    given: dict[int, str] = field(default_factory=dict)  # topic -> the label the user gave (a guided fit)
    guidance: dict | None = None    # what the guidance did (JSON), for a guided fit


def cluster_documents(plan: FitPlan, vectors: np.ndarray, keys: list[str], context: StageContext,
                      timings: dict[str, float], guidance: Guidance | None = None) -> Clustering:
    """Reduce, build the kNN graph, cluster, then shape the topics (duplicates, order, nr_topics, outliers).

    With ``guidance``, the clustering sees its (nudged) vectors, pinned documents are not clustered, and
    the seeds' clusters are merged (``guidance.guides``); ``Clustering.unit`` stays the plain embeddings.
    """
    clock = time.perf_counter()
    unit = normalize(vectors)
    seen = unit if guidance is None else guidance.vectors
    reduction = plan.reducer.reduce(seen, context)
    # New documents are placed by neighbours in this space: the reduced one when it is linear.
    space = unit_rows(reduction.vectors) if reduction.linear else seen
    timings["reduce"] = time.perf_counter() - clock
    clock = time.perf_counter()
    graph = knn_graph(space, plan.n_neighbors, plan.knn, plan.threads)
    timings["knn"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if guidance is None:
        labels = plan.clusterer.cluster(reduction.vectors, graph if reduction.linear else None, context)
    else:
        labels = _guided_clusters(plan, guidance, reduction.vectors, space, graph if reduction.linear else None,
                                  context, unit)
    labels = topic_ops.renumber_by_size(topic_ops.unify_duplicates(labels, keys))
    shaped = guidance is None and not fixes_topic_count(plan.clusterer)  # the clusters as found are the fit's own
    if shaped and plan.mixed_topics != "keep":
        labels = handle_mixed(labels, unit, plan, context, graph.neighbours)
    if shaped and plan.member_threshold is not None and not plan.nr_topics:  # a number asked: documents all kept
        labels = drop_outlying(labels, unit, plan.member_threshold, context)
    if plan.nr_topics:
        labels = topic_ops.merge_to(labels, unit, plan.nr_topics)
    if plan.outlier_threshold is not None:
        labels = topic_ops.reassign_outliers(labels, unit, plan.outlier_threshold)
    timings["cluster"] = time.perf_counter() - clock
    return Clustering(labels, unit, space, graph, reduction.projection)


def _guided_clusters(plan: FitPlan, guidance: Guidance, vectors: np.ndarray, space: np.ndarray,
                     graph: KnnGraph | None, context: StageContext, vectors_unit: np.ndarray) -> np.ndarray:
    """Known topics from the pinned documents, clusters of the free ones after them, seeds' clusters merged."""
    free = np.flatnonzero(guidance.pinned < 0)
    free_labels = np.full(len(free), -1, dtype=np.int64)
    if len(free) >= max(context.min_cluster_size, plan.n_neighbors + 1):
        sub = graph
        if len(free) < len(guidance.pinned):  # the free documents' own graph: pinned ones are not clustered
            sub = None if graph is None else knn_graph(space[free], plan.n_neighbors, plan.knn, plan.threads)
        free_labels = np.asarray(plan.clusterer.cluster(vectors[free], sub, context), dtype=np.int64)
    clustered = np.full(len(guidance.pinned), -1, dtype=np.int64)
    clustered[free] = free_labels
    labels = guides.absorb_clusters(guides.combine(guidance.pinned, guidance.n_known, clustered), vectors_unit,
                                    guidance)
    return guides.merge_seed_clusters(labels, guidance.seeds, len(guidance.seed_columns))


def count_words(plan: FitPlan, texts: list[str], language: str,
                timings: dict[str, float]) -> tuple[WordCounter, sp.csr_matrix]:
    clock = time.perf_counter()
    vectorizer, counts = plan.vectorizer.fit_counts(texts, language)
    timings["count"] = time.perf_counter() - clock
    return vectorizer, counts


def map_layout(plan: FitPlan, space: np.ndarray, graph: KnnGraph | None, topics: np.ndarray, context: StageContext,
               timings: dict[str, float]) -> np.ndarray | None:
    """The document map's coordinates; a layout that places by topic (``TopicLayout``) also gets the topics."""
    clock = time.perf_counter()
    if plan.layout is None:
        coords = None
    elif isinstance(plan.layout, TopicMapLayout):
        coords = plan.layout.layout_topics(space, graph, topics, context)
    else:
        coords = plan.layout.layout(space, graph, context)
    timings["layout"] = time.perf_counter() - clock
    return coords


def fixes_topic_count(clusterer) -> bool:
    """Whether the clusterer was told how many clusters to find (k-means, agglomerative): then no topic is split."""
    return getattr(clusterer, "n_clusters", None) is not None or \
        getattr(getattr(clusterer, "estimator", None), "n_clusters", None) is not None


def handle_mixed(labels: np.ndarray, unit: np.ndarray, plan: FitPlan, context: StageContext,
                 neighbours: np.ndarray) -> np.ndarray:
    """Topics with every mixed one split into its parts, or sent to the outliers (``plan.mixed_topics``);
    renumbered largest first, as every topic is after clustering. ``neighbours``: the kNN graph's."""
    if plan.mixed_topics == "split":
        labels, split = split_mixed(labels, unit, plan.n_neighbors, context, neighbours=neighbours)
        done = f"split {len(split)} mixed topic(s) into their parts"
    else:
        split = mixed_topic_ids(labels, unit)
        labels = np.where(np.isin(labels, split), -1, labels)
        done = f"sent the documents of {len(split)} mixed topic(s) to the outliers"
    if context.verbose and split:
        note(f"{done} (mixed_topics={plan.mixed_topics!r})")
    return topic_ops.renumber_by_size(labels)


def drop_outlying(labels: np.ndarray, unit: np.ndarray, threshold: float, context: StageContext) -> np.ndarray:
    """Topics with every document whose cosine to its topic's mean direction is below ``threshold`` sent to the
    outliers (``member_threshold``), renumbered largest first; a topic that would be left with fewer than
    ``context.min_cluster_size`` documents keeps them all."""
    outlying = outlying_members(labels, unit, threshold)
    topics = np.unique(labels[labels >= 0])
    left = np.bincount(labels[(labels >= 0) & ~outlying], minlength=int(labels.max()) + 1)
    outlying &= ~np.isin(labels, topics[left[topics] < (context.min_cluster_size or 0)])
    if context.verbose and outlying.any():
        note(f"sent {int(outlying.sum()):,} document(s) far from their topic's centre to the outliers "
             f"(member_threshold={threshold}; None keeps them)")
    return topic_ops.renumber_by_size(np.where(outlying, -1, labels))


def fit_embedding(plan: FitPlan, texts: list[str], vectors: np.ndarray, keys: list[str], language: str,
                  context: StageContext, timings: dict[str, float], guide: GuideInput | None = None) -> LearnedTopics:
    """The default path: every usable document is clustered (``guide``: a guided fit, see ``guidance``)."""
    vectorizer, counts = count_words(plan, texts, language, timings)
    guidance = None
    if guide is not None:
        guidance = guides.prepare(plan.guide, normalize(vectors), counts, vectorizer.words, classes=guide.classes,
                                  class_names=guide.class_names, name_vectors=guide.name_vectors,
                                  n_neighbors=plan.n_neighbors)
    clustering = cluster_documents(plan, vectors, keys, context, timings, guidance)
    labels = clustering.labels
    n_topics = topic_ops.topic_count(labels)
    probs = topic_ops.neighbour_votes(clustering.graph.neighbours, clustering.graph.similarities, labels, n_topics)
    topic_ids = list(range(n_topics))
    weighting = plan.representation.keyword_weighting
    keyword_matrix = ctfidf(counts, labels, topic_ids + [-1], weighting)[:n_topics]
    given: dict[int, str] = {}
    record = None
    if guidance is not None:
        known = guides.group_topics(labels, guidance.pinned, guidance.n_known)
        for topic, name in zip(known, guidance.names):
            if topic is not None and name is not None:
                given.setdefault(topic, name)
        seeded = guides.group_topics(labels, guidance.seeds, len(guidance.seed_columns))
        keyword_matrix = guides.boost_seed_words(keyword_matrix, seeded, guidance.seed_columns)
        record = {**guidance.record, "known_topics": known, "seed_topics": seeded}
    coords = map_layout(plan, clustering.space, clustering.graph, labels, context, timings)
    return LearnedTopics(labels=labels, unit=clustering.unit, probabilities=probs, keyword_matrix=keyword_matrix,
                         vectorizer=vectorizer, sample=np.ones(len(texts), dtype=bool),
                         projection=clustering.projection, layout=coords, given=given, guidance=record)


@dataclass(frozen=True)
class GuideInput:
    """What a guided fit reads besides the plan's ``guide``: the classes of ``y`` over the usable documents
    (with their names when ``y`` held names) and the zero-shot names' embeddings."""

    classes: np.ndarray | None = None
    class_names: list[str] | None = None
    name_vectors: np.ndarray | None = None


def fit_classic(plan: FitPlan, texts: list[str], vectors: np.ndarray, keys: list[str], language: str,
                context: StageContext, timings: dict[str, float]) -> LearnedTopics:
    """LDA / NMF on the word counts; the embeddings serve the representations and nothing else."""
    vectorizer, counts = count_words(plan, texts, language, timings)
    clock = time.perf_counter()
    n_topics = plan.classic.n_topics or plan.nr_topics or DEFAULT_CLASSIC_TOPICS
    fitted, raw = plan.classic.fit(counts, n_topics, context)
    assigner, labels, probs = ClassicAssigner.from_distributions(fitted, raw)
    labels = topic_ops.unify_duplicates(labels, keys)
    unit = normalize(vectors)
    # The map shows the model's own geometry: documents near each other in topic mixture.
    mixture = normalize(np.sqrt(probs))
    graph = knn_graph(mixture, plan.n_neighbors, plan.knn, plan.threads)
    timings["cluster"] = time.perf_counter() - clock
    coords = map_layout(plan, mixture, graph, labels, context, timings)
    return LearnedTopics(labels=labels, unit=unit, probabilities=probs, keyword_matrix=assigner.keyword_matrix(),
                         vectorizer=vectorizer, sample=np.ones(len(texts), dtype=bool), projection=None,
                         layout=coords, classic=assigner)
