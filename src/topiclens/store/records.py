"""Parameters as JSON, and back: what a model directory records of the settings that made it.

topiclens's own stage objects are written as ``{"stage": name, "params": {...}}`` and its own
embedders as ``{"embedder": name, "params": {...}}``; both are rebuilt from an explicit list of
classes (never a class named by the file). Anything else (a user's scikit-learn estimator or
embedder) is recorded by type and ``repr`` and comes back as an
:class:`~topiclens.core.params.Unrestored` marker: loading never runs code.
"""

from __future__ import annotations

import inspect
import numbers
import reprlib
from pathlib import Path
from typing import Any

from ..core.errors import TopicLensError
from ..core.params import Unrestored
from ..embedders import (
    LearnedEmbedder,
    OnnxMiniLMEmbedder,
    SentenceTransformerEmbedder,
    StaticEmbedder,
    UniversalSentenceEncoderEmbedder,
)
from ..embedders.common import EmbedderSettings
from ..stages import (
    GuidedClustering,
    HDBSCANClustering,
    KMeansClustering,
    LDATopics,
    LeidenClustering,
    NMFTopics,
    NoReduction,
    PCALayout,
    PCAReduction,
    Representation,
    UMAPLayout,
    UMAPReduction,
    Vocabulary,
)
from ..stages.base import Stage

STAGES: dict[str, type[Stage]] = {cls.__name__: cls for cls in (
    NoReduction, PCAReduction, UMAPReduction, LeidenClustering, HDBSCANClustering, KMeansClustering, GuidedClustering,
    Vocabulary, Representation, UMAPLayout, PCALayout, LDATopics, NMFTopics)}
EMBEDDERS: dict[str, type[EmbedderSettings]] = {cls.__name__: cls for cls in (
    LearnedEmbedder, OnnxMiniLMEmbedder, SentenceTransformerEmbedder, StaticEmbedder, UniversalSentenceEncoderEmbedder)}

_short = reprlib.Repr()
_short.maxstring = 200
_short.maxother = 200


def param_record(value: Any) -> Any:
    """A JSON-able record of a parameter value."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):  # numpy integers too
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [param_record(v) for v in items]
    if isinstance(value, Unrestored):
        return {"object": value.type_name, "repr": value.description}
    if type(value) in STAGES.values():
        return {"stage": type(value).__name__,
                "params": {k: param_record(v) for k, v in value.get_params(deep=False).items()}}
    if type(value) in EMBEDDERS.values():
        return {"embedder": type(value).__name__, "params": {k: param_record(v) for k, v in value.settings().items()}}
    kind = type(value)
    return {"object": f"{kind.__module__}.{kind.__qualname__}", "repr": _short.repr(value)}


def restore_param(record: Any) -> Any:
    """The value a record stands for: plain values as they are, our stages rebuilt, other objects as markers."""
    if isinstance(record, list):
        return tuple(restore_param(v) for v in record)
    if not isinstance(record, dict):
        return record
    params = record.get("params")
    if isinstance(params, dict) and (record.get("stage") in STAGES or record.get("embedder") in EMBEDDERS):
        cls = STAGES.get(record.get("stage")) or EMBEDDERS[record["embedder"]]
        known = set(inspect.signature(cls.__init__).parameters) - {"self", "threads"}
        try:
            absent = {k: v for k, v in getattr(cls, "record_defaults", {}).items() if k not in params}
            return cls(**absent, **{k: restore_param(v) for k, v in params.items() if k in known})
        except (TopicLensError, TypeError, ValueError) as exc:  # e.g. a model directory that is gone
            return Unrestored(f"{cls.__module__}.{cls.__name__}", f"{cls.__name__}(**{params!r}) ({exc})")
    return Unrestored(str(record.get("object", "?")), str(record.get("repr", record.get("object", "?"))))


def fingerprint_record(value: Any) -> Any:
    """A stable JSON description of a parameter value, for keying checkpoints of a run.

    Estimators are described by their full nested parameters (a ``repr`` may be cut short or carry
    a memory address); other objects by their type and, for our embedders, their settings.
    """
    record = param_record(value)
    if isinstance(record, dict) and "object" in record:
        get_params = getattr(value, "get_params", None)
        if callable(get_params):
            return {"object": record["object"],
                    "params": {k: fingerprint_record(v) for k, v in get_params(deep=False).items()}}
        return {"object": record["object"]}
    return record


def upgrade_v1_params(params: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 (topiclens 0.1's 45 flat parameters) as schema 2's records of stage objects."""
    def stage(name: str, **settings: Any) -> dict[str, Any]:
        return {"stage": name, "params": {k: v for k, v in settings.items() if v is not None}}

    reduction, clustering, layout = params.get("reduction", "pca"), params.get("clustering", "leiden"), \
        params.get("layout", "umap")
    if reduction == "pca" and params.get("n_components"):
        reduction = stage("PCAReduction", n_components=params["n_components"])
    elif reduction == "umap":
        reduction = stage("UMAPReduction", n_components=params.get("n_components") or 5,
                          n_epochs=params.get("umap_epochs"))
    if clustering == "leiden":
        clustering = stage("LeidenClustering", resolution=params.get("resolution", 1.0))
    elif clustering == "hdbscan":
        clustering = stage("HDBSCANClustering", min_samples=params.get("min_samples"))
    elif clustering == "kmeans":
        clustering = stage("KMeansClustering", n_clusters=params.get("n_clusters"))
    if layout == "umap" and params.get("layout_epochs"):
        layout = stage("UMAPLayout", n_epochs=params["layout_epochs"])
    upgraded = {k: params[k] for k in ("model", "language", "n_neighbors", "min_cluster_size", "nr_topics",
                                       "sample_size", "chunk_size", "seed") if k in params}
    upgraded.update(
        reduction=reduction, clustering=clustering, layout=layout,
        embedding_model=params.get("embedding_model") or "auto",
        vectorizer=stage("Vocabulary", stop_words=params.get("stop_words", "english"),
                         ngram_range=params.get("ngram_range", [1, 1]), min_df=params.get("min_df", 2),
                         max_df=params.get("max_df", 1.0)),
        representation=stage("Representation", **{k: params[k] for k in (
            "keyword_weighting", "top_n_words", "n_candidates", "mmr_diversity", "n_representative_docs")
            if k in params}),
        outlier_threshold=params.get("outlier_threshold", 0.0) if params.get("reduce_outliers") else None,
    )
    return upgraded
