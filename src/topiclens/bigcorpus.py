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

import numpy as np

from . import topics as topic_ops
from .assign import neighbour_vote
from .fitting import cluster_embeddings, count_words
from .keywords import ClassStats, Vocabulary, weigh_classes
from .knn import normalize
from .layout import map_layout
from .runtime import cache_dir, thread_limit
from .scale import ChunkStore, chunk_ranges, fingerprint, make_executor, run_chunks

_EMBEDDERS: dict[str, object] = {}  # one loaded embedder per worker process


def embed_chunk(texts: list[str], *, spec, batch_size: int, max_seq_length: int, threads: int | None,
                cache) -> dict[str, np.ndarray]:
    """Embeddings of one chunk of texts (on whichever process runs it), through the embedding cache."""
    from .embed import embed_texts, make_embedder

    key = repr((spec, batch_size, max_seq_length, threads))
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = make_embedder(spec, batch_size=batch_size, max_seq_length=max_seq_length, threads=threads)
    with thread_limit(threads):
        vectors = embed_texts(texts, _EMBEDDERS[key], cache=cache, verbose=False)
    return {"vectors": vectors}


def assign_chunk(vectors: np.ndarray, **index) -> dict[str, np.ndarray]:
    """Topic votes of one chunk of documents from their nearest sampled documents (as ``transform``)."""
    probs, neighbours, sims = neighbour_vote(vectors, **index)
    return {"probs": probs, "topics": topic_ops.topics_from_probs(probs), "neighbours": neighbours.astype(np.int32),
            "sims": sims}


def count_chunk(texts: list[str], topics: np.ndarray, *, vocabulary: dict, words: list[str], topic_ids: list[int],
                weighting: str) -> dict[str, np.ndarray]:
    """c-TF-IDF statistics of one chunk of documents."""
    counter = Vocabulary(**vocabulary)
    counter.words_ = words
    return ClassStats.of(counter.transform(texts), topics, topic_ids, weighting).arrays()


def _executor_and_store(model, run_key: str):
    root = model.work_dir
    if root is None and model.cache:
        root = cache_dir() / "runs" if model.cache is True else Path(model.cache) / "runs"
    return make_executor(model.client), ChunkStore(None if root is None else Path(root) / run_key)


def embed_chunked(model, texts: list[str]) -> np.ndarray:
    """Embed in chunks on the executor (Dask workers); each chunk is also written as a partition."""
    from .embed import make_embedder

    spec = model.embedding_model_
    name = make_embedder(spec, batch_size=model.batch_size, max_seq_length=model.max_seq_length).name
    ranges = chunk_ranges(len(texts), model.chunk_size)
    executor, store = _executor_and_store(model, fingerprint("embed", name, [texts[a] for a, _ in ranges],
                                                             len(texts), model.chunk_size))
    cache = model.cache if isinstance(model.cache, bool) else str(model.cache)
    shared = dict(spec=spec, batch_size=model.batch_size, max_seq_length=model.max_seq_length,
                  threads=model.threads, cache=cache)
    parts = run_chunks("embedding", embed_chunk, len(ranges), lambda i: (texts[slice(*ranges[i])],),
                       executor=executor, store=store, shared=shared, verbose=model.verbose,
                       sizes=[b - a for a, b in ranges])
    return np.concatenate([p["vectors"] for p in parts]).astype(np.float32, copy=False)


