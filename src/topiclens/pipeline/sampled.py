"""Big corpora: cluster a sample, assign the rest in chunks, count words in chunks.

Above ``sample_size`` documents, the clusters are learned on a seeded random sample; every
other document gets its topic the way :meth:`TopicModel.transform` gives one (a vote of
its nearest sampled documents), chunk by chunk; then c-TF-IDF is summed over chunks of
all documents. The chunk functions are pure, so they run here or on Dask workers alike,
and each finished chunk is checkpointed so an interrupted run resumes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from ..core.runtime import thread_limit
from ..embedders.cache import DocumentEncoder, embed_texts
from ..embedders.registry import make_embedder
from ..io.rowfiles import all_unit, is_mapped, read_rows, unit_copy
from ..stages.protocols import StageContext, WordCounter
from ..stages.topicmap import neighbour_mean
from . import topics as topic_ops
from .assign import NeighbourIndex, neighbour_vote
from .keywords import ClassStats, weigh_classes
from .plan import FitPlan
from .scale import ChunkStore, chunk_ranges, fingerprint, make_executor, run_chunks
from .steps import LearnedTopics, cluster_documents, count_words, map_layout

_EMBEDDERS: dict[str, Any] = {}  # one loaded embedder per worker process


def embed_chunk(texts: list[str], *, spec: Any, threads: int | None, cache: bool | str,
                whole: bool = False, max_passages: int | None = None) -> dict[str, np.ndarray]:
    """Embeddings of one chunk of texts (on whichever process runs it), through the embedding cache."""
    key = repr((getattr(spec, "name", spec), threads))
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = make_embedder(spec, threads=threads)
    with thread_limit(threads):
        vectors = embed_texts(texts, _EMBEDDERS[key], cache=cache, verbose=False, whole=whole,
                              max_passages=max_passages)
    return {"vectors": vectors}


def assign_chunk(vectors: np.ndarray, **index: Any) -> dict[str, np.ndarray]:
    """Topic votes of one chunk of documents from their nearest sampled documents (as ``transform``)."""
    probs, graph = neighbour_vote(vectors, **index)
    return {"probs": probs, "topics": topic_ops.topics_from_probs(probs),
            "neighbours": graph.neighbours.astype(np.int32), "sims": graph.similarities}


def count_chunk(texts: list[str], topics: np.ndarray, *, vectorizer: WordCounter, topic_ids: list[int],
                weighting: str) -> dict[str, np.ndarray]:
    """c-TF-IDF statistics of one chunk of documents."""
    return ClassStats.of(vectorizer.transform(texts), topics, topic_ids, weighting).arrays()


def executor_and_store(plan: FitPlan, run_key: str):
    """The executor the plan's chunks run on and the store that keeps each finished chunk of run ``run_key``."""
    root = plan.checkpoint_root()
    return make_executor(plan.client), ChunkStore(None if root is None else root / run_key)


def embed_chunked(plan: FitPlan, spec: Any, encoder: DocumentEncoder, texts: list[str]) -> np.ndarray:
    """Embed in chunks on the executor (Dask workers); each chunk is also written as a partition.

    Workers get the embedding model's name (each builds the embedder from its own installation and
    cache) unless the model is an object, which is sent as it is.
    """
    ranges = chunk_ranges(len(texts), plan.chunk_size)
    run_key = fingerprint("embed", encoder.embedder.name, [texts[a] for a, _ in ranges], len(texts), plan.chunk_size,
                          encoder.whole, encoder.max_passages)
    executor, store = executor_and_store(plan, run_key)
    cache = plan.cache if isinstance(plan.cache, bool) else str(plan.cache)
    shared = dict(spec=str(spec) if isinstance(spec, Path) else spec, threads=plan.threads, cache=cache,
                  whole=encoder.whole, max_passages=encoder.max_passages)
    parts = run_chunks("embedding", embed_chunk, len(ranges), lambda i: (texts[slice(*ranges[i])],),
                       executor=executor, store=store, shared=shared, verbose=plan.verbose,
                       sizes=[b - a for a, b in ranges])
    return np.concatenate([p["vectors"] for p in parts]).astype(np.float32, copy=False)


