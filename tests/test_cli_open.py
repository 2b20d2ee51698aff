"""``topiclens report --open``: a browser opens the report, or one line on stderr says where it is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Variables by which Python's webbrowser finds a browser: a display (X or Wayland), a terminal, $BROWSER.
BROWSER_HINTS = ("DISPLAY", "WAYLAND_DISPLAY", "TERM", "BROWSER", "XDG_CURRENT_DESKTOP", "GNOME_DESKTOP_SESSION_ID",
                 "KDE_FULL_SESSION")


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory) -> Path:
    return fitted.save(tmp_path_factory.mktemp("open") / "model")


def _report_open(saved: Path, out: Path, bin_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """``topiclens report --open`` in a process whose PATH holds only ``bin_dir`` and no display."""
    clean = {k: v for k, v in os.environ.items() if k not in BROWSER_HINTS}
    return subprocess.run([sys.executable, "-m", "topiclens", "report", str(saved), "--out", str(out), "--open"],
                          capture_output=True, text=True, timeout=300,
                          env={**clean, "PATH": str(bin_dir), **env})


def test_without_a_browser_the_report_is_written_and_stderr_says_where(saved, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "report.html"
    done = _report_open(saved, out, empty, BROWSER=str(tmp_path / "no-such-browser"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.stat().st_size > 10_000
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("topiclens: warning: no web browser could be opened"), lines[0]
    assert lines[0].endswith(f"open {out.resolve().as_uri()} in one by hand"), lines[0]
    assert "report written to" in done.stdout


def test_with_a_browser_it_gets_the_reports_address_and_nothing_is_said(saved, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "opened.txt"
    browser = bin_dir / "a-browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{seen}"\n', encoding="utf-8")
    browser.chmod(0o755)
    out = tmp_path / "report.html"
    done = _report_open(saved, out, bin_dir, BROWSER=str(browser))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr.strip() == ""
    assert seen.read_text(encoding="utf-8") == out.resolve().as_uri()
