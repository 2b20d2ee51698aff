"""Writing files so that nothing is half-written, nothing foreign is touched, and the umask is honoured."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..errors import ConfigError


def umask_mode(mode: int = 0o666) -> int:
    """``mode`` as the umask allows it (what ``open()`` would give a new file)."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def write_atomic(path: Path, write: Callable[[IO], None], *, binary: bool = False) -> Path:
    """Write ``path`` through a temporary file beside it, renamed into place once complete.

    A reader sees the old file or the new one, never part of one; the new file gets the permissions
    the umask gives any new file (``mkstemp`` alone would make it private).
    """
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path} is a directory: give a file name (e.g. {path / 'out'}{path.suffix or ''})")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""})) \
                as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(staging, umask_mode())
        os.replace(staging, path)
    finally:
        if os.path.exists(staging):
            os.unlink(staging)
    return path
