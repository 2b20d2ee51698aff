"""Shared fixtures: a real slice of the bundled Debian sample, embedded once by the real model."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "debian_sample.jsonl.gz"
N_DOCS = 600

os.environ.setdefault("TOPICLENS_THREADS", "1")


@pytest.fixture(scope="session")
def cache_root(request) -> Path:
    """A cache kept between test runs (pytest's cache folder), never the user's own."""
    path = Path(request.config.cache.mkdir("topiclens-cache"))
    os.environ["TOPICLENS_CACHE"] = str(path)
    return path


@pytest.fixture(scope="session")
def records() -> list[dict]:
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for _, line in zip(range(N_DOCS), handle)]


@pytest.fixture(scope="session")
def docs(records) -> list[str]:
    return [r["text"] for r in records]


@pytest.fixture(scope="session")
def gold(records) -> list[str]:
    return [r["label"] for r in records]


@pytest.fixture(scope="session")
def embeddings(docs, cache_root) -> np.ndarray:
    """The real all-MiniLM-L6-v2 embeddings of the slice (cached on disk between runs)."""
    from topiclens.embedders import embed_texts, make_embedder

    return embed_texts(docs, make_embedder("all-MiniLM-L6-v2", threads=1), verbose=False)


@pytest.fixture(scope="session")
def fitted(docs, embeddings):
    """The default model fitted on the slice."""
    from topiclens import TopicModel

    return TopicModel(seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings)


@pytest.fixture(scope="session")
def five_topics(docs, embeddings):
    """The slice merged down to 5 topics: few LLM calls for the labeling tests."""
    from topiclens import TopicModel

    return TopicModel(nr_topics=5, seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings)


@pytest.fixture(autouse=True)
def _isolated_cache(cache_root, monkeypatch):
    monkeypatch.setenv("TOPICLENS_CACHE", str(cache_root))


CHANGELOG = ROOT / "data" / "changelog_sample.jsonl.gz"
N_CHANGELOG = 800


@pytest.fixture(scope="session")
def changelog_file(tmp_path_factory) -> Path:
    """The first entries of the bundled changelog sample (dated, with package and urgency fields)."""
    path = tmp_path_factory.mktemp("changelog") / "changelog.jsonl"
    with gzip.open(CHANGELOG, "rt", encoding="utf-8") as handle:
        path.write_text("".join(line for _, line in zip(range(N_CHANGELOG), handle)), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def changelog_model(changelog_file, cache_root):
    """The default model fitted on the changelog slice, read with its fields (embeddings cached)."""
    from topiclens import TopicModel
    from topiclens.io.corpus import read_corpus

    return TopicModel(seed=7, threads=1, verbose=False).fit(read_corpus(changelog_file))


@pytest.fixture(scope="module")
def browser():
    """A headless Debian chromium context for one test module (skipped without chromium, except in CI)."""
    from chromium import chromium_context

    with chromium_context() as context:
        yield context


@pytest.fixture(scope="session")
def long_records(records):
    """Long documents of the slice: descriptions of one section joined eight at a time (about 1,500 characters,
    past what the embedder reads), with a year each."""
    import pandas as pd

    frame = pd.DataFrame(records)
    rows = []
    for section, group in frame.groupby("label", sort=True):
        texts = group["text"].tolist()
        for start in range(0, len(texts) - 7, 8):
            rows.append({"text": "\n\n".join(texts[start:start + 8]), "section": section})
    table = pd.DataFrame(rows)
    table["year"] = 2000 + np.arange(len(table)) % 4
    table.index = [f"doc{i}" for i in range(len(table))]
    return table
