"""Shared material for the adversarial suite: a small real corpus with its embeddings, and a saved model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def small(records, embeddings, tmp_path_factory) -> Path:
    """200 Debian descriptions as docs.jsonl with their real embeddings in emb.npy."""
    root = tmp_path_factory.mktemp("small")
    (root / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:200]), encoding="utf-8")
    np.save(root / "emb.npy", embeddings[:200])
    return root


@pytest.fixture(scope="session")
def saved_model(fitted, tmp_path_factory) -> Path:
    return fitted.save(tmp_path_factory.mktemp("saved") / "model")


@pytest.fixture
def model_copy(saved_model, tmp_path) -> Path:
    """A private copy of the saved model, to tamper with."""
    return Path(shutil.copytree(saved_model, tmp_path / "model"))


def run_cli(*argv, cwd=None, env=None, timeout=600) -> subprocess.CompletedProcess:
    """topiclens in its own process, as a user runs it."""
    import os

    return subprocess.run([sys.executable, "-m", "topiclens", *map(str, argv)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env={**os.environ, **(env or {})})


def assert_one_line_error(done: subprocess.CompletedProcess, fragment: str) -> None:
    """Exit code 2, one line on stderr that names the problem, no traceback."""
    err = done.stderr.strip()
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    lines = [line for line in err.splitlines() if not line.startswith(("topiclens: warning:", "topiclens: note:"))]
    assert len(lines) == 1 and lines[0].startswith("topiclens: error: "), err
    assert fragment in lines[0], (fragment, lines[0])
