"""The SQLite files behind the caches: opened safely by several processes, failures told in one line."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import TopicLensError


class CacheError(TopicLensError, OSError):
    """A cache file cannot be read or written (a full disk, a damaged file, no permission)."""


@contextmanager
def cache_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's failures on ``path`` into a CacheError that says what to do."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise CacheError(f"the cache {path} cannot be used ({exc}): free some space, or remove the file if it is "
                         "damaged (it only holds cached results), or set $TOPICLENS_CACHE to another directory") \
            from None


def open_shared_database(path: Path, schema: str, *, attempts: int = 40) -> sqlite3.Connection:
    """A SQLite connection in WAL mode with ``schema`` created, safe when several processes open it at once.

    Switching a new file to WAL needs a moment alone with it, and SQLite does not wait for that
    (it answers "database is locked" at once), so two Dask workers creating the same cache would
    fail: the switch is tried again with growing pauses. Reads and writes then wait up to 60 s.
    """
    with cache_errors(path):
        for attempt in range(attempts):
            db = sqlite3.connect(path, timeout=60, check_same_thread=False)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(schema)
                return db
            except sqlite3.OperationalError as exc:
                db.close()
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(min(0.05 * (attempt + 1), 1.0))
    raise CacheError(f"{path} stays locked by another process: close the other topiclens run or remove "
                     "the file (it is a cache)")
