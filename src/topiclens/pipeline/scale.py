"""Chunked work for big corpora: executors (in-process or Dask) and resumable chunk checkpoints.

A step is split into chunks, each handled by a pure function of its inputs. The same
functions run in this process or on a Dask cluster, so both paths give the same result for
the same seed and sample. A :class:`ChunkStore` keeps each finished chunk on disk, so an
interrupted run skips the chunks it already finished.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.errors import ConfigError, require
from ..core.runtime import progress
from ..io.rowfiles import blocks


def chunk_ranges(n: int, chunk_size: int) -> list[tuple[int, int]]:
    """[start, stop) ranges that cover 0..n in steps of chunk_size."""
    if chunk_size < 1:
        raise ConfigError(f"chunk_size must be at least 1, got {chunk_size}")
    return list(blocks(n, chunk_size))


class ChunkStore:
    """Finished chunks of one step as .npz files under ``directory/step/``; written atomically."""

    def __init__(self, directory: str | Path | None) -> None:
        self.directory = Path(directory) if directory is not None else None

    def path(self, step: str, index: int) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / step / f"part-{index:05d}.npz"

    def load(self, step: str, index: int) -> dict[str, np.ndarray] | None:
        path = self.path(step, index)
        if path is None or not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except (OSError, ValueError):
            return None  # a damaged checkpoint is computed again

    def save(self, step: str, index: int, arrays: dict[str, np.ndarray]) -> None:
        path = self.path(step, index)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + f".{os.getpid()}.tmp")
        with open(partial, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(partial, path)


class LocalExecutor:
    """Runs chunk functions one after another in this process."""

    name = "local"

    def map(self, fn: Callable[..., dict[str, np.ndarray]], items: Iterable[tuple], *,
            shared: dict[str, Any] | None = None) -> Iterator[dict[str, np.ndarray]]:
        for item in items:
            yield fn(*item, **(shared or {}))


class DaskExecutor:
    """Runs chunk functions on a dask.distributed cluster; large shared inputs are sent once."""

    def __init__(self, client) -> None:
        self.client = client
        self.name = f"dask:{getattr(client, 'scheduler_info', lambda: {})().get('address', '?')}"

    def map(self, fn, items, *, shared=None):
        shared = dict(shared or {})
        if shared:
            # Broadcast each large input to every worker once, not once per task.
            shared = {k: self.client.scatter(v, broadcast=True) for k, v in shared.items()}
        futures = [self.client.submit(fn, *item, **shared, pure=False) for item in items]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.release()


def make_executor(client) -> LocalExecutor | DaskExecutor:
    """None: this process; a dask Client, or a scheduler address such as tcp://host:8786."""
    if client is None:
        return LocalExecutor()
    if isinstance(client, str):
        address = client
        if address not in _CLIENTS:
            distributed = require("dask.distributed", "dask", "running on a Dask cluster")
            try:
                _CLIENTS[address] = distributed.Client(address, timeout="20s")
            except OSError as exc:
                raise ConfigError(f"cannot reach the Dask scheduler at {address} ({exc}): start it with "
                                  "'dask scheduler' and workers with 'dask worker ADDRESS'") from None
        client = _CLIENTS[address]
    return DaskExecutor(client)


_CLIENTS: dict[str, Any] = {}  # one connection per scheduler address in this process


def close_clients() -> None:
    """Close the connections opened from scheduler addresses."""
    while _CLIENTS:
        _, client = _CLIENTS.popitem()
        client.close()


def run_chunks(step: str, fn: Callable[..., dict[str, np.ndarray]], n_chunks: int, make_item: Callable[[int], tuple],
               *, executor, store: ChunkStore, shared: dict[str, Any] | None = None, verbose: bool = True,
               unit: str = "doc", sizes: Sequence[int] | None = None) -> list[dict[str, np.ndarray]]:
    """Every chunk's result, in order: checkpoints first, the rest computed (and checkpointed).

    ``make_item(i)`` builds chunk i's arguments only when the chunk is about to run.
    """
    results: list[dict[str, np.ndarray] | None] = [store.load(step, i) for i in range(n_chunks)]
    todo = [i for i, r in enumerate(results) if r is None]
    weights = list(sizes) if sizes is not None else [1] * n_chunks
    done = sum(weights[i] for i in range(n_chunks) if results[i] is not None)
    with progress(total=sum(weights), initial=done, desc=step, unit=unit, disable=not verbose) as bar:
        for i, result in zip(todo, executor.map(fn, (make_item(i) for i in todo), shared=shared)):
            store.save(step, i, result)
            results[i] = result
            bar.update(weights[i])
    return results  # type: ignore[return-value]


def fingerprint(*parts: Any) -> str:
    """A short stable hash of JSON-able parts and arrays (keys a run's checkpoints)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(str((part.shape, part.dtype)).encode())
            digest.update(np.ascontiguousarray(part).tobytes())
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]
