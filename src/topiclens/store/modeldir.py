"""A model directory's life: who may write it, how a save replaces the previous one, what is ours.

A model directory holds ``topiclens.json`` (the manifest) and one data folder ``data-<token>/``
with the arrays it names. A save writes a new data folder beside the old one, then replaces the
manifest in one atomic rename: a reader (or a run killed at any moment) finds the old model or
the new one, complete, never neither. Only then are the previous data folder and stale unfinished
ones removed, and only folders topiclens recognises as its own: named as it names them and holding
nothing but the files it writes. Every other file in the directory (a report, the user's notes)
is left alone. While a command writes a model directory it
holds a lock on it (``.topiclens.lock``); a second writer is refused with the holder's pid.

A model directory may come from someone else, so nothing in it is trusted to point where it seems to:
a directory holding a symbolic link at a name topiclens writes (the lock, the manifest, the staging
files, ``edits/``, a data folder) is refused before anything is written, every file topiclens writes
there is created afresh without following a link (``O_EXCL``, ``O_NOFOLLOW``) and renamed into place,
and every folder it descends into is checked to be a real folder.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import ConfigError, ModelBusyError, ModelFileError
from ..io.files import NOFOLLOW, read_regular, write_atomic

MANIFEST = "topiclens.json"
LOCK = ".topiclens.lock"
EDITS = "edits"  # the undo stack (``io.edits``), with the redo stack in EDITS/REDO
REDO = "redo"
MANIFEST_LIMIT = 1 << 30  # bytes: a manifest holds topics, keywords and history, never arrays
MANIFEST_DEPTH = 64  # nesting: the deepest a manifest topiclens writes goes is about ten
DATA_PREFIX = "data-"
DATA_NAME = re.compile(r"data-\d{8}-\d{6}-\d+-\d{6}")
# The files a save writes (schema 1 kept them beside its manifest; they move into a data folder when saved again).
DATA_FILES = frozenset({"vocabulary.json", "ctfidf.npz", "embeddings.npy", "probabilities.npy", "centroids.npy",
                        "projection.npz", "layout.npy", "classic.npz", "sample.npy", "documents.parquet",
                        "learned_table.npy"})
# A data file on its way into place: being written (``files.create_beside``), or linked from the previous model.
DATA_STAGING = re.compile(r"\.(" + "|".join(map(re.escape, sorted(DATA_FILES))) + r")\.(link|[0-9a-f]{12}\.tmp)")
STEP = re.compile(r"[0-9a-f]{16}")


def parse_manifest(raw: bytes, path: Path) -> dict:
    """The JSON object in ``raw`` (the bytes of the manifest ``path``); anything else is a ModelFileError."""
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than the parser goes
        reason = "nested too deep" if isinstance(exc, RecursionError) else str(exc)
        raise ModelFileError(f"{path} is damaged ({reason}); fit the model again") from None
    if not isinstance(manifest, dict):
        raise ModelFileError(f"{path} is damaged (a JSON {type(manifest).__name__}, not an object); fit the model "
                             "again")
    if _depth(manifest) > MANIFEST_DEPTH:
        raise ModelFileError(f"{path} is damaged (nested more than {MANIFEST_DEPTH} deep); fit the model again")
    return manifest


def _depth(value: object) -> int:
    """How deep lists and objects nest in ``value`` (counted without recursion)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            if depth <= MANIFEST_DEPTH:
                pending.extend((child, depth + 1) for child in children)
    return deepest


def manifest_bytes(directory: Path) -> bytes:
    """The bytes of ``directory``'s manifest: a regular file, read without following a link."""
    return read_regular(Path(directory) / MANIFEST, MANIFEST_LIMIT)


def digest(raw: bytes) -> str:
    """What identifies one saved manifest (a save checks the model it replaces is the one it was loaded from)."""
    return hashlib.sha256(raw).hexdigest()


def current_digest(directory: Path) -> str | None:
    """The digest of ``directory``'s manifest now, or None when it has none that can be read."""
    try:
        return digest(manifest_bytes(directory))
    except (OSError, ModelFileError):
        return None


def is_model_directory(directory: Path) -> bool:
    """True when ``directory`` holds a manifest topiclens wrote (it names its schema version)."""
    try:
        manifest = parse_manifest(manifest_bytes(directory), Path(directory) / MANIFEST)
    except (OSError, ModelFileError):
        return False
    return isinstance(manifest.get("schema_version"), int)


