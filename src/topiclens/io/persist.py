"""Saving and loading a fitted state: JSON, .npy/.npz and parquet only — no pickle, no code.

A model directory holds ``topiclens.json`` (schema version, the pipeline's parameters as records,
topics, labels, keywords, representations), ``vocabulary.json``, ``ctfidf.npz``, ``embeddings.npy``,
``probabilities.npy``, ``centroids.npy``, ``projection.npz`` (a linear neighbour space),
``layout.npy`` (the map), ``classic.npz`` (LDA/NMF), ``sample.npy`` (sampled big corpora) and
``documents.parquet``. Only the pipeline's settings are recorded as parameters: where LLM requests,
keys, caches and work go is the caller's choice at load time, never the files'.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
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
from . import edits
from .checks import check_state
from .corpus import Corpus
from .modeldir import MANIFEST, check_target, commit, data_folder, locked, new_generation
from .records import param_record, restore_param, upgrade_v1_params
from .rowfiles import blocks, save_rows

SCHEMA_VERSION = 3  # 3: arrays in a data folder with checksums; 2: beside the manifest; 1: flat parameters


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


def save_state(state: TopicState, params: dict[str, Any], directory: Path, *, edit: bool = False) -> Path:
    """Write ``state`` and the parameter records as the model in ``directory``.

    The new model replaces the previous one in one atomic step (``modeldir.commit``); a directory
    of other files is refused before anything is written, and a directory another process is
    writing is refused with that process's pid. With ``edit`` the previous model is kept on the
    directory's undo stack (``io.edits``); without it the stack is cleared.
    """
    directory = Path(directory)
    check_target(directory)
    with locked(directory, "saving an edit" if edit else "saving a model"):
        data = new_generation(directory)
        try:
            files = _write_data(state, data)
        except BaseException:
            shutil.rmtree(data, ignore_errors=True)
            raise
        if edit:
            _link_unchanged(directory, data, files)
            edits.push(directory)
        else:
            edits.clear(directory)
        commit(directory, _manifest(state, params, files), data, frozenset(edits.kept_folders(directory)))
        if edit:
            edits.forget_redo(directory)
    return directory


def save_labels(state: TopicState, params: dict[str, Any], directory: Path, *, new_edit: bool) -> Path:
    """Write ``state`` as a new manifest over the directory's current data folder: for a change that touches
    no array (labels, descriptions, the history), a few milliseconds instead of rewriting every array.

    With ``new_edit`` the current model is kept on the undo stack first (as an edit's save does); without it
    the new manifest replaces the current one and the stacks stay as they are (the next step of an edit that
    is saved as it goes, such as a relabel topic by topic). Refused when the saved model is not this one's
    previous step: other topics or sizes, another number of documents, or a history that is not this one's
    without its newest record (for a new edit) or with another newest record (for the next step).
    """
    directory = Path(directory)
    with locked(directory, "saving labels"):
        previous = read_manifest(directory)
        saved = [(t.get("topic"), t.get("size")) for t in previous.get("topics") or []]
        if "data" not in previous:
            raise ModelFileError(f"{directory} holds an older model layout: save the model once with save()")
        steps = [(r.get("operation"), r.get("time")) for r in previous.get("history") or []]
        same_history = steps == [(r.get("operation"), r.get("time")) for r in state.history[:-1 if new_edit else None]]
        if saved != [(t, int(s)) for t, s in zip(state.topic_ids, state.topic_sizes)] or not same_history or \
                previous.get("n_documents") != len(state.corpus):
            raise ModelFileError(f"{directory} holds another model than this one (changed on disk since it was "
                                 "loaded?): load it again, or save the whole model with save()")
        data = data_folder(directory, previous)
        if new_edit:
            edits.push(directory)
        commit(directory, _manifest(state, params, previous.get("files") or {}), data,
               frozenset(edits.kept_folders(directory)))
        if new_edit:
            edits.forget_redo(directory)
    return directory


def _link_unchanged(directory: Path, data: Path, files: dict[str, str]) -> None:
    """Files equal to the previous model's (the embeddings, the map...) become hard links to them: an undo
    stack costs the disk only what an edit changed."""
    try:
        previous = read_manifest(directory)
        old = data_folder(directory, previous)
    except ModelFileError:
        return
    for name, digest in files.items():
        source = old / name
        if (previous.get("files") or {}).get(name) == digest and source.is_file():
            staging = data / f".{name}.link"
            try:
                os.link(source, staging)
            except OSError:  # a file system without hard links: the copy stays
                continue
            os.replace(staging, data / name)


def _manifest(state: TopicState, params: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "topiclens_version": __version__,
        "params": params,
        "min_cluster_size": int(state.min_cluster_size),
        "language": state.language,
        "embedding_model": param_record(state.embedding_model),
        "vectorizer": vectorizer_record(state.vectorizer),
        "classic": None if state.classic is None else state.classic.kind,
        "projection": state.projection is not None,
        "n_documents": len(state.corpus),
        "source": state.corpus.source,
        "timings": {k: round(v, 3) for k, v in state.timings.items()},
        "topics": [
            {"topic": t, "size": int(state.topic_sizes[p]), "label": state.labels[p],
             "keywords": _pairs(state.keywords[p]), "keybert": _pairs(state.keybert[p]),
             "mmr": _pairs(state.mmr[p]), "representative_docs": state.representative_docs[p],
             "llm_label": state.llm_labels[p] if state.llm_labels else None,
             "label_evidence": state.label_evidence[p] if state.label_evidence else None,
             "description": state.descriptions[p] if state.descriptions else None,
             "given_label": state.given_labels[p] if state.given_labels else None}
            for p, t in enumerate(state.topic_ids)
        ],
        "next_topic_id": state.fresh_id(),
        "history": state.history,
        "hierarchy": state.hierarchy,
        "guidance": state.guidance,
        "llm": state.llm_name,
        "label_stats": state.label_stats,
        "files": files,
    }


def _write_data(state: TopicState, data: Path) -> dict[str, str]:
    """Every array of ``state`` into the data folder; returns each file's sha256."""
    (data / "vocabulary.json").write_text(json.dumps(state.vectorizer.words, ensure_ascii=False), encoding="utf-8")
    matrix = sp.csr_matrix(state.ctfidf, dtype=np.float32)
    np.savez_compressed(data / "ctfidf.npz", data=matrix.data, indices=matrix.indices, indptr=matrix.indptr,
                        shape=np.array(matrix.shape))
    save_rows(data / "embeddings.npy", state.embeddings)
    np.save(data / "probabilities.npy", state.probabilities.astype(np.float32))
    if not state.sample[state.usable].all():
        np.save(data / "sample.npy", state.sample)
    np.save(data / "centroids.npy", state.centroids.astype(np.float32))
    if state.projection is not None:
        np.savez(data / "projection.npz", **state.projection.arrays())
    if state.classic is not None:
        np.savez(data / "classic.npz", **state.classic.arrays())
    if state.layout is not None:
        np.save(data / "layout.npy", state.layout.astype(np.float32))
    _write_documents(data / "documents.parquet", state)
    return {path.name: _sha256(path) for path in sorted(data.iterdir())}


def _write_documents(path: Path, state: TopicState, rows: int = 200_000) -> None:
    """documents.parquet (id, text, topic, usable, then every input field as text), written in row blocks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    corpus = state.corpus
    fields = corpus.fields.reset_index(drop=True)
    fields = fields.rename(columns={c: f"field:{c}" for c in fields.columns})
    writer = None
    try:
        for start, stop in list(blocks(len(corpus), rows)) or [(0, 0)]:
            frame = pd.DataFrame({"id": corpus.ids[start:stop], "text": corpus.texts[start:stop],
                                  "topic": state.topics[start:stop], "usable": state.usable[start:stop]})
            if len(fields.columns):
                frame = pd.concat([frame, fields.iloc[start:stop].reset_index(drop=True).astype(str)], axis=1)
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


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


def load_state(directory: Path) -> tuple[TopicState, dict[str, Any]]:
    """The fitted state in ``directory`` and the recorded pipeline parameters (as records).

    Every file is checked against the checksum the save recorded, and the state as a whole against
    itself (``io.checks``): a damaged, truncated, mixed or edited model is refused with the reason.
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    data = data_folder(directory, manifest)
    _verify_files(data, manifest.get("files"))
    try:
        state = _read_state(data, manifest)
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
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


def _verify_files(data: Path, files: Any) -> None:
    if files is None:  # schemas 1 and 2 recorded no checksums
        return
    if not isinstance(files, dict):
        raise ModelFileError(f"{data.parent / MANIFEST} lists its files wrongly: fit the model again")
    for name, expected in files.items():
        path = data / str(name)
        if "/" in str(name) or not path.is_file():
            raise ModelFileError(f"{path} is missing: the model directory is incomplete; fit the model again")
        if _sha256(path) != expected:
            raise ModelFileError(f"{path} has changed since the model was saved (its checksum differs): it was "
                                 "edited or damaged; fit the model again")


def _read_state(data: Path, manifest: dict[str, Any]) -> TopicState:
    documents = pd.read_parquet(data / "documents.parquet")
    words = json.loads((data / "vocabulary.json").read_text(encoding="utf-8"))
    ctfidf = _arrays(data, "ctfidf.npz")
    matrix = sp.csr_matrix((ctfidf["data"], ctfidf["indices"], ctfidf["indptr"]), shape=tuple(ctfidf["shape"]))
    fields = documents[[c for c in documents.columns if c.startswith("field:")]]
    fields = fields.rename(columns={c: c[len("field:"):] for c in fields.columns})
    corpus = Corpus(texts=documents["text"].tolist(), ids=documents["id"].astype(str).tolist(), fields=fields,
                    source=str(manifest.get("source", data.parent)))
    topics = manifest["topics"]
    usable = documents["usable"].to_numpy(dtype=bool)
    language = manifest.get("language", "en")
    seed = int(manifest["params"].get("seed", 42))
    classic = None
    if manifest.get("classic") is not None:
        if manifest["classic"] not in ("lda", "nmf"):
            raise ModelFileError(f"{data.parent / MANIFEST} names an unknown classic model {manifest['classic']!r}")
        classic = ClassicAssigner.from_arrays(manifest["classic"], _arrays(data, "classic.npz"), seed)
    llm_labels = [t.get("llm_label") for t in topics]
    return TopicState(
        corpus=corpus, usable=usable, topics=documents["topic"].to_numpy(dtype=np.int64),
        probabilities=_array(data, "probabilities"),
        sample=_array(data, "sample") if (data / "sample.npy").exists() else usable.copy(),
        embeddings=_array(data, "embeddings", mmap_mode="r"),  # a big corpus's rows stay on disk
        projection=LinearMap.from_arrays(_arrays(data, "projection.npz")) if (data / "projection.npz").exists()
        else None,
        vectorizer=_vectorizer(manifest.get("vectorizer"), language, words), ctfidf=matrix,
        topic_ids=[int(t["topic"]) for t in topics], topic_sizes=[int(t["size"]) for t in topics],
        keywords=[[(str(w), float(s)) for w, s in t["keywords"]] for t in topics],
        keybert=[[(str(w), float(s)) for w, s in t["keybert"]] for t in topics],
        mmr=[[(str(w), float(s)) for w, s in t["mmr"]] for t in topics],
        representative_docs=[[int(i) for i in t["representative_docs"]] for t in topics],
        centroids=_array(data, "centroids"),
        layout=_array(data, "layout") if (data / "layout.npy").exists() else None,
        labels=[str(t["label"]) for t in topics],
        llm_labels=llm_labels if topics and all(isinstance(x, str) for x in llm_labels) else None,
        llm_name=manifest.get("llm"), label_stats=dict(manifest.get("label_stats") or {}), language=language,
        embedding_model=restore_param(manifest.get("embedding_model")),
        min_cluster_size=int(manifest["min_cluster_size"]), classic=classic,
        timings=dict(manifest.get("timings") or {}),
        label_evidence=[[int(i) for i in t.get("label_evidence") or []] for t in topics]
        if any(t.get("label_evidence") for t in topics) else None,
        descriptions=[str(t.get("description") or "") for t in topics]
        if any(isinstance(t.get("description"), str) for t in topics) else None,
        next_topic_id=int(manifest["next_topic_id"]) if manifest.get("next_topic_id") is not None else None,
        history=_history(manifest.get("history")),
        hierarchy=manifest.get("hierarchy"),
        given_labels=[str(t.get("given_label") or "") for t in topics]
        if any(isinstance(t.get("given_label"), str) and t.get("given_label") for t in topics) else None,
        guidance=manifest.get("guidance") if isinstance(manifest.get("guidance"), dict) else None,
    )


def _history(records: Any) -> list[dict]:
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
