"""The fit: from a corpus and a plan to a :class:`TopicState`, stage by stage.

Each step takes arrays and returns a small typed result; nothing here writes to a model.
The embedding path reduces, builds the kNN graph, clusters and shapes the topics; the classic
path (LDA / NMF) learns topics from word counts; corpora above ``sample_size`` go through
``pipeline.sampled``. All three end in the same representations and state.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import ConfigError, TopicLensWarning
from ..core.lang import corpus_language
from ..core.runtime import note, thread_limit
from ..core.topic_table import TopicTable
from ..embedders.cache import DocumentEncoder, load_embeddings, zero_rows
from ..embedders.common import AUTO_EMBEDDING_MODEL, LEARNED_EMBEDDING_MODEL, passage_budget, reads_whole
from ..embedders.learned import learned_estimate
from ..embedders.registry import resolve_embedding_model
from ..guidance.spec import read_classes
from ..io.corpus import Corpus, check_corpus
from ..io.units import PASSAGE_OF, split_corpus
from ..labeling.clean import keyword_label
from ..stages.cluster import auto_min_cluster_size
from ..stages.protocols import LearnsFromCorpus, StageContext
from ..stages.represent import centroids, representative_docs, word_representations
from ..state import TopicState
from . import topics as topic_ops
from .keywords import top_terms
from .lengths import embedding_estimate, reading_of_long_documents
from .plan import FitPlan
from .sampled import embed_chunked, fit_sampled
from .steps import GuideInput, LearnedTopics, fit_classic, fit_embedding

ON_DISK_FROM = 200_000  # documents from which a fast embedder's vectors are written to a file, not held in memory


def fit_topics(plan: FitPlan, corpus: Corpus, embeddings: np.ndarray | str | Path | None = None,
               y=None) -> tuple[TopicState, DocumentEncoder | None]:
    """Run every stage on ``corpus``; return the fitted state and the encoder that embedded it.
    ``y``: a class per document (-1 / None: not known) for a (semi-)supervised fit."""
    if not corpus.usable.any():
        check_corpus(corpus, plan.min_cluster_size or 2)  # says what is wrong: nothing to read
    first_texts = [t for t in corpus.texts if t.strip()]
    language = corpus_language(first_texts, plan.language, plan.verbose)
    embedding_model = resolve_embedding_model(plan.embedding_model, language, len(first_texts), plan.verbose,
                                              given=embeddings is not None)
    encoder = plan.encoder(embedding_model)
    long_documents = reading_of_long_documents(plan.long_documents, first_texts, encoder, plan.seed, plan.verbose,
                                               given=embeddings is not None)
    if long_documents == "split":
        corpus, y = split_units(corpus, y, encoder, embeddings, plan.verbose)
    n_clustered = int(corpus.usable.sum())
    if plan.classic is None and plan.sample_size:
        n_clustered = min(n_clustered, plan.sample_size)
    min_size = plan.min_cluster_size or auto_min_cluster_size(n_clustered)
    usable = check_corpus(corpus, min_size)
    plan.check_corpus_size(int(usable.sum()))
    classes, class_names = (None, None) if y is None else read_classes(y, len(corpus))
    guided = plan.guide is not None or classes is not None
    if guided:
        check_guided(plan, int(usable.sum()))
    texts = [t for t, ok in zip(corpus.texts, usable) if ok]
    context = StageContext.of(seed=plan.seed, n_neighbors=plan.n_neighbors, min_cluster_size=min_size,
                              threads=plan.threads, verbose=plan.verbose)
    timings: dict[str, float] = {}
    if encoder is not None and isinstance(encoder.embedder, LearnsFromCorpus) and not encoder.embedder.learned:
        clock = time.perf_counter()
        embedding_model = learn_embedder(plan, encoder, texts, embeddings)  # once the corpus has passed its checks
        timings["learn_embedder"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if encoder is not None:
        encoder = encoder.reading_whole(long_documents in ("passages", "split"))
    with thread_limit(plan.threads):
        vectors = document_vectors(plan, embedding_model, encoder, corpus, usable, texts, embeddings)
        usable, texts, vectors = drop_directionless(corpus, usable, texts, vectors, min_size)
        if embeddings is not None and encoder is not None:
            check_dimensions(vectors, encoder, embedding_model)
        timings["embed"] = time.perf_counter() - clock
        fit_clock = time.perf_counter()
        keys = [h for h, ok in zip(corpus.hashes, usable) if ok]
        if plan.classic is None and plan.sample_size and len(texts) > plan.sample_size:
            learned = fit_sampled(plan, texts, vectors, keys, language, context, timings)
        elif plan.classic is None:
            guide = None
            if guided:
                guide = GuideInput(classes=None if classes is None else classes[usable], class_names=class_names,
                                   name_vectors=name_vectors(plan, encoder))
            learned = fit_embedding(plan, texts, vectors, keys, language, context, timings, guide)
        else:
            learned = fit_classic(plan, texts, vectors, keys, language, context, timings)
        state = describe_topics(plan, corpus, usable, learned, encoder, timings,
                                language=language, embedding_model=embedding_model, min_cluster_size=min_size)
    state = replace(state, long_documents=long_documents)
    timings["fit"] = time.perf_counter() - fit_clock
    return state, encoder


def plan_embedding(plan: FitPlan, corpus: Corpus) -> dict:
    """What embedding ``corpus`` would cost under each reading of long documents
    (:func:`~topiclens.pipeline.lengths.embedding_estimate`), with the reading this fit would choose
    (``chosen``) and the embedding model; nothing is fitted and only a short probe is embedded."""
    texts = [t for t in corpus.texts if t.strip()]
    if not texts:
        check_corpus(corpus, plan.min_cluster_size or 2)
    language = corpus_language(texts, plan.language, False)
    embedding_model = resolve_embedding_model(plan.embedding_model, language, len(texts))
    encoder = plan.encoder(embedding_model)
    if encoder is None:
        raise ConfigError("no embedding model, so nothing to estimate: set embedding_model")
    learns = isinstance(encoder.embedder, LearnsFromCorpus) and not encoder.embedder.learned
    teacher = plan.encoder(AUTO_EMBEDDING_MODEL) if learns else encoder  # a table not yet learned: its teacher
    with thread_limit(plan.threads):
        report = embedding_estimate(texts, teacher, plan.seed)
    chosen = reading_of_long_documents(plan.long_documents, texts, teacher, plan.seed, verbose=False)
    report = {**report, "chosen": chosen, "long_documents": plan.long_documents,
              "embedding_model": embedding_model if isinstance(embedding_model, str) else encoder.embedder.name}
    if learns or (language == "en" and embedding_model == AUTO_EMBEDDING_MODEL):
        reading = report["readings"][chosen]
        with thread_limit(plan.threads):
            learned = learned_estimate(texts, report["readings"]["truncate"]["seconds_uncached"],  # sample: beginnings
                                       units=reading["texts"], threads=plan.threads)
        report["embedders"] = {AUTO_EMBEDDING_MODEL: {"seconds": reading["seconds"],
                                                      "seconds_uncached": reading["seconds_uncached"]},
                               LEARNED_EMBEDDING_MODEL: learned}
    return report


def learn_embedder(plan: FitPlan, encoder: DocumentEncoder, texts: list[str], embeddings) -> Any:
    """Train an embedder that learns from the corpus (``embedding_model='learned'``) on ``texts``; the trained
    embedder is the model's embedding model from then on (saved with it, it embeds new documents)."""
    if embeddings is not None:
        raise ConfigError("embedding_model='learned' trains on the documents and then embeds them, and embeddings "
                          "were given: leave out embeddings, or set embedding_model to the model that made them")
    learner = encoder.embedder.untrained()  # the caller's object (or a loaded model's record) is left as it is
    if isinstance(plan.embedding_model, str) and hasattr(learner, "seed"):
        learner.seed = plan.seed  # made from its name for this fit: it follows the model's seed
    with thread_limit(plan.threads):
        learner.learn(texts, cache=plan.cache, verbose=plan.verbose)
    encoder.embedder = learner
    return learner


