"""Declared parameter rules and their one-line messages; parameter records in model files."""

from __future__ import annotations

import numpy as np
import pytest

from topiclens import ConfigError, KMeansClustering, LeidenClustering, PCAReduction, Representation, Vocabulary
from topiclens.core.params import Instance, IsNone, Number, OneOf, Unrestored, check_param
from topiclens.store.records import param_record, restore_param, upgrade_v1_params


def test_numbers_reject_bools_nan_and_out_of_range_values():
    rule = Number(int, 1)
    assert rule.accepts(3) and rule.accepts(np.int64(3))
    assert not rule.accepts(True) and not rule.accepts(0) and not rule.accepts(2.5)
    real = Number(float, 0, 1)
    assert real.accepts(0.5) and real.accepts(1) and real.accepts(np.float32(0.25))
    assert not real.accepts(float("nan")) and not real.accepts(1.5)
    assert not Number(float, 0, low_open=True).accepts(0.0)
    assert not Instance(int).accepts(False)


def test_messages_name_the_parameter_the_value_and_the_choices():
    with pytest.raises(ConfigError, match=r"^unknown clustering 'dbscan': use one of 'leiden', 'kmeans'$"):
        check_param("TopicModel", "clustering", "dbscan", [OneOf(["leiden", "kmeans"])])
    with pytest.raises(ConfigError, match=r"^TopicModel\(n_neighbors=0\) is not valid: use an integer >= 1$"):
        check_param("TopicModel", "n_neighbors", 0, [Number(int, 1)])
    with pytest.raises(ConfigError, match=r"use None; or an integer >= 2"):
        check_param("TopicModel", "min_cluster_size", 1.5, [IsNone(), Number(int, 2)])


def test_stage_objects_check_their_own_knobs():
    with pytest.raises(ConfigError, match=r"LeidenClustering\(resolution=-1\.0\) is not valid"):
        LeidenClustering(resolution=-1.0).check()
    with pytest.raises(ConfigError, match="KMeans needs a number of topics"):
        KMeansClustering().check()
    with pytest.raises(ConfigError, match="ngram_range"):
        Vocabulary(ngram_range=(2, 1)).check()
    with pytest.raises(ConfigError, match="unknown keyword_weighting 'tfidf'"):
        Representation(keyword_weighting="tfidf").check()
    assert PCAReduction(32).check().n_components == 32


def test_unrestored_objects_say_how_to_supply_them():
    marker = Unrestored("sklearn.cluster.AgglomerativeClustering", "AgglomerativeClustering(n_clusters=20)")
    with pytest.raises(ConfigError, match=r"clustering was AgglomerativeClustering\(n_clusters=20\).*"
                                          r"TopicModel.load\(DIR, clustering=...\)"):
        check_param("TopicModel", "clustering", marker, [OneOf(["leiden"])])


def test_our_stages_round_trip_through_json_and_other_objects_do_not():
    from sklearn.cluster import AgglomerativeClustering

    stage = LeidenClustering(resolution=2.0)
    record = param_record(stage)
    assert record == {"stage": "LeidenClustering", "params": {"resolution": 2.0, "iterations": -1}}
    assert restore_param(record).get_params() == stage.get_params()
    vocabulary = restore_param(param_record(Vocabulary(ngram_range=(1, 2), stop_words=["a", "b"])))
    assert vocabulary.ngram_range == (1, 2) and list(vocabulary.stop_words) == ["a", "b"]
    foreign = restore_param(param_record(AgglomerativeClustering(n_clusters=20)))
    assert isinstance(foreign, Unrestored) and "n_clusters=20" in foreign.description
    # a file cannot name a class to build: only topiclens's own stages are rebuilt
    assert isinstance(restore_param({"stage": "os.system", "params": {"command": "true"}}), Unrestored)


def test_schema_one_parameters_become_stage_objects():
    old = {"model": "embedding", "reduction": "umap", "n_components": 7, "umap_epochs": 50, "clustering": "kmeans",
           "n_clusters": 12, "stop_words": "english", "ngram_range": [1, 2], "min_df": 3, "max_df": 1.0,
           "keyword_weighting": "classic", "top_n_words": 10, "reduce_outliers": True, "outlier_threshold": 0.2,
           "layout": "umap", "layout_epochs": 30, "seed": 5, "llm": "openai:m@http://x", "cache": "/elsewhere"}
    new = {k: restore_param(v) for k, v in upgrade_v1_params(old).items()}
    assert new["reduction"].get_params() == {"n_components": 7, "n_neighbors": None, "n_epochs": 50}
    assert new["clustering"].n_clusters == 12 and new["layout"].n_epochs == 30
    assert new["vectorizer"].ngram_range == (1, 2) and new["vectorizer"].min_df == 3
    assert new["representation"].keyword_weighting == "classic"
    assert new["outlier_threshold"] == 0.2 and new["seed"] == 5
    assert "llm" not in new and "cache" not in new  # where requests and caches go is never read from files
