"""Label confidence (how well a label fits its topic and not its neighbours), evidence that covers a topic's parts,
and edits on a loaded model that never leave a keyword string as a label without saying so."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from states import with_state
from topiclens.core.errors import TopicLensWarning


def test_separation_is_one_when_every_own_document_is_closer_and_half_when_the_label_says_nothing():
    from topiclens.labeling.confidence import separation

    label = np.array([[1.0, 0.0]])
    own = [np.array([[0.9, 0.1], [0.8, 0.2]])]
    others = [np.array([[0.1, 0.9], [0.2, 0.8], [0.0, 1.0]])]
    assert separation(label, own, others)[0] == 1.0
    assert separation(label, others, own)[0] == 0.0
    same = [np.array([[0.5, 0.5]])]
    assert separation(label, same, same)[0] == 0.5
    assert np.isnan(separation(label, [np.zeros((0, 2))], others)[0])


def test_weakest_first_puts_unknown_confidences_last():
    from topiclens.labeling.confidence import weakest_first

    assert weakest_first([0.9, None, 0.4, float("nan"), 0.6]) == [2, 4, 0, 1, 3]


def test_readable_keywords_drop_numbers_addresses_and_citation_debris():
    from topiclens.labeling.clean import keyword_label
    from topiclens.labeling.keyword_filter import readable_keywords

    pairs = [("al et", 0.9), ("org https", 0.8), ("amd i3", 0.7), ("kernel", 0.6), ("x86", 0.5), ("raid", 0.4),
             ("lvm", 0.3), ("kernel raid", 0.2), ("文件", 0.1), ("disks", 0.05)]
    assert [w for w, _ in readable_keywords(pairs)] == ["kernel", "raid", "lvm", "文件", "disks"]
    assert keyword_label(pairs) == "kernel, raid, lvm, 文件"
    assert keyword_label([("x86", 1.0)]) == "x86"  # nothing readable: the keywords as they are


def test_parts_evidence_shows_every_family_of_near_copies(cache_root):
    """A topic of two families of near-copies (30 Go packages, 12 text editors): the documents nearest the centre
    are all of the larger family; one document from each part covers both."""
    from topiclens.core.knn import normalize
    from topiclens.embedders import embed_texts, make_embedder
    from topiclens.labeling.evidence import evidence_rows

    go = [f"Go library for parsing {thing} files, version {i}" for i, thing in
          enumerate(["YAML", "TOML", "JSON", "INI", "CSV", "XML"] * 5)]
    editors = [f"Text editor for the terminal with {feature} support, edition {i}" for i, feature in
               enumerate(["syntax highlighting", "macro", "plugin", "split window"] * 3)]
    texts = go + editors
    vectors = normalize(embed_texts(texts, make_embedder("all-MiniLM-L6-v2", threads=1), verbose=False))
    topics = np.zeros(len(texts), dtype=np.int64)
    centre = normalize(vectors.mean(axis=0, keepdims=True))
    rows = np.arange(len(texts))
    nearest = evidence_rows(vectors, rows, topics, [0], centre, [[]], 5, "nearest")[0]
    parts = evidence_rows(vectors, rows, topics, [0], centre, [[]], 5, "parts")[0]
    family = ["editor" if r >= len(go) else "go" for r in parts]
    assert "editor" in family and "go" in family, [texts[r] for r in parts]
    assert len(set(parts)) == 5
    assert all(r < len(go) for r in nearest), "the fixture should fool the nearest-documents evidence"


def test_confidence_is_computed_saved_loaded_and_shown(fitted, tmp_path, capsys):
    from topiclens import TopicModel
    from topiclens.apps.cli import main

    model = TopicModel.load(_saved(fitted, tmp_path / "m"), threads=1, verbose=False)
    assert model.label_confidence_ is None
    first, second = model.topic_ids_[:2]
    keywords = model.labels_[model.fitted_.position(first)]
    model.set_labels({first: keywords, second: "Sourdough bread baking and yeast"}, inplace=True)
    scores = model.label_confidence_
    assert scores[model.fitted_.position(first)] > 0.7, scores  # its own keywords fit it
    at = model.fitted_.position
    assert scores[at(first)] > scores[at(second)]  # a label from nowhere fits worse
    assert all(s is None for s in scores[2:])
    model.save(tmp_path / "m2")
    again = TopicModel.load(tmp_path / "m2", threads=1, verbose=False)
    assert again.label_confidence_ == scores
    manifest = json.loads((tmp_path / "m2" / "topiclens.json").read_text())
    assert manifest["topics"][0]["label_confidence"] == scores[0]
    assert again.topic_info().set_index("topic").loc[first, "confidence"] == scores[0]
    assert main(["info", str(tmp_path / "m2"), "--rows", "0"]) == 0
    out = capsys.readouterr().out
    assert " fit  label" in out and f"{scores[0]:.2f}" in out
    assert f"topics {second}" in out.split("fit their topics least")[1], out  # the weak label is listed for review
    assert main(["info", str(tmp_path / "m2"), "--topic", str(second)]) == 0
    assert f"fit:       {scores[1]:.2f}" in capsys.readouterr().out


def _saved(model, path):
    model.save(path)
    return path


def test_an_edit_with_no_llm_at_hand_marks_the_keyword_label_and_says_how_to_name_it(five_topics, tmp_path, capsys):
    """A loaded model whose labels a remote LLM wrote: a merge cannot ask that LLM, so the merged topic's keyword
    label is listed as waiting, the warning says how to name it, and info marks it."""
    from topiclens import TopicModel
    from topiclens.apps.cli import main

    model = TopicModel.load(_saved(five_topics, tmp_path / "m"), threads=1, verbose=False)
    llm_written = [f"Named topic {t}" for t in model.topic_ids_]
    model.set_labels(dict(zip(model.topic_ids_, llm_written)), inplace=True)
    model = with_state(model, llm_labels=list(llm_written), llm_name="openai:some-model")
    model.save(tmp_path / "m", keep_previous=True)
    loaded = TopicModel.load(tmp_path / "m", threads=1, verbose=False)
    with pytest.warns(TopicLensWarning, match=r"keyword labels until an LLM names them .*topiclens label DIR --topics"):
        merged = loaded.merge_topics([loaded.topic_ids_[:2]])
    changed = merged.edit_["changed"]
    assert merged.waiting_for_names_ == changed
    at = merged.fitted_.position(changed[0])
    assert merged.labels_[at] not in llm_written and merged.llm_labels_[at] == ""
    merged.save(tmp_path / "m", keep_previous=True)
    assert main(["info", str(tmp_path / "m"), "--rows", "0"]) == 0
    out = capsys.readouterr().out
    assert "[relabel] " in out and f"waiting for an LLM name: topics {changed[0]}" in out


def test_an_edit_on_a_loaded_model_labeled_by_a_bundled_llm_asks_that_llm(five_topics, tmp_path):
    from topiclens import TopicModel

    labeled = TopicModel.load(_saved(five_topics, tmp_path / "m"), threads=1, verbose=False)
    labeled.label_topics("smollm2-135m", inplace=True)
    assert labeled.llm_name_ == "llama-cpp:smollm2-135m"
    labeled.save(tmp_path / "m", keep_previous=True)
    loaded = TopicModel.load(tmp_path / "m", threads=1, verbose=False)
    assert loaded.labeler is None
    with warnings.catch_warnings():
        warnings.simplefilter("error", TopicLensWarning)
        merged = loaded.merge_topics([loaded.topic_ids_[:2]])
    (changed,) = merged.edit_["changed"]
    at = merged.fitted_.position(changed)
    assert merged.llm_labels_[at] and merged.labels_[at] == merged.llm_labels_[at]
    assert merged.edit_["labeled"] == [changed] and merged.waiting_for_names_ == []
    assert merged.label_confidence_[at] is not None
    with pytest.warns(TopicLensWarning, match="keyword labels until an LLM names them"):
        plain = loaded.merge_topics([loaded.topic_ids_[:2]], labeler=False)
    assert plain.waiting_for_names_ == plain.edit_["changed"]


def test_cli_edit_without_an_llm_says_which_labels_wait(five_topics, tmp_path, capsys):
    from topiclens import TopicModel
    from topiclens.apps.cli import main

    model = TopicModel.load(_saved(five_topics, tmp_path / "m"), threads=1, verbose=False)
    model.label_topics("smollm2-135m", inplace=True)
    model.save(tmp_path / "m", keep_previous=True)
    first, second = model.topic_ids_[:2]
    with pytest.warns(TopicLensWarning, match=r"keyword labels until an LLM names them \(topics \d+\)"):
        assert main(["merge", str(tmp_path / "m"), f"{first},{second}", "--no-llm", "--quiet", "--threads", "1"]) == 0
    merged = TopicModel.load(tmp_path / "m", threads=1, verbose=False)
    assert merged.waiting_for_names_ == merged.edit_["changed"] == [first]
    assert main(["info", str(tmp_path / "m")]) == 0
    assert f"waiting for an LLM name: topics {first}" in capsys.readouterr().out
