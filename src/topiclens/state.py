"""What a fitted model is: every array and list it learned, with its shape, in one record.

``fit`` and ``load`` each produce a :class:`TopicState`; ``TopicModel`` turns its fields into the
fitted attributes (``topics`` becomes ``topics_``) in one place, and saving writes them back out.
``n`` is the number of input documents (empty ones included), ``n_usable`` the documents with
text, ``t`` the number of topics, ``d`` the embedding dimension.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import scipy.sparse as sp

from .core.errors import ConfigError
from .core.topic_table import COLUMNS, MATRICES, TopicTable
from .io.corpus import Corpus
from .stages.classic import ClassicAssigner
from .stages.protocols import LinearMap, WordCounter

OUTLIER_LABEL = "outliers"  # what tables and views call the documents of no topic (topic -1)

Pairs = list[list[tuple[str, float]]]


def _column(name: str, doc: str) -> property:
    """A column of the state's topic table, read as a list in id order."""
    return property(lambda state: state.table.column(name), doc=f"(t,) {doc}")


@dataclass(frozen=True)
class TopicState:
    """The fitted state of a TopicModel (see the TopicModel docstring for each attribute)."""

    corpus: Corpus                      # the input documents, ids and fields, in input order
    usable: np.ndarray                  # (n,) bool: the document has text
    topics: np.ndarray                  # (n,) int64: topic of each document, -1 = outlier
    probabilities: np.ndarray           # (n, t) float32: each document's share of neighbour votes per topic
    sample: np.ndarray                  # (n,) bool: the document was clustered (all, unless sampled)
    embeddings: np.ndarray              # (n_usable, d) float32 or float16 (may be memory-mapped), unit rows
    projection: LinearMap | None        # places new embeddings among the clustered ones; None: embedding space
    vectorizer: WordCounter             # the fitted vocabulary (its ``words``)
    table: TopicTable                   # the topics, one record per id, with their centroids and keyword weights
    layout: np.ndarray | None           # (n, 2) float32 map coordinates (NaN for empty documents)
    llm_name: str | None                # what wrote llm_labels ('llama-cpp:qwen2.5-coder-1.5b', ...)
    label_stats: dict[str, int]         # call counts of the last labeling, description or tree naming
    language: str                       # the corpus language used ('en', 'zh')
    embedding_model: Any                # the embedding model used (a name, a path or the object)
    min_cluster_size: int               # the minimum topic size used
    classic: ClassicAssigner | None     # the LDA / NMF model, for model='lda' / 'nmf'
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage of the fit
    next_topic_id: int | None = None    # the id the next new topic gets (never a retired one); None: max id + 1
    history: list[dict] = field(default_factory=list)  # the edits since the fit, oldest first
    hierarchy: dict | None = None       # the named tree over the topics (hierarchy.tree), once built
    guidance: dict | None = None        # what a guided fit's seeds, names and classes did (JSON), as fitted
    long_documents: str = "truncate"    # how documents longer than the embedder reads are embedded: 'passages' or
    #                                     'truncate' (a model saved before passages: truncate, as it was fitted)

    # The table's columns, read as lists in id order ((t,) each; an optional one is None where the table lacks it).
    topic_ids = _column("topic_ids", "stable topic ids, ascending: 0..t-1 after a fit; edits leave gaps")
    topic_sizes = _column("topic_sizes", "documents per topic")
    keywords = _column("keywords", "lists of (word, c-TF-IDF score), best first")
    keybert = _column("keybert", "lists of (word, cosine to the topic centroid)")
    mmr = _column("mmr", "lists of (word, cosine), diverse")
    representative_docs = _column("representative_docs", "lists of document rows nearest the centroid")
    labels = _column("labels", "the label in use")
    llm_labels = _column("llm_labels", "the labeler's labels, if asked")
    label_evidence = _column("label_evidence", "document rows each LLM label was written from")
    descriptions = _column("descriptions", "one or two sentences per topic from the LLM ('' if none)")
    given_labels = _column("given_labels", "a label the user gave (zero-shot name, class of y), '' if none")
    label_confidence = _column("label_confidence", "how well each label fits its topic; None: not known")
    label_waiting = _column("label_waiting", "a keyword label an edit left on a model with LLM labels")

    @property
    def split(self) -> bool:
        """Whether the model's rows are passages of its documents (``long_documents='split'``, ``io.units``)."""
        return self.long_documents == "split"

    @property
    def centroids(self) -> np.ndarray:
        """(t, d) float32, unit rows: each topic's centroid."""
        return self.table.centroids

    @property
    def ctfidf(self) -> sp.csr_matrix:
        """(t, n_words): each topic's word weights."""
        return self.table.ctfidf

    def position(self, topic: int) -> int:
        """Where topic ``topic``'s values are in every per-topic list and array (its place in ``topic_ids``)."""
        return positions(self.topic_ids, np.array([topic]))[0]

    def positions(self, topics: np.ndarray) -> np.ndarray:
        """:meth:`position` of each value of ``topics``; -1 stays -1."""
        return positions(self.topic_ids, topics)

    def word_counts(self) -> sp.csr_matrix:
        """The usable documents' word counts under the fitted vocabulary, one row per usable document."""
        return self.vectorizer.transform([self.corpus.texts[i] for i in np.flatnonzero(self.usable)])

    def fresh_id(self) -> int:
        """The id a topic created now gets: above every id this model has used."""
        used = max(self.topic_ids, default=-1) + 1
        return max(used, self.next_topic_id or 0)


def check_topics(topic_ids: list[int], topics) -> None:
    """Raise ConfigError naming the first value of ``topics`` that is not a topic id of the model."""
    known = set(topic_ids)
    for topic in topics:
        if isinstance(topic, bool) or not isinstance(topic, (int, np.integer)) or int(topic) not in known:
            shown = ", ".join(str(t) for t in topic_ids[:12]) + (", …" if len(topic_ids) > 12 else "")
            raise ConfigError(f"no topic {topic!r}: the model's topics are {shown or 'none'} (topiclens info DIR "
                              "lists them)")


def positions(topic_ids: list[int], topics: np.ndarray) -> np.ndarray:
    """Each topic id's place in ``topic_ids`` (ascending); -1 (outliers) stays -1."""
    topics = np.asarray(topics, dtype=np.int64)
    ids = np.asarray(topic_ids, dtype=np.int64)
    if len(ids) and ids[-1] == len(ids) - 1:  # no gaps: ids are positions
        return topics
    found = np.searchsorted(ids, topics)
    return np.where(topics >= 0, found, -1)


# What the model shows as fitted attributes (``topics_``, ``labels_``, ...): the fields and the table's columns.
STATE_FIELDS = (*(f.name for f in fields(TopicState) if f.name != "table"), *COLUMNS, *MATRICES)
