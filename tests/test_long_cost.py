"""What long documents cost: a cap on the passages read, the fit's dry run, both with the real embedder."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from topiclens import TopicModel
from topiclens.core.passages import estimate_pieces, passage_spans
from topiclens.io.units import split_corpus


def test_a_capped_document_is_embedded_from_its_first_passages(long_records):
    from topiclens.core.knn import normalize
    from topiclens.embedders import embed_texts, make_embedder
    from topiclens.embedders.common import passage_budget

    embedder = make_embedder("minilm-int8", threads=1)
    text = "\n\n".join(long_records["text"].iloc[:3])
    passages = [text[a:b] for a, b in passage_spans(text, passage_budget(embedder))]
    assert len(passages) > 3
    capped = embed_texts([text], embedder, cache=False, verbose=False, whole=True, max_passages=2)[0]
    parts = embed_texts(passages[:2], embedder, cache=False, verbose=False)
    weights = np.array([estimate_pieces(passages[0]), estimate_pieces(passages[1]) / 2])
    np.testing.assert_allclose(capped, normalize((parts * weights[:, None]).sum(axis=0, keepdims=True))[0],
                               atol=1e-5)
    whole = embed_texts([text], embedder, cache=False, verbose=False, whole=True)[0]
    assert float(capped @ whole) < 0.9999  # the passages left out counted before


def test_the_cap_is_said_kept_with_the_model_and_used_for_new_documents(long_records, tmp_path, capsys):
    model = TopicModel(long_documents="passages", max_passages=2, seed=7, threads=1, cache=tmp_path / "cache")
    model.fit(long_records["text"].tolist())
    said = capsys.readouterr().err
    assert "at most 2 passages a document (max_passages)" in said and "read by their first 2" in said
    assert model.fitted_.encoder().max_passages == 2
    model.save(tmp_path / "model")
    loaded = TopicModel.load(tmp_path / "model", verbose=False)
    assert loaded.max_passages == 2 and loaded.fitted_.encoder().max_passages == 2
    with pytest.raises(Exception, match="max_passages"):
        TopicModel(max_passages=0).validate_params()


def test_the_dry_run_counts_what_each_reading_embeds_and_times_it(long_records, tmp_path):
    from topiclens.embedders import make_embedder
    from topiclens.embedders.common import passage_budget

    texts = long_records["text"].tolist()
    model = TopicModel(max_passages=2, threads=1, verbose=False, cache=tmp_path / "cache")
    plan = model.plan_embedding(texts)
    budget = passage_budget(make_embedder("minilm-int8", threads=1))
    counts = [len(passage_spans(t, budget)) for t in texts]
    readings = plan["readings"]
    assert plan["documents"] == len(texts) and plan["long"] == sum(c > 1 for c in counts)
    assert readings["truncate"]["texts"] == len(texts)
    assert readings["split"]["texts"] == len(split_corpus(model_corpus(texts), budget).corpus) == sum(counts)
    assert readings["passages"]["texts"] == sum(min(c, 2) for c in counts)
    assert all(r["cached"] == 0 and r["seconds"] > 0 for r in readings.values())
    assert readings["split"]["seconds"] > readings["passages"]["seconds"] > readings["truncate"]["seconds"]
    assert plan["chosen"] == "passages"  # 'auto': every document is long
    TopicModel(long_documents="split", threads=1, verbose=False, cache=tmp_path / "cache").fit(texts)
    again = model.plan_embedding(texts)["readings"]
    assert again["split"]["cached"] == again["split"]["texts"] and again["split"]["seconds"] == 0


def model_corpus(texts):
    from topiclens.io.corpus import from_texts

    return from_texts(texts)


def test_fit_dry_run_on_the_command_line_fits_nothing(long_records, tmp_path):
    corpus = tmp_path / "long.jsonl"
    long_records.reset_index(names="id").to_json(corpus, orient="records", lines=True)
    done = subprocess.run([sys.executable, "-m", "topiclens", "fit", str(corpus), "--dry-run", "--threads", "1",
                           "--no-cache"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"dry run, nothing fitted: {len(long_records)} documents with text")
    assert "each passage a unit ('split')" in done.stdout and "by their beginning ('truncate')" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.jsonl"]
    missing = subprocess.run([sys.executable, "-m", "topiclens", "fit", str(corpus)], capture_output=True, text=True)
    assert missing.returncode == 2 and "--out DIR" in missing.stderr.strip().splitlines()[-1]


def test_long_documents_are_embedded_a_chunk_at_a_time_with_the_same_vectors(long_records, monkeypatch):
    from topiclens.embedders import cache as embedding_cache
    from topiclens.embedders import embed_texts, make_embedder

    # the float model: the int8 one's dynamic quantization makes a vector depend a little on its batch
    embedder = make_embedder("all-MiniLM-L6-v2", threads=1)
    texts = ["a short text", *long_records["text"].iloc[:3], "another short one"]
    together = embed_texts(texts, embedder, cache=False, verbose=False, whole=True)
    monkeypatch.setattr(embedding_cache, "LONG_CHUNK", 1)
    one_by_one = embed_texts(texts, embedder, cache=False, verbose=False, whole=True)
    np.testing.assert_allclose(one_by_one, together, atol=1e-5)
