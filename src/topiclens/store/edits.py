"""A model directory's undo stack: the manifest before each edit, kept byte for byte.

An edit saved with :func:`~topiclens.io.writing.save_state` (``edit=True``) first keeps the current
manifest as ``edits/NNNN.<after>.topiclens.json`` with the data folder it names, then commits the edited
model as any save does. Undo (:mod:`~topiclens.store.undoredo`) puts the newest kept manifest back (one
atomic rename): the directory's files are again exactly what they were before the edit. The undone
manifest moves to the redo stack (``edits/redo/``) with its data folder kept, and redo puts it back the
same way. A new edit forgets what could be redone, and a plain save (a new fit) starts both stacks
afresh. Only files named as this module names them are ever removed, and none through a link.

Every manifest carries the ``step`` it is (``modeldir.new_step``), and every kept one names in ``<after>``
the step that replaced it: a kept manifest is the model's past only while the current manifest is that
step. A run killed between two moves (a manifest kept, but the edit, undo or redo that kept it never
committed; or a model put back, but not yet taken off its stack; or a new fit or edit committed before the
stacks were cleared) leaves entries whose ``<after>`` is not the current step. :func:`stray` finds them;
the readers leave them out, and the next writer (:func:`settle`, under the directory's lock) removes them,
saying so. Manifests kept before steps were recorded are named without ``<after>`` and taken as they are.
"""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

from ..core.errors import ModelFileError, TopicLensWarning
from ..io.files import read_regular, write_bytes_atomic
from .modeldir import (
    DATA_NAME,
    EDITS,
    MANIFEST,
    MANIFEST_LIMIT,
    REDO,
    is_our_data_folder,
    manifest_bytes,
    parse_manifest,
    real_folder,
    step_of,
)

KEPT = re.compile(r"(\d{4,})(?:\.([0-9a-f]{16}))?\.topiclens\.json")
STAGING = re.compile(r"\.\d{4,}(?:\.[0-9a-f]{16})?\.topiclens\.json\.[0-9a-f]+\.tmp")


def stack_folder(directory: Path, which: str) -> Path:
    """Where the ``which`` stack ('undo' or 'redo') keeps its manifests."""
    return Path(directory) / EDITS / (REDO if which == "redo" else "")


def stack(directory: Path, which: str = "undo") -> list[Path]:
    """The kept manifests of the undo stack (or ``which='redo'``: the redo stack), oldest first, as they are on
    disk (:func:`stray` says which of them an interrupted run left)."""
    folder = stack_folder(directory, which)
    if not folder.is_dir() or folder.is_symlink():
        return []
    entries = [p for p in folder.iterdir() if KEPT.fullmatch(p.name) and p.is_file() and not p.is_symlink()]
    return sorted(entries, key=lambda p: int(KEPT.fullmatch(p.name).group(1)))


def after(path: Path) -> str | None:
    """The step that replaced the kept manifest ``path`` (None: kept before steps were recorded)."""
    return KEPT.fullmatch(path.name).group(2)


def current_step(directory: Path) -> str | None:
    """The step of the manifest in ``directory`` now (None: it has none that can be read)."""
    try:
        raw = manifest_bytes(directory)
        return step_of(raw, parse_manifest(raw, Path(directory) / MANIFEST))
    except (OSError, ModelFileError):
        return None


def stray(directory: Path) -> dict[str, list[Path]]:
    """The kept manifests an interrupted run left, per stack: from the newest down, those whose ``<after>`` is
    not the current step (see the module's notes)."""
    found: dict[str, list[Path]] = {"undo": [], "redo": []}
    now = current_step(directory)
    if now is None:
        return found  # no model to compare with: nothing is called stray
    for which, left in found.items():
        for path in reversed(stack(directory, which)):
            if after(path) in (None, now):
                break
            left.append(path)
    return found


def settle(directory: Path) -> None:
    """Remove what :func:`stray` finds and the staging files of killed pushes (under the directory's lock),
    with a warning for each stack."""
    found = stray(directory)
    for which, paths in found.items():
        for path in paths:
            path.unlink()
        if paths:
            warnings.warn(f"{directory}: dropped {len(paths)} {which} record(s) left by a run that was stopped "
                          f"before it finished ({', '.join(p.name for p in paths)}); the model is the one saved last",
                          TopicLensWarning, stacklevel=2)
        folder = stack_folder(directory, which)
        if folder.is_dir() and not folder.is_symlink():
            for path in folder.iterdir():
                if STAGING.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                    path.unlink()
        remove_if_empty(folder)
    if found["undo"] or found["redo"]:
        remove_unnamed(Path(directory))


