"""The documentation builds with warnings as errors, and its benchmark tables come from bench/results."""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("mkdocs is not installed (pip install -e '.[dev]' installs it with the other docs tools)")
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return out


def tables(page: Path) -> list[list[list[str]]]:
    """The tables of a built page, in order: their body rows, as the text of each cell."""
    text = page.read_text(encoding="utf-8")
    return [[[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
              for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for row in re.findall(r"<tr>(.*?)</tr>", body, re.S) if "<td" in row]
            for body in re.findall(r"<table>(.*?)</table>", text, re.S)]


def test_docs_build_strict(site):
    assert (site / "index.html").exists()
    reference = (site / "reference" / "topicmodel" / "index.html").read_text(encoding="utf-8")
    # the operation methods delegates.py makes at import time are documented, with their docstrings
    for method in ("merge_topics", "label_topics", "topic_info", "transform"):
        assert f'id="topiclens.TopicModel.{method}"' in reference, method
    assert "inplace" in reference


def test_reference_documents_every_public_name(site):
    import topiclens

    pages = "".join(page.read_text(encoding="utf-8") for page in (site / "reference").rglob("*.html"))
    missing = [name for name in topiclens.__all__ if f'id="topiclens.{name}"' not in pages]
    assert not missing, f"not in the API reference (docs/reference/*.md): {missing}"


def test_fit_table_is_generated_from_its_results(site):
    report = json.loads((ROOT / "bench" / "results" / "fit_debian.json").read_text(encoding="utf-8"))
    page = site / "benchmarks" / "fit" / "index.html"
    rows = {row[0]: row for row in tables(page)[0]}  # the Debian table, the Chinese one follows
    assert set(rows) == {result["name"] for result in report["results"]}
    for result in report["results"]:
        row = rows[result["name"]]
        assert row[1] == f"{result['fit_seconds']:.1f}", (result["name"], row)
        assert row[6] == f"{result['nmi']:.3f}", (result["name"], row)
        assert row[11] == f"{result['peak_rss_mb']:.0f}", (result["name"], row)
    assert f"{report['n_documents']:,} documents, {report['n_gold_labels']} gold sections" in page.read_text(
        encoding="utf-8")


def test_no_placeholder_is_left(site):
    for page in site.rglob("*.html"):
        assert "<!-- table:" not in page.read_text(encoding="utf-8"), page
