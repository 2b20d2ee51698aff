"""Every protocol of the pipeline, in one place, and the small typed values the stages exchange.

A stage is any object with the method its protocol names (``Reducer``, ``Clusterer``, ``Vectorizer``
and the fitted ``WordCounter``, ``MapLayout``, ``Embedder``, ``Labeler``; a labeler's ``LLM``).
topiclens's own stages (``PCAReduction``, ``LeidenClustering``, ``Vocabulary``, ...) are
scikit-learn style estimators whose constructor only stores its knobs; an object with the shape of
a scikit-learn estimator (``FitTransformer``, ``FitPredictor``, ``CountVectorizerLike``) is adapted
to its protocol by one thin adapter (``stages.adapt``). The model checks parameters against these
same protocols. Stages never keep what they learn on themselves: they return it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp

from ..core.knn import KnnGraph, normalize
from ..core.runtime import default_threads
from ..llm.protocol import LLM, GenerationParams  # noqa: F401 (declared with the LLM layer, light to import)


@dataclass(frozen=True)
class StageContext:
    """What every stage may read from the model: the seed, graph size, topic size floor, threads, verbosity."""

    seed: int
    n_neighbors: int
    min_cluster_size: int
    threads: int
    verbose: bool = True

    @classmethod
    def of(cls, *, seed: int, n_neighbors: int, min_cluster_size: int, threads: int | None,
           verbose: bool = True) -> StageContext:
        """The context of a model's setting: ``threads`` None (or 0) is every core ($TOPICLENS_THREADS), as for a
        fit, whichever operation runs the stages (fit, split_topic, partial_fit)."""
        return cls(seed=int(seed), n_neighbors=int(n_neighbors), min_cluster_size=int(min_cluster_size),
                   threads=int(threads or default_threads()), verbose=bool(verbose))


@dataclass(frozen=True)
class LinearMap:
    """An affine map of unit-length embeddings into a space where cosine neighbours are searched.

    ``apply(x) = normalize((normalize(x) - mean) @ components.T + offset)``. PCA is
    ``(components, mean, 0)``; any other affine reducer is measured into this form. Plain arrays,
    so a saved model places new documents exactly as the fitted one, with no pickled estimator.
    """

    components: np.ndarray  # (k, dim) float32
    mean: np.ndarray        # (dim,) float32
    offset: np.ndarray      # (k,) float32

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        return normalize((normalize(vectors) - self.mean) @ self.components.T + self.offset)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"components": self.components, "mean": self.mean, "offset": self.offset}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> LinearMap:
        components = np.asarray(arrays["components"], dtype=np.float32)
        offset = arrays.get("offset")
        return cls(components, np.asarray(arrays["mean"], dtype=np.float32),
                   np.zeros(components.shape[0], np.float32) if offset is None else np.asarray(offset, np.float32))


@dataclass(frozen=True)
class Reduction:
    """What a reducer returns.

    ``vectors`` (n, k): what the clusterer sees. ``linear``: the vectors are a linear image of the
    embeddings, so the kNN graph of their cosine geometry (the one the model builds anyway) serves
    the clusterer too. ``projection``: places new embeddings in that geometry; ``None`` means new
    documents are compared in the embedding space itself (no reduction, or a nonlinear one).
    """

    vectors: np.ndarray
    linear: bool
    projection: LinearMap | None


@runtime_checkable
class Reducer(Protocol):
    """Reduces unit-length embeddings (n, dim) before clustering."""

    def reduce(self, unit: np.ndarray, context: StageContext) -> Reduction: ...


@runtime_checkable
class Clusterer(Protocol):
    """Labels each row (-1: outlier). ``graph`` is the rows' kNN graph when the model has it."""

    def cluster(self, vectors: np.ndarray, graph: KnnGraph | None, context: StageContext) -> np.ndarray: ...


@runtime_checkable
class WordCounter(Protocol):
    """A fitted vocabulary: counts its words in texts."""

    words: list[str]

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix: ...

    def unigram_analyzer(self) -> Callable[[str], list[str]]: ...


