"""Saving and loading a fitted model: JSON, .npy/.npz and parquet only — no pickle, no code."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import __version__
from .corpus import Corpus
from .errors import ModelFileError
from .reduce import assignment_space

SCHEMA_VERSION = 1
MANIFEST = "topiclens.json"
ARRAYS = ("embeddings", "probabilities", "centroids")


def _pairs(row):
    return [[w, round(float(s), 6)] for w, s in row]


def save_model(model, directory: Path) -> Path:
    """Write the model into ``directory`` (replaced whole, atomically where the OS allows)."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        params = model.get_params()
        embedder = params["embedding_model"]
        if embedder is not None and not isinstance(embedder, (str, Path)):
            params["embedding_model"] = None
            params["embedding_model_name"] = getattr(embedder, "name", type(embedder).__name__)
        if params["llm"] is not None and not isinstance(params["llm"], str):
            params["llm"] = None
        params["cache"] = params["cache"] if isinstance(params["cache"], bool) else str(params["cache"])
        params["ngram_range"] = list(params["ngram_range"])
        params["client"] = None  # a live connection, not a setting
        params["work_dir"] = None if params.get("work_dir") is None else str(params["work_dir"])
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "topiclens_version": __version__,
            "params": params,
            "min_cluster_size": int(model.min_cluster_size_),
            "language": model.language_,
            "embedding_model": model.embedding_model_ if isinstance(model.embedding_model_, str) else None,
            "n_documents": len(model.corpus_),
            "source": model.corpus_.source,
            "timings": {k: round(v, 3) for k, v in model.timings_.items()},
            "topics": [
                {"topic": t, "size": int(model.topic_sizes_[t]), "label": model.labels_[t],
                 "keywords": _pairs(model.keywords_[t]), "keybert": _pairs(model.keybert_[t]),
                 "mmr": _pairs(model.mmr_[t]), "representative_docs": model.representative_docs_[t],
                 "llm_label": model.llm_labels_[t] if model.llm_labels_ else None}
                for t in model.topic_ids_
            ],
            "llm": getattr(model, "llm_name_", None),
            "label_stats": model.label_stats_,
            "extra": getattr(model, "extra_", {}),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        (staging / "vocabulary.json").write_text(json.dumps(model.words_, ensure_ascii=False), encoding="utf-8")
        matrix = sp.csr_matrix(model.ctfidf_, dtype=np.float32)
        np.savez_compressed(staging / "ctfidf.npz", data=matrix.data, indices=matrix.indices,
                            indptr=matrix.indptr, shape=np.array(matrix.shape))
        np.save(staging / "embeddings.npy", model.embeddings_.astype(np.float32))
        np.save(staging / "probabilities.npy", model.probabilities_.astype(np.float32))
        if not model.sample_[model.usable_].all():
            np.save(staging / "sample.npy", model.sample_)
        np.save(staging / "centroids.npy", model.centroids_.astype(np.float32))
        if model.space_arrays_:
            np.savez(staging / "projection.npz", **model.space_arrays_)
        if getattr(model, "classic_", None) is not None and model.model != "embedding":
            np.savez(staging / "classic.npz", **model.classic_.arrays())
        if getattr(model, "layout_", None) is not None:
            np.save(staging / "layout.npy", model.layout_.astype(np.float32))
        documents = pd.DataFrame({"id": model.corpus_.ids, "text": model.corpus_.texts,
                                  "topic": model.topics_, "usable": model.usable_})
        fields = model.corpus_.fields.reset_index(drop=True)
        fields = fields.rename(columns={c: f"field:{c}" for c in fields.columns})
        pd.concat([documents, fields.astype(str) if len(fields.columns) else fields], axis=1).to_parquet(
            staging / "documents.parquet", index=False)
        if directory.exists():
            if not (directory / MANIFEST).exists() and any(directory.iterdir()):
                raise ModelFileError(f"{directory} exists and is not a topiclens model: choose another --out")
            shutil.rmtree(directory)
        os.replace(staging, directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return directory


def read_manifest(directory: Path) -> dict[str, Any]:
    """The model's JSON manifest, after checking the schema version."""
    path = directory / MANIFEST
    if not directory.exists():
        raise ModelFileError(f"model directory not found: {directory} (fit one with: topiclens fit CORPUS --out DIR)")
    if not path.exists():
        raise ModelFileError(f"{directory} is not a topiclens model directory: {MANIFEST} is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path} is damaged ({exc}); fit the model again") from None
    version = manifest.get("schema_version")
    if not isinstance(version, int):
        raise ModelFileError(f"{path} has no schema_version: it was not written by topiclens")
    if version > SCHEMA_VERSION:
        raise ModelFileError(
            f"{directory} uses model schema {version} (topiclens {manifest.get('topiclens_version', '?')}); "
            f"this topiclens {__version__} reads schema {SCHEMA_VERSION}: upgrade topiclens"
        )
    if version < 1:
        raise ModelFileError(f"{directory} uses unknown model schema {version}: fit the model again")
    return manifest


def _array(directory: Path, name: str) -> np.ndarray:
    try:
        return np.load(directory / f"{name}.npy", allow_pickle=False)
    except (OSError, ValueError) as exc:
        path = directory / f"{name}.npy"
        raise ModelFileError(f"{path} is missing or damaged ({exc}); fit the model again") from None


def load_model(cls, directory: Path, overrides: dict[str, Any]):
    """Rebuild a TopicModel from its directory."""
    manifest = read_manifest(directory)
    params = dict(manifest["params"])
    params.pop("embedding_model_name", None)
    import inspect

    known = set(inspect.signature(cls.__init__).parameters)
    params = {k: v for k, v in params.items() if k in known}
    params["ngram_range"] = tuple(params["ngram_range"])
    params.update(overrides)
    model = cls(**params)
    try:
        documents = pd.read_parquet(directory / "documents.parquet")
        with np.load(directory / "ctfidf.npz", allow_pickle=False) as z:
            model.ctfidf_ = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
        model.words_ = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise ModelFileError(f"{directory} is incomplete or damaged ({exc}); fit the model again") from None
    fields = documents[[c for c in documents.columns if c.startswith("field:")]]
    fields = fields.rename(columns={c: c[len("field:"):] for c in fields.columns})
    model.corpus_ = Corpus(texts=documents["text"].tolist(), ids=documents["id"].astype(str).tolist(),
                           fields=fields, source=manifest.get("source", str(directory)))
    model.topics_ = documents["topic"].to_numpy(dtype=np.int64)
    model.usable_ = documents["usable"].to_numpy(dtype=bool)
    model.embeddings_ = _array(directory, "embeddings")
    model.probabilities_ = _array(directory, "probabilities")
    model.centroids_ = _array(directory, "centroids")
    if model.model != "embedding":
        from .classic import ClassicAssigner

        try:
            with np.load(directory / "classic.npz", allow_pickle=False) as z:
                model.classic_ = ClassicAssigner.from_arrays(model.model, {k: z[k] for k in z.files}, model.seed)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelFileError(f"{directory}/classic.npz is missing or damaged ({exc}); fit the model again") \
                from None
    model.layout_ = _array(directory, "layout") if (directory / "layout.npy").exists() else None
    model.space_arrays_ = {}
    if (directory / "projection.npz").exists():
        with np.load(directory / "projection.npz", allow_pickle=False) as z:
            model.space_arrays_ = {k: z[k] for k in z.files}
    model.sample_ = _array(directory, "sample") if (directory / "sample.npy").exists() else model.usable_.copy()
    index = model.embeddings_[model.sample_[model.usable_]]
    model.space_ = assignment_space(model.reduction, model.space_arrays_).transform(index)
    topics = manifest["topics"]
    model.topic_ids_ = [t["topic"] for t in topics]
    model.topic_sizes_ = [t["size"] for t in topics]
    model.labels_ = [t["label"] for t in topics]
    model.keywords_ = [[(w, s) for w, s in t["keywords"]] for t in topics]
    model.keybert_ = [[(w, s) for w, s in t["keybert"]] for t in topics]
    model.mmr_ = [[(w, s) for w, s in t["mmr"]] for t in topics]
    model.representative_docs_ = [t["representative_docs"] for t in topics]
    llm_labels = [t.get("llm_label") for t in topics]
    model.llm_labels_ = llm_labels if topics and all(isinstance(x, str) for x in llm_labels) else None
    model.label_stats_ = manifest.get("label_stats", {})
    if manifest.get("llm"):
        model.llm_name_ = manifest["llm"]
    model.min_cluster_size_ = manifest["min_cluster_size"]
    model.language_ = manifest.get("language", "en")
    if "embedding_model" not in overrides:
        model.embedding_model_ = manifest.get("embedding_model") or params.get("embedding_model")
    model.timings_ = manifest.get("timings", {})
    model.extra_ = manifest.get("extra", {})
    if model.embeddings_.shape[0] != int(model.usable_.sum()):
        raise ModelFileError(f"{directory}: embeddings and documents disagree in number; fit the model again")
    return model
