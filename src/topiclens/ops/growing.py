"""Growing: add documents to a fitted model, keeping its topics' ids and labels (``TopicModel.partial_fit``)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..core.errors import ConfigError, TopicLensWarning
from ..core.knn import normalize
from ..core.params import IsNone, Number, check_param
from ..editing.rebuild import rebuild
from ..editing.relabel import edit_labeler
from ..embedders.cache import load_embeddings
from ..embedders.common import passage_budget
from ..growing import update
from ..io.corpus import Corpus
from ..io.documents import as_corpus
from ..io.units import PASSAGE_OF, split_corpus, unit_owners
from ..pipeline import adapt
from ..pipeline.plan import FitPlan
from ..pipeline.sampled import assign_chunk, embed_chunked, executor_and_store
from ..pipeline.scale import chunk_ranges, fingerprint, run_chunks
from ..stages.protocols import StageContext
from ..state import TopicState
from .editing import label_changed
from .fitted import Fitted

# A new document joins an existing topic when that topic holds at least this share of its neighbours' vote.
JOIN_PROBABILITY = 0.5


def partial_fit(fitted: Fitted, plan: Callable[[], FitPlan], docs: Any, embeddings: Any = None, *,
                min_probability: float = JOIN_PROBABILITY, labeler: Any = None, relabel_below: float | None = None,
                text_column: Hashable | None = None, id_column: Hashable | None = None) -> Fitted:
    """Add documents: those that fit an existing topic join it, the rest are clustered into new topics.

    Existing topics keep their ids and labels; keywords and representations are recomputed for the
    topics that gained documents and written for the new ones, over every document seen. The LLM is
    asked once per new topic (and per existing topic whose keywords changed, with ``relabel_below``).
    The update is recorded in ``history_`` (operation 'update').

    Parameters
    ----------
    docs : list of str, DataFrame, Series, Corpus or pathlib.Path
        The new documents (a table as for ``fit``). Every record is added, as ``fit`` keeps every one: a
        copy of a text the model holds takes that document's topic. Only a record the model holds already,
        with the same id and the same text (the same file given again), is not added twice (a warning counts
        them); a list of strings, or a table with the default index 0, 1, ..., names no ids, so all of it is
        added, numbered on from the model's documents.
    embeddings : ndarray, str or Path, optional
        Precomputed embeddings of ``docs``, one row each.
    min_probability : float, default 0.5
        The least share of a document's nearest clustered documents' vote (as ``transform`` gives it)
        that makes it join that topic.
    labeler : str, labeler or False, optional
        Labels the new topics; None: the model's ``labeler``, else the bundled LLM that wrote the
        model's labels; False, or none of these: they get keyword labels, listed in
        ``waiting_for_names_`` on a model whose labels an LLM wrote.
    relabel_below : float, optional
        Also relabel an existing topic that gained documents when the share of its keywords that stayed
        among its keywords falls below this (e.g. 0.5). None: existing labels are never rewritten.
    text_column, id_column : str, optional
        For a table: as for ``fit``.

    Returns
    -------
    Fitted
        The grown model (the same one when every record was held already).
    """
    growth = grow(fitted, plan, docs, embeddings, min_probability=min_probability, labeler=labeler,
                  relabel_below=relabel_below, text_column=text_column, id_column=id_column)
    return growth.fitted if growth.to_name is None else name_growth(growth, stacklevel=5)


@dataclass(frozen=True)
class Growth:
    """A model grown by :func:`grow`, and what naming its topics takes: the labeler, the topics, the clock."""

    fitted: Fitted
    labeler: Any = None
    to_name: list[int] | None = None   # None: nothing was added (no history record to complete)
    clock: float = 0.0


def grow(fitted: Fitted, plan: Callable[[], FitPlan], docs: Any, embeddings: Any = None, *,
         min_probability: float = JOIN_PROBABILITY, labeler: Any = None, relabel_below: float | None = None,
         text_column: Hashable | None = None, id_column: Hashable | None = None) -> Growth:
    """:func:`partial_fit` up to the labels: the grown model with keyword labels on its new topics, and the
    topics its labeler is to name (``name_growth``). ``plan``: gives the fit plan, asked after the checks."""
    state, settings = fitted.state, fitted.settings
    if state.classic is not None:
        raise ConfigError("an LDA/NMF model cannot grow: its topics are its components; fit it again on every "
                          "document, or use model='embedding'")
    check_param("TopicModel", "min_probability", min_probability, [Number(float, 0.0, 1.0)])
    check_param("TopicModel", "relabel_below", relabel_below, [IsNone(), Number(float, 0.0, 1.0)])
    clock = time.perf_counter()
    plan = plan()
    corpus = as_corpus(docs, text_column=text_column, id_column=id_column)
    if not corpus.ids_given:  # made-up positions: numbered on from the model's, so no id is held twice
        start = len(unit_owners(state.corpus)[1]) if state.split else len(state.corpus)
        corpus = replace(corpus, ids=[str(start + i) for i in range(len(corpus))])
    if state.split:  # its documents are passages: new ones are cut as the fit cut its own
        corpus = _split_new(fitted, corpus, embeddings)
    keep, repeated = _new_records(state, corpus)
    if not len(keep):
        return Growth(fitted)  # nothing to add (the warning said so): no history entry, nothing changed
    added = _rows(corpus, keep)
    copies = fitted.known(added)  # the model's document with the same text, or -1: a copy takes its topic
    fresh_rows = np.flatnonzero(copies < 0)
    fresh = _rows(added, fresh_rows)
    vectors = _new_vectors(fitted, fresh, embeddings, keep[fresh_rows], len(corpus), plan)
    votes = _votes(fitted, vectors, plan)
    joined = update.joined_topics(votes, state.topic_ids, float(min_probability))
    context = StageContext.of(seed=settings.seed, n_neighbors=settings.n_neighbors,
                              min_cluster_size=state.min_cluster_size, threads=settings.threads,
                              verbose=settings.verbose)
    rest_labels, cluster_votes = update.cluster_rest(vectors[joined < 0], state, plan.clusterer, context,
                                                     knn=plan.knn, threads=settings.threads)
    clusters = np.full(len(joined), -1, dtype=np.int64)
    clusters[joined < 0] = rest_labels
    grown = update.grown_state(state, added, vectors, votes, np.flatnonzero(state.sample & state.usable), copies)
    arguments = {"documents": len(corpus), "added": len(added), "already_in_model": repeated,
                 "copies": int((copies >= 0).sum()), "joined": int((joined >= 0).sum()),
                 "outliers": int(((joined < 0) & (clusters < 0)).sum()),
                 "min_probability": float(min_probability), "relabel_below": relabel_below}
    keys = [h for h, ok in zip(fresh.hashes, fresh.usable) if ok]
    change = update.update_reassignment(state, grown, joined, clusters, cluster_votes, votes, keys, arguments,
                                        copies)
    new_ids = [t for t in change.topic_ids if t not in set(state.topic_ids)]
    change.arguments = {**arguments, "new_topics": new_ids}
    old_counts = fitted.word_counts()
    new_counts = state.vectorizer.transform([t for t, ok in zip(added.texts, added.usable) if ok])
    counts = sp.vstack([old_counts, new_counts]).tocsr()
    encoder = fitted.optional_encoder()
    result = rebuild(grown, change, adapt.as_representation(settings.representation), encoder,
                     {"operation": "update", "arguments": change.arguments}, lambda: counts, relabel=new_ids)
    grown = fitted.evolve(result, encoder=encoder)
    grown.derived["word_counts"] = counts
    return Growth(grown, edit_labeler(labeler, settings.labeler, result.llm_name),
                  new_ids + _drifted(state, result, relabel_below), clock)


def name_growth(growth: Growth, stacklevel: int = 4) -> Fitted:
    """The grown model with its new (and drifted) topics named by its labeler, and its history record complete."""
    return label_changed(growth.fitted, growth.labeler, growth.to_name, growth.clock, stacklevel=stacklevel)


# ------------------------------------------------------------------ helpers
def _split_new(fitted: Fitted, corpus: Corpus, embeddings: Any) -> Corpus:
    """New documents for a model whose units are passages, cut into its units."""
    if embeddings is not None:
        raise ConfigError("this model's documents are passages (long_documents='split'): it embeds each passage of "
                          "a new document itself, so pass the documents without embeddings")
    encoder = fitted.encoder()
    if encoder is None:
        raise ConfigError("this model's documents are passages, cut to what its embedding model reads, and it has "
                          "no embedding model: load it with embedding_model=")
    split = split_corpus(corpus, passage_budget(encoder.embedder))
    model = fitted.state.corpus
    documents = set(model.fields[PASSAGE_OF].astype(str))
    units = set(zip(model.ids, model.hashes))
    held = {doc_id for doc_id in corpus.ids if doc_id in documents}
    for doc_id, unit, key in zip(split.corpus.fields[PASSAGE_OF], split.corpus.ids, split.corpus.hashes):
        if doc_id in held and (unit, key) not in units:  # the same id, another text: not the same document again
            raise ConfigError(f"the model holds a document with the id {doc_id!r} and another text, and its passages "
                              "would join that document's: give the new document an id of its own (or fit again "
                              "to replace it)")
    return split.corpus


def _new_records(state: TopicState, corpus: Corpus) -> tuple[np.ndarray, int]:
    """The rows of ``corpus`` to add, and how many records the model holds already.

    A record is held already when the model has one with the same id and the same text: the same record
    given again (an update run twice), which is not added twice. Everything else is added, copies of a
    text the model holds included; ids that the input does not name (a list's positions) match nothing.
    """
    if not corpus.ids_given:
        return np.arange(len(corpus)), 0
    held = set(zip(state.corpus.ids, state.corpus.hashes))
    again = np.array([pair in held for pair in zip(corpus.ids, corpus.hashes)], dtype=bool)
    if again.any():
        warnings.warn(f"{int(again.sum())} of the {len(corpus)} record(s) are already in the model (same id and "
                      f"text, first at position {int(np.flatnonzero(again)[0])}): they are not added again",
                      TopicLensWarning, stacklevel=5)
    return np.flatnonzero(~again), int(again.sum())


def _new_vectors(fitted: Fitted, added: Corpus, embeddings: Any, rows: np.ndarray, n_input: int, plan) -> np.ndarray:
    """Unit embeddings of ``added``'s documents that have text: given (``rows``: their rows of the input,
    whose ``embeddings`` has one row per input document), else embedded (in chunks on Dask when
    a client is set; through the embedding cache, so a killed update embeds nothing twice)."""
    if embeddings is not None:
        given = np.asarray(load_embeddings(embeddings, n_input)[rows[added.usable]], dtype=np.float32)
        if given.shape[1] != fitted.state.embeddings.shape[1]:
            raise ConfigError(f"the new embeddings have {given.shape[1]} dimensions and the model's "
                              f"{fitted.state.embeddings.shape[1]}: embed the new documents with the model's embedding "
                              "model")
        return normalize(given)
    texts = [t for t, ok in zip(added.texts, added.usable) if ok]
    if not texts:
        return np.zeros((0, fitted.state.embeddings.shape[1]), dtype=np.float32)
    encoder = fitted.encoder()
    if encoder is None:
        raise ConfigError("the model has no embedding model: pass embeddings=... for the new documents")
    if plan.client is not None:
        return normalize(embed_chunked(plan, fitted.state.embedding_model, encoder, texts))
    return normalize(encoder.encode(texts, desc="embedding new documents"))


def _votes(fitted: Fitted, vectors: np.ndarray, plan) -> update.Votes:
    """The new documents' votes among the clustered documents, chunk by chunk (kept, so a killed update
    resumes; on Dask when a client is set)."""
    state, settings = fitted.state, fitted.settings
    n_topics = len(state.topic_ids)
    if not len(vectors):
        return update.Votes(np.zeros((0, n_topics), np.float32), np.zeros((0, 1), np.int64), np.zeros((0, 1)))
    index = fitted.neighbour_index()
    ranges = chunk_ranges(len(vectors), plan.chunk_size)
    run_key = fingerprint("update", len(state.corpus), state.topic_ids, state.history[-1:] if state.history else
                          None, vectors[:: max(1, len(vectors) // 97)], len(vectors), plan.chunk_size)
    executor, store = executor_and_store(plan, run_key)
    shared = dict(projection=index.projection, index_space=index.space, index_topics=index.topics,
                  n_topics=n_topics, k=int(settings.n_neighbors), threads=settings.threads,
                  approximate=index.graph_index(settings.knn, len(vectors), settings.threads))
    parts = run_chunks("placing new documents", assign_chunk, len(ranges),
                       lambda i: (vectors[slice(*ranges[i])],), executor=executor, store=store, shared=shared,
                       verbose=bool(settings.verbose), sizes=[b - a for a, b in ranges])
    return update.Votes(np.concatenate([p["probs"] for p in parts]),
                        np.concatenate([p["neighbours"] for p in parts]),
                        np.concatenate([p["sims"] for p in parts]))


def _drifted(before: TopicState, after: TopicState, relabel_below: float | None) -> list[int]:
    """Existing topics whose keywords kept less than ``relabel_below`` of their words (none when None)."""
    if relabel_below is None:
        return []
    old = {t: {w for w, _ in words} for t, words in zip(before.topic_ids, before.keywords)}
    drifted = []
    for t, words in zip(after.topic_ids, after.keywords):
        if t in old and old[t]:
            kept = len(old[t] & {w for w, _ in words}) / len(old[t])
            if kept < relabel_below:
                drifted.append(int(t))
    return drifted


def _rows(corpus: Corpus, rows: np.ndarray) -> Corpus:
    """The documents at ``rows`` as a corpus of their own (fields kept)."""
    fields = corpus.fields.iloc[rows].reset_index(drop=True) if len(corpus.fields.columns) else corpus.fields
    return Corpus(texts=[corpus.texts[i] for i in rows], ids=[corpus.ids[i] for i in rows], fields=fields,
                  source=corpus.source, id_type=corpus.id_type)