def split_units(corpus: Corpus, y, encoder: DocumentEncoder | None, embeddings, verbose: bool) -> tuple[Corpus, Any]:
    """``long_documents='split'``: the corpus cut into passage units (``io.units``), and ``y`` per unit."""
    if embeddings is not None:
        raise ConfigError("long_documents='split' embeds each passage of a long document, and the embeddings given "
                          "are one per document: leave out embeddings, or use long_documents='passages'")
    if encoder is None or reads_whole(encoder.embedder) is None:
        raise ConfigError("long_documents='split' cuts documents into what the embedding model reads, and "
                          f"{'no embedding model is set' if encoder is None else 'this one states no limit'} "
                          "(max_seq_length or max_chars): set embedding_model to one that does, or use "
                          "long_documents='passages'")
    split = split_corpus(corpus, passage_budget(encoder.embedder))
    if verbose:
        note(f"long_documents='split': {split.cut:,} documents cut into passages; the fit's units are "
             f"{len(split.corpus):,} passages and documents (document_info's field {PASSAGE_OF!r} names each one's "
             "document; topic_mixture_ has one row per document)")
    if y is not None:
        given = list(y)
        y = [given[r] for r in split.rows] if len(given) == len(corpus) else given
    return split.corpus, y


def check_guided(plan: FitPlan, n_usable: int) -> None:
    """Guidance needs the embedding path, every document clustered, and an embedder for zero-shot names."""
    if plan.classic is not None:
        raise ConfigError("classes (y) guide the embedding pipeline: use model='embedding' (LDA/NMF learn their "
                          "topics from word counts alone)")
    if plan.sample_size and n_usable > plan.sample_size:
        raise ConfigError(f"a guided fit clusters every document, and the corpus has {n_usable}, above sample_size="
                          f"{plan.sample_size}: set sample_size=None (or above {n_usable})")


