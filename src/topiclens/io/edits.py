"""A model directory's undo stack: the manifest before each edit, kept byte for byte.

An edit saved with :func:`~topiclens.io.persist.save_state` (``edit=True``) first copies the current
manifest to ``edits/NNNN.topiclens.json`` and keeps the data folder it names, then commits the edited
model as any save does. Undo puts the newest kept manifest back (one atomic rename): the directory's
files are again exactly what they were before the edit. The undone manifest moves to the redo stack
(``edits/redo/``) with its data folder kept, and :func:`redo` puts it back the same way. A new edit
forgets what could be redone, and a plain save (a new fit) starts both stacks afresh. Only files
named as this module names them are ever removed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from ..errors import ConfigError, ModelFileError
from .modeldir import DATA_NAME, MANIFEST, is_model_directory, is_our_data_folder, locked

EDITS = "edits"
REDO = "redo"  # inside EDITS
KEPT = re.compile(r"(\d{4})\.topiclens\.json")


def _folder(directory: Path, which: str) -> Path:
    return Path(directory) / EDITS / (REDO if which == "redo" else "")


def stack(directory: Path, which: str = "undo") -> list[Path]:
    """The kept manifests of the undo stack (or ``which='redo'``: the redo stack), oldest first."""
    folder = _folder(directory, which)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and KEPT.fullmatch(p.name))


def kept_folders(directory: Path) -> set[str]:
    """The data folders the kept manifests of both stacks name (a save must not remove them)."""
    names = set()
    for path in [*stack(directory), *stack(directory, "redo")]:
        name = _manifest_of(path).get("data")
        if isinstance(name, str) and DATA_NAME.fullmatch(name):
            names.add(name)
    return names


def undone(directory: Path) -> list[dict]:
    """The records of the edits :func:`redo` can put back, the next one first."""
    records = []
    for path in reversed(stack(directory, "redo")):
        history = _manifest_of(path).get("history") or []
        records.append(history[-1] if history else {})
    return records


def push(directory: Path) -> Path:
    """Keep the current manifest as the newest entry of the undo stack; returns its path. Once the edit is
    committed, :func:`forget_redo` drops what could be redone (not before: a failed save keeps it)."""
    directory = Path(directory)
    return _push(directory, "undo", (directory / MANIFEST).read_bytes())


def forget_redo(directory: Path) -> None:
    """After a new edit: the redo stack goes, with the data folders only it named."""
    if stack(directory, "redo"):
        _clear_stack(directory, "redo")
        _remove_unnamed(Path(directory))


def _push(directory: Path, which: str, manifest: bytes) -> Path:
    entries = stack(directory, which)
    number = int(KEPT.fullmatch(entries[-1].name).group(1)) + 1 if entries else 1
    folder = _folder(directory, which)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{number:04d}.topiclens.json"
    staging = folder / f".{path.name}.tmp"
    staging.write_bytes(manifest)
    os.replace(staging, path)
    return path


def clear(directory: Path) -> None:
    """Forget both stacks (a new fit replaces the model): the kept manifests go, and the folders if empty."""
    _clear_stack(directory, "redo")
    _clear_stack(directory, "undo")


def _clear_stack(directory: Path, which: str) -> None:
    for path in stack(directory, which):
        path.unlink()
    _remove_if_empty(_folder(directory, which))


def undo(directory: Path) -> dict:
    """Put back the model as it was before the newest edit; returns that edit's record.

    The undone model stays on the redo stack until the next edit (:func:`redo` puts it back).
    Raises ConfigError when the directory holds no edit to undo.
    """
    return _step(Path(directory), "undo")


def redo(directory: Path) -> dict:
    """Put back the model the newest undo took away; returns that edit's record.

    Raises ConfigError when nothing was undone since the last edit.
    """
    return _step(Path(directory), "redo")


def _step(directory: Path, which: str) -> dict:
    """Move the newest manifest of the ``which`` stack into place and the current one onto the other stack."""
    if not is_model_directory(directory):
        raise ConfigError(f"{directory} holds no topiclens model: give the directory a fit saved")
    other = "redo" if which == "undo" else "undo"
    with locked(directory, f"{'undoing' if which == 'undo' else 'redoing'} an edit"):
        entries = stack(directory, which)
        if not entries:
            raise ConfigError(f"nothing to undo in {directory}: the model has no edit since its fit" if which == "undo"
                              else f"nothing to redo in {directory}: no edit was undone since the last one")
        newest = entries[-1]
        current = (directory / MANIFEST).read_bytes()
        coming = _manifest_of(newest)
        history = (json.loads(current) if which == "undo" else coming).get("history") or []
        record = history[-1] if history else {}
        _push(directory, other, current)
        staging = directory / f".{MANIFEST}.{which}.tmp"
        shutil.copyfile(newest, staging)
        os.replace(staging, directory / MANIFEST)
        newest.unlink()
        _remove_if_empty(_folder(directory, which))
        _remove_unnamed(directory)
    return record


def _remove_unnamed(directory: Path) -> None:
    """Remove the data folders topiclens made that neither the manifest nor a stack names."""
    keep = kept_folders(directory) | {_manifest_of(directory / MANIFEST).get("data")}
    for entry in directory.iterdir():
        if entry.name not in keep and is_our_data_folder(entry):
            shutil.rmtree(entry, ignore_errors=True)


def _manifest_of(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ModelFileError(f"{path} is not a readable model manifest: remove it, or fit the model again") from None
    return value if isinstance(value, dict) else {}


def _remove_if_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