@runtime_checkable
class Vectorizer(Protocol):
    """Learns a vocabulary from texts in a language; returns it with the document-term counts."""

    def fit_counts(self, texts: Sequence[str], language: str) -> tuple[WordCounter, sp.csr_matrix]: ...


@runtime_checkable
class MapLayout(Protocol):
    """2-D coordinates (n, 2) of the rows of the neighbour space, for the document map."""

    def layout(self, space: np.ndarray, graph: KnnGraph | None, context: StageContext) -> np.ndarray: ...


@runtime_checkable
class TopicMapLayout(MapLayout, Protocol):
    """A layout that places documents by their topics (-1: outlier) as well: the fit calls ``layout_topics``."""

    def layout_topics(self, space: np.ndarray, graph: KnnGraph | None, topics: np.ndarray,
                      context: StageContext) -> np.ndarray: ...


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into a (n, dim) float array. ``name`` keys the embedding cache."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class LearnsFromCorpus(Protocol):
    """An embedder trained on the corpus before it embeds it (``embedders.learned``): when ``learned`` is False the
    fit trains a copy with the same settings (``untrained()``) on the corpus's texts (``learn``)."""

    learned: bool

    def untrained(self) -> LearnsFromCorpus: ...

    def learn(self, texts: Sequence[str], *, cache: bool | str | Path = True, verbose: bool = True) -> None: ...


@dataclass(frozen=True)
class TopicEvidence:
    """What a labeler sees of one topic: its documents, its keywords, and a label to fall back on."""

    documents: list[str]
    keywords: list[str]
    fallback: str
    rows: list[int] = field(default_factory=list)  # the documents' rows in the corpus, to record what was shown
    topic: int = -1  # the topic's id (-1: not known)


@dataclass(frozen=True)
class LabelContext:
    """What a labeler may read from the model: the corpus language, threads, cache, verbosity, the labels
    the new ones must differ from, a limit on LLM calls, and what its progress bar calls the work."""

    language: str
    threads: int | None
    cache: bool | str
    verbose: bool
    taken: tuple[str, ...] = ()  # labels of the topics not being labeled: the new ones must differ
    max_calls: int | None = None  # at most this many LLM calls; topics past it keep their labels
    encode: Callable[[list[str]], Any] | None = None  # the model's embedder, to compare labels (None: none)
    # how well labels fit their topics: fit(topic ids, labels) -> one confidence each (None: not known)
    fit: Callable[[Sequence[int], Sequence[str]], Any] | None = None
    step: str = "labeling topics"  # the progress bar's name for the calls ("naming tree nodes" for the tree)
    unit: str = "topic"  # what the bar counts


@dataclass(frozen=True)
class LabelResult:
    """One label per topic (None: not labeled, the call limit was reached), what wrote them, the call counts."""

    labels: list[str | None]
    source: str
    stats: dict[str, int] = field(default_factory=dict)


@runtime_checkable
class Labeler(Protocol):
    """Names topics from their evidence (an LLM labeler makes one call per topic)."""

    def label(self, topics: Sequence[TopicEvidence], context: LabelContext) -> LabelResult: ...


@runtime_checkable
class FitTransformer(Protocol):
    """What a scikit-learn transformer offers (a ``PCA``, ``TruncatedSVD``, ``umap.UMAP``)."""

    def fit_transform(self, X, y=None): ...


@runtime_checkable
class FitPredictor(Protocol):
    """What a scikit-learn clusterer offers (every ``ClusterMixin`` derives it from ``labels_``)."""

    def fit_predict(self, X, y=None): ...


@runtime_checkable
class CountVectorizerLike(Protocol):
    """What a scikit-learn vectorizer offers (``CountVectorizer``, ``TfidfVectorizer``)."""

    def fit_transform(self, raw_documents, y=None): ...

    def get_feature_names_out(self, input_features=None): ...
