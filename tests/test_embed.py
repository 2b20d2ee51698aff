"""The real embedding model, its on-disk cache, and precomputed embeddings."""

from __future__ import annotations

import numpy as np
import pytest

from topiclens import ConfigError, TopicModel
from topiclens.embedders import EmbeddingCache, bundled_minilm_path, embed_texts, make_embedder


class CountingEmbedder:
    """Wraps the real embedder and counts the texts it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.calls = 0

    def encode(self, texts):
        self.calls += len(texts)
        return self.inner.encode(texts)


def test_bundled_model_embeds_meaningfully():
    embedder = make_embedder("all-MiniLM-L6-v2", threads=1)
    vectors = embedder.encode(["a python library for parsing json", "a python module to read json files",
                               "a game where you fly a spaceship"])
    assert vectors.shape == (3, 384)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert unit[0] @ unit[1] > unit[0] @ unit[2] + 0.2


def test_second_run_embeds_nothing(tmp_path):
    texts = [f"document number {i} about topic {i % 3}" for i in range(40)]
    counting = CountingEmbedder(make_embedder("all-MiniLM-L6-v2", threads=1))
    first = embed_texts(texts, counting, cache=tmp_path, verbose=False)
    assert counting.calls == 40
    second = embed_texts(texts, counting, cache=tmp_path, verbose=False)
    assert counting.calls == 40
    assert np.array_equal(first, second)
    # Only the new text is embedded.
    embed_texts(texts + ["a brand new text"], counting, cache=tmp_path, verbose=False)
    assert counting.calls == 41


def test_interrupted_embedding_resumes(tmp_path):
    texts = [f"sentence {i} on resumable work" for i in range(30)]
    inner = make_embedder("all-MiniLM-L6-v2", threads=1)

    class Failing(CountingEmbedder):
        def encode(self, batch):
            if self.calls >= 10:
                raise KeyboardInterrupt
            return super().encode(batch)

    failing = Failing(inner)
    with pytest.raises(KeyboardInterrupt):
        embed_texts(texts, failing, cache=tmp_path, chunk_size=10, verbose=False)
    counting = CountingEmbedder(inner)
    embed_texts(texts, counting, cache=tmp_path, chunk_size=10, verbose=False)
    assert counting.calls == 20


def test_cache_keys_by_model(tmp_path):
    a = EmbeddingCache("model-a", tmp_path)
    a.put(["k"], np.ones((1, 4), dtype=np.float32))
    assert "k" in a.get(["k"])
    assert EmbeddingCache("model-b", tmp_path).get(["k"]) == {}


def test_local_model_directory_is_accepted(tmp_path):
    explicit = make_embedder(str(bundled_minilm_path()), threads=1)
    default = make_embedder("all-MiniLM-L6-v2", threads=1)
    text = ["same text, same vector"]
    assert np.allclose(explicit.encode(text), default.encode(text), atol=1e-5)
    with pytest.raises(ConfigError, match="embedding model directory not found"):
        make_embedder(str(tmp_path / "nothing"))


def test_precomputed_npy_file(docs, embeddings, tmp_path):
    path = tmp_path / "emb.npy"
    np.save(path, embeddings)
    a = TopicModel(threads=1, verbose=False).fit_predict(docs, embeddings=path)
    b = TopicModel(threads=1, verbose=False).fit_predict(docs, embeddings=embeddings)
    assert (a == b).all()
    with pytest.raises(ConfigError, match="must be a .npy file"):
        TopicModel(verbose=False).fit(docs, embeddings=tmp_path / "emb.csv")


def test_fit_without_precomputed_embeddings_uses_the_model(docs, embeddings):
    """Fitting from text embeds through the cache: the same vectors as the fixture's."""
    model = TopicModel(embedding_model="all-MiniLM-L6-v2", threads=1, verbose=False).fit(docs[:150])
    unit = embeddings[:150] / np.linalg.norm(embeddings[:150], axis=1, keepdims=True)
    assert np.allclose(model.embeddings_, unit, atol=1e-5)


def test_embedding_shows_a_progress_bar_unless_quiet(tmp_path, capsys):
    embedder = make_embedder("all-MiniLM-L6-v2", threads=1)
    embed_texts(["one text", "another text"], embedder, cache=tmp_path, verbose=True)
    err = capsys.readouterr().err
    assert "embedding" in err and "2/2" in err
    embed_texts(["one text", "a third text"], embedder, cache=tmp_path, verbose=False)
    assert capsys.readouterr().err == ""


def test_huge_documents_are_kept_whole_and_embedded_quickly(docs, tmp_path):
    import time

    huge = "a package manager for python modules and libraries. " * 80_000  # ~4 MB
    texts = list(docs[:60]) + [huge]
    start = time.perf_counter()
    model = TopicModel(embedding_model="all-MiniLM-L6-v2", threads=1, verbose=False, cache=str(tmp_path),
                       min_cluster_size=5).fit(texts)
    assert time.perf_counter() - start < 120
    info = model.document_info()
    assert info["text"].iloc[-1] == huge
    embedder = make_embedder("all-MiniLM-L6-v2", threads=1)
    cut = embedder.encode([huge[:5000]])[0]
    assert float(model.embeddings_[-1] @ (cut / np.linalg.norm(cut))) > 0.999


def _open_together(args):
    directories, barrier = args
    from topiclens.embedders.cache import EmbeddingCache

    failures = 0
    for directory in directories:
        barrier.wait()
        try:
            EmbeddingCache("same-model", directory).close()
        except Exception:  # noqa: BLE001 - counted, the test asserts there are none
            failures += 1
    return failures


def test_processes_opening_a_new_cache_at_once_all_get_it(tmp_path):
    """Regression: two Dask workers creating the same cache file failed with 'database is locked'
    (switching a new SQLite file to WAL does not wait for a busy handler); 4 processes x 60 files."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    manager = context.Manager()
    barrier = manager.Barrier(4)
    directories = [tmp_path / str(i) for i in range(60)]
    with context.Pool(4) as pool:
        failures = pool.map(_open_together, [(directories, barrier)] * 4)
    assert sum(failures) == 0