def name_vectors(plan: FitPlan, encoder: DocumentEncoder | None) -> np.ndarray | None:
    """The zero-shot names' embeddings (None without names)."""
    if plan.guide is None or not plan.guide.zeroshot_topics:
        return None
    if encoder is None:
        raise ConfigError("zeroshot_topics are compared with the documents by the embedding model: set "
                          "embedding_model to the model that made the embeddings")
    return encoder.encode(list(plan.guide.zeroshot_topics), desc="embedding zero-shot names")


def check_dimensions(vectors: np.ndarray, encoder: DocumentEncoder, embedding_model) -> None:
    """Precomputed embeddings must live in the embedding model's space (it embeds words and new documents)."""
    dim = encoder.encode(["topic"], desc="checking the embedding model").shape[1]
    if vectors.shape[1] != dim:
        raise ConfigError(f"the embeddings have {vectors.shape[1]} dimensions but the embedding model "
                          f"{embedding_model} gives {dim}: set embedding_model to the model that made them (or to "
                          "None: no KeyBERT/MMR keywords, and new documents need their own embeddings)")


def drop_directionless(corpus: Corpus, usable: np.ndarray, texts: list[str], vectors: np.ndarray,
                       min_size: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Documents whose embedding is all zeros have no place by cosine: they become outliers, with a warning."""
    zero = zero_rows(vectors)
    if not zero.any():
        return usable, texts, vectors
    rows = np.flatnonzero(usable)[zero]
    warnings.warn(f"{len(rows)} document(s) have an all-zero embedding and get no topic (-1); first at positions "
                  f"{rows[:5].tolist()}: recompute their embeddings", TopicLensWarning, stacklevel=4)
    usable = usable.copy()
    usable[rows] = False
    if int(usable.sum()) < min_size:
        raise ConfigError(f"only {int(usable.sum())} document(s) have an embedding that is not all zeros, fewer than "
                          f"the minimum topic size {min_size}: recompute the embeddings")
    keep = ~zero
    return usable, [t for t, ok in zip(texts, keep) if ok], np.asarray(vectors[keep], dtype=np.float32)


def document_vectors(plan: FitPlan, embedding_model, encoder: DocumentEncoder | None, corpus: Corpus,
                     usable: np.ndarray, texts: list[str], embeddings) -> np.ndarray:
    """The usable documents' embeddings: precomputed (a memory-mapped .npy stays mapped), or embedded."""
    if embeddings is not None:
        full = load_embeddings(embeddings, len(corpus))
        return full if usable.all() else np.asarray(full[usable], dtype=np.float32)
    if encoder is None:
        raise ConfigError("no embedding model: pass embeddings=... or set embedding_model")
    if plan.client is not None:
        return embed_chunked(plan, embedding_model, encoder, texts)
    root = plan.checkpoint_root()
    if root is not None and len(texts) >= ON_DISK_FROM and not getattr(encoder.embedder, "cacheable", True):
        return vectors_on_disk(encoder, texts, root)
    return encoder.encode(texts)


def vectors_on_disk(encoder: DocumentEncoder, texts: list[str], root: Path) -> np.ndarray:
    """``texts`` embedded into a file in the run folder ``root`` and mapped from it: a fast embedder's million
    vectors are made in a minute and need not stay resident. The file's name goes at once (the map keeps its
    pages; the disk space is freed with the model), so nothing is left behind; where a mapped file cannot be
    removed (Windows) it stays until the next such fit of this process replaces it."""
    import os

    path = root / f"vectors-{os.getpid()}.npy"
    vectors = encoder.encode(texts, out=path)
    try:
        path.unlink()
    except OSError:
        pass
    return vectors


def describe_topics(plan: FitPlan, corpus: Corpus, usable: np.ndarray, learned: LearnedTopics,
                    encoder: DocumentEncoder | None, timings: dict[str, float], *, language: str,
                    embedding_model, min_cluster_size: int) -> TopicState:
    """Keywords, KeyBERT / MMR keywords, centroids and representative documents; the whole state."""
    clock = time.perf_counter()
    rep = plan.representation
    labels = learned.labels
    n_topics = topic_ops.topic_count(labels)
    topic_ids = list(range(n_topics))
    ranked = top_terms(learned.keyword_matrix, learned.vectorizer.words, max(rep.n_candidates, rep.top_n_words))
    keywords = [r[: rep.top_n_words] for r in ranked]
    timings["keywords"] = time.perf_counter() - clock

    clock = time.perf_counter()
    topic_centroids = centroids(learned.unit, labels, topic_ids)
    usable_index = np.flatnonzero(usable)
    reps = representative_docs(learned.unit, labels, topic_ids, topic_centroids, rep.n_representative_docs)
    keybert, mmr = word_representations(rep, [[w for w, _ in r] for r in ranked], topic_centroids, encoder)
    timings["represent"] = time.perf_counter() - clock

    def full(values: np.ndarray, fill) -> np.ndarray:
        values = np.asarray(values)
        out = np.full((len(usable),) + values.shape[1:], fill, dtype=values.dtype)
        out[usable] = values
        return out

    table = TopicTable.from_columns({
        "topic_ids": topic_ids, "topic_sizes": np.bincount(labels[labels >= 0], minlength=n_topics).tolist(),
        "keywords": keywords, "keybert": keybert, "mmr": mmr,
        "representative_docs": [usable_index[r].tolist() for r in reps],
        "labels": [learned.given.get(t) or keyword_label(k) for t, k in zip(topic_ids, keywords)],
        "given_labels": [learned.given.get(t, "") for t in topic_ids] if learned.given else None,
    }, topic_centroids, learned.keyword_matrix)
    return TopicState(
        corpus=corpus, usable=usable, topics=full(labels, -1).astype(np.int64),
        probabilities=full(learned.probabilities, 0.0), sample=full(learned.sample, False), embeddings=learned.unit,
        projection=learned.projection, vectorizer=learned.vectorizer, table=table,
        layout=None if learned.layout is None else full(learned.layout, np.nan),
        llm_name=None, label_stats={}, language=language, embedding_model=embedding_model,
        min_cluster_size=min_cluster_size, classic=learned.classic, timings=timings, guidance=learned.guidance,
    )