def written_paths(directory: Path) -> list[Path]:
    """The paths in ``directory`` that topiclens writes, removes or descends into: the lock, the manifest, its
    staging files, the data folders, ``edits/`` and everything in it."""
    directory = Path(directory)
    paths = [directory / LOCK, directory / MANIFEST, directory / EDITS]
    with contextlib.suppress(OSError):
        paths += [entry for entry in directory.iterdir()
                  if DATA_NAME.fullmatch(entry.name) or entry.name.startswith(f".{MANIFEST}.")]
    for folder in (directory / EDITS, directory / EDITS / REDO):
        if folder.is_dir() and not folder.is_symlink():
            paths += list(folder.iterdir())
    return paths


def check_links(directory: Path) -> None:
    """Refuse (ModelFileError) a model directory holding a symbolic link where topiclens writes: a directory
    received from someone else must not lead a write, a truncation or a removal outside itself."""
    for path in written_paths(directory):
        if path.is_symlink():
            raise ModelFileError(f"{path} is a symbolic link where topiclens writes: remove it (or copy the model "
                                 "without links); topiclens never writes through a link")
    for folder in (Path(directory) / EDITS, Path(directory) / EDITS / REDO):
        if folder.exists() and not folder.is_dir():
            raise ModelFileError(f"{folder} is not a folder: topiclens keeps its undo stack there; remove it")


def real_folder(folder: Path) -> Path:
    """``folder``, made if missing, checked to be a real folder (not a link to one elsewhere)."""
    with contextlib.suppress(FileExistsError):
        folder.mkdir()
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode):
        raise ModelFileError(f"{folder} is {'a symbolic link' if stat.S_ISLNK(info.st_mode) else 'not a folder'} "
                             "where topiclens keeps its files: remove it; topiclens never writes through a link")
    return folder


def require_model(directory: Path) -> None:
    """Raise unless ``directory`` holds a model that topiclens may change: no link where it writes
    (ModelFileError), and a manifest it wrote (ConfigError)."""
    if Path(directory).is_dir():
        check_links(directory)
    if not is_model_directory(directory):
        raise ConfigError(f"{directory} holds no topiclens model: give a directory a fitted model was saved to")


def check_target(directory: Path) -> None:
    """Raise ModelFileError unless a model can be saved to ``directory``; checked before any work.

    It may be missing, an empty directory, or a topiclens model directory; not a file, not a
    symbolic link, not a directory of other files.
    """
    directory = Path(directory)
    if directory.is_symlink():
        raise ModelFileError(f"{directory} is a symbolic link: give the real directory (or another one)")
    if directory.exists() and not directory.is_dir():
        raise ModelFileError(f"{directory} is a file, not a directory: choose another place for the model")
    if directory.is_dir():
        check_links(directory)
    if directory.is_dir() and not is_model_directory(directory):
        foreign = [p.name for p in directory.iterdir() if p.name != LOCK]
        if foreign:
            raise ModelFileError(f"{directory} exists and is not a topiclens model (it holds {foreign[0]}"
                                 f"{' and more' if len(foreign) > 1 else ''}): choose another directory")


_HELD: dict[tuple[Path, int], int] = {}  # (directory, thread) holding its lock, with a count (re-entrant)


