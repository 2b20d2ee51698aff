"""A fitted model as its operations take it: the immutable state, the settings they run with, and what is
derived from the state (computed once).

Every operation (``editing``, ``labeling``, ``growing``, ``hierarchy``, ``breakdown``, ``placing``, ``search``)
is a plain function whose first argument is a :class:`Fitted`; those that change the model return a new
:class:`Fitted` and leave theirs as it was. :class:`~topiclens.TopicModel` holds one and installs the one an
operation returns (``TopicModel._install``, the one writer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import ConfigError
from ..core.params import Unrestored
from ..core.topic_table import Topic
from ..embedders.cache import DocumentEncoder
from ..embedders.registry import document_encoder
from ..io.corpus import Corpus, from_texts
from ..labeling.confidence import LabelFit
from ..pipeline.assign import NeighbourIndex, known_rows, training_lookup
from ..state import TopicState, check_topics, positions

# The fitted values that everything derived (text lookup, neighbour index, encoder) is computed from.
DATA_FIELDS = ("corpus", "usable", "topics", "sample", "embeddings", "projection", "embedding_model")


@dataclass(frozen=True)
class Settings:
    """The model parameters that operations run with (the rest shaped the fit and is in the state)."""

    labeler: Any = None                   # the model's labeler parameter (a spec, an LLMLabeler or None)
    representation: Any = None            # the Representation parameter (None: the default)
    n_neighbors: int = 15
    knn: str = "auto"
    seed: int = 42
    threads: int | None = None
    cache: bool | str | Path = True
    verbose: bool = True
    max_passages: int | None = None       # the most passages of a long document read (None: all)


@dataclass(frozen=True, eq=False)
class Fitted:
    """One fitted model: ``state`` (never changed: an operation makes a new one), ``settings``, and ``derived``,
    the values computed from the state's data arrays, handed on to the Fitted made from this one
    (:meth:`evolve`, :meth:`with_settings`) while it holds the same arrays."""

    state: TopicState
    settings: Settings
    derived: dict = field(default_factory=dict)

    # ------------------------------------------------------------- a new state
    def evolve(self, state: TopicState, *, encoder: DocumentEncoder | None = None) -> Fitted:
        """This model with ``state``: derived values carry over when ``state`` keeps the very same data arrays
        (a relabel), else start afresh. ``encoder``: the one that embedded the documents, kept for new ones."""
        keeps = all(getattr(self.state, name) is getattr(state, name) for name in DATA_FIELDS)
        derived = self.derived if keeps else {}
        if encoder is not None:
            derived[_encoder_key(self.settings)] = encoder
        return Fitted(state, self.settings, derived)

    def with_settings(self, settings: Settings) -> Fitted:
        """The same state and derived values, run with ``settings``."""
        return self if settings == self.settings else Fitted(self.state, settings, self.derived)

    # ------------------------------------------------------------- topics
    def position(self, topic: int) -> int:
        """Where topic ``topic`` is in the per-topic lists and arrays (a ConfigError names an unknown one)."""
        try:
            return self.state.table.place(topic)
        except KeyError:
            check_topics(self.state.topic_ids, [topic])  # names what is wrong with it
            raise

    def topic(self, topic: int) -> Topic:
        """Topic ``topic``'s record in the topic table (a ConfigError names an unknown one)."""
        return self.state.table.rows[self.position(topic)]

    def unnamed(self, topics: Sequence[int]) -> list[int]:
        """The topics among ``topics`` without a label the user gave at fit (``given_labels``)."""
        return [t for t in topics if not self.topic(t).given_label]

    def value(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A value computed once from the state's data (dropped with a new fit, load or reshaping)."""
        if key not in self.derived:
            self.derived[key] = compute()
        return self.derived[key]

    def tightness(self) -> list[float | None]:
        """Each topic's tightness (``pipeline.coherence``), in ``topic_ids`` order."""
        from ..pipeline.coherence import topic_tightness

        state = self.state
        return self.value(("tightness", tuple(state.topic_ids)), lambda: topic_tightness(
            state.embeddings, state.topics[state.usable], state.topic_ids))

    def word_counts(self):
        """The usable documents' word counts (``TopicState.word_counts``)."""
        return self.value("word_counts", self.state.word_counts)

    # ------------------------------------------------------------- embedding and placing
    def encoder(self) -> DocumentEncoder | None:
        """The encoder of the fitted embedding model, with the settings' cache, threads and progress."""
        used = self.state.embedding_model
        if isinstance(used, Unrestored):
            raise ConfigError(used.problem("embedding_model"))
        settings = self.settings
        return self.value(_encoder_key(settings), lambda: document_encoder(
            used, threads=settings.threads, cache=settings.cache, verbose=settings.verbose,
            whole=self.state.long_documents in ("passages", "split"), max_passages=settings.max_passages))

    def optional_encoder(self) -> DocumentEncoder | None:
        """The encoder, or None where the model has none (a classic model, an embedder not restored)."""
        try:
            return self.encoder()
        except ConfigError:
            return None

    def embed(self, texts: Sequence[str], desc: str = "embedding") -> np.ndarray:
        """Embed texts with the model's embedding model, through the on-disk cache.

        Parameters
        ----------
        texts : list of str
        desc : str, default 'embedding'
            The progress bar's label.

        Returns
        -------
        ndarray of shape (len(texts), dim), float32
        """
        texts = from_texts(texts).texts  # a DataFrame or a dict is refused, not read as its column names
        encoder = self.encoder()
        if encoder is None:
            raise ConfigError("the model has no embedding model: pass embedding_model= to TopicModel.load, or "
                              "give precomputed embeddings")
        return encoder.encode(texts, desc=desc)

    def neighbour_index(self) -> NeighbourIndex:
        """The clustered documents (all, or a big corpus's sample) as the index new documents vote against."""
        state = self.state
        return self.value("index", lambda: NeighbourIndex.of(
            state.embeddings[state.sample[state.usable]], positions(state.topic_ids, state.topics[state.sample]),
            state.projection, len(state.topic_ids)))

    def known(self, corpus: Corpus) -> np.ndarray:
        """For each document of ``corpus``, the row of the same training document (same id and text), else -1."""
        lookup = self.value("lookup", lambda: training_lookup(self.state.corpus, self.state.usable))
        return known_rows(lookup, corpus)

    # ------------------------------------------------------------- labels
    def label_cache(self) -> bool | str:
        """Where LLM answers are cached: the ``cache`` setting, a folder becoming its answers file."""
        cache = self.settings.cache
        return cache if isinstance(cache, bool) else str(Path(cache) / "llm-answers.sqlite")

    def label_encoder(self) -> Callable[[list[str]], np.ndarray] | None:
        """The embedder as a function of a list of labels, or None (a classic model, an embedder not restored)."""
        if self.optional_encoder() is None:
            return None
        return lambda labels: self.embed(labels, desc="comparing labels")

    def label_fit(self, encode: Callable | None = None) -> LabelFit | None:
        """How well labels fit their topics (:class:`LabelFit`), or None without embeddings and an embedder
        (``encode``: the label encoder when the caller has it already)."""
        encode = encode or self.label_encoder()
        state = self.state
        if encode is None or state.embeddings is None or len(state.topic_ids) < 2:
            return None
        usable = np.flatnonzero(state.usable)
        seed = self.settings.seed
        return LabelFit(state.embeddings, state.topics[usable], state.topic_ids, state.centroids, encode,
                        seed if isinstance(seed, int) else 0)


def _encoder_key(settings: Settings) -> tuple:
    return ("encoder", settings.threads, str(settings.cache), settings.verbose, settings.max_passages)
