"""Writing a fitted state as a model directory: JSON, .npy/.npz and parquet only — no pickle, no code.

A save fills a new data folder and commits it (``modeldir.commit``): the manifest names the folder and
every file's checksum. An edit keeps the model it replaces on the undo stack (``io.edits``). Both refuse
to save over a model that changed since it was loaded, and a save whose arrays cannot fit on the disk.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._version import __version__
from ..core.errors import ModelFileError
from ..core.params import Unrestored
from ..core.topic_table import Topic
from ..embedders.learned import LearnedEmbedder
from ..io.files import create_new
from ..io.rowfiles import blocks, save_rows
from ..stages.protocols import WordCounter
from ..stages.vocabulary import FittedSklearnVectorizer, FittedVocabulary, RecordedVocabulary
from ..state import TopicState
from . import edits
from .modeldir import (
    DATA_FILES,
    MANIFEST,
    check_target,
    commit,
    current_digest,
    data_folder,
    locked,
    manifest_bytes,
    new_generation,
    new_step,
    parse_manifest,
)
from .persist import SCHEMA_VERSION, read_manifest, sha256
from .records import param_record


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


def save_state(state: TopicState, params: dict[str, Any], directory: Path, *, edit: bool = False,
               expected: str | None = None) -> str:
    """Write ``state`` and the parameter records as the model in ``directory``; returns the new manifest's digest.

    The new model replaces the previous one in one atomic step (``modeldir.commit``); a directory
    of other files is refused before anything is written, and a directory another process is
    writing is refused with that process's pid. With ``edit`` the previous model is kept on the
    directory's undo stack (``io.edits``); without it both stacks are cleared once the new model is in
    place. ``expected``: the digest of the manifest this model was loaded from; the save is refused when
    the directory holds another one now (another program changed it meanwhile), so that no change
    silently replaces another.
    """
    directory = Path(directory)
    check_target(directory)
    with locked(directory, "saving an edit" if edit else "saving a model"):
        _check_unchanged(directory, expected)
        edits.settle(directory)
        check_space(directory, state)
        previous = manifest_bytes(directory) if (directory / MANIFEST).exists() else None  # check_target: ours
        data = new_generation(directory)
        try:
            files = _write_data(state, data)
        except BaseException:
            shutil.rmtree(data, ignore_errors=True)
            raise
        step = new_step()
        if edit and previous is not None:
            _link_unchanged(directory, data, files)
            edits.push(directory, _kept_form(directory, previous), step)
        kept = edits.kept_folders(directory)
        saved = commit(directory, _manifest(state, params, files), data, None if kept is None else frozenset(kept),
                       step)
        if edit:
            edits.forget_redo(directory)
        else:
            edits.clear(directory)
            edits.remove_unnamed(directory)
    return saved


def _kept_form(directory: Path, raw: bytes) -> bytes:
    """The manifest ``raw`` as the undo stack keeps it: as it is, or for a schema-1 or -2 model (its arrays beside
    it, which the commit removes), with its arrays hard-linked into a data folder of their own that it names
    with their checksums, so an undo can put it back whole."""
    manifest = parse_manifest(raw, directory / MANIFEST)
    if "data" in manifest:
        return raw
    folder = new_generation(directory)
    files = {}
    for name in sorted(DATA_FILES):
        source = directory / name
        if source.is_file() and not source.is_symlink():
            try:
                os.link(source, folder / name, follow_symlinks=False)
            except OSError:  # a file system without hard links
                shutil.copyfile(source, folder / name, follow_symlinks=False)
            files[name] = sha256(folder / name)
    return json.dumps({**manifest, "data": folder.name, "files": files}, ensure_ascii=False, indent=1).encode()


def _check_unchanged(directory: Path, expected: str | None) -> None:
    """Refuse to save over a model other than the one ``expected`` names (checked under the lock)."""
    if expected is not None and current_digest(directory) != expected:
        raise ModelFileError(f"{directory} was changed by another program since this model was loaded (an edit, "
                             "an undo or a new fit): load it again and make the change there; nothing was saved")


def check_space(directory: Path, state: TopicState) -> None:
    """Refuse a save whose arrays alone would not fit in the free space of ``directory``'s disk."""
    need = _array_bytes(state)
    free = shutil.disk_usage(directory).free
    if need > free:
        raise ModelFileError(f"not enough free space to save the model in {directory}: its arrays need about "
                             f"{_megabytes(need)} and the disk has {_megabytes(free)} free; free some space or save "
                             "it elsewhere (the model there is unchanged)")


