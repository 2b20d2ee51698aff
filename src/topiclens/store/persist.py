"""Loading a fitted state (``io.writing`` saves one): JSON, .npy/.npz and parquet only — no pickle, no code.

A model directory holds ``topiclens.json`` (schema version, the pipeline's parameters as records,
topics, labels, keywords, representations, and the data folder with every file's checksum) and the
data folder's ``vocabulary.json``, ``ctfidf.npz``, ``embeddings.npy``,
``probabilities.npy``, ``centroids.npy``, ``projection.npz`` (a linear neighbour space),
``layout.npy`` (the map), ``classic.npz`` (LDA/NMF), ``sample.npy`` (sampled big corpora) and
``documents.parquet``. Only the pipeline's settings are recorded as parameters: where LLM requests,
keys, caches and work go is the caller's choice at load time, never the files'.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._version import __version__
from ..core.errors import ModelFileError
from ..core.params import Unrestored
from ..core.topic_table import Topic, TopicTable
from ..embedders.learned import LearnedEmbedder
from ..io.corpus import Corpus, id_type_of
from ..io.files import read_regular
from ..stages.classic import ClassicAssigner
from ..stages.protocols import LinearMap, WordCounter
from ..stages.vocabulary import FittedVocabulary, RecordedVocabulary, Vocabulary
from ..state import TopicState
from .checks import check_state
from .modeldir import (
    DATA_FILES,
    MANIFEST,
    MANIFEST_LIMIT,
    data_folder,
    digest,
    manifest_bytes,
    parse_manifest,
)
from .records import restore_param, upgrade_v1_params

SCHEMA_VERSION = 3  # 3: arrays in a data folder with checksums; 2: beside the manifest; 1: flat parameters


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(directory: Path) -> dict[str, Any]:
    """The model's JSON manifest, after checking the schema version."""
    return _read_manifest(Path(directory))[0]


def _read_manifest(directory: Path) -> tuple[dict[str, Any], str]:
    """The checked manifest and the digest of its bytes (read once)."""
    if not directory.exists():
        raise ModelFileError(f"model directory not found: {directory} (check the path, or save a fitted model there)")
    path = directory / MANIFEST
    if not path.exists() and not path.is_symlink():
        raise ModelFileError(f"{directory} is not a topiclens model directory: {MANIFEST} is missing")
    raw = manifest_bytes(directory)
    return checked_manifest(parse_manifest(raw, path), path), digest(raw)


def checked_manifest(manifest: dict[str, Any], path: Path) -> dict[str, Any]:
    """``manifest`` (read from ``path``) in this version's terms, refused when no topiclens wrote it or a newer did."""
    version = manifest.get("schema_version")
    if not isinstance(version, int):
        raise ModelFileError(f"{path} has no schema_version: it was not written by topiclens")
    if version > SCHEMA_VERSION:
        raise ModelFileError(
            f"{path.parent} uses model schema {version} (topiclens {manifest.get('topiclens_version', '?')}); "
            f"this topiclens {__version__} reads schema {SCHEMA_VERSION}: upgrade topiclens"
        )
    if version < 1:
        raise ModelFileError(f"{path.parent} uses unknown model schema {version}: fit the model again")
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


def _array(directory: Path, name: str, mmap_mode: str | None = None) -> np.ndarray:
    try:
        return np.load(directory / f"{name}.npy", allow_pickle=False, mmap_mode=mmap_mode)
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{directory / (name + '.npy')} is missing or damaged ({exc}); fit the model again") \
            from None


