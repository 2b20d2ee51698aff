"""The fast embedders (minilm-onnx, minilm-int8, minilm-static): real models, real documents.

The ONNX files are built once per cache (a few seconds); the static table takes 0.5-3 minutes to
distil, so the tests that need it are marked slow.
"""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np
import pytest

from topiclens import MissingDependencyError, TopicLensError, TopicModel
from topiclens.embedders import OnnxMiniLMEmbedder, StaticEmbedder, make_embedder
from topiclens.embedders.common import length_sorted_batches, load_or_build
from topiclens.evaluate import agreement


@pytest.fixture(scope="module")
def int8(cache_root):
    return make_embedder("minilm-int8", threads=1)


@pytest.fixture(scope="module")
def onnx32(cache_root):
    return make_embedder("minilm-onnx", threads=1)


@pytest.fixture(scope="module")
def static(cache_root):
    return make_embedder("minilm-static", threads=1)


def _check_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_spec_names_make_distinct_embedders(int8, onnx32):
    assert isinstance(int8, OnnxMiniLMEmbedder) and int8.quantized
    assert isinstance(onnx32, OnnxMiniLMEmbedder) and not onnx32.quantized
    static = make_embedder("minilm-static", threads=1)  # constructing builds nothing
    assert isinstance(static, StaticEmbedder)
    names = {int8.name, onnx32.name, static.name, make_embedder("all-MiniLM-L6-v2").name}
    assert len(names) == 4  # each keys its own embedding cache


@pytest.mark.parametrize("which", ["int8", "onnx32"])
def test_onnx_backends_give_unit_float32_rows(which, request, docs):
    embedder = request.getfixturevalue(which)
    _check_unit_rows(embedder.encode(docs[:20]), 20, 384)


def test_onnx_fp32_matches_sentence_transformers(onnx32, docs, embeddings):
    vectors = onnx32.encode(docs[:30])
    assert np.sum(vectors * embeddings[:30], axis=1).min() > 0.9999


def test_int8_is_close_to_fp32(int8, docs, embeddings):
    cosine = np.sum(int8.encode(docs[:50]) * embeddings[:50], axis=1)
    assert cosine.mean() > 0.98
    assert cosine.min() > 0.95


def test_length_sorted_batches_cover_every_index_once():
    texts = ["a" * n for n in (5, 1, 9, 3, 3, 7, 0)]
    batches = list(length_sorted_batches(texts, 3))
    assert [len(b) for b in batches] == [3, 3, 1]
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(len(texts)))
    assert [len(texts[i]) for i in flat] == sorted(len(t) for t in texts)


def test_order_is_restored_after_length_sorting(docs):
    # Mixed lengths in a scrambled order, several batches run by two threads at once: each row
    # must be its own text's vector.
    texts = [docs[i] for i in (5, 0, 17, 3, 11, 8, 2)] + ["tiny", "a python library for json"]
    for quantized in (False, True):
        embedder = OnnxMiniLMEmbedder(quantized=quantized, batch_size=2, threads=2)
        together = embedder.encode(texts)
        alone = np.vstack([embedder.encode([t]) for t in texts])
        sims = together @ alone.T
        assert (sims.argmax(axis=1) == np.arange(len(texts))).all()
        # fp32 gives the same numbers in any batch; int8's activation scale depends on the batch.
        assert np.diag(sims).min() > (0.95 if quantized else 0.99999)


def test_built_model_is_reused(int8):
    int8.encode(["build it if needed"])
    stamp = os.stat(int8.path).st_mtime_ns
    again = make_embedder("minilm-int8", threads=1)
    again.encode(["second construction"])
    assert again.path == int8.path
    assert os.stat(int8.path).st_mtime_ns == stamp


