"""all-MiniLM-L6-v2 run by onnxruntime: an fp32 ONNX export of the bundled model, and its int8 quantization.

The graph holds the whole sentence-transformers pipeline (BERT, mean pooling over the attention
mask, L2 normalisation), so a run returns the sentence vectors. Both files are built at first use
into ``<cache>/models`` (about 10 s on 2 cores) and reused after.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import numpy as np

from ..core.errors import MissingDependencyError
from ..core.runtime import default_threads
from .common import (
    EmbedderSettings,
    bundled_minilm_path,
    cut,
    length_sorted_batches,
    load_or_build,
    minilm_tokenizer,
    models_dir,
    one_load_at_a_time,
)

MODEL_ID = "all-MiniLM-L6-v2"
RECIPE = "v1"  # bump when the export or quantization changes: it renames the files and the cache key
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
DIM = 384
T = TypeVar("T")


def _onnxruntime():
    try:
        import onnxruntime
    except ImportError as exc:
        raise MissingDependencyError("the ONNX embedders (minilm-onnx, minilm-int8) need onnxruntime and onnx: "
                                     "pip install onnxruntime onnx") from exc
    return onnxruntime


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the exporter's deprecation notes and the quantizer's advice for the length of a build."""
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous)


def export_onnx(model_dir: Path, out: Path) -> None:
    """Trace BERT + mean pooling + L2 normalisation into an fp32 ONNX graph with dynamic batch and length."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager", local_files_only=True).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    example = torch.ones(2, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "length"} for name in INPUTS}
    with _quiet(), torch.no_grad():
        torch.onnx.export(Pooled(bert), (example, example, torch.zeros_like(example)), str(out),
                          input_names=list(INPUTS), output_names=["embedding"],
                          dynamic_axes={**axes, "embedding": {0: "batch"}}, opset_version=17, dynamo=False)


def quantize_int8(fp32: Path, out: Path) -> None:
    """Dynamic int8 quantization: int8 weights per output channel, activations quantized on the fly."""
    _onnxruntime()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet():
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)


def _check_onnx(path: Path) -> Path:
    """Raise if ``path`` is not a complete ONNX model."""
    try:
        import onnx
    except ImportError as exc:
        raise MissingDependencyError("building minilm-onnx/minilm-int8 needs onnx: pip install onnx") from exc
    onnx.load(str(path), load_external_data=False)
    return path


def onnx_file(quantized: bool, directory: Path | None = None) -> Path:
    """Where the built fp32 or int8 model lives (by default in the cache directory)."""
    return (directory or models_dir()) / f"{MODEL_ID}.{'int8' if quantized else 'fp32'}.{RECIPE}.onnx"


def onnx_session(model_dir: Path, quantized: bool, open_session: Callable[[Path], T],
                 directory: Path | None = None) -> T:
    """Open the built ONNX model (fp32 or int8), building it first (and the fp32 export int8 starts from)."""
    fp32 = onnx_file(False, directory)

    def build_fp32(tmp: Path) -> None:
        export_onnx(model_dir, tmp)

    if not quantized:
        return load_or_build(fp32, build_fp32, open_session, "ONNX export of all-MiniLM-L6-v2", "a few seconds")

    def build_int8(tmp: Path) -> None:
        load_or_build(fp32, build_fp32, _check_onnx, "ONNX export of all-MiniLM-L6-v2", "a few seconds")
        quantize_int8(fp32, tmp)

    return load_or_build(onnx_file(True, directory), build_int8, open_session,
                         "int8 all-MiniLM-L6-v2", "about 5 s")


class OnnxMiniLMEmbedder(EmbedderSettings):
    """The bundled all-MiniLM-L6-v2 through onnxruntime, fp32 (``minilm-onnx``) or int8 (``minilm-int8``).

    Texts are sorted by length before batching (each batch is padded to its own longest text) and
    the vectors come back in input order. ``threads`` batches run at once, each on one core: for a
    model this small that beats splitting every matrix product over the cores (3.5x rather than
    2.4x fp32's speed with batches of 8 on 2 cores: bench/bench_embed.py). Output: unit-norm float32 rows
    of 384 dimensions.
    """

    default_batch_size = 8

    def __init__(self, quantized: bool = True, *, batch_size: int = default_batch_size, max_seq_length: int = 256,
                 threads: int | None = None) -> None:
        _onnxruntime()
        self.model_dir = bundled_minilm_path()
        self.quantized = quantized
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.threads = threads
        self.name = f"onnx-{'int8' if quantized else 'fp32'}:{MODEL_ID}:{max_seq_length}:{RECIPE}"
        self.path = onnx_file(quantized)
        self._session = None
        self._tokenizer = None

    def settings(self) -> dict:
        return {"quantized": self.quantized, "batch_size": self.batch_size, "max_seq_length": self.max_seq_length}

    def __getstate__(self) -> dict:
        """Copies and pickles (deepcopy, Dask) leave the loaded session behind; it reloads on first use."""
        return {**self.__dict__, "_session": None, "_tokenizer": None}

    @one_load_at_a_time
    def _load(self):
        if self._session is None:
            ort = _onnxruntime()
            threads = self.threads or default_threads()

            def session(path: Path):
                options = ort.SessionOptions()
                options.intra_op_num_threads = 1  # parallel over batches instead (see the class doc)
                options.inter_op_num_threads = 1
                options.log_severity_level = 3
                return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

            self._session = onnx_session(self.model_dir, self.quantized, session, self.path.parent)
            self._tokenizer = minilm_tokenizer(self.model_dir, self.max_seq_length, pad=True, threads=threads)
        return self._session, self._tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        session, tokenizer = self._load()
        texts = cut(texts, self.max_seq_length)
        out = np.zeros((len(texts), DIM), dtype=np.float32)

        def run(idx: np.ndarray) -> None:
            encodings = tokenizer.encode_batch([texts[i] for i in idx])
            feed = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            }
            out[idx] = session.run(None, feed)[0]  # onnxruntime releases the GIL while it runs

        batches = list(length_sorted_batches(texts, self.batch_size))
        workers = min(self.threads or default_threads(), len(batches))
        if workers <= 1:
            for idx in batches:
                run(idx)
        else:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(run, batches))  # list() re-raises a worker's error here
        return out
