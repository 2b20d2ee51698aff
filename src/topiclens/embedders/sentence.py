"""A sentence-transformers model from a local directory (the bundled all-MiniLM-L6-v2 by default), loaded offline."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..core.errors import ConfigError, MissingDependencyError
from ..core.runtime import accelerator
from .common import DEFAULT_EMBEDDING_MODEL, EmbedderSettings, bundled_minilm_path, one_load_at_a_time


class SentenceTransformerEmbedder(EmbedderSettings):
    """A sentence-transformers model from a local directory, loaded offline."""

    def __init__(self, path: str | Path | None = None, *, batch_size: int = 64,
                 max_seq_length: int = 256, threads: int | None = None) -> None:
        self.source = None if path is None else str(path)  # None: the bundled all-MiniLM-L6-v2
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

    def settings(self) -> dict:
        return {"path": self.source, "batch_size": self.batch_size, "max_seq_length": self.max_seq_length}

    @one_load_at_a_time
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
            # The GPU when torch sees one (TOPICLENS_DEVICE=cpu keeps the CPU), else the CPU.
            self._model = SentenceTransformer(str(self.path), device=accelerator(), local_files_only=True)
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
