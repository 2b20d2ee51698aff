"""Approximate neighbours (an HNSW graph, faiss) on real sentence embeddings: recall against exact kNN above a
stated floor, the same results on every run and on Dask, and a big-corpus fit that still places its training
documents in their topics."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from conftest import SAMPLE
from topiclens import TopicModel
from topiclens.core.ann import APPROXIMATE_MIN_ROWS, HnswIndex, knn_graph, use_approximate
from topiclens.core.knn import cosine_knn, normalize

RECALL_FLOOR = 0.97  # recall@15 the HNSW settings must keep on real embeddings (measured 0.99 and above)
SETTINGS = dict(sample_size=300, chunk_size=100, seed=5, threads=1, verbose=False, layout="pca")


@pytest.fixture(scope="module")
def sample_vectors() -> np.ndarray:
    """The 3,000 bundled Debian descriptions embedded by the bundled static MiniLM (real vectors, in a second)."""
    from topiclens.embedders import embed_texts, make_embedder

    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    return normalize(embed_texts(texts, make_embedder("minilm-static", threads=1), verbose=False))


def _recall(found: np.ndarray, exact: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / exact.shape[1] for a, b in zip(found, exact)]))


def test_the_graph_finds_nearly_every_exact_neighbour(sample_vectors):
    index, queries = sample_vectors[:2000], sample_vectors[2000:]
    approximate = HnswIndex.build(index, threads=1).search(queries, 15, threads=1)
    exact = cosine_knn(queries, index, 15)
    assert _recall(approximate.neighbours, exact.neighbours) >= RECALL_FLOOR
    assert np.all(np.diff(approximate.similarities, axis=1) <= 1e-6)  # best first, as cosine_knn
    found = np.take_along_axis(queries @ index.T, approximate.neighbours, axis=1)
    assert np.allclose(found, approximate.similarities, atol=1e-5)  # the similarities are the cosines


def test_the_self_graph_never_lists_a_row_as_its_own_neighbour(sample_vectors):
    graph = knn_graph(sample_vectors, 15, "approximate", threads=1)
    exact = knn_graph(sample_vectors, 15, "exact")
    assert graph.neighbours.shape == (len(sample_vectors), 15)
    assert not (graph.neighbours == np.arange(len(sample_vectors))[:, None]).any()
    assert _recall(graph.neighbours, exact.neighbours) >= RECALL_FLOOR


def test_a_rebuilt_index_gives_the_same_neighbours_and_travels_as_bytes(sample_vectors):
    first = HnswIndex.build(sample_vectors, threads=2)
    second = HnswIndex.build(sample_vectors, threads=1)
    assert first.digest == second.digest and first.data.dtype == np.uint8
    queries = sample_vectors[::7]
    a, b = first.search(queries, 10, threads=2), second.search(queries, 10, threads=1)
    assert np.array_equal(a.neighbours, b.neighbours)


def test_auto_is_approximate_only_when_both_sides_are_big():
    big, small = APPROXIMATE_MIN_ROWS, APPROXIMATE_MIN_ROWS - 1
    assert use_approximate("auto", big, big) and not use_approximate("auto", big, small)
    assert not use_approximate("auto", small, big)
    assert use_approximate("approximate", 10, 10) and not use_approximate("exact", big * 10, big * 10)


@pytest.fixture(scope="module")
def approximate_fit(docs, embeddings):
    return TopicModel(knn="approximate", **SETTINGS).fit(docs, embeddings=embeddings)


def test_a_sampled_fit_with_approximate_neighbours_keeps_its_training_documents(approximate_fit, docs, embeddings,
                                                                                 tmp_path):
    from sklearn.metrics import normalized_mutual_info_score

    model = approximate_fit
    assert (model.predict(docs) == model.topics_).all()
    exact = TopicModel(knn="exact", **SETTINGS).fit(docs, embeddings=embeddings)
    assert normalized_mutual_info_score(exact.topics_, model.topics_) > 0.9
    loaded = TopicModel.load(model.save(tmp_path / "m"))
    assert loaded.knn == "approximate"
    assert (loaded.predict(docs) == model.topics_).all()
    new = ["Perl module for reading and writing spreadsheets", "GNOME desktop theme with icons"]
    assert (loaded.predict(new) == model.predict(new)).all()


def test_the_same_approximate_fit_twice_gives_the_same_topics(approximate_fit, docs, embeddings):
    again = TopicModel(knn="approximate", **SETTINGS).fit(docs, embeddings=embeddings)
    assert (again.topics_ == approximate_fit.topics_).all()
    assert np.array_equal(again.probabilities_, approximate_fit.probabilities_)


def test_the_command_line_passes_knn_and_refuses_an_unknown_method(capsys):
    from topiclens.apps.cli import main
    from topiclens.apps.cli.parser import build_parser

    assert build_parser().parse_args(["fit", "x.jsonl", "--out", "m", "--knn", "approximate"]).knn == "approximate"
    with pytest.raises(SystemExit):
        main(["fit", "x.jsonl", "--out", "m", "--knn", "annoy"])
    assert "--knn" in capsys.readouterr().err
