"""Local GGUF models through llama-cpp-python.

Chat messages go through the model's own chat template (from the GGUF) unless a built-in
raw format is named (llama-2, mistral, zephyr, chatml, few-shot). llama.cpp keeps the KV
cache of the previous prompt, so the shared prefix (system prompt + worked examples) is not
prefilled again for the next topic; ``reuse_prefix=False`` turns that off (for measuring).
"""

from __future__ import annotations

import atexit
import functools
import sys
import threading
from pathlib import Path

from ..core.errors import require
from ..core.runtime import default_threads, note, wanted_device
from .base import Backend, GenerationParams, LLMOptions, LLMUnavailable, loading_message
from .prompts import STOP, render


def import_llama_cpp():
    """The llama_cpp module, with its two /dev/null handles closed when the process exits.

    llama-cpp-python (0.3) opens /dev/null twice at import, to silence model loading, and never
    closes it, so Python reports two unclosed files at exit. Only loading a model uses them, and no
    model loads once exit has begun.
    """
    llama_cpp = require("llama_cpp", "llm", "local GGUF models")
    _close_null_files_at_exit()
    return llama_cpp


@functools.cache
def _close_null_files_at_exit() -> None:
    atexit.register(_close_null_files)


def _close_null_files() -> None:
    utils = sys.modules.get("llama_cpp._utils")
    for name in ("outnull_file", "errnull_file"):
        handle = getattr(utils, name, None)
        if handle is not None and not handle.closed:
            handle.close()


def gpu_layers(llama_cpp) -> int:
    """Layers to offload: all (-1) when this llama.cpp build can offload and TOPICLENS_DEVICE allows; else 0."""
    if wanted_device() == "cpu":
        return 0
    supports = getattr(llama_cpp, "llama_supports_gpu_offload", None)
    return -1 if supports is not None and bool(supports()) else 0


class LlamaCppLLM:
    backend = "llama-cpp"
    concurrency = 1

    def __init__(self, path: str | Path, *, threads: int | None = None, n_ctx: int = 4096,
                 chat_format: str | None = None, name: str | None = None, reuse_prefix: bool = True,
                 verbose: bool = False) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise LLMUnavailable(f"GGUF model not found: {self.path} (give the path of a .gguf file)")
        self.threads = threads or default_threads()
        self.n_ctx = n_ctx
        self.chat_format = chat_format
        if chat_format is not None:
            render([], chat_format)  # validates the name
        self.model = name or self.path.name
        self.reuse_prefix = reuse_prefix
        self.verbose = verbose
        self._llama = None
        self._lock = threading.Lock()

    def _load(self):
        if self._llama is None:
            llama_cpp = import_llama_cpp()
            if self.verbose:
                note(loading_message(self.model, "llama.cpp", self.path))
            try:
                self._llama = llama_cpp.Llama(model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.threads,
                                              n_threads_batch=self.threads, verbose=False, seed=0,
                                              n_gpu_layers=gpu_layers(llama_cpp))
            except (ValueError, RuntimeError) as exc:
                raise LLMUnavailable(f"llama.cpp could not load {self.path}: {exc}") from None
        return self._llama

    def complete(self, messages: list[dict[str, str]], params: GenerationParams) -> str:
        with self._lock:
            llama = self._load()
            if not self.reuse_prefix:
                llama.reset()
            common = dict(max_tokens=params.max_tokens, temperature=params.temperature, seed=params.seed,
                          top_k=1 if params.temperature == 0 else 40)
            if self.chat_format is None:
                out = llama.create_chat_completion(messages=messages, stop=list(params.stop) or None, **common)
                return out["choices"][0]["message"]["content"] or ""
            prompt = render(messages, self.chat_format)
            stop = list(params.stop) or STOP[self.chat_format]
            out = llama.create_completion(prompt=prompt, stop=stop, **common)
            return out["choices"][0]["text"] or ""

    def count_tokens(self, text: str) -> int:
        return len(self._load().tokenize(text.encode("utf-8"), add_bos=False))

    def measure_speed(self, messages: list[dict[str, str]], params: GenerationParams) -> tuple[float, float]:
        """A timing probe, not a label: (seconds to read the prompt, seconds a generated token).

        The prompt is read from scratch once with one token generated, then again (its tokens are in the
        KV cache now, so only generation costs) with up to nine; nothing is cached or counted as a call.
        """
        import time

        probe = GenerationParams(max_tokens=1, temperature=0.0, seed=params.seed, stop=params.stop)
        with self._lock:
            self._load().reset()
        clock = time.perf_counter()
        self.complete(messages, probe)
        read = max(time.perf_counter() - clock, 1e-6)
        clock = time.perf_counter()
        answer = self.complete(messages, GenerationParams(max_tokens=9, temperature=0.0, seed=params.seed))
        per_token = max(time.perf_counter() - clock, 0.0) / max(1, self.count_tokens(answer))
        return read, per_token


def from_spec(path: str, options: LLMOptions) -> LlamaCppLLM:
    """The model of a ``llama-cpp:PATH.gguf`` spec."""
    return LlamaCppLLM(path, threads=options.threads, n_ctx=options.n_ctx, chat_format=options.chat_format,
                       verbose=options.verbose)


BACKEND = Backend("llama-cpp", "llama-cpp:PATH.gguf", from_spec)
