"""Writing files so that nothing is half-written, nothing foreign is touched, and the umask is honoured."""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..core.errors import ConfigError, ModelFileError

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def create_beside(path: Path) -> tuple[int, str]:
    """A new empty file in ``path``'s folder, open for writing: ``(descriptor, name)``.

    Created with mode 0666 for the system to take the umask (and a default ACL) off, as for any new file:
    ``mkstemp`` would make it 0600, and reading the umask to chmod the file races with other threads.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        staging = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(staging, flags, 0o666), str(staging)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def write_atomic(path: Path, write: Callable[[IO], None], *, binary: bool = False) -> Path:
    """Write ``path`` through a temporary file beside it, renamed into place once complete.

    A reader sees the old file or the new one, never part of one; the new file gets the permissions
    the umask gives any new file (``mkstemp`` would make it private), without touching the process's umask.
    """
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path} is a directory: give a file name (e.g. {path / 'out'}{path.suffix or ''})")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = create_beside(path)
    try:
        with os.fdopen(handle, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""})) \
                as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(staging, path)
    finally:
        if os.path.exists(staging):
            os.unlink(staging)
    return path


def write_bytes_atomic(path: Path, content: bytes) -> Path:
    """``content`` as the file ``path``, through a new file beside it (never through a link at ``path``)."""
    return write_atomic(path, lambda out: out.write(content), binary=True)


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, read without following a link there and without waiting on a
    pipe or a device; a link, anything but a regular file, or more than ``limit`` bytes is a ModelFileError."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ModelFileError(f"{path} is a symbolic link: topiclens reads and writes its model files only "
                                 "where they are; replace the link with the file") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ModelFileError(f"{path} is not a regular file: remove it, or fit the model again")
        if info.st_size > limit:
            raise ModelFileError(f"{path} holds {info.st_size:,} bytes, more than the {limit:,} a model file of its "
                                 "kind can: it is not a model file topiclens wrote; fit the model again")
        content = handle.read(limit + 1)
    if len(content) > limit:
        raise ModelFileError(f"{path} holds more than the {limit:,} bytes a model file of its kind can: it is not a "
                             "model file topiclens wrote; fit the model again")
    return content


def create_new(path: Path) -> IO[bytes]:
    """A new file at ``path``, open for writing bytes: created here, never an existing file or a link's target."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    return os.fdopen(os.open(path, flags, 0o666), "wb")
