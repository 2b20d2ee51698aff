"""Saving and loading a fitted state: JSON, .npy/.npz and parquet only — no pickle, no code.

A model directory holds ``topiclens.json`` (schema version, the pipeline's parameters as records,
topics, labels, keywords, representations), ``vocabulary.json``, ``ctfidf.npz``, ``embeddings.npy``,
``probabilities.npy``, ``centroids.npy``, ``projection.npz`` (a linear neighbour space),
``layout.npy`` (the map), ``classic.npz`` (LDA/NMF), ``sample.npy`` (sampled big corpora) and
``documents.parquet``. Only the pipeline's settings are recorded as parameters: where LLM requests,
keys, caches and work go is the caller's choice at load time, never the files'.
"""

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

from .._version import __version__
from ..errors import ModelFileError
from ..params import Unrestored
from ..stages.classic import ClassicAssigner
from ..stages.protocols import LinearMap, WordCounter
from ..stages.vocabulary import FittedSklearnVectorizer, FittedVocabulary, RecordedVocabulary, Vocabulary
from ..state import TopicState
from .corpus import Corpus
from .records import param_record, restore_param, upgrade_v1_params

SCHEMA_VERSION = 2
MANIFEST = "topiclens.json"


def _pairs(row):
    return [[w, round(float(s), 6)] for w, s in row]


def vectorizer_record(vectorizer: WordCounter) -> Any:
    """What made the vocabulary: our Vocabulary's settings, else a record of the user's object."""
    if isinstance(vectorizer, FittedVocabulary):
        return param_record(vectorizer.settings)
    if isinstance(vectorizer, FittedSklearnVectorizer):
        return param_record(vectorizer.fitted)
    if isinstance(vectorizer, RecordedVocabulary):
        return param_record(Unrestored("vectorizer", vectorizer.description))
    return param_record(vectorizer)


def save_state(state: TopicState, params: dict[str, Any], directory: Path) -> Path:
    """Write ``state`` and the parameter records into ``directory`` (replaced whole, atomically where possible)."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        _write(state, params, staging)
        if directory.exists():
            if not (directory / MANIFEST).exists() and any(directory.iterdir()):
                raise ModelFileError(f"{directory} exists and is not a topiclens model: choose another --out")
            shutil.rmtree(directory)
        os.replace(staging, directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return directory


def _write(state: TopicState, params: dict[str, Any], staging: Path) -> None:
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "topiclens_version": __version__,
        "params": params,
        "min_cluster_size": int(state.min_cluster_size),
        "language": state.language,
        "embedding_model": param_record(state.embedding_model),
        "vectorizer": vectorizer_record(state.vectorizer),
        "classic": None if state.classic is None else state.classic.kind,
        "n_documents": len(state.corpus),
        "source": state.corpus.source,
        "timings": {k: round(v, 3) for k, v in state.timings.items()},
        "topics": [
            {"topic": t, "size": int(state.topic_sizes[t]), "label": state.labels[t],
             "keywords": _pairs(state.keywords[t]), "keybert": _pairs(state.keybert[t]),
             "mmr": _pairs(state.mmr[t]), "representative_docs": state.representative_docs[t],
             "llm_label": state.llm_labels[t] if state.llm_labels else None}
            for t in state.topic_ids
        ],
        "llm": state.llm_name,
        "label_stats": state.label_stats,
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    (staging / "vocabulary.json").write_text(json.dumps(state.vectorizer.words, ensure_ascii=False),
                                             encoding="utf-8")
    matrix = sp.csr_matrix(state.ctfidf, dtype=np.float32)
    np.savez_compressed(staging / "ctfidf.npz", data=matrix.data, indices=matrix.indices, indptr=matrix.indptr,
                        shape=np.array(matrix.shape))
    np.save(staging / "embeddings.npy", state.embeddings.astype(np.float32))
    np.save(staging / "probabilities.npy", state.probabilities.astype(np.float32))
    if not state.sample[state.usable].all():
        np.save(staging / "sample.npy", state.sample)
    np.save(staging / "centroids.npy", state.centroids.astype(np.float32))
    if state.projection is not None:
        np.savez(staging / "projection.npz", **state.projection.arrays())
    if state.classic is not None:
        np.savez(staging / "classic.npz", **state.classic.arrays())
    if state.layout is not None:
        np.save(staging / "layout.npy", state.layout.astype(np.float32))
    documents = pd.DataFrame({"id": state.corpus.ids, "text": state.corpus.texts, "topic": state.topics,
                              "usable": state.usable})
    fields = state.corpus.fields.reset_index(drop=True)
    fields = fields.rename(columns={c: f"field:{c}" for c in fields.columns})
    pd.concat([documents, fields.astype(str) if len(fields.columns) else fields], axis=1).to_parquet(
        staging / "documents.parquet", index=False)


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
    if version == 1:
        manifest = _upgrade_v1(manifest)
    return manifest


def _upgrade_v1(manifest: dict[str, Any]) -> dict[str, Any]:
    """A schema-1 manifest (topiclens 0.1) in schema 2's terms."""
    old = manifest.get("params", {})
    params = upgrade_v1_params(old)
    name = old.get("embedding_model_name")
    used = manifest.get("embedding_model") or old.get("embedding_model")
    return {**manifest, "params": params, "vectorizer": params["vectorizer"],
            "classic": old.get("model") if old.get("model") in ("lda", "nmf") else None,
            "embedding_model": {"object": name, "repr": name} if name and not used else used}


