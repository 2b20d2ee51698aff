"""The pipeline on real Debian descriptions embedded by the real model."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from topiclens import ConfigError, KMeansClustering, Representation, TopicModel, UMAPReduction
from topiclens.labeling.keyword_filter import is_readable
from topiclens.pipeline.coherence import MIXED_TIGHTNESS


def test_default_fit_finds_topics_that_match_the_archive_sections(fitted, gold):
    topics = fitted.topics_
    n_topics = len(fitted.topic_ids_)
    assert 5 <= n_topics <= 40
    assert (topics >= 0).mean() >= 0.85
    nmi = normalized_mutual_info_score(gold, topics)
    assert nmi > 0.35, nmi


def test_topic_info_has_every_representation(fitted, docs):
    info = fitted.topic_info()
    assert list(info.columns) == ["topic", "size", "label", "confidence", "tightness", "mixed", "keywords", "keybert",
                                  "mmr", "llm", "description", "representative_docs"]
    regular_tightness = info.loc[info.topic >= 0, "tightness"]
    assert ((regular_tightness > 0) & (regular_tightness <= 1)).all()
    assert (info["mixed"] == (info["tightness"].fillna(1.0) < MIXED_TIGHTNESS)).all()
    assert (info["llm"] == "").all()  # no LLM asked yet: labels come from keywords
    regular = info[info.topic >= 0]
    assert regular["size"].tolist() == sorted(regular["size"].tolist(), reverse=True)
    assert regular["size"].sum() + info.loc[info.topic == -1, "size"].sum() == len(docs)
    for row in regular.itertuples():
        assert len(row.keywords) == 10 and len(set(row.keywords)) == 10
        assert len(row.keybert) == 10 and set(row.keybert) <= set(fitted.words_)
        assert len(row.mmr) == 10
        assert 1 <= len(row.representative_docs) <= 5
        assert all(d in docs for d in row.representative_docs)
        readable = [k for k in row.keywords if is_readable(k)]  # no numbers, address or citation pieces
        assert row.label == ", ".join((readable or row.keywords)[:4])


def test_representative_docs_belong_to_their_topic(fitted):
    for t in fitted.topic_ids_:
        assert all(fitted.topics_[i] == t for i in fitted.representative_docs_[t])


def test_keybert_keywords_are_closer_to_the_topic_than_ctfidf_order(fitted):
    """KeyBERT re-ranks by similarity to the centroid, so its mean similarity is never lower."""
    from topiclens.stages.represent import embed_words

    model = fitted
    better = 0
    for t in model.topic_ids_:
        kb = [w for w, _ in model.keybert_[t]]
        kw = [w for w, _ in model.keywords_[t]]
        vectors = embed_words(kb + kw, lambda ws: model.embed(ws))
        centroid = model.centroids_[t]
        sim_kb = np.mean([vectors[w] @ centroid for w in kb])
        sim_kw = np.mean([vectors[w] @ centroid for w in kw])
        assert sim_kb >= sim_kw - 1e-6
        better += sim_kb > sim_kw + 1e-6
    assert better >= len(model.topic_ids_) // 2


def test_mmr_is_more_diverse_than_keybert(fitted):
    from topiclens.stages.represent import embed_words

    def redundancy(words, vectors):
        m = np.stack([vectors[w] for w in words])
        s = m @ m.T
        return (s.sum() - len(words)) / (len(words) * (len(words) - 1))

    lower = 0
    for t in fitted.topic_ids_:
        kb = [w for w, _ in fitted.keybert_[t]]
        mm = [w for w, _ in fitted.mmr_[t]]
        vectors = embed_words(kb + mm, lambda ws: fitted.embed(ws))
        lower += redundancy(mm, vectors) <= redundancy(kb, vectors) + 1e-6
    assert lower == len(fitted.topic_ids_)


def test_document_info_aligns_with_input(fitted, docs):
    info = fitted.document_info()
    assert len(info) == len(docs)
    assert info["text"].tolist() == docs
    assert (info["topic"].to_numpy() == fitted.topics_).all()
    assigned = info[info.topic >= 0]
    assert ((assigned.probability > 0) & (assigned.probability <= 1)).all()


def test_same_seed_same_topics_different_seed_may_differ(docs, embeddings):
    a = TopicModel(seed=3, threads=1, verbose=False).fit_predict(docs, embeddings=embeddings)
    b = TopicModel(seed=3, threads=1, verbose=False).fit_predict(docs, embeddings=embeddings)
    assert (a == b).all()


@pytest.mark.parametrize("reduction,clustering", [("umap", "hdbscan"), ("none", "leiden"), ("pca", "kmeans")])
def test_swappable_stages_are_reproducible(docs, embeddings, reduction, clustering):
    stages = {"umap": UMAPReduction(n_epochs=50), "kmeans": KMeansClustering(n_clusters=12)}
    settings = dict(reduction=stages.get(reduction, reduction), clustering=stages.get(clustering, clustering), seed=11,
                    threads=1, verbose=False)
    a = TopicModel(**settings).fit(docs, embeddings=embeddings)
    b = TopicModel(**settings).fit(docs, embeddings=embeddings)
    assert (a.topics_ == b.topics_).all()
    assert len(a.topic_ids_) >= 2
    if clustering == "kmeans":
        assert len(a.topic_ids_) == 12 and (a.topics_ >= 0).all()


def test_min_cluster_size_scales_with_corpus_and_can_be_overridden(docs, embeddings):
    from topiclens.stages.cluster import auto_min_cluster_size

    assert auto_min_cluster_size(600) == 10
    assert auto_min_cluster_size(30_000) == 60
    model = TopicModel(min_cluster_size=40, threads=1, verbose=False).fit(docs, embeddings=embeddings)
    assert min(model.topic_sizes_) >= 40


def test_nr_topics_merges_down_to_the_number(docs, embeddings, fitted):
    assert len(fitted.topic_ids_) > 5
    model = TopicModel(nr_topics=5, seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings)
    assert len(model.topic_ids_) == 5
    # merging loses no document, and a fit told its number of topics sends no member away (member_threshold)
    every = TopicModel(member_threshold=None, seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings)
    assert sum(model.topic_sizes_) == int((every.topics_ >= 0).sum()) > int((fitted.topics_ >= 0).sum())


def test_outlier_reduction_with_threshold(docs, embeddings):
    base = TopicModel(reduction=UMAPReduction(n_epochs=50), clustering="hdbscan", threads=1, verbose=False)
    topics = base.fit_predict(docs, embeddings=embeddings)
    n_out = int((topics < 0).sum())
    assert n_out > 0
    reduced = base.set_params(outlier_threshold=0.0).fit_predict(docs, embeddings=embeddings)
    assert (reduced >= 0).all()
    assert (reduced[topics >= 0] == topics[topics >= 0]).all()
    strict = base.set_params(outlier_threshold=0.6).fit_predict(docs, embeddings=embeddings)
    assert 0 < int((strict < 0).sum()) < n_out


def test_members_far_from_their_topic_go_to_the_outliers_and_none_keeps_them(docs, embeddings, fitted, tmp_path):
    from topiclens.core.knn import normalize
    from topiclens.pipeline.coherence import outlying_members

    whole = TopicModel(member_threshold=None, seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings)
    assert fitted.member_threshold == 0.4  # the default
    far = outlying_members(np.asarray(whole.topics_), normalize(embeddings), 0.4)
    assert 0 < far.sum() < 0.15 * len(docs)  # the slice has loose members, and few
    assert ((fitted.topics_ < 0) == ((whole.topics_ < 0) | far)).all()  # exactly those, and nothing else moved
    kept = fitted.topics_ >= 0
    assert normalized_mutual_info_score(whole.topics_[kept], fitted.topics_[kept]) == pytest.approx(1.0)
    fitted.save(tmp_path / "model")
    assert TopicModel.load(tmp_path / "model", verbose=False).member_threshold == 0.4  # restored with the model
    with pytest.raises(ConfigError, match="member_threshold"):
        TopicModel(member_threshold=1.5, verbose=False).fit(docs, embeddings=embeddings)


def test_bad_parameters_are_named():
    with pytest.raises(ConfigError, match="unknown clustering 'dbscan'"):
        TopicModel(clustering="dbscan", verbose=False).fit(["a b c"] * 20)
    with pytest.raises(ConfigError, match="KMeans needs a number of topics"):
        TopicModel(clustering="kmeans", verbose=False).fit(["alpha beta", "gamma delta"] * 10)


def test_wrong_embedding_shape_is_named(docs):
    with pytest.raises(ConfigError, match="3 embeddings for 600 documents"):
        TopicModel(verbose=False).fit(docs, embeddings=np.zeros((3, 8), dtype=np.float32))


def test_keyword_weightings(docs, embeddings, fitted):
    classic = TopicModel(seed=7, threads=1, verbose=False,
                         representation=Representation(keyword_weighting="classic")).fit(docs, embeddings=embeddings)
    assert (classic.topics_ == fitted.topics_).all()
    assert [[w for w, _ in k] for k in classic.keywords_] != [[w for w, _ in k] for k in fitted.keywords_]
    # Both rank the topic's own dominant word first for most topics (e.g. 'perl', 'rust').
    same_first = sum(a[0][0] == b[0][0] for a, b in zip(classic.keywords_, fitted.keywords_))
    assert same_first >= len(fitted.keywords_) // 2
    with pytest.raises(ConfigError, match="unknown keyword_weighting 'tfidf'"):
        TopicModel(representation=Representation(keyword_weighting="tfidf"), verbose=False).fit(docs)


def test_layout_places_topics_apart(fitted):
    """The stored 2-D map keeps a topic's documents closer together than documents of different topics."""
    coords = fitted.layout_[fitted.usable_]
    topics = fitted.topics_[fitted.usable_]
    assert coords.shape == (int(fitted.usable_.sum()), 2) and np.isfinite(coords).all()
    centres = np.array([coords[topics == t].mean(axis=0) for t in fitted.topic_ids_])
    within = np.mean([np.linalg.norm(coords[topics == t] - centres[t], axis=1).mean() for t in fitted.topic_ids_])
    between = np.mean([np.linalg.norm(c - d) for c in centres for d in centres if c is not d])
    assert within < 0.6 * between
