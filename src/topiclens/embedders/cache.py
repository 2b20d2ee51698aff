"""Document embeddings through an on-disk cache, and precomputed embeddings.

The cache is a SQLite file per model, keyed by the text hash. Embedding writes each batch
as it finishes, so an interrupted run resumes where it stopped and a second run on the same
corpus embeds nothing.

A document longer than the embedding model reads can be read whole (``whole=True``): cut at sentence ends into
passages the model reads (:mod:`topiclens.core.passages`), each embedded (and cached) on its own, and the
document's vector is theirs summed with the k-th passage (from 1) weighted by its length over k
(:func:`passage_weights`): the beginning, which says what a document is, counts most, and the rest adds to it.
On two corpora of long documents this found better topics than the beginning alone, and the plain mean of the
passages worse ones (``bench/bench_long_documents.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path

import numpy as np

from ..core.cachedb import cache_errors, open_shared_database
from ..core.errors import ConfigError
from ..core.passages import estimate_pieces, passage_spans
from ..core.runtime import cache_dir, progress
from ..io.corpus import text_hash
from ..io.rowfiles import blocks, float_rows, release_pages, write_row_parts
from ..stages.protocols import Embedder
from .common import passage_budget, reads_whole


class EmbeddingCache:
    """SQLite store of vectors keyed by text hash, one file per embedding model."""

    def __init__(self, model_name: str, directory: str | Path | None = None) -> None:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_name)[-120:]
        root = Path(directory) if directory is not None else cache_dir() / "embeddings"
        root.mkdir(parents=True, exist_ok=True)
        self.path = root / f"{safe}.sqlite"
        self._db = open_shared_database(self.path, "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, "
                                                   "vector BLOB)")

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 900):
            chunk = unique[start:start + 900]
            marks = ",".join("?" * len(chunk))
            with cache_errors(self.path):
                rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk).fetchall()
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        rows = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in zip(keys, vectors)]
        with cache_errors(self.path), self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)

    def close(self) -> None:
        self._db.close()


def embed_texts(texts: Sequence[str], embedder: Embedder, *, cache: bool | str | Path = True,
                chunk_size: int = 256, verbose: bool = True, desc: str = "embedding", whole: bool = False,
                max_passages: int | None = None, out: Path | None = None) -> np.ndarray:
    """Embed texts through the cache: only texts never seen by this model are computed.

    ``whole``: a text longer than the model reads is embedded from all its passages (see the module's docstring;
    False, the default: as the model reads it, its beginning), or from its first ``max_passages``. ``out``: for an
    embedder faster than the cache (``cacheable = False``) and no long text read whole, the vectors are written
    into that ``.npy`` file and come back memory-mapped from it (a million rows need not stay resident).
    """
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    fits = reads_whole(embedder) if whole else None
    if fits is not None:
        long = [i for i, text in enumerate(texts) if not fits(text)]
        if long:
            return _embed_long(texts, long, embedder, cache=cache, chunk_size=chunk_size, verbose=verbose,
                               desc=desc, max_passages=max_passages)
    if not getattr(embedder, "cacheable", True):  # faster to compute than to look up (a table product)
        return _embed_uncached(texts, embedder, chunk_size=max(chunk_size, UNCACHED_CHUNK), verbose=verbose,
                               desc=desc, out=out)
    keys = [text_hash(t) for t in texts]
    store = None
    if cache:
        store = EmbeddingCache(embedder.name, None if cache is True else cache)
    known = store.get(keys) if store else {}
    todo = list(dict.fromkeys(k for k in keys if k not in known))
    first_text = dict(zip(keys, texts))
    # Sort by length so batches hold texts of similar size (less padding).
    todo.sort(key=lambda k: len(first_text[k]))
    with progress(total=len(set(keys)), initial=len(set(keys)) - len(todo), desc=desc,
                  unit="doc", disable=not verbose) as bar:
        for start in range(0, len(todo), chunk_size):
            chunk = todo[start:start + chunk_size]
            vectors = embedder.encode([first_text[k] for k in chunk])
            if store:
                store.put(chunk, vectors)
            known.update(zip(chunk, vectors))
            bar.update(len(chunk))
    if store:
        store.close()
    return np.stack([known[k] for k in keys]).astype(np.float32, copy=False)


UNCACHED_CHUNK = 4_096  # texts a fast embedder with no cache takes at a time


def _embed_uncached(texts: Sequence[str], embedder: Embedder, *, chunk_size: int, verbose: bool,
                    desc: str, out: Path | None = None) -> np.ndarray:
    """Embed ``texts`` in chunks of ``chunk_size``, with no cache (for an embedder faster than the cache); into the
    ``.npy`` file ``out`` when given, written chunk by chunk and returned memory-mapped."""
    with progress(total=len(texts), desc=desc, unit="doc", disable=not verbose) as bar:
        def parts() -> Iterator[np.ndarray]:
            for start in range(0, len(texts), chunk_size):
                part = np.asarray(embedder.encode(texts[start:start + chunk_size]), dtype=np.float32)
                bar.update(len(part))
                yield part

        chunks = parts()
        first = next(chunks)  # ``texts`` is never empty here
        shape = (len(texts), first.shape[1])
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            write_row_parts(out, chain([first], chunks), shape)
            return np.load(out, mmap_mode="r")
        vectors = np.empty(shape, dtype=np.float32)
        filled = 0
        for part in chain([first], chunks):
            vectors[filled:filled + len(part)] = part
            filled += len(part)
    return vectors


LONG_CHUNK = 20_000  # long documents embedded at a time (their passages' vectors held at once)


def passage_weights(passages: Sequence[str]) -> list[float]:
    """How much each of a document's passages counts in its vector: its length in word pieces over its place
    (1 for the first)."""
    return [max(1, estimate_pieces(text)) / place for place, text in enumerate(passages, start=1)]


def _embed_long(texts: Sequence[str], long: list[int], embedder: Embedder, *, cache: bool | str | Path,
                chunk_size: int, verbose: bool, desc: str, max_passages: int | None = None) -> np.ndarray:
    """Embed ``texts`` whose rows ``long`` are longer than ``embedder`` reads: those from their (first
    ``max_passages``) passages' vectors, weighted by :func:`passage_weights`, the direction of the sum;
    :data:`LONG_CHUNK` long documents at a time, so that only their passages' vectors are held at once."""
    budget = passage_budget(embedder)
    options = dict(cache=cache, chunk_size=chunk_size, verbose=verbose, whole=False)
    vectors: np.ndarray | None = None
    starts = range(0, len(long), LONG_CHUNK)
    for number, first in enumerate(starts, start=1):
        part = long[first:first + LONG_CHUNK]
        pieces: list[str] = []
        owners: list[int] = []
        weights: list[float] = []
        for row, i in enumerate(part):
            parts = [texts[i][start:end] for start, end in passage_spans(texts[i], budget)][:max_passages]
            pieces += parts
            owners += [row] * len(parts)
            weights += passage_weights(parts)
        which = f", part {number} of {len(starts)}" if len(starts) > 1 else ""
        passages = embed_texts(pieces, embedder, desc=f"{desc} ({len(pieces):,} passages of {len(part):,} long "
                               f"documents{which})", **options)
        if vectors is None:
            vectors = np.zeros((len(texts), passages.shape[1]), dtype=np.float32)
        means = np.zeros((len(part), passages.shape[1]))
        np.add.at(means, np.array(owners), passages * np.array(weights)[:, None])
        vectors[part] = means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
    assert vectors is not None  # ``long`` is never empty here
    short = np.setdiff1d(np.arange(len(texts)), long)
    if len(short):
        vectors[short] = embed_texts([texts[i] for i in short], embedder, desc=desc, **options)
    return vectors