def _array(directory: Path, name: str) -> np.ndarray:
    try:
        return np.load(directory / f"{name}.npy", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{directory / (name + '.npy')} is missing or damaged ({exc}); fit the model again") \
            from None


def _arrays(directory: Path, name: str) -> dict[str, np.ndarray]:
    try:
        with np.load(directory / name, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{directory / name} is missing or damaged ({exc}); fit the model again") from None


def load_state(directory: Path) -> tuple[TopicState, dict[str, Any]]:
    """The fitted state in ``directory`` and the recorded pipeline parameters (as records)."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    try:
        documents = pd.read_parquet(directory / "documents.parquet")
        words = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
        ctfidf = _arrays(directory, "ctfidf.npz")
        matrix = sp.csr_matrix((ctfidf["data"], ctfidf["indices"], ctfidf["indptr"]), shape=tuple(ctfidf["shape"]))
        fields = documents[[c for c in documents.columns if c.startswith("field:")]]
        fields = fields.rename(columns={c: c[len("field:"):] for c in fields.columns})
        corpus = Corpus(texts=documents["text"].tolist(), ids=documents["id"].astype(str).tolist(), fields=fields,
                        source=manifest.get("source", str(directory)))
        topics = manifest["topics"]
        usable = documents["usable"].to_numpy(dtype=bool)
        language = manifest.get("language", "en")
        seed = int(manifest["params"].get("seed", 42))
        classic = None
        if manifest.get("classic") in ("lda", "nmf"):
            classic = ClassicAssigner.from_arrays(manifest["classic"], _arrays(directory, "classic.npz"), seed)
        llm_labels = [t.get("llm_label") for t in topics]
        state = TopicState(
            corpus=corpus, usable=usable, topics=documents["topic"].to_numpy(dtype=np.int64),
            probabilities=_array(directory, "probabilities"),
            sample=_array(directory, "sample") if (directory / "sample.npy").exists() else usable.copy(),
            embeddings=_array(directory, "embeddings"),
            projection=LinearMap.from_arrays(_arrays(directory, "projection.npz"))
            if (directory / "projection.npz").exists() else None,
            vectorizer=_vectorizer(manifest.get("vectorizer"), language, words), ctfidf=matrix,
            topic_ids=[t["topic"] for t in topics], topic_sizes=[t["size"] for t in topics],
            keywords=[[(w, s) for w, s in t["keywords"]] for t in topics],
            keybert=[[(w, s) for w, s in t["keybert"]] for t in topics],
            mmr=[[(w, s) for w, s in t["mmr"]] for t in topics],
            representative_docs=[t["representative_docs"] for t in topics],
            centroids=_array(directory, "centroids"),
            layout=_array(directory, "layout") if (directory / "layout.npy").exists() else None,
            labels=[t["label"] for t in topics],
            llm_labels=llm_labels if topics and all(isinstance(x, str) for x in llm_labels) else None,
            llm_name=manifest.get("llm"), label_stats=manifest.get("label_stats", {}), language=language,
            embedding_model=restore_param(manifest.get("embedding_model")),
            min_cluster_size=int(manifest["min_cluster_size"]), classic=classic, timings=manifest.get("timings", {}),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{directory} is incomplete or damaged ({exc}); fit the model again") from None
    if state.embeddings.shape[0] != int(state.usable.sum()):
        raise ModelFileError(f"{directory}: embeddings and documents disagree in number; fit the model again")
    return state, manifest["params"]


def _vectorizer(record: Any, language: str, words: list[str]) -> WordCounter:
    settings = restore_param(record) if record is not None else Vocabulary()
    if isinstance(settings, Vocabulary):
        return FittedVocabulary(settings, language, words)
    description = settings.description if isinstance(settings, Unrestored) else repr(settings)
    return RecordedVocabulary(words, description)