def _array_bytes(state: TopicState) -> int:
    """The bytes the arrays of ``state`` take on disk, at least (the compressed ones not counted)."""
    rows = state.embeddings
    row_bytes = rows.shape[0] * (rows.shape[1] if rows.ndim > 1 else 1) * (2 if rows.dtype == np.float16 else 4)
    others = [state.probabilities, state.centroids] + ([state.layout] if state.layout is not None else [])
    return int(row_bytes + sum(np.asarray(a).size * 4 for a in others))


def _megabytes(count: int) -> str:
    return f"{count / 1e6:,.1f} MB"


def save_labels(state: TopicState, params: dict[str, Any], directory: Path, *, new_edit: bool,
                expected: str | None = None) -> str:
    """Write ``state`` as a new manifest over the directory's current data folder: for a change that touches
    no array (labels, descriptions, the history), a few milliseconds instead of rewriting every array.
    Returns the new manifest's digest.

    With ``new_edit`` the current model is kept on the undo stack first (as an edit's save does); without it
    the new manifest replaces the current one as the same step, and the stacks stay as they are (the next
    step of an edit that is saved as it goes, such as a relabel topic by topic). Refused when the saved model
    is not this one's previous step: another manifest than ``expected`` (the digest of the one this model was
    loaded from or saved as), other topics or sizes, another number of documents, or a history that is not
    this one's without its newest record (for a new edit) or with another newest record (for the next step).
    """
    directory = Path(directory)
    with locked(directory, "saving labels"):
        _check_unchanged(directory, expected)
        edits.settle(directory)
        previous = read_manifest(directory)
        saved_topics = [(t.get("topic"), t.get("size")) for t in previous.get("topics") or []]
        if "data" not in previous:
            raise ModelFileError(f"{directory} holds an older model layout: save the model once with save()")
        steps = [(r.get("operation"), r.get("time")) for r in previous.get("history") or []]
        same_history = steps == [(r.get("operation"), r.get("time")) for r in state.history[:-1 if new_edit else None]]
        if saved_topics != [(t, int(s)) for t, s in zip(state.topic_ids, state.topic_sizes)] or not same_history or \
                previous.get("n_documents") != len(state.corpus):
            raise ModelFileError(f"{directory} holds another model than this one (changed on disk since it was "
                                 "loaded?): load it again, or save the whole model with save()")
        data = data_folder(directory, previous)
        step = new_step() if new_edit else (edits.current_step(directory) or new_step())
        if new_edit:
            edits.push(directory, manifest_bytes(directory), step)
        kept = edits.kept_folders(directory)
        saved = commit(directory, _manifest(state, params, previous.get("files") or {}), data,
                       None if kept is None else frozenset(kept), step)
        if new_edit:
            edits.forget_redo(directory)
    return saved


def _link_unchanged(directory: Path, data: Path, files: dict[str, str]) -> None:
    """Files equal to the previous model's (the embeddings, the map...) become hard links to them: an undo
    stack costs the disk only what an edit changed."""
    try:
        previous = read_manifest(directory)
        old = data_folder(directory, previous)
    except ModelFileError:
        return
    for name, checksum in files.items():
        source = old / name
        if (previous.get("files") or {}).get(name) == checksum and source.is_file() and not source.is_symlink():
            staging = data / f".{name}.link"
            try:
                os.link(source, staging, follow_symlinks=False)
            except OSError:  # a file system without hard links: the copy stays
                continue
            os.replace(staging, data / name)


