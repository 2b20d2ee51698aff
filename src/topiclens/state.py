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

from .io.corpus import Corpus
from .stages.classic import ClassicAssigner
from .stages.protocols import LinearMap, WordCounter

Pairs = list[list[tuple[str, float]]]


@dataclass
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
    ctfidf: sp.csr_matrix               # (t, n_words): each topic's word weights
    topic_ids: list[int]                # [0, 1, ..., t-1], largest topic first
    topic_sizes: list[int]              # (t,) documents per topic
    keywords: Pairs                     # (t,) lists of (word, c-TF-IDF score), best first
    keybert: Pairs                      # (t,) lists of (word, cosine to the topic centroid)
    mmr: Pairs                          # (t,) lists of (word, cosine), diverse
    representative_docs: list[list[int]]  # (t,) lists of document rows nearest the centroid
    centroids: np.ndarray               # (t, d) float32, unit rows
    layout: np.ndarray | None           # (n, 2) float32 map coordinates (NaN for empty documents)
    labels: list[str]                   # (t,) the label in use
    llm_labels: list[str] | None        # (t,) the labeler's labels, if asked
    llm_name: str | None                # what wrote llm_labels ('llama-cpp:qwen2.5-coder-1.5b', ...)
    label_stats: dict[str, int]         # call counts of the last labeling
    language: str                       # the corpus language used ('en', 'zh')
    embedding_model: Any                # the embedding model used (a name, a path or the object)
    min_cluster_size: int               # the minimum topic size used
    classic: ClassicAssigner | None     # the LDA / NMF model, for model='lda' / 'nmf'
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage of the fit
    label_evidence: list[list[int]] | None = None  # (t,) document rows each LLM label was written from
    descriptions: list[str] | None = None  # (t,) one or two sentences per topic from the LLM ('' if none)


STATE_FIELDS = tuple(f.name for f in fields(TopicState))
