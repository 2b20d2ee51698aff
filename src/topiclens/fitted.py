"""The fitted state of a TopicModel as attributes: written in one place, read back as a TopicState."""

from __future__ import annotations

from typing import Any

from .embedders.cache import DocumentEncoder
from .errors import NotFittedError
from .state import STATE_FIELDS, TopicState, check_topics

# The fitted values that everything derived (text lookup, neighbour index, encoder) is computed from.
DATA_FIELDS = ("corpus", "usable", "topics", "sample", "embeddings", "projection", "embedding_model")


class FittedState:
    """Mixed into TopicModel: ``_assign`` (the one writer of fitted attributes), ``_state`` and what is derived."""

    def _assign(self, state: TopicState, encoder: DocumentEncoder | None = None) -> None:
        """The one place where fitted attributes are written: each field of ``state`` becomes ``<field>_``.

        Values derived from the documents and their topics (the training-text lookup, the neighbour
        index, the encoder) are dropped unless ``state`` keeps those very arrays (a relabel).
        ``encoder``: the one that embedded the corpus, kept so new documents need no second load.
        """
        keeps_data = "topics_" in vars(self) and all(
            getattr(self, f"{name}_") is getattr(state, name) for name in DATA_FIELDS)
        for name in STATE_FIELDS:
            setattr(self, f"{name}_", getattr(state, name))
        if not keeps_data:
            self._derived: dict[Any, Any] = {}
        if encoder is not None:
            self._derived[self._encoder_key()] = encoder

    def _state(self) -> TopicState:
        """The fitted attributes as a TopicState."""
        self._check_fitted()
        return TopicState(**{name: getattr(self, f"{name}_") for name in STATE_FIELDS})

    def _check_fitted(self) -> None:
        if "topics_" not in vars(self):
            raise NotFittedError("this TopicModel is not fitted: call fit(docs) or TopicModel.load(dir) first")

    def __sklearn_is_fitted__(self) -> bool:
        return "topics_" in vars(self)

    def _position(self, topic: int) -> int:
        """Where topic ``topic`` is in the per-topic attributes (``labels_[p]``, ``probabilities_[:, p]``)."""
        self._check_fitted()
        check_topics(self.topic_ids_, [topic])
        return self.topic_ids_.index(int(topic))

    @property
    def words_(self) -> list[str]:
        """The vocabulary's words (columns of ``ctfidf_``)."""
        self._check_fitted()
        return self.vectorizer_.words

    def _derived_value(self, key: Any, compute):
        """A value computed once from the fitted state (dropped at the next fit or load)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def _tightness(self) -> list[float | None]:
        """Each topic's tightness (``pipeline.coherence``), in ``topic_ids_`` order, computed once per state."""
        from .pipeline.coherence import topic_tightness

        return self._derived_value(("tightness", tuple(self.topic_ids_)), lambda: topic_tightness(
            self.embeddings_, self.topics_[self.usable_], self.topic_ids_))

    def _word_counts(self):
        """The usable documents' word counts (``TopicState.word_counts``), counted once per fitted state."""
        return self._derived_value("word_counts", lambda: self._state().word_counts())