def _manifest(state: TopicState, params: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "topiclens_version": __version__,
        "params": params,
        "min_cluster_size": int(state.min_cluster_size),
        "long_documents": state.long_documents,
        "language": state.language,
        "embedding_model": param_record(state.embedding_model),
        "vectorizer": vectorizer_record(state.vectorizer),
        "classic": None if state.classic is None else state.classic.kind,
        "projection": state.projection is not None,
        "n_documents": len(state.corpus),
        "source": state.corpus.source,
        "timings": {k: round(v, 3) for k, v in state.timings.items()},
        "topics": [_topic_record(row, state.table.present, state.given_labels is not None)
                   for row in state.table.rows],
        "next_topic_id": state.fresh_id(),
        "history": state.history,
        "hierarchy": state.hierarchy,
        "guidance": state.guidance,
        "llm": state.llm_name,
        "label_stats": state.label_stats,
        "files": files,
    }


def _topic_record(row: Topic, present: frozenset[str], any_given: bool) -> dict[str, Any]:
    """A topic as the manifest keeps it (an optional column the table lacks is written as null)."""
    def kept(column: str, value: Any) -> Any:
        return value if column in present else None

    given = row.given_label if any_given else None
    return {"topic": row.id, "size": int(row.size), "label": row.label, "keywords": _pairs(row.keywords),
            "keybert": _pairs(row.keybert), "mmr": _pairs(row.mmr), "representative_docs": row.representative_docs,
            "llm_label": kept("llm_labels", row.llm_label), "label_evidence": kept("label_evidence", row.evidence),
            "description": kept("descriptions", row.description), "given_label": given,
            "label_confidence": kept("label_confidence", row.confidence), "label_waiting": row.waiting}


def _write_data(state: TopicState, data: Path) -> dict[str, str]:
    """Every array of ``state`` into the data folder, each file created afresh (never through a link); returns
    each file's sha256."""
    with create_new(data / "vocabulary.json") as out:
        out.write(json.dumps(state.vectorizer.words, ensure_ascii=False).encode("utf-8"))
    matrix = sp.csr_matrix(state.ctfidf, dtype=np.float32)
    with create_new(data / "ctfidf.npz") as out:
        np.savez_compressed(out, data=matrix.data, indices=matrix.indices, indptr=matrix.indptr,
                            shape=np.array(matrix.shape))
    save_rows(data / "embeddings.npy", state.embeddings)
    arrays = {"probabilities.npy": state.probabilities.astype(np.float32),
              "sample.npy": None if state.sample[state.usable].all() else state.sample,
              "centroids.npy": state.centroids.astype(np.float32),
              "layout.npy": None if state.layout is None else state.layout.astype(np.float32),
              "learned_table.npy": state.embedding_model.table.astype(np.float16)
              if isinstance(state.embedding_model, LearnedEmbedder) else None}
    for name, array in arrays.items():
        if array is not None:
            with create_new(data / name) as out:
                np.save(out, array)
    for name, part in (("projection.npz", state.projection), ("classic.npz", state.classic)):
        if part is not None:
            with create_new(data / name) as out:
                np.savez(out, **part.arrays())
    with create_new(data / "documents.parquet") as out:
        _write_documents(out, state)
    return {path.name: sha256(path) for path in sorted(data.iterdir())}


def _write_documents(path, state: TopicState, rows: int = 200_000) -> None:
    """documents.parquet (id, whole numbers when the input's were, text, topic, usable, then every input field as
    text), written in row blocks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    corpus = state.corpus
    fields = corpus.fields.reset_index(drop=True)
    fields = fields.rename(columns={c: f"field:{c}" for c in fields.columns})
    writer = None
    ids = corpus.id_values
    try:
        for start, stop in list(blocks(len(corpus), rows)) or [(0, 0)]:
            frame = pd.DataFrame({"id": ids[start:stop], "text": corpus.texts[start:stop],
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
