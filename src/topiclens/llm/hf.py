"""Local Hugging Face models through transformers' text generation.

On a CUDA GPU with bitsandbytes installed the model loads in 4 bit (nf4, double
quantization, bfloat16 compute) — the usual recipe for Llama-2-13b-chat. On a CPU it loads
unquantized and needs no bitsandbytes. A GGUF file is accepted too (``hf:DIR/FILE.gguf``),
which transformers dequantizes on load.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..core.errors import require
from ..core.runtime import accelerator, default_threads, note
from .base import Backend, GenerationParams, LLMOptions, LLMUnavailable, loading_message
from .prompts import render


class TransformersLLM:
    backend = "hf"
    concurrency = 1

    def __init__(self, path: str | Path, *, threads: int | None = None, chat_format: str | None = None,
                 verbose: bool = False) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise LLMUnavailable(f"Hugging Face model not found: {self.path} (give a local model directory)")
        self.threads = threads or default_threads()
        self.chat_format = chat_format
        self.model = self.path.name
        self.verbose = verbose
        self._loaded = None
        self._lock = threading.Lock()

    def _load(self):
        if self._loaded is None:
            torch = require("torch", "hf", "Hugging Face models")
            transformers = require("transformers", "hf", "Hugging Face models")
            if self.verbose:
                note(loading_message(self.model, "transformers", self.path))
            torch.set_num_threads(self.threads)
            source, extra = str(self.path), {}
            if self.path.is_file() and self.path.suffix == ".gguf":
                source, extra = str(self.path.parent), {"gguf_file": self.path.name}
            quantization = {}
            if accelerator() == "cuda":
                try:
                    require("bitsandbytes", "gpu", "4-bit loading")
                    quantization = {"quantization_config": transformers.BitsAndBytesConfig(
                        load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                        bnb_4bit_compute_dtype=torch.bfloat16), "device_map": "auto"}
                except ImportError:
                    quantization = {"device_map": "auto"}
            tokenizer = transformers.AutoTokenizer.from_pretrained(source, local_files_only=True, **extra)
            model = transformers.AutoModelForCausalLM.from_pretrained(source, local_files_only=True, **extra,
                                                                      **quantization)
            model.eval()
            self._loaded = (tokenizer, model, torch)
        return self._loaded

    def complete(self, messages: list[dict[str, str]], params: GenerationParams) -> str:
        with self._lock:
            tokenizer, model, torch = self._load()
            if self.chat_format is None and getattr(tokenizer, "chat_template", None):
                prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            else:
                prompt = render(messages, self.chat_format or "chatml")
            inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(model.device)
            torch.manual_seed(params.seed)
            with torch.no_grad():
                output = model.generate(**inputs, max_new_tokens=params.max_tokens, do_sample=params.temperature > 0,
                                        temperature=params.temperature if params.temperature > 0 else None,
                                        top_p=None, top_k=None, pad_token_id=tokenizer.eos_token_id)
            text = tokenizer.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
            for stop in params.stop:
                text = text.split(stop)[0]
            return text


def from_spec(path: str, options: LLMOptions) -> TransformersLLM:
    """The model of an ``hf:DIR`` spec."""
    return TransformersLLM(path, threads=options.threads, chat_format=options.chat_format, verbose=options.verbose)


BACKEND = Backend("hf", "hf:DIR", from_spec)