def _arrays(directory: Path, name: str) -> dict[str, np.ndarray]:
    try:
        with np.load(directory / name, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{directory / name} is missing or damaged ({exc}); fit the model again") from None


def load_state(directory: Path) -> tuple[TopicState, dict[str, Any], str]:
    """The fitted state in ``directory``, the recorded pipeline parameters (as records) and the digest of the
    manifest read (a later save checks the directory still holds that one).

    Every file is checked against the checksum the save recorded, and the state as a whole against
    itself (``io.checks``): a damaged, truncated, mixed or edited model is refused with the reason.
    """
    directory = Path(directory)
    manifest, saved_as = _read_manifest(directory)
    state, params = _load(directory, manifest)
    return state, params, saved_as


def check_kept(directory: Path, path: Path) -> tuple[bytes, dict[str, Any]]:
    """The bytes of the kept manifest ``path`` (an undo or redo record) and the manifest they hold, after checking,
    as a load would, that it and the data folder it names make a whole model of ``directory``; ModelFileError
    with the reason if not."""
    raw = read_regular(path, MANIFEST_LIMIT)
    try:
        manifest = parse_manifest(raw, path)
        _load(directory, checked_manifest(manifest, path))
    except ModelFileError as exc:
        raise ModelFileError(f"the kept model {path} cannot be put back, so nothing was changed: {exc} (remove "
                             f"{path.name} to step past it)") from None
    return raw, manifest


def _load(directory: Path, manifest: dict[str, Any]) -> tuple[TopicState, dict[str, Any]]:
    data = data_folder(directory, manifest)
    _verify_files(data, manifest.get("files"), "data" in manifest)
    try:
        state = _read_state(data, manifest)
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ModelFileError(f"{directory} is incomplete or damaged ({type(exc).__name__}: {exc}); fit the model "
                             "again") from None
    if manifest.get("projection") and state.projection is None:
        raise ModelFileError(f"{data / 'projection.npz'} is missing: without it new documents would be placed in "
                             "the wrong space; fit the model again")
    check_state(state, directory)
    params = manifest.get("params")
    if not isinstance(params, dict):
        raise ModelFileError(f"{directory / MANIFEST} has no parameters: fit the model again")
    return state, params


def _verify_files(data: Path, files: Any, folder: bool) -> None:
    """Every file the manifest lists is in ``data`` (its data folder when ``folder``, else the model directory of
    a schema-1 or -2 model) as a regular file with the checksum recorded; a data folder holds nothing else."""
    if files is None and not folder:  # schemas 1 and 2 recorded no checksums: regular files at least
        for name in sorted(DATA_FILES):
            path = data / name
            if path.is_symlink() or (path.exists() and not path.is_file()):
                raise ModelFileError(f"{path} is not a regular file: a model's files are its own; fit the model "
                                     "again")
        return
    if not isinstance(files, dict):
        raise ModelFileError(f"{data.parent / MANIFEST} lists its files wrongly (or not at all): fit the model again")
    for name, expected in files.items():
        path = data / str(name)
        if path.is_symlink():
            raise ModelFileError(f"{path} is a symbolic link: a model's files are its own; fit the model again")
        if "/" in str(name) or not path.is_file():
            raise ModelFileError(f"{path} is missing: the model directory is incomplete; fit the model again")
        if sha256(path) != expected:
            raise ModelFileError(f"{path} has changed since the model was saved (its checksum differs): it was "
                                 "edited or damaged; fit the model again")
    unlisted = sorted(p.name for p in data.iterdir() if p.name not in files) if folder else []
    if unlisted:
        raise ModelFileError(f"{data / unlisted[0]} is not one of the model's files (its manifest does not list it): "
                             "remove it, or fit the model again")


def _read_state(data: Path, manifest: dict[str, Any]) -> TopicState:
    documents = pd.read_parquet(data / "documents.parquet")
    words = json.loads((data / "vocabulary.json").read_text(encoding="utf-8"))
    ctfidf = _arrays(data, "ctfidf.npz")
    matrix = sp.csr_matrix((ctfidf["data"], ctfidf["indices"], ctfidf["indptr"]), shape=tuple(ctfidf["shape"]))
    fields = documents[[c for c in documents.columns if c.startswith("field:")]]
    fields = fields.rename(columns={c: c[len("field:"):] for c in fields.columns})
    corpus = Corpus(texts=documents["text"].tolist(), ids=[str(i) for i in documents["id"].tolist()], fields=fields,
                    source=str(manifest.get("source", data.parent)), id_type=id_type_of(documents["id"].dtype))
    topics = manifest["topics"]
    usable = documents["usable"].to_numpy(dtype=bool)
    language = manifest.get("language", "en")
    seed = int(manifest["params"].get("seed", 42))
    classic = None
    if manifest.get("classic") is not None:
        if manifest["classic"] not in ("lda", "nmf"):
            raise ModelFileError(f"{data.parent / MANIFEST} names an unknown classic model {manifest['classic']!r}")
        classic = ClassicAssigner.from_arrays(manifest["classic"], _arrays(data, "classic.npz"), seed)
    return TopicState(
        corpus=corpus, usable=usable, topics=documents["topic"].to_numpy(dtype=np.int64),
        probabilities=_array(data, "probabilities"),
        sample=_array(data, "sample") if (data / "sample.npy").exists() else usable.copy(),
        embeddings=_array(data, "embeddings", mmap_mode="r"),  # a big corpus's rows stay on disk
        projection=LinearMap.from_arrays(_arrays(data, "projection.npz")) if (data / "projection.npz").exists()
        else None,
        vectorizer=_vectorizer(manifest.get("vectorizer"), language, words),
        table=_topic_table(topics, _array(data, "centroids"), matrix),
        layout=_array(data, "layout") if (data / "layout.npy").exists() else None,
        llm_name=manifest.get("llm"), label_stats=dict(manifest.get("label_stats") or {}), language=language,
        embedding_model=_embedding_model(data, manifest),
        min_cluster_size=int(manifest["min_cluster_size"]), classic=classic,
        timings=dict(manifest.get("timings") or {}),
        next_topic_id=int(manifest["next_topic_id"]) if manifest.get("next_topic_id") is not None else None,
        history=history_records(manifest.get("history")),
        hierarchy=manifest.get("hierarchy"),
        guidance=manifest.get("guidance") if isinstance(manifest.get("guidance"), dict) else None,
        long_documents=_long_documents(manifest, data),
    )


def _embedding_model(data: Path, manifest: dict) -> Any:
    """The recorded embedding model; a table learned from the corpus comes with its table from the data folder."""
    embedder = restore_param(manifest.get("embedding_model"))
    if isinstance(embedder, LearnedEmbedder):
        embedder.use_table(_array(data, "learned_table"))  # checked against the digest the manifest records
    return embedder


def _long_documents(manifest: dict, data: Path) -> str:
    """How the model embeds long documents ('truncate' for a model saved before it was recorded)."""
    value = manifest.get("long_documents", "truncate")
    if value not in ("passages", "split", "truncate"):
        raise ModelFileError(f"{data.parent / MANIFEST} names an unknown way to read long documents {value!r} "
                             "(expected 'passages', 'split' or 'truncate'): the file was changed; save the model "
                             "again")
    return value


def _topic_table(topics: list[dict], centroids: np.ndarray, matrix: sp.csr_matrix) -> TopicTable:
    """The saved topic records as the table (an optional column is there when the saved records have it)."""
    llm_labels = bool(topics) and all(isinstance(t.get("llm_label"), str) for t in topics)  # all, or none kept

    def text(value: Any) -> str:
        return value if isinstance(value, str) else ""

    rows = tuple(Topic(
        id=int(t["topic"]), size=int(t["size"]), keywords=_pairs(t["keywords"]), keybert=_pairs(t["keybert"]),
        mmr=_pairs(t["mmr"]), representative_docs=[int(i) for i in t["representative_docs"]], label=str(t["label"]),
        llm_label=t["llm_label"] if llm_labels else "", evidence=[int(i) for i in t.get("label_evidence") or []],
        description=text(t.get("description")), given_label=text(t.get("given_label")),
        confidence=_confidence(t.get("label_confidence")), waiting=t.get("label_waiting") is True) for t in topics)
    has = {
        "llm_labels": llm_labels,
        "label_evidence": any(t.get("label_evidence") for t in topics),
        "descriptions": any(isinstance(t.get("description"), str) for t in topics),
        "label_confidence": any(row.confidence is not None for row in rows),
    }
    return TopicTable(rows, centroids, matrix, frozenset(name for name, found in has.items() if found))


def _pairs(values: list) -> list[tuple[str, float]]:
    return [(str(word), float(score)) for word, score in values]


def _confidence(value: Any) -> float | None:
    """A label confidence as saved: a number between 0 and 1, else None."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0
    return float(value) if ok else None


def history_records(records: Any) -> list[dict]:
    """The edits a manifest lists: plain JSON objects (shown and stored as data, never run)."""
    if records is None:
        return []
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ModelFileError("the model's edit history is not a list of records: fit the model again")
    return records


def _vectorizer(record: Any, language: str, words: list[str]) -> WordCounter:
    settings = restore_param(record) if record is not None else Vocabulary()
    if isinstance(settings, Vocabulary):
        return FittedVocabulary(settings, language, words)
    description = settings.description if isinstance(settings, Unrestored) else repr(settings)
    return RecordedVocabulary(words, description)
