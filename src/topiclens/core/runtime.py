"""Process-wide settings: cache directory, thread counts, progress bars."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path


def cache_dir() -> Path:
    """Where caches live: $TOPICLENS_CACHE, else $XDG_CACHE_HOME/topiclens, else ~/.cache/topiclens."""
    if os.environ.get("TOPICLENS_CACHE"):
        return Path(os.environ["TOPICLENS_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "topiclens"


def default_threads() -> int:
    """$TOPICLENS_THREADS, else every core."""
    value = os.environ.get("TOPICLENS_THREADS")
    if value:
        return max(1, int(value))
    return os.cpu_count() or 1


DEVICES = ("auto", "cpu", "cuda")


def wanted_device() -> str:
    """$TOPICLENS_DEVICE: 'auto' (the default: a CUDA GPU when there is one), 'cpu' or 'cuda'."""
    from .errors import ConfigError

    wanted = (os.environ.get("TOPICLENS_DEVICE") or "auto").strip().lower()
    if wanted not in DEVICES:
        raise ConfigError(f"TOPICLENS_DEVICE={wanted!r} is not a device: use one of {', '.join(DEVICES)}")
    return wanted


@functools.lru_cache(maxsize=1)
def cuda_available() -> bool:
    """Whether torch is installed and sees a CUDA GPU (checked once per process)."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


def accelerator() -> str:
    """Where torch work runs: 'cuda' when a GPU is usable and $TOPICLENS_DEVICE allows it, else 'cpu'."""
    from .errors import ConfigError

    wanted = wanted_device()
    if wanted == "cpu":
        return "cpu"
    if cuda_available():
        return "cuda"
    if wanted == "cuda":
        raise ConfigError("TOPICLENS_DEVICE=cuda but torch sees no CUDA GPU: install a CUDA build of torch, or "
                          "unset TOPICLENS_DEVICE to run on the CPU")
    return "cpu"


@contextlib.contextmanager
def thread_limit(threads: int | None) -> Iterator[int]:
    """Cap BLAS/OpenMP, numba and torch threads for the duration of a block."""
    n = threads or default_threads()
    from threadpoolctl import threadpool_limits

    saved_numba = saved_torch = None
    try:
        import numba

        saved_numba = numba.get_num_threads()
        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    except ImportError:
        pass
    import sys

    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        saved_torch = torch.get_num_threads()
        torch.set_num_threads(n)
    try:
        with threadpool_limits(limits=n):
            yield n
    finally:
        if saved_numba is not None:
            import numba

            numba.set_num_threads(saved_numba)
        if saved_torch is not None:
            sys.modules["torch"].set_num_threads(saved_torch)


def progress(**kwargs):
    """A tqdm bar on stderr (disable=True for quiet)."""
    from tqdm.auto import tqdm

    kwargs.setdefault("dynamic_ncols", True)
    kwargs.setdefault("mininterval", 0.5)
    return tqdm(**kwargs)


# How a note names what the caller can set: as given (Python's words), or rewritten by the command line into its
# flags (``long_documents=`` -> ``--long-documents``; apps/cli sets this for the command it runs).
NOTE_WORDS: list[Callable[[str], str]] = []


def note(message: str) -> None:
    """One line on stderr about a slow step that is about to start (what it is, and how long it may take).

    Progress bars show how far a long step is; a note explains a pause that has no bar (a build or a
    copy done once). Most are shown even when not verbose (--quiet): they happen once, and silence there looks
    like a hang. A bar being drawn is moved below the note, not written into.
    """
    for words in NOTE_WORDS[-1:]:
        message = words(message)
    line = f"topiclens: note: {message}"
    bars = sys.modules.get("tqdm.auto")
    if bars is None:
        print(line, file=sys.stderr, flush=True)
        return
    bars.tqdm.write(line, file=sys.stderr)  # above a bar that is drawing, not into it
    sys.stderr.flush()