@contextlib.contextmanager
def locked(directory: Path, purpose: str, *, create: bool = True) -> Iterator[None]:
    """Hold ``directory``'s write lock (creating the directory unless ``create`` is False); refuse at once if
    another process, or another thread of this one, holds it.

    The lock is the kernel's (``flock``): it goes away with the process that held it, even after
    ``kill -9``, so a crashed run never blocks the next one.
    """
    directory = Path(directory).resolve()
    key = (directory, threading.get_ident())
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    if create:
        directory.mkdir(parents=True, exist_ok=True)
    elif not directory.is_dir():
        raise ModelFileError(f"model directory not found: {directory} (was it moved or removed?)")
    check_links(directory)
    fd = _open_lock(directory / LOCK)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another process"
            raise ModelBusyError(f"{directory} is being written by {holder}: wait for it to finish, or choose "
                                 "another directory") from None
        os.ftruncate(fd, 0)
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        os.pwrite(fd, f"pid {os.getpid()} ({purpose}, since {started})".encode(), 0)
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _open_lock(path: Path) -> int:
    """The lock file, opened without following a link: a regular file with no other name (truncating it must
    never truncate anything else)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ModelFileError(f"{path} is a symbolic link where topiclens writes: remove it; topiclens never "
                                 "writes through a link") from None
        raise
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(fd)
        raise ModelFileError(f"{path} is not the lock file topiclens makes (a special file, or a hard link to "
                             "another file): remove it")
    return fd


def new_generation(directory: Path) -> Path:
    """A fresh data folder in ``directory`` for the next save to fill."""
    token = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 1_000_000:06d}"
    data = directory / f"{DATA_PREFIX}{token}"
    data.mkdir()
    return data


def is_our_data_folder(entry: Path) -> bool:
    """Named as topiclens names data folders, holding only files a save writes (or nothing, if killed early; or a
    file on its way into place, if killed while writing or linking it)."""
    if not (entry.is_dir() and not entry.is_symlink() and DATA_NAME.fullmatch(entry.name)):
        return False
    return all(child.is_file() and not child.is_symlink()
               and (child.name in DATA_FILES or DATA_STAGING.fullmatch(child.name)) for child in entry.iterdir())


def new_step() -> str:
    """A token naming one step of a model's life (a fit, an edit): a manifest carries it as ``step``, and each
    kept manifest names the step that replaced it (``io.edits``)."""
    return secrets.token_hex(8)


def step_of(raw: bytes, manifest: dict) -> str:
    """The step the manifest ``raw`` (parsed: ``manifest``) is: its ``step``, or for a manifest written before
    steps were recorded, the start of its digest."""
    step = manifest.get("step")
    return step if isinstance(step, str) and STEP.fullmatch(step) else digest(raw)[:16]


def commit(directory: Path, manifest: dict, data: Path, keep: frozenset[str] | None, step: str) -> str:
    """Make ``data`` the model: write the manifest naming it and the ``step`` it is (one atomic rename), then
    tidy up; returns the new manifest's :func:`digest`.

    Removed afterwards: data folders topiclens made that the manifest no longer names (the previous
    one, or one left unfinished by a killed save), unless ``keep`` names them (the undo and redo stacks';
    None: keep them all), and the array files a schema-1 or -2 model kept beside its manifest. Nothing else.
    """
    _fsync_tree(data)
    previous = _previous_manifest(directory)
    raw = json.dumps({**manifest, "data": data.name, "step": step}, ensure_ascii=False, indent=1).encode("utf-8")
    write_atomic(directory / MANIFEST, lambda out: out.write(raw), binary=True)
    _fsync_dir(directory)
    for entry in directory.iterdir():
        if entry != data and keep is not None and entry.name not in keep and is_our_data_folder(entry):
            shutil.rmtree(entry, ignore_errors=True)
        elif _is_staging(entry):
            entry.unlink(missing_ok=True)
    if previous is not None and "data" not in previous:  # schemas 1 and 2 kept the arrays beside it
        for name in DATA_FILES:
            path = directory / name
            if path.is_file() and not path.is_symlink():
                path.unlink()
    return digest(raw)


def _is_staging(entry: Path) -> bool:
    """A manifest being written (left by a killed save): a regular file named as the staging files are."""
    return entry.name.startswith(f".{MANIFEST}.") and entry.name.endswith(".tmp") and entry.is_file() \
        and not entry.is_symlink()


def data_folder(directory: Path, manifest: dict) -> Path:
    """Where the manifest's arrays are: its data folder, or beside it (schemas 1 and 2)."""
    name = manifest.get("data")
    if name is None:
        return directory
    if not isinstance(name, str) or not DATA_NAME.fullmatch(name):
        raise ModelFileError(f"{directory / MANIFEST} names an invalid data folder {name!r}: fit the model again")
    folder = directory / name
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise ModelFileError(f"{folder} is not a real folder of the model (a symbolic link?): fit the model again")
    return folder


def _previous_manifest(directory: Path) -> dict | None:
    try:
        return parse_manifest(manifest_bytes(directory), directory / MANIFEST)
    except (OSError, ModelFileError):
        return None


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