def load_embeddings(source: np.ndarray | str | Path, n_docs: int) -> np.ndarray:
    """Precomputed embeddings from an array or an .npy file, checked against the corpus size."""
    what = "the embeddings"
    if isinstance(source, (str, Path)):
        path = Path(source)
        what = str(path)
        if path.suffix != ".npy":
            raise ConfigError(f"embeddings must be a .npy file, not {path.name}: save them with numpy.save")
        if not path.is_file():
            raise ConfigError(f"embeddings file not found: {path}")
        try:
            source = np.load(path, allow_pickle=False, mmap_mode="r")
        except (ValueError, OSError, EOFError) as exc:
            raise ConfigError(f"{path} is not a numeric .npy array ({exc}): save the embeddings with "
                              "numpy.save(path, vectors.astype('float32'))") from None
    try:
        array = float_rows(source)  # float16 and float32 files stay memory-mapped as they are
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{what} are not numbers ({exc}): give a float array, one row per document") from None
    if array.ndim != 2:
        raise ConfigError(f"embeddings must be 2-D (documents x dimensions), got shape {array.shape}")
    if array.shape[0] != n_docs:
        raise ConfigError(f"{array.shape[0]} embeddings for {n_docs} documents: give one row per document")
    for start, stop in blocks(len(array)):  # in blocks: a memory-mapped million rows stays mapped
        finite = np.isfinite(array[start:stop]).all()
        release_pages(array)
        if not finite:
            raise ConfigError(f"{what} contain NaN or infinity: recompute them")
    return array


def zero_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows with no direction (all zeros): they cannot be placed by cosine similarity."""
    zero = np.zeros(len(vectors), dtype=bool)
    for start, stop in blocks(len(vectors)):
        zero[start:stop] = np.abs(vectors[start:stop]).max(axis=1, initial=0.0) == 0
        release_pages(vectors)
    return zero


class DocumentEncoder:
    """An embedder with the cache and progress settings of one model: texts in, float32 rows out."""

    def __init__(self, embedder: Embedder, *, cache: bool | str | Path = True, verbose: bool = True,
                 whole: bool = False, max_passages: int | None = None) -> None:
        self.embedder = embedder
        self.cache = cache
        self.verbose = verbose
        self.whole = whole  # a text longer than the model reads: from all its passages (embed_texts)
        self.max_passages = max_passages  # ... or from its first max_passages passages

    def encode(self, texts: Sequence[str], desc: str = "embedding", out: Path | None = None) -> np.ndarray:
        return embed_texts(texts, self.embedder, cache=self.cache, verbose=self.verbose, desc=desc, whole=self.whole,
                           max_passages=self.max_passages, out=out)

    def reading_whole(self, whole: bool = True) -> DocumentEncoder:
        """This encoder reading long texts whole (``whole=True``) or by their beginning."""
        return DocumentEncoder(self.embedder, cache=self.cache, verbose=self.verbose, whole=whole,
                               max_passages=self.max_passages)
