"""A model directory's life: who may write it, how a save replaces the previous one, what is ours.

A model directory holds ``topiclens.json`` (the manifest) and one data folder ``data-<token>/``
with the arrays it names. A save writes a new data folder beside the old one, then replaces the
manifest in one atomic rename: a reader (or a run killed at any moment) finds the old model or
the new one, complete, never neither. Only then are the previous data folder and stale unfinished
ones removed, and only folders topiclens recognises as its own: named as it names them and holding
nothing but the files it writes. Every other file in the directory (a report, the user's notes)
is left alone. While a command writes a model directory it
holds a lock on it (``.topiclens.lock``); a second writer is refused with the holder's pid.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import ModelFileError

MANIFEST = "topiclens.json"
LOCK = ".topiclens.lock"
DATA_PREFIX = "data-"
DATA_NAME = re.compile(r"data-\d{8}-\d{6}-\d+-\d{6}")
# The files a save writes (schema 1 kept them beside its manifest; they move into a data folder when saved again).
DATA_FILES = frozenset({"vocabulary.json", "ctfidf.npz", "embeddings.npy", "probabilities.npy", "centroids.npy",
                        "projection.npz", "layout.npy", "classic.npz", "sample.npy", "documents.parquet"})


def is_model_directory(directory: Path) -> bool:
    """True when ``directory`` holds a manifest topiclens wrote (it names its schema version)."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and isinstance(manifest.get("schema_version"), int)


def check_target(directory: Path) -> None:
    """Raise ModelFileError unless a model can be saved to ``directory``; checked before any work.

    It may be missing, an empty directory, or a topiclens model directory; not a file, not a
    symbolic link, not a directory of other files.
    """
    directory = Path(directory)
    if directory.is_symlink():
        raise ModelFileError(f"{directory} is a symbolic link: give the real directory (or another --out)")
    if directory.exists() and not directory.is_dir():
        raise ModelFileError(f"{directory} is a file, not a directory: choose another --out")
    if directory.is_dir() and not is_model_directory(directory):
        foreign = [p.name for p in directory.iterdir() if p.name != LOCK]
        if foreign:
            raise ModelFileError(f"{directory} exists and is not a topiclens model (it holds {foreign[0]}"
                                 f"{' and more' if len(foreign) > 1 else ''}): choose another --out")


_HELD: dict[Path, int] = {}  # directories this process holds the lock of, with a count (re-entrant)


@contextlib.contextmanager
def locked(directory: Path, purpose: str) -> Iterator[None]:
    """Hold ``directory``'s write lock (creating the directory); refuse at once if another process holds it.

    The lock is the kernel's (``flock``): it goes away with the process that held it, even after
    ``kill -9``, so a crashed run never blocks the next one.
    """
    directory = Path(directory).resolve()
    if directory in _HELD:
        _HELD[directory] += 1
        try:
            yield
        finally:
            _HELD[directory] -= 1
        return
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another process"
            raise ModelFileError(f"{directory} is being written by {holder}: wait for it to finish, or choose "
                                 "another --out") from None
        os.ftruncate(fd, 0)
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        os.pwrite(fd, f"pid {os.getpid()} ({purpose}, since {started})".encode(), 0)
        _HELD[directory] = 1
        try:
            yield
        finally:
            del _HELD[directory]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def new_generation(directory: Path) -> Path:
    """A fresh data folder in ``directory`` for the next save to fill."""
    token = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"
    data = directory / f"{DATA_PREFIX}{token}"
    data.mkdir()
    return data


def is_our_data_folder(entry: Path) -> bool:
    """Named as topiclens names data folders, holding only files a save writes (or nothing, if killed early)."""
    if not (entry.is_dir() and not entry.is_symlink() and DATA_NAME.fullmatch(entry.name)):
        return False
    return all(child.is_file() and child.name in DATA_FILES for child in entry.iterdir())


def commit(directory: Path, manifest: dict, data: Path, keep: frozenset[str] = frozenset()) -> None:
    """Make ``data`` the model: write the manifest naming it (one atomic rename), then tidy up.

    Removed afterwards: data folders topiclens made that the manifest no longer names (the previous
    one, or one left unfinished by a killed save), unless ``keep`` names them (an edit's undo stack),
    and the array files a schema-1 or -2 model kept beside its manifest. Nothing else.
    """
    _fsync_tree(data)
    previous = _previous_manifest(directory)
    staging = directory / f".{MANIFEST}.{data.name}.tmp"
    with open(staging, "w", encoding="utf-8") as out:
        out.write(json.dumps({**manifest, "data": data.name}, ensure_ascii=False, indent=1))
        out.flush()
        os.fsync(out.fileno())
    os.replace(staging, directory / MANIFEST)
    _fsync_dir(directory)
    for entry in directory.iterdir():
        if entry != data and entry.name not in keep and is_our_data_folder(entry):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(f".{MANIFEST}.") and entry.name.endswith(".tmp"):
            entry.unlink(missing_ok=True)
    if previous is not None and "data" not in previous:  # schemas 1 and 2 kept the arrays beside it
        for name in DATA_FILES:
            (directory / name).unlink(missing_ok=True)


def data_folder(directory: Path, manifest: dict) -> Path:
    """Where the manifest's arrays are: its data folder, or beside it (schemas 1 and 2)."""
    name = manifest.get("data")
    if name is None:
        return directory
    if not isinstance(name, str) or not DATA_NAME.fullmatch(name):
        raise ModelFileError(f"{directory / MANIFEST} names an invalid data folder {name!r}: fit the model again")
    return directory / name


def _previous_manifest(directory: Path) -> dict | None:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    if sys.platform.startswith("win"):  # pragma: no cover - directories cannot be opened there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