def test_corrupt_model_file_is_rebuilt(tmp_path, monkeypatch, int8):
    int8.encode(["make sure the shared cache has the fp32 export"])
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(int8.path.parent / int8.path.name.replace("int8", "fp32"), models)  # skip the export
    monkeypatch.setenv("TOPICLENS_CACHE", str(tmp_path))
    fresh = OnnxMiniLMEmbedder(quantized=True, threads=1)
    assert fresh.path.parent == models
    fresh.path.write_bytes(b"half a model, as a crash might leave it")
    (models / f".{fresh.path.name}.abc.tmp").write_bytes(b"an interrupted build")
    vectors = fresh.encode(["rebuilt and working"])
    _check_unit_rows(vectors, 1, 384)
    assert fresh.path.stat().st_size > 10_000_000
    assert np.allclose(vectors, int8.encode(["rebuilt and working"]), atol=1e-5)


def test_interrupted_build_leaves_nothing_half_written(tmp_path):
    target = tmp_path / "table.npy"

    def crash(tmp):
        tmp.write_bytes(b"partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_or_build(target, crash, np.load, "table")
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary file

    def build(tmp):
        with open(tmp, "wb") as handle:
            np.save(handle, np.arange(3))

    assert load_or_build(target, build, np.load, "table").tolist() == [0, 1, 2]
    target.write_bytes(target.read_bytes()[:20])  # truncated: cannot be read, so built again
    assert load_or_build(target, build, np.load, "table").tolist() == [0, 1, 2]
    with pytest.raises(TopicLensError, match="cannot be read"):
        load_or_build(tmp_path / "never.npy", lambda tmp: tmp.write_bytes(b"junk"), np.load, "table")


def test_missing_onnxruntime_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(MissingDependencyError, match="pip install onnxruntime"):
        make_embedder("minilm-int8")


@pytest.mark.slow
def test_static_gives_unit_rows_and_follows_fp32_neighbours(static, docs, embeddings):
    n = 300
    vectors = static.encode(docs[:n])
    _check_unit_rows(vectors, n, 256)
    fp32 = embeddings[:n] @ embeddings[:n].T
    fast = vectors @ vectors.T
    upper = np.triu_indices(n, 1)
    assert np.corrcoef(fp32[upper], fast[upper])[0, 1] > 0.3
    np.fill_diagonal(fp32, -np.inf)
    np.fill_diagonal(fast, -np.inf)
    top_fp32, top_fast = np.argsort(-fp32, axis=1)[:, :10], np.argsort(-fast, axis=1)[:, :10]
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top_fp32, top_fast)])
    assert overlap > 0.15  # chance: 10 / 299


@pytest.mark.slow
def test_static_table_is_reused_and_damage_rebuilt(static):
    static.encode(["build it if needed"])
    stamp = os.stat(static.path).st_mtime_ns
    make_embedder("minilm-static", threads=1).encode(["second construction"])
    assert os.stat(static.path).st_mtime_ns == stamp
    good = static.path.read_bytes()
    try:
        static.path.write_bytes(good[: len(good) // 2])
        assert make_embedder("minilm-static", threads=1).encode(["rebuilt"]).shape == (1, 256)
        assert static.path.stat().st_size == len(good)
    finally:
        if static.path.stat().st_size != len(good):
            static.path.write_bytes(good)


def test_topic_model_on_int8_matches_fp32(docs, gold, fitted):
    model = TopicModel(embedding_model="minilm-int8", seed=7, threads=1, verbose=False, layout="none").fit(docs)
    assert model.embeddings_.shape[1] == 384
    nmi_int8 = agreement(gold, model.topics_)["nmi"]
    nmi_fp32 = agreement(gold, fitted.topics_)["nmi"]
    assert nmi_int8 > nmi_fp32 - 0.05, (nmi_int8, nmi_fp32)


def test_a_build_says_what_it_builds_and_how_long_it_takes_once(tmp_path, capsys):
    """First hour: the int8 build and the static table ran in silence; each build now says so, once."""
    target = tmp_path / "table.npy"

    def build(tmp):
        with open(tmp, "wb") as handle:
            np.save(handle, np.arange(3))

    load_or_build(target, build, np.load, "demo table", "about 1 s")
    assert capsys.readouterr().err == (f"topiclens: note: building the demo table once (about 1 s); it is kept in "
                                       f"{tmp_path}\n")
    load_or_build(target, build, np.load, "demo table", "about 1 s")
    assert capsys.readouterr().err == ""