def fit_sampled(model, texts: list[str], vectors: np.ndarray, keys: list[str], timings: dict[str, float]):
    """Cluster a sample, assign the rest, count all words: returns what TopicModel._learn_topics needs.

    Returns (labels, unit vectors, probabilities, keyword matrix, sample mask, 2-D layout or None),
    each over the usable documents.
    """
    n = len(texts)
    rng = np.random.default_rng(model.seed)
    sample_rows = np.sort(rng.choice(n, size=model.sample_size, replace=False))
    sample = np.zeros(n, dtype=bool)
    sample[sample_rows] = True
    rest = np.flatnonzero(~sample)
    probe = np.asarray(vectors[:: max(1, n // 997)], dtype=np.float32)
    run_key = fingerprint("sampled", keys[:: max(1, n // 9973)], n, probe, model.sample_size, model.seed,
                          model.chunk_size, {k: str(v) for k, v in model.get_params().items()
                                             if k not in ("client", "work_dir", "verbose", "threads", "llm")})
    executor, store = _executor_and_store(model, run_key)

    sample_vectors = np.asarray(vectors[sample_rows], dtype=np.float32)
    sample_labels, _, knn = cluster_embeddings(model, sample_vectors, [keys[i] for i in sample_rows], timings)
    n_topics = topic_ops.topic_count(sample_labels)
    del sample_vectors

    clock = time.perf_counter()
    labels = np.full(n, -1, dtype=np.int64)
    labels[sample_rows] = sample_labels
    probs = np.zeros((n, n_topics), dtype=np.float32)
    probs[sample_rows] = topic_ops.neighbour_votes(knn[0], knn[1], sample_labels, n_topics)
    assign_ranges = chunk_ranges(len(rest), model.chunk_size)
    shared = dict(reduction=model.reduction, space_arrays=model.space_arrays_, index_space=model.space_,
                  index_topics=sample_labels, n_topics=n_topics, k=model.n_neighbors, threads=model.threads)
    assigned = run_chunks("assigning", assign_chunk, len(assign_ranges),
                          lambda i: (np.asarray(vectors[rest[slice(*assign_ranges[i])]], dtype=np.float32),),
                          executor=executor, store=store, shared=shared, verbose=model.verbose,
                          sizes=[b - a for a, b in assign_ranges])
    for (a, b), part in zip(assign_ranges, assigned):
        labels[rest[a:b]] = part["topics"]
        probs[rest[a:b]] = part["probs"]
    unit = np.empty(vectors.shape, dtype=np.float32)
    for a, b in chunk_ranges(n, model.chunk_size):
        unit[a:b] = normalize(vectors[a:b])
    timings["assign"] = time.perf_counter() - clock

    clock = time.perf_counter()
    count_words(model, [texts[i] for i in sample_rows])  # the vocabulary comes from the sample
    settings = dict(stop_words=model.stop_words, ngram_range=tuple(model.ngram_range), min_df=model.min_df,
                    max_df=model.max_df, language=model.language_)
    topic_ids = list(range(n_topics)) + [-1]
    ranges = chunk_ranges(n, model.chunk_size)
    parts = run_chunks("counting words", count_chunk, len(ranges),
                       lambda i: (texts[slice(*ranges[i])], labels[slice(*ranges[i])]), executor=executor,
                       store=store, shared=dict(vocabulary=settings, words=model.words_, topic_ids=topic_ids,
                                                weighting=model.keyword_weighting),
                       verbose=model.verbose, sizes=[b - a for a, b in ranges])
    stats = ClassStats.from_arrays(parts[0])
    for part in parts[1:]:
        stats = stats + ClassStats.from_arrays(part)
    keyword_matrix = weigh_classes(stats, model.keyword_weighting)[:n_topics]
    timings["keywords_all"] = time.perf_counter() - clock

    clock = time.perf_counter()
    coords = None
    sample_coords = map_layout(model.space_, knn, model.layout, model.seed, model.layout_epochs)
    if sample_coords is not None:
        coords = np.empty((n, 2), dtype=np.float32)
        coords[sample_rows] = sample_coords
        # Every other document sits at the similarity-weighted mean of its sampled neighbours.
        for (a, b), part in zip(assign_ranges, assigned):
            weights = np.clip(part["sims"], 1e-6, None)[:, :, None]
            coords[rest[a:b]] = (sample_coords[part["neighbours"]] * weights).sum(axis=1) / weights.sum(axis=1)
    timings["layout"] = time.perf_counter() - clock
    return labels, unit, probs, keyword_matrix, sample, coords

