"""Debian's chromium for the browser tests, driven by Playwright (no browser is downloaded).

Where chromium or Playwright is missing the tests skip, except in CI, which must have both.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium(module_level: bool = True):
    """Playwright's ``sync_playwright``; skips (fails in CI) when chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium for the browser tests: apt-get install -y chromium", pytrace=False)
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=module_level)
    if os.environ.get("CI"):
        from playwright.sync_api import sync_playwright

        return sync_playwright
    return pytest.importorskip("playwright.sync_api", reason="pip install playwright").sync_playwright


@contextlib.contextmanager
def chromium_context(**options) -> Iterator:
    """A fresh headless chromium profile (1280 x 800 unless ``viewport`` is given), closed and removed after."""
    sync_playwright = require_chromium(module_level=False)
    profile = tempfile.mkdtemp(prefix="topiclens-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), args=ARGS,
                                                           headless=True,
                                                           **{"viewport": {"width": 1280, "height": 800}, **options})
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)