def settled_stack(directory: Path, which: str = "undo") -> list[Path]:
    """:func:`stack` without the entries an interrupted run left: what an undo or a redo would really use."""
    left = set(stray(directory)[which])
    return [p for p in stack(directory, which) if p not in left]


def last_record(manifest: dict) -> dict:
    """The newest record of a manifest's history ({} when it has none, or none that is a record)."""
    history = manifest.get("history")
    return history[-1] if isinstance(history, list) and history and isinstance(history[-1], dict) else {}


def undone(directory: Path) -> list[dict]:
    """The records of the edits a redo can put back, the next one first (an unreadable one as ``{}``)."""
    records = []
    for path in reversed(settled_stack(directory, "redo")):
        try:
            records.append(last_record(manifest_of(path)))
        except ModelFileError:
            records.append({})
    return records


def push(directory: Path, manifest: bytes, step: str) -> Path:
    """Keep ``manifest`` (the current one, as it will have been) as the newest entry of the undo stack, replaced
    by the step ``step`` that is about to be committed; returns its path. Once the edit is committed,
    :func:`forget_redo` drops what could be redone (not before: a failed save keeps it)."""
    return push_onto(Path(directory), "undo", manifest, step)


def forget_redo(directory: Path) -> None:
    """After a new edit: the redo stack goes, with the data folders only it named."""
    if stack(directory, "redo"):
        _clear_stack(directory, "redo")
        remove_unnamed(Path(directory))


def push_onto(directory: Path, which: str, manifest: bytes, step: str) -> Path:
    """``manifest`` as the newest entry of the ``which`` stack, replaced by the step ``step`` (a new file, never
    written through a link)."""
    entries = stack(directory, which)
    number = int(KEPT.fullmatch(entries[-1].name).group(1)) + 1 if entries else 1
    folder = real_folder(Path(directory) / EDITS)
    if which == "redo":
        folder = real_folder(folder / REDO)
    return write_bytes_atomic(folder / f"{number:04d}.{step}.topiclens.json", manifest)


def clear(directory: Path) -> None:
    """Forget both stacks (a new fit replaced the model): the kept manifests go, and the folders if empty."""
    _clear_stack(directory, "redo")
    _clear_stack(directory, "undo")


def _clear_stack(directory: Path, which: str) -> None:
    for path in stack(directory, which):
        path.unlink()
    remove_if_empty(stack_folder(directory, which))


def kept_folders(directory: Path) -> set[str] | None:
    """The data folders the kept manifests of both stacks name (a save must not remove them); None when one of
    them cannot be read (then no folder is known to be free)."""
    names = set()
    for path in [*stack(directory), *stack(directory, "redo")]:
        try:
            name = manifest_of(path).get("data")
        except ModelFileError:
            return None
        if isinstance(name, str) and DATA_NAME.fullmatch(name):
            names.add(name)
    return names


def remove_unnamed(directory: Path) -> None:
    """Remove the data folders topiclens made that neither the manifest nor a stack names (none while a kept
    manifest cannot be read)."""
    kept = kept_folders(directory)
    if kept is None:
        return
    keep = kept | {manifest_of(directory / MANIFEST).get("data")}
    for entry in directory.iterdir():
        if entry.name not in keep and is_our_data_folder(entry):
            shutil.rmtree(entry, ignore_errors=True)


def manifest_of(path: Path) -> dict:
    """The manifest in ``path`` (a kept one, or the model's), as an object; refused when it is not one."""
    try:
        raw = read_regular(path, MANIFEST_LIMIT)
    except OSError:
        raise ModelFileError(f"{path} is not a readable model manifest: remove it") from None
    return parse_manifest(raw, path)


def remove_if_empty(folder: Path) -> None:
    """Remove ``folder`` when it is a real folder with nothing in it (a stack emptied by its last step)."""
    if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
        folder.rmdir()
