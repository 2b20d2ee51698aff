"""Big corpora: cluster a sample, assign the rest in chunks, stream the counts; resume; Dask equals local."""

from __future__ import annotations

import numpy as np
import pytest

from topiclens import TopicModel
from topiclens.pipeline import topics as topic_ops
from topiclens.pipeline.assign import NeighbourIndex
from topiclens.pipeline.keywords import ctfidf

SETTINGS = dict(sample_size=300, chunk_size=100, seed=5, threads=1, verbose=False, layout="pca")


@pytest.fixture(scope="module")
def sampled(docs, embeddings, tmp_path_factory):
    work = tmp_path_factory.mktemp("work")
    return TopicModel(work_dir=work, **SETTINGS).fit(docs, embeddings=embeddings), work


def test_the_sample_is_clustered_and_the_rest_assigned_like_transform(sampled, embeddings):
    model, _ = sampled
    assert model.sample_.sum() == 300
    rest = np.flatnonzero(~model.sample_)
    # The same vote transform() gives a new document, against the sampled documents only.
    index = NeighbourIndex.of(model.embeddings_[model.sample_[model.usable_]], model.topics_[model.sample_],
                              model.projection_, len(model.topic_ids_))
    votes = topic_ops.topics_from_probs(index.vote(embeddings[rest], model.n_neighbors, 1)[0])
    assert (votes == model.topics_[rest]).all()
    assert len(model.topic_ids_) >= 3 and (model.topics_[rest] >= 0).mean() > 0.8


def test_streamed_keywords_equal_counting_everything_at_once(sampled, docs):
    model, _ = sampled
    counts = model.vectorizer_.transform(docs)
    n = len(model.topic_ids_)
    whole = ctfidf(counts, model.topics_, list(range(n)) + [-1], "docshare")[:n]
    assert np.allclose(whole.toarray(), model.ctfidf_.toarray(), atol=1e-6)


def test_save_load_keeps_the_sample_and_assigns_against_it(sampled, docs, tmp_path):
    model, _ = sampled
    loaded = TopicModel.load(model.save(tmp_path / "m"))
    assert (loaded.sample_ == model.sample_).all()
    assert (loaded.predict(docs) == model.topics_).all()
    new = ["Perl module for reading and writing spreadsheets", "GNOME desktop theme with icons"]
    assert (loaded.predict(new) == model.predict(new)).all()


def test_rerun_reuses_finished_chunks_and_recomputes_a_lost_one(sampled, docs, embeddings):
    model, work = sampled
    parts = sorted(work.rglob("part-*.npz"))
    assert len(parts) == 3 + 6  # 300 assigned documents in chunks of 100, 600 counted
    before = {p: p.stat().st_mtime_ns for p in parts}
    lost = parts[1]
    lost.unlink()
    again = TopicModel(work_dir=work, **SETTINGS).fit(docs, embeddings=embeddings)
    after = {p: p.stat().st_mtime_ns for p in sorted(work.rglob("part-*.npz"))}
    assert lost in after and after.keys() == before.keys()
    assert all(after[p] == before[p] for p in before if p != lost)  # finished chunks were not redone
    assert (again.topics_ == model.topics_).all()


def test_small_corpora_are_not_sampled(fitted):
    assert fitted.sample_[fitted.usable_].all()


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       env={"TOPICLENS_THREADS": "1"})
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_local_cluster_equals_the_single_machine_path(sampled, docs, embeddings, dask_client):
    model, _ = sampled
    on_dask = TopicModel(client=dask_client, cache=False, **SETTINGS).fit(docs, embeddings=embeddings)
    assert len(dask_client.scheduler_info()["workers"]) == 2
    assert (on_dask.topics_ == model.topics_).all()
    assert np.array_equal(on_dask.probabilities_, model.probabilities_)
    assert np.allclose(on_dask.ctfidf_.toarray(), model.ctfidf_.toarray())
    assert on_dask.keywords_ == model.keywords_


def test_dask_with_approximate_neighbours_equals_the_single_machine_path(docs, embeddings, dask_client):
    """The HNSW graph is built once, sent to the workers as bytes, and searched there as here."""
    local = TopicModel(knn="approximate", cache=False, **SETTINGS).fit(docs, embeddings=embeddings)
    on_dask = TopicModel(knn="approximate", client=dask_client, cache=False, **SETTINGS).fit(
        docs, embeddings=embeddings)
    assert (on_dask.topics_ == local.topics_).all()
    assert np.array_equal(on_dask.probabilities_, local.probabilities_)


@pytest.mark.slow
def test_dask_embedding_equals_local_embedding(docs, embeddings, dask_client, tmp_path):
    texts = docs[:200]
    model = TopicModel(client=dask_client, chunk_size=50, cache=str(tmp_path), verbose=False, threads=1,
                       embedding_model="all-MiniLM-L6-v2")
    from topiclens.pipeline.sampled import embed_chunked

    plan = model._plan()
    vectors = embed_chunked(plan, "all-MiniLM-L6-v2", plan.encoder("all-MiniLM-L6-v2"), texts)
    assert vectors.shape == (200, 384)
    assert np.allclose(vectors, embeddings[:200], atol=1e-5)
    assert len(list((tmp_path / "runs").rglob("part-*.npz"))) == 4  # written back as partitions


def test_fit_command_on_a_dask_scheduler(sampled, records, embeddings, dask_client, tmp_path, capsys):
    import json

    from topiclens.apps.cli import main

    model, _ = sampled
    corpus = tmp_path / "docs.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    np.save(tmp_path / "emb.npy", embeddings)
    address = dask_client.scheduler.address
    assert main(["fit", str(corpus), "--embeddings", str(tmp_path / "emb.npy"), "--out", str(tmp_path / "m"),
                 "--dask", address, "--sample-size", "300", "--chunk-size", "100", "--seed", "5", "--layout", "pca",
                 "--no-llm", "--quiet", "--threads", "1", "--json", "--no-cache"]) == 0
    loaded = TopicModel.load(tmp_path / "m")
    assert (loaded.topics_ == model.topics_).all() and loaded.sample_.sum() == 300


def test_float16_embeddings_stay_mapped_through_fit_save_and_load(sampled, docs, embeddings, tmp_path):
    model, _ = sampled
    path = tmp_path / "half.npy"
    np.save(path, embeddings.astype(np.float16))
    half = TopicModel(work_dir=tmp_path / "work", **SETTINGS).fit(docs, embeddings=path)
    # The rows are unit length already: the model keeps the file's rows, not a float32 copy of them.
    assert half.embeddings_.dtype == np.float16 and isinstance(half.embeddings_, np.memmap)
    assert (half.topics_ == model.topics_).mean() > 0.97  # the same topics but for float16 rounding
    loaded = TopicModel.load(half.save(tmp_path / "m"))
    saved = next((tmp_path / "m").rglob("embeddings.npy"))
    assert np.load(saved, mmap_mode="r").dtype == np.float16  # half the size of float32 on disk
    assert loaded.embeddings_.dtype == np.float16 and isinstance(loaded.embeddings_, np.memmap)
    assert (loaded.predict(docs) == half.topics_).all()
    assert np.allclose(loaded.centroids_, half.centroids_, atol=1e-6)
