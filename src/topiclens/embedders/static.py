"""minilm-static: a static embedding table distilled from the bundled all-MiniLM-L6-v2, the model2vec way.

Distillation (once, into ``<cache>/models``, under a minute on 2 cores, nothing downloaded):

1. every word piece of the vocabulary goes through the model on its own, as ``[CLS] piece [SEP]``,
   and the mean of the three output vectors (the model's mean pooling, before its L2
   normalisation, which measured worse here) is the piece's raw vector;
2. PCA reduces the raw vectors to ``dims`` (256) dimensions;
3. each row is weighted by how rare its piece is: the vocabulary lists word pieces roughly from
   frequent to rare, so a piece's rank there stands in for its frequency (Zipf's law,
   p(rank) ~ 1/rank), and the weight is SIF's a / (a + p): frequent pieces count less.
   Special and ``[unused]`` pieces get zero rows.

Encoding a text is a table look-up: its word pieces' rows are summed and the sum L2-normalised
(the direction of their mean), which is one sparse matrix product for a whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from pathlib import Path

import numpy as np

from ..core.runtime import default_threads, thread_limit
from .common import (
    EmbedderSettings,
    bundled_minilm_path,
    cut,
    load_or_build,
    minilm_tokenizer,
    models_dir,
    one_load_at_a_time,
)

MODEL_ID = "all-MiniLM-L6-v2"
RECIPE = "v1"  # bump when the distillation changes: it renames the file and the cache key
SIF_COEFFICIENT = 1e-4


def is_special_piece(token: str) -> bool:
    return token.startswith("[") and token.endswith("]")  # [PAD], [CLS], [SEP], [MASK], [UNK], [unused12]


def raw_token_vectors(model_dir: Path, batch_size: int = 1024) -> tuple[np.ndarray, list[str]]:
    """The model's mean-pooled output for every vocabulary piece on its own, and the vocabulary."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    tokenizer = minilm_tokenizer(model_dir, 8, pad=False)
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    tokens = [token for token, _ in vocab]
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    out = np.zeros((len(tokens), bert.config.hidden_size), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(tokens), batch_size):
            ids = torch.arange(start, min(start + batch_size, len(tokens)))
            batch = torch.stack([torch.full_like(ids, cls_id), ids, torch.full_like(ids, sep_id)], dim=1)
            hidden = bert(input_ids=batch, attention_mask=torch.ones_like(batch),
                          token_type_ids=torch.zeros_like(batch)).last_hidden_state
            out[start:start + len(ids)] = hidden.mean(1).numpy()
    return out, tokens


def distill(model_dir: Path, dims: int = 256, threads: int | None = None) -> np.ndarray:
    """The static table: PCA-reduced, rank-weighted vectors of every vocabulary piece (float32)."""
    import torch  # noqa: F401  (imported first, so that thread_limit caps its threads too)

    with thread_limit(threads):
        raw, tokens = raw_token_vectors(model_dir)
    keep = np.array([not is_special_piece(t) for t in tokens])
    centred = raw[keep] - raw[keep].mean(axis=0)
    # PCA through the SVD of the centred vectors (deterministic, no random initialisation).
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ components[:dims].T
    table = np.zeros((len(tokens), reduced.shape[1]), dtype=np.float32)
    table[keep] = (reduced * rank_weights(reduced.shape[0])[:, None]).astype(np.float32)  # order among kept pieces
    return table


def rank_weights(count: int) -> np.ndarray:
    """SIF's weight a / (a + p) of the pieces at vocabulary ranks 1..``count``, p from Zipf's law (p ~ 1/rank)."""
    rank = np.arange(1, count + 1, dtype=np.float64)
    probability = (1.0 / rank) / (1.0 / rank).sum()
    return SIF_COEFFICIENT / (SIF_COEFFICIENT + probability)


def piece_counts(tokenizer, texts: Sequence[str], max_seq_length: int, vocabulary: int):
    """A sparse (texts x vocabulary) matrix of how often each word piece occurs in each text, as the model reads
    it (at most ``max_seq_length`` pieces, no [CLS] or [SEP])."""
    from scipy.sparse import csr_matrix

    encodings = tokenizer.encode_batch(cut(texts, max_seq_length), add_special_tokens=False)
    lengths = np.array([len(e.ids) for e in encodings], dtype=np.int64)
    ids = np.fromiter(chain.from_iterable(e.ids for e in encodings), dtype=np.int64, count=int(lengths.sum()))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    return csr_matrix((np.ones(len(ids), dtype=np.float32), ids, indptr), shape=(len(texts), vocabulary))


def pooled(counts, table: np.ndarray) -> np.ndarray:
    """Each text's pieces' rows summed and L2-normalised (a text with no known piece: a zero row)."""
    vectors = np.asarray(counts @ table, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class StaticEmbedder(EmbedderSettings):
    """``minilm-static``: word-piece vectors distilled from all-MiniLM-L6-v2, averaged per text.

    About 200 times faster than the transformer; no batching or length sorting is needed
    (no padding: a batch is one sparse product). Output: unit-norm float32 rows of ``dims`` dimensions
    (a text with no known word piece gives a zero row).
    """

    def __init__(self, *, dims: int = 256, max_seq_length: int = 256, threads: int | None = None) -> None:
        self.model_dir = bundled_minilm_path()
        self.dims = dims
        self.max_seq_length = max_seq_length
        self.threads = threads
        self.name = f"static:{MODEL_ID}:{dims}:{max_seq_length}:{RECIPE}"
        self.path = models_dir() / f"{MODEL_ID}.static{dims}.{RECIPE}.npy"
        self._table: np.ndarray | None = None
        self._tokenizer = None

    def settings(self) -> dict:
        return {"dims": self.dims, "max_seq_length": self.max_seq_length}

    @one_load_at_a_time
    def _load(self) -> tuple[np.ndarray, object]:
        if self._table is None:
            vocab_size = minilm_tokenizer(self.model_dir, 8, pad=False).get_vocab_size()

            def build(tmp: Path) -> None:
                with open(tmp, "wb") as handle:
                    np.save(handle, distill(self.model_dir, self.dims, self.threads))

            def load(path: Path) -> np.ndarray:
                table = np.load(path, allow_pickle=False)
                if table.shape != (vocab_size, self.dims) or not np.isfinite(table).all():
                    raise ValueError(f"unexpected table shape {table.shape}")
                return table

            self._table = load_or_build(self.path, build, load, "static MiniLM table", "0.5 to 3 minutes")
            self._tokenizer = minilm_tokenizer(self.model_dir, self.max_seq_length, pad=False,
                                               threads=self.threads or default_threads())
        return self._table, self._tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        table, tokenizer = self._load()
        return pooled(piece_counts(tokenizer, texts, self.max_seq_length, table.shape[0]), table)
