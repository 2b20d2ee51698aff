"""Row files: block reads that give memory-mapped pages back, unit checks and copies, block writes."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from topiclens.io.rowfiles import all_unit, blocks, float_rows, read_rows, release_pages, save_rows, unit_copy


def _rss_file_mb() -> float:
    status = open("/proc/self/status").read()
    return int(status.split("RssFile:")[1].split()[0]) / 1024


def test_blocks_cover_every_row_once():
    assert list(blocks(10, 4)) == [(0, 4), (4, 8), (8, 10)]
    assert list(blocks(0, 4)) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_released_pages_leave_the_resident_set(tmp_path):
    path = tmp_path / "rows.npy"
    np.save(path, np.ones((40_000, 512), dtype=np.float32))  # 78 MB
    mapped = np.load(path, mmap_mode="r")
    before = _rss_file_mb()
    assert float(mapped[::7].sum()) > 0  # touches every page
    touched = _rss_file_mb()
    release_pages(mapped[10:20])  # through a view: the whole map is let go
    released = _rss_file_mb()
    assert touched - before > 60
    assert touched - released > 60
    assert float(mapped[-1].sum()) == 512  # still readable afterwards
    release_pages(np.ones(3))  # an array in memory: nothing to do


def test_float16_and_float32_files_stay_mapped_without_a_copy(tmp_path):
    for dtype in (np.float16, np.float32):
        np.save(tmp_path / "v.npy", np.ones((5, 3), dtype=dtype))
        mapped = np.load(tmp_path / "v.npy", mmap_mode="r")
        assert float_rows(mapped) is mapped
    assert float_rows(np.ones((2, 2), dtype=np.float64)).dtype == np.float32
    assert float_rows([[1, 2]]).dtype == np.float32


def test_unit_rows_are_recognised_and_copied_in_their_dtype(tmp_path):
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(70_000, 8)).astype(np.float16)
    assert not all_unit(raw, 1e-3)
    unit = unit_copy(raw, tmp_path / "unit.npy")
    assert unit.dtype == np.float16 and isinstance(unit, np.memmap)
    assert np.allclose(np.linalg.norm(unit.astype(np.float32), axis=1), 1, atol=2e-3)
    assert all_unit(unit, 3e-3)
    in_memory = unit_copy(raw.astype(np.float32), None)
    assert in_memory.dtype == np.float32 and all_unit(in_memory, 1e-5)


def test_saved_rows_round_trip_in_their_dtype(tmp_path):
    rng = np.random.default_rng(1)
    for values, dtype in ((rng.normal(size=(70_001, 4)).astype(np.float16), np.float16),
                          (rng.normal(size=(10, 4)), np.float32), (np.zeros((0, 4)), np.float32)):
        save_rows(tmp_path / "r.npy", values)
        back = np.load(tmp_path / "r.npy")
        assert back.dtype == dtype and back.shape == values.shape
        assert np.array_equal(back, values.astype(dtype))


def test_scattered_rows_are_read_as_float32_copies(tmp_path):
    values = np.arange(5000 * 3, dtype=np.float16).reshape(5000, 3)
    np.save(tmp_path / "v.npy", values)
    mapped = np.load(tmp_path / "v.npy", mmap_mode="r")
    rows = np.array([4999, 0, 17, 2500, 17])
    got = read_rows(mapped, rows, block=2)
    assert got.dtype == np.float32 and np.array_equal(got, values[rows].astype(np.float32))
