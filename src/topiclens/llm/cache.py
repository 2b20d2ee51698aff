"""Every LLM answer on disk (SQLite), keyed by backend, model, full prompt and parameters.

Each answer is committed as soon as it arrives, so a crash or kill loses nothing that was
finished and a second run makes no LLM call at all.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

from ..core.cachedb import cache_errors, open_shared_database
from ..core.runtime import cache_dir


def answer_key(backend: str, model: str, prompt: Any, params: dict[str, Any]) -> str:
    payload = json.dumps([backend, model, prompt, params], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AnswerCache:
    """A thread-safe SQLite map from answer_key to the answer text."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else cache_dir() / "llm-answers.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = open_shared_database(self.path, "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, backend "
                                        "TEXT, model TEXT, prompt TEXT, params TEXT, answer TEXT, created REAL)")
        self._db.isolation_level = None  # autocommit: each answer is on disk as soon as it is put
        with cache_errors(self.path):
            self._db.execute("PRAGMA synchronous=NORMAL")

    def get(self, key: str) -> str | None:
        with self._lock, cache_errors(self.path):
            row = self._db.execute("SELECT answer FROM answers WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def put(self, key: str, backend: str, model: str, prompt: Any, params: dict[str, Any], answer: str) -> None:
        with self._lock, cache_errors(self.path):
            self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (key, backend, model, json.dumps(prompt, ensure_ascii=False),
                              json.dumps(params, sort_keys=True), answer, time.time()))

    def __len__(self) -> int:
        with self._lock, cache_errors(self.path):
            return self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        self._db.close()
