"""Big row arrays on disk: read, written and checked in blocks, with memory-mapped pages let go.

A memory-mapped ``.npy`` (the embeddings of a big corpus) keeps every page it has read resident
in the process until the map is closed: one pass over a million 384-d float32 rows adds 1.5 GB to
the resident set. The helpers here read such arrays block by block and give the pages back after
each block (they stay in the operating system's page cache, so a second pass costs no disk read).
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .files import write_atomic

BLOCK_ROWS = 65_536


def blocks(n: int, size: int = BLOCK_ROWS) -> Iterator[tuple[int, int]]:
    """[start, stop) ranges that cover 0..n in steps of ``size``."""
    for start in range(0, n, size):
        yield start, min(start + size, n)


def _mapping(array: np.ndarray) -> mmap.mmap | None:
    """The memory map behind ``array`` (through views and memmap objects), or None."""
    seen = 0
    while array is not None and seen < 32:
        if isinstance(array, mmap.mmap):
            return array
        held = getattr(array, "_mmap", None)
        if isinstance(held, mmap.mmap):
            return held
        array = getattr(array, "base", None)
        seen += 1
    return None


def is_mapped(array: np.ndarray) -> bool:
    """Whether ``array`` lives in a memory-mapped file."""
    return _mapping(array) is not None


def release_pages(array: np.ndarray) -> None:
    """Let go of the resident pages of a memory-mapped array (a no-op for arrays in memory)."""
    mapping = _mapping(array)
    if mapping is not None and hasattr(mapping, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
        try:
            mapping.madvise(mmap.MADV_DONTNEED)
        except (OSError, ValueError):  # a closed map, or a platform that refuses: pages stay, nothing breaks
            pass


def read_rows(array: np.ndarray, rows: np.ndarray, block: int = 2048) -> np.ndarray:
    """float32 copies of ``array[rows]``, read ``block`` rows at a time with the pages let go after each
    (scattered reads from a memory-mapped file would otherwise map most of it: the kernel maps the
    pages around every one it faults in)."""
    out = np.empty((len(rows), array.shape[1]), dtype=np.float32)
    for start, stop in blocks(len(rows), block):
        out[start:stop] = array[rows[start:stop]]
        release_pages(array)
    return out


def float_rows(array: np.ndarray) -> np.ndarray:
    """``array`` as float16 or float32 rows without a copy when it already is one of them."""
    if isinstance(array, np.ndarray) and array.dtype in (np.float16, np.float32):
        return array
    return np.asarray(array, dtype=np.float32)


def all_unit(vectors: np.ndarray, tolerance: float) -> bool:
    """Whether every row has length 1 within ``tolerance`` (read in blocks)."""
    for start, stop in blocks(len(vectors)):
        norms = np.linalg.norm(np.asarray(vectors[start:stop], dtype=np.float32), axis=1)
        release_pages(vectors)
        if not np.all(np.abs(norms - 1.0) <= tolerance):
            return False
    return True


def unit_copy(vectors: np.ndarray, path: Path | None) -> np.ndarray:
    """Unit-length rows of ``vectors`` in their float dtype: a new ``.npy`` at ``path`` (mapped, read-only), or in
    memory."""
    from ..core.knn import normalize

    dtype = vectors.dtype if vectors.dtype in (np.float16, np.float32) else np.dtype(np.float32)
    if path is None:
        return _copy_blocks(vectors, np.empty(vectors.shape, dtype=dtype), normalize)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_npy(path, vectors, dtype, normalize)
    return np.load(path, mmap_mode="r", allow_pickle=False)


def save_rows(path: Path, array: np.ndarray) -> None:
    """``np.save`` in blocks: float16 rows stay float16, everything else is written as float32."""
    write_npy(path, array, np.float16 if array.dtype == np.float16 else np.float32)


def write_npy(path: Path, source: np.ndarray, dtype, transform=None) -> None:
    """``source`` (through ``transform``) as the ``.npy`` file ``path`` of ``dtype``, written block by block with
    plain writes into a new file renamed into place: a full disk is an OSError (a write through a memory map
    would kill the process with SIGBUS), a link at ``path`` is replaced, not written through, a map of the
    previous file keeps its pages, and the source's pages are let go after each block."""
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False,
              "shape": tuple(source.shape)}

    def write(out) -> None:
        np.lib.format.write_array_header_1_0(out, header)
        for start, stop in blocks(len(source)):
            block = source[start:stop] if transform is None else transform(source[start:stop])
            out.write(memoryview(np.ascontiguousarray(block, dtype=dtype)).cast("B"))
            release_pages(source)

    write_atomic(path, write, binary=True)


def write_row_parts(path: Path, parts: Iterator[np.ndarray], shape: tuple[int, int]) -> None:
    """The float32 rows of ``parts`` (in order, ``shape`` in all) as the ``.npy`` file ``path``, written part by
    part into a new file renamed into place (as :func:`write_npy`), so no more than a part is held at once."""
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)), "fortran_order": False, "shape": shape}

    def write(out) -> None:
        np.lib.format.write_array_header_1_0(out, header)
        written = 0
        for part in parts:
            out.write(memoryview(np.ascontiguousarray(part, dtype=np.float32)).cast("B"))
            written += len(part)
        if written != shape[0]:
            raise ValueError(f"{written} rows written for {shape[0]}")

    write_atomic(path, write, binary=True)


def _copy_blocks(source: np.ndarray, out: np.ndarray, transform=None) -> np.ndarray:
    """``out`` (in memory) filled with ``source`` (through ``transform``) block by block, the source's pages let
    go after each block."""
    for start, stop in blocks(len(source)):
        out[start:stop] = source[start:stop] if transform is None else transform(source[start:stop])
        release_pages(source)
    return out
