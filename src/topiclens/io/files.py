"""Writing files so that nothing is half-written, nothing foreign is touched, and the umask is honoured."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..errors import ConfigError


def create_beside(path: Path) -> tuple[int, str]:
    """A new empty file in ``path``'s folder, open for writing: ``(descriptor, name)``.

    Created with mode 0666 for the system to take the umask (and a default ACL) off, as for any new file:
    ``mkstemp`` would make it 0600, and reading the umask to chmod the file races with other threads.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
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
