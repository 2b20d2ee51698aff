"""A model directory's undo stack: the manifest before each edit, kept byte for byte.

An edit saved with :func:`~topiclens.io.persist.save_state` (``edit=True``) first copies the current
manifest to ``edits/NNNN.topiclens.json`` and keeps the data folder it names, then commits the edited
model as any save does. Undo puts the newest kept manifest back (one atomic rename): the directory's
files are again exactly what they were before the edit, and the edited model's data folder goes.
A plain save (a new fit) starts the stack afresh. Only files named as this module names them are
ever removed.
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
KEPT = re.compile(r"(\d{4})\.topiclens\.json")


def stack(directory: Path) -> list[Path]:
    """The kept manifests, oldest first."""
    folder = Path(directory) / EDITS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and KEPT.fullmatch(p.name))


def kept_folders(directory: Path) -> set[str]:
    """The data folders the kept manifests name (a save must not remove them)."""
    names = set()
    for path in stack(directory):
        name = _manifest_of(path).get("data")
        if isinstance(name, str) and DATA_NAME.fullmatch(name):
            names.add(name)
    return names


def push(directory: Path) -> Path:
    """Keep the current manifest as the newest entry of the stack; returns its path."""
    directory = Path(directory)
    current = (directory / MANIFEST).read_bytes()
    entries = stack(directory)
    number = int(KEPT.fullmatch(entries[-1].name).group(1)) + 1 if entries else 1
    folder = directory / EDITS
    folder.mkdir(exist_ok=True)
    path = folder / f"{number:04d}.topiclens.json"
    staging = folder / f".{path.name}.tmp"
    staging.write_bytes(current)
    os.replace(staging, path)
    return path


def clear(directory: Path) -> None:
    """Forget the stack (a new fit replaces the model): the kept manifests go, and the folder if empty."""
    for path in stack(directory):
        path.unlink()
    _remove_if_empty(Path(directory) / EDITS)


def undo(directory: Path) -> dict:
    """Put back the model as it was before the newest edit; returns that edit's record.

    Raises ConfigError when the directory holds no edit to undo.
    """
    directory = Path(directory)
    if not is_model_directory(directory):
        raise ConfigError(f"{directory} holds no topiclens model: give the directory a fit saved")
    with locked(directory, "undoing an edit"):
        entries = stack(directory)
        if not entries:
            raise ConfigError(f"nothing to undo in {directory}: the model has no edit since its fit")
        newest = entries[-1]
        current = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        history = current.get("history") or []
        record = history[-1] if history else {}
        staging = directory / f".{MANIFEST}.undo.tmp"
        shutil.copyfile(newest, staging)
        os.replace(staging, directory / MANIFEST)
        newest.unlink()
        _remove_if_empty(directory / EDITS)
        restored = _manifest_of(directory / MANIFEST).get("data")
        keep = kept_folders(directory) | {restored}
        for entry in directory.iterdir():
            if entry.name not in keep and is_our_data_folder(entry):
                shutil.rmtree(entry, ignore_errors=True)
    return record


def _manifest_of(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ModelFileError(f"{path} is not a readable model manifest: remove it, or fit the model again") from None
    return value if isinstance(value, dict) else {}


def _remove_if_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
