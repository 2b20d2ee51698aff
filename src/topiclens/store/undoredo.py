"""Undo and redo on a model directory: the newest kept manifest put back in one atomic rename.

Before anything moves, the kept manifest and the data folder it names are checked as a load checks a
model (``persist.check_kept``): a damaged or tampered record is refused with one line and the directory
stays as it was. A run killed at any step leaves records that :func:`~topiclens.store.edits.settle` recognises
and drops at the next write, so the next undo does what it says.
"""

from __future__ import annotations

from pathlib import Path

from ..core.errors import ConfigError
from ..io.files import write_bytes_atomic
from . import edits
from .modeldir import MANIFEST, locked, manifest_bytes, parse_manifest, require_model, step_of
from .persist import check_kept


def undo(directory: Path) -> dict:
    """Put back the model as it was before the newest edit; returns that edit's record.

    The undone model stays on the redo stack until the next edit (:func:`redo` puts it back).

    Parameters
    ----------
    directory : Path
        A model directory with at least one edit since its fit.

    Returns
    -------
    dict
        The record (operation, arguments, time, ...) of the edit taken back.

    Raises
    ------
    ConfigError
        The directory holds no edit to undo.
    ModelFileError
        The kept model is damaged (nothing is changed), or the directory holds a link where topiclens writes.
    """
    return _step(Path(directory), "undo")


def redo(directory: Path) -> dict:
    """Put back the model the newest undo took away; returns that edit's record.

    Raises ConfigError when nothing was undone since the last edit, ModelFileError when the kept model is
    damaged (nothing is changed).
    """
    return _step(Path(directory), "redo")


def _step(directory: Path, which: str) -> dict:
    """Move the newest manifest of the ``which`` stack into place and the current one onto the other stack."""
    require_model(directory)
    other = "redo" if which == "undo" else "undo"
    with locked(directory, f"{'undoing' if which == 'undo' else 'redoing'} an edit"):
        edits.settle(directory)
        entries = edits.stack(directory, which)
        if not entries:
            raise ConfigError(f"nothing to undo in {directory}: no earlier model is kept (a fit starts the undo "
                              "stack afresh)" if which == "undo"
                              else f"nothing to redo in {directory}: no edit was undone since the last one")
        newest = entries[-1]
        coming, kept = check_kept(directory, newest)  # before anything moves
        current = manifest_bytes(directory)
        record = edits.last_record(parse_manifest(current, directory / MANIFEST) if which == "undo" else kept)
        edits.push_onto(directory, other, current, step_of(coming, kept))  # replaced by the model that comes back
        write_bytes_atomic(directory / MANIFEST, coming)
        newest.unlink()
        edits.remove_if_empty(edits.stack_folder(directory, which))
        edits.remove_unnamed(directory)
    return record
