"""A fit plan: the model's parameters, checked and resolved into stage objects, before any work."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.ann import FAISS
from ..core.errors import require_installed
from ..core.runtime import cache_dir
from ..embedders.cache import DocumentEncoder
from ..embedders.registry import document_encoder
from ..guidance.spec import GuideSpec
from ..stages.classic import LDATopics, NMFTopics
from ..stages.protocols import Clusterer, MapLayout, Reducer, Vectorizer
from ..stages.represent import Representation


@dataclass(frozen=True)
class FitPlan:
    """Everything a fit reads, as objects: built by ``TopicModel`` from its parameters."""

    classic: LDATopics | NMFTopics | None   # None: the embedding pipeline
    embedding_model: Any                    # as given; 'auto' is resolved from the corpus language
    reducer: Reducer | None                 # None for LDA / NMF
    clusterer: Clusterer | None
    vectorizer: Vectorizer
    representation: Representation
    layout: MapLayout | None
    language: str
    n_neighbors: int
    knn: str                                # 'auto', 'exact' or 'approximate' (topiclens.core.ann)
    min_cluster_size: int | None
    nr_topics: int | None
    outlier_threshold: float | None
    member_threshold: float | None          # a member below this cosine to its topic becomes an outlier
    mixed_topics: str                       # 'keep', 'split' or 'outliers' (pipeline.coherence)
    long_documents: str                     # 'auto', 'passages', 'split' or 'truncate' (pipeline.lengths)
    max_passages: int | None                # the most passages of one document read (None: all)
    sample_size: int | None
    chunk_size: int
    client: Any
    work_dir: str | Path | None
    seed: int
    threads: int | None
    cache: bool | str | Path
    verbose: bool
    fingerprint: dict                       # the pipeline's settings as JSON (keys big-corpus checkpoints)
    guide: GuideSpec | None = None          # seed words and zero-shot names (None: no guidance)

    def encoder(self, embedding_model: Any) -> DocumentEncoder | None:
        """The document encoder for a resolved embedding model (None when there is none)."""
        return document_encoder(embedding_model, threads=self.threads, cache=self.cache, verbose=self.verbose,
                                max_passages=self.max_passages)

    def check_corpus_size(self, n_documents: int) -> None:
        """Settings that ask for more topics than there are documents fail before the embedding, not after."""
        from ..core.errors import ConfigError
        from ..stages.cluster import KMeansClustering

        asked: list[tuple[str, int]] = []
        if isinstance(self.clusterer, KMeansClustering):
            asked.append(("KMeansClustering(n_clusters", self.clusterer.n_clusters))
        if self.classic is not None and (self.classic.n_topics or self.nr_topics):
            asked.append((f"{type(self.classic).__name__}(n_topics", self.classic.n_topics or self.nr_topics))
        for setting, count in asked:
            if count > n_documents:
                raise ConfigError(f"{setting}={count}) asks for more topics than the {n_documents} documents: "
                                  "ask for fewer")

    def checkpoint_root(self) -> Path | None:
        """Where big-corpus chunks are kept: ``work_dir``, else the cache's ``runs/``; None without a cache."""
        if self.work_dir is not None:
            return Path(self.work_dir)
        if not self.cache:
            return None
        return (cache_dir() if self.cache is True else Path(self.cache)) / "runs"


# A chosen setting -> (module, extra, feature): checked before any document is read, so a missing extra stops a fit
# at once rather than after the embedding.
SETTING_EXTRAS = {("reduction", "umap"): ("umap", "umap", "UMAP reduction"),
                  ("layout", "umap"): ("umap", "umap", "the UMAP document-map layout"),
                  ("knn", "approximate"): FAISS,
                  ("model", "lda"): ("gensim", "gensim", "LDA")}


def require_chosen_extras(settings: dict[str, Any]) -> None:
    """The one-line error of the first chosen setting whose extra is not installed (see ``SETTING_EXTRAS``)."""
    for (name, value), needed in SETTING_EXTRAS.items():
        if settings.get(name) == value:
            require_installed(*needed)