def fit_sampled(plan: FitPlan, texts: list[str], vectors: np.ndarray, keys: list[str], language: str,
                context: StageContext, timings: dict[str, float]) -> LearnedTopics:
    """Cluster a sample, assign the rest, count all words (every array over the usable documents)."""
    n = len(texts)
    rng = np.random.default_rng(plan.seed)
    sample_rows = np.sort(rng.choice(n, size=plan.sample_size, replace=False))
    sample = np.zeros(n, dtype=bool)
    sample[sample_rows] = True
    rest = np.flatnonzero(~sample)
    probe = read_rows(vectors, np.arange(0, n, max(1, n // 997)))
    run_key = fingerprint("sampled", keys[:: max(1, n // 9973)], n, probe, plan.sample_size, plan.seed,
                          plan.chunk_size, plan.fingerprint)
    executor, store = executor_and_store(plan, run_key)

    clustering = cluster_documents(plan, read_rows(vectors, sample_rows),
                                   [keys[i] for i in sample_rows], context, timings)
    sample_labels = clustering.labels
    n_topics = topic_ops.topic_count(sample_labels)

    clock = time.perf_counter()
    labels = np.full(n, -1, dtype=np.int64)
    labels[sample_rows] = sample_labels
    probs = np.zeros((n, n_topics), dtype=np.float32)
    graph = clustering.graph
    probs[sample_rows] = topic_ops.neighbour_votes(graph.neighbours, graph.similarities, sample_labels, n_topics)
    index = NeighbourIndex.of(clustering.unit, sample_labels, clustering.projection, n_topics)
    assign_ranges = chunk_ranges(len(rest), plan.chunk_size)
    shared = dict(projection=index.projection, index_space=index.space, index_topics=index.topics,
                  n_topics=n_topics, k=plan.n_neighbors, threads=plan.threads,
                  approximate=index.graph_index(plan.knn, len(rest), plan.threads))
    assigned = run_chunks("assigning", assign_chunk, len(assign_ranges),
                          lambda i: (read_rows(vectors, rest[slice(*assign_ranges[i])]),),
                          executor=executor, store=store, shared=shared, verbose=plan.verbose,
                          sizes=[b - a for a, b in assign_ranges])
    for (a, b), part in zip(assign_ranges, assigned):
        labels[rest[a:b]] = part.pop("topics")
        probs[rest[a:b]] = part.pop("probs")  # copied: only the neighbours stay, for the map
    # Unit rows of every document (centroids, representative documents, the saved model): a memory-mapped
    # file's rows when they are unit already (they stay mapped), else a normalized copy, written beside
    # the checkpoints when there are any.
    if is_mapped(vectors) and all_unit(vectors, 1e-3):
        unit = vectors
    else:
        unit = unit_copy(vectors, None if store.directory is None else store.directory / "unit.npy")
    timings["assign"] = time.perf_counter() - clock

    # The vocabulary comes from the sample; the counts from every document, chunk by chunk.
    vectorizer, _ = count_words(plan, [texts[i] for i in sample_rows], language, timings)
    clock = time.perf_counter()
    weighting = plan.representation.keyword_weighting
    ranges = chunk_ranges(n, plan.chunk_size)
    parts = run_chunks("counting words", count_chunk, len(ranges),
                       lambda i: (texts[slice(*ranges[i])], labels[slice(*ranges[i])]), executor=executor,
                       store=store, shared=dict(vectorizer=vectorizer, topic_ids=list(range(n_topics)) + [-1],
                                                weighting=weighting),
                       verbose=plan.verbose, sizes=[b - a for a, b in ranges])
    stats = ClassStats.from_arrays(parts[0])
    for part in parts[1:]:
        stats = stats + ClassStats.from_arrays(part)
    keyword_matrix = weigh_classes(stats, weighting)[:n_topics]
    timings["keywords_all"] = time.perf_counter() - clock

    coords = None
    sample_coords = map_layout(plan, clustering.space, graph, sample_labels, context, timings)
    if sample_coords is not None:
        clock = time.perf_counter()
        coords = np.empty((n, 2), dtype=np.float32)
        coords[sample_rows] = sample_coords
        # Every other document sits at the similarity-weighted mean of its sampled neighbours.
        for (a, b), part in zip(assign_ranges, assigned):
            coords[rest[a:b]] = neighbour_mean(sample_coords, part["neighbours"], part["sims"])[0]
        timings["layout"] += time.perf_counter() - clock
    return LearnedTopics(labels=labels, unit=unit, probabilities=probs, keyword_matrix=keyword_matrix,
                         vectorizer=vectorizer, sample=sample, projection=clustering.projection, layout=coords)
