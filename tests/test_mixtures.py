"""Topic mixtures and explained passages with the real model (the bundled Debian slice and its embeddings)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from topiclens import TopicModel
from topiclens.core.passages import passage_spans
from topiclens.ops.mixtures import PASSAGE_TOKENS, shares


def two_topic_document(model, docs, n_each: int = 4) -> tuple[str, int, int, int]:
    """A long document of the ``n_each`` first training documents of the two biggest topics, one after the other;
    the two topics and where the second part starts."""
    sizes = dict(zip(model.topic_ids_, model.topic_sizes_))
    first, second = sorted(sizes, key=sizes.get, reverse=True)[:2]
    part = {t: [d for d, topic in zip(docs, model.topics_) if topic == t and len(d) > 200][:n_each]
            for t in (first, second)}
    head = "\n\n".join(part[first])
    return head + "\n\n" + "\n\n".join(part[second]), first, second, len(head) + 2


def test_training_mixture_rows_sum_to_one_and_short_documents_keep_their_placement(fitted):
    mixture = fitted.topic_mixture_
    assert mixture.shape == (len(fitted.corpus_), len(fitted.topic_ids_))
    usable = fitted.usable_
    np.testing.assert_allclose(mixture[usable].sum(axis=1), 1.0, atol=1e-5)
    expected = shares(fitted.probabilities_)
    short = usable & np.array([len(passage_spans(t, PASSAGE_TOKENS)) == 1 for t in fitted.corpus_.texts])
    assert short.any() and not short[usable].all()
    np.testing.assert_allclose(mixture[short], expected[short], atol=1e-6)
    assert fitted.topic_mixture_ is mixture  # computed once per state


def test_a_document_of_two_topics_is_found_to_mix_them(fitted, docs):
    text, first, second, _ = two_topic_document(fitted, docs)
    for method in ("words", "embeddings"):
        mixture = fitted.topic_mixture([text, "", docs[0]], method=method)
        assert mixture.shape == (3, len(fitted.topic_ids_))
        np.testing.assert_allclose(mixture[[0, 2]].sum(axis=1), 1.0, atol=1e-5)
        assert mixture[1].sum() == 0  # an empty document mixes nothing
        ids = list(fitted.topic_ids_)
        top_two = {ids[i] for i in np.argsort(mixture[0])[::-1][:2]}
        assert top_two == {first, second}, (method, top_two)
        np.testing.assert_allclose(mixture[2], fitted.topic_mixture_[0], atol=1e-6)  # a training document's row


def test_explain_gives_passages_that_cover_the_document_each_with_its_topic(fitted, docs):
    text, first, second, boundary = two_topic_document(fitted, docs)
    spans = fitted.explain(text)
    assert list(spans.columns) == ["start", "end", "topic", "label", "share", "weight", "text"]
    assert spans["start"].iloc[0] == 0 and spans["end"].iloc[-1] == len(text)
    assert (spans["start"].to_numpy()[1:] == spans["end"].to_numpy()[:-1]).all()
    assert "".join(spans["text"]) == text
    assert spans["weight"].sum() == pytest.approx(1.0, abs=1e-3)
    assert ((spans["share"] > 0) & (spans["share"] <= 1)).all()
    head = spans[spans["end"] <= boundary]
    tail = spans[spans["start"] >= boundary]
    assert (head["topic"] == first).mean() > 0.5 and (tail["topic"] == second).mean() > 0.5
    labels = dict(zip(fitted.topic_ids_, fitted.labels_))
    assert all(labels[t] == label for t, label in zip(spans["topic"], spans["label"]) if t >= 0)
    assert fitted.explain("").empty


def test_bad_arguments_are_named(fitted):
    from topiclens.core.errors import ConfigError

    with pytest.raises(ConfigError, match="passage_tokens"):
        fitted.topic_mixture(["text"], passage_tokens=2)
    with pytest.raises(ConfigError, match="method="):
        fitted.topic_mixture(["text"], method="tokens")
    with pytest.raises(ConfigError, match="one document"):
        fitted.explain(["a", "b"])


def test_mixtures_survive_save_and_load(fitted, docs, tmp_path):
    text, *_ = two_topic_document(fitted, docs)
    before = fitted.topic_mixture([text])
    fitted.save(tmp_path / "model")
    loaded = TopicModel.load(tmp_path / "model", verbose=False)
    np.testing.assert_allclose(loaded.topic_mixture_, fitted.topic_mixture_, atol=1e-6)
    np.testing.assert_allclose(loaded.topic_mixture([text]), before, atol=1e-6)


def test_an_edit_keeps_mixtures_consistent_with_the_topics(fitted):
    a, b = fitted.topic_ids_[:2]
    merged = fitted.merge_topics([[a, b]])
    mixture = merged.topic_mixture_
    assert mixture.shape == (len(merged.corpus_), len(merged.topic_ids_))
    np.testing.assert_allclose(mixture[merged.usable_].sum(axis=1), 1.0, atol=1e-5)


def test_fit_says_how_many_documents_are_longer_than_the_embedder_reads_and_what_it_does(docs, capsys):
    from topiclens.embedders import make_embedder
    from topiclens.embedders.cache import DocumentEncoder
    from topiclens.pipeline.lengths import long_documents, reading_of_long_documents

    long_text = " ".join(docs[:40])
    encoder = DocumentEncoder(make_embedder("minilm-int8", threads=1), cache=False, verbose=False)
    assert long_documents(["short text", long_text, long_text], encoder) == (2, 3)
    assert reading_of_long_documents("auto", ["short text", long_text], encoder) == "passages"
    said = capsys.readouterr().err
    assert "1 of 2 documents (50.0%) are longer than the embedding model reads (256 word pieces" in said
    assert "read whole, passage by passage" in said and "(long_documents='auto': at least 10%)" in said
    assert "topic mixtures and explain read every passage" in said
    assert reading_of_long_documents("auto", ["short text"] * 19 + [long_text], encoder) == "truncate"
    said = capsys.readouterr().err
    assert "their beginning is embedded (long_documents='passages' reads them whole)" in said
    assert "(long_documents='auto': under 10%)" in said
    assert reading_of_long_documents("truncate", [long_text], encoder, verbose=False) == "truncate"
    assert reading_of_long_documents("auto", [long_text], encoder, given=True) == "truncate"
    assert "(long_documents='auto': embeddings given)" in capsys.readouterr().err
    assert reading_of_long_documents("passages", [long_text], encoder, verbose=False, given=True) == "passages"
    assert reading_of_long_documents("passages", ["short text"], encoder) == "passages"
    assert reading_of_long_documents("auto", ["short text"], encoder) == "truncate"
    assert capsys.readouterr().err == ""


def test_a_long_document_is_embedded_from_all_its_passages_the_first_counting_most(docs):
    from topiclens.core.knn import normalize
    from topiclens.core.passages import estimate_pieces
    from topiclens.embedders import embed_texts, make_embedder
    from topiclens.embedders.common import passage_budget

    embedder = make_embedder("minilm-int8", threads=1)
    long_text = "\n\n".join(docs[:30])
    spans = passage_spans(long_text, passage_budget(embedder))
    assert len(spans) > 3
    passages = [long_text[a:b] for a, b in spans]
    whole, short = embed_texts([long_text, docs[0]], embedder, cache=False, verbose=False, whole=True)
    parts = embed_texts(passages, embedder, cache=False, verbose=False)
    weights = np.array([estimate_pieces(p) / (k + 1) for k, p in enumerate(passages)], dtype=np.float64)
    np.testing.assert_allclose(whole, normalize((parts * weights[:, None]).sum(axis=0, keepdims=True))[0], atol=1e-5)
    np.testing.assert_allclose(short, embed_texts([docs[0]], embedder, cache=False, verbose=False)[0], atol=1e-6)
    beginning = embed_texts([long_text], embedder, cache=False, verbose=False)[0]  # whole=False: truncated
    np.testing.assert_allclose(beginning, parts[0], atol=0.05)  # what the model reads is the first passage's text
    assert float(whole @ beginning) < 0.98


def test_the_fitted_reading_of_long_documents_is_kept_and_used_for_new_documents(docs, embeddings, tmp_path):
    model = TopicModel(seed=7, threads=1, verbose=False, long_documents="passages").fit(docs, embeddings=embeddings)
    assert model.long_documents_ == "passages"
    assert model.fitted_.encoder().whole
    model.save(tmp_path / "model")
    loaded = TopicModel.load(tmp_path / "model", verbose=False)
    assert loaded.long_documents_ == "passages" and loaded.long_documents == "passages"
    assert loaded.fitted_.encoder().whole
    asked = TopicModel.load(tmp_path / "model", verbose=False, long_documents="truncate")
    assert asked.long_documents_ == "truncate" and not asked.fitted_.encoder().whole  # the caller's word counts
    default = TopicModel(seed=7, threads=1, verbose=False).fit(docs, embeddings=embeddings)
    assert default.long_documents_ == "truncate"  # 'auto': the slice's descriptions are short, today's topics
    assert not default.fitted_.encoder().whole
    with pytest.raises(Exception, match="long_documents"):
        TopicModel(long_documents="whole").fit(docs, embeddings=embeddings)


def test_explain_on_the_command_line_colours_passages_and_escapes_the_text(fitted, docs, tmp_path):
    text, first, second, _ = two_topic_document(fitted, docs)
    hostile = "\x1b]0;pwned\x07\x1b[31mred\u202e" + text
    fitted.save(tmp_path / "model")
    document = tmp_path / "doc.txt"
    document.write_text(hostile, encoding="utf-8")
    command = [sys.executable, "-m", "topiclens", "explain", str(tmp_path / "model"), str(document), "--quiet"]
    shown = subprocess.run([*command, "--color", "always"], capture_output=True, text=True, check=True).stdout
    assert "\x1b[38;5;" in shown  # passages coloured by topic
    assert "\x1b]0;" not in shown and "\x1b[31m" not in shown and "\u202e" not in shown
    assert "the document's topics" in shown
    plain = subprocess.run([*command, "--color", "never"], capture_output=True, text=True, check=True).stdout
    assert "\x1b" not in plain
    result = json.loads(subprocess.run([*command, "--json"], capture_output=True, text=True, check=True).stdout)
    assert {entry["topic"] for entry in result["mixture"][:2]} == {first, second}
    assert result["passages"][0]["start"] == 0 and result["passages"][-1]["end"] == len(hostile)
    missing = subprocess.run([*command[:-2], str(tmp_path / "none.txt")], capture_output=True, text=True)
    assert missing.returncode == 2 and "is not a file" in missing.stderr
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    wrong = subprocess.run([*command[:-2], str(tmp_path / "latin1.txt")], capture_output=True, text=True)
    assert wrong.returncode == 2 and "is not UTF-8" in wrong.stderr


def test_document_info_and_assign_show_each_documents_mixture(fitted, docs):
    info = fitted.document_info()
    assert list(info.columns[:6]) == ["id", "text", "topic", "probability", "topic_label", "mixture"]
    assert (info.loc[fitted.usable_, "mixture"] != "").all()
    assert "mixture" not in fitted.document_info(mixture=False).columns
    import pandas as pd

    table = pd.DataFrame({"text": docs, "mixture": ["theirs"] * len(docs)})
    own = TopicModel(seed=7, threads=1, verbose=False).fit(table, embeddings=fitted.embeddings_)
    assert list(own.document_info().columns[-2:]) == ["mixture", "input_mixture"]  # the input's field renamed
    text, first, second, _ = two_topic_document(fitted, docs)
    assigned = fitted.assign([text, docs[0], ""])
    held = [int(part.split(":")[0]) for part in assigned["mixture"][0].split(", ")]
    assert set(held[:2]) == {first, second}
    assert assigned["mixture"][1] == info["mixture"][0]  # a training document's own mixture
    assert assigned["mixture"][2] == ""
