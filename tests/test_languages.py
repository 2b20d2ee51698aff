"""Languages other than English and Chinese, on real Debian translations (data/debian_<lang>_sample.jsonl.gz):
detected offline, the right words, the multilingual embedder, NMI well above chance, labels in the language."""

from __future__ import annotations

import gzip
import json
import re
import warnings

import numpy as np
import pytest

from conftest import ROOT
from topiclens import TopicModel
from topiclens.lang import KANA, corpus_language, language_shares
from topiclens.segment import japanese_tokenize

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
JAPANESE_FUNCTION_WORDS = {"なぜなら", "たとえば", "すなわち", "さらに", "ます", "です", "する", "こと", "ため"}


def _sample(code: str, n: int = 500) -> tuple[list[str], list[str]]:
    with gzip.open(ROOT / "data" / f"debian_{code}_sample.jsonl.gz", "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for _, line in zip(range(n), handle)]
    return [r["text"] for r in records], [r["label"] for r in records]


@pytest.fixture(scope="module", params=["ja", "de", "ru"])
def fitted_language(request):
    docs, gold = _sample(request.param)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = TopicModel(seed=7, threads=1, verbose=False, layout="none").fit(docs)
    assert not [w for w in caught if str(w.message).startswith("language ")]  # nothing fell back
    return request.param, model, gold


def test_the_corpus_language_is_detected_offline_and_picks_the_multilingual_embedder(fitted_language):
    code, model, _ = fitted_language
    assert model.language_ == code
    assert model.embedding_model_ == "use-multilingual"


def test_keywords_are_words_of_the_language_not_function_words_or_phrase_chunks(fitted_language):
    code, model, _ = fitted_language
    words = [w for t in model.topic_ids_ for w, _ in model.keywords_[t][:10]]
    native = [w for w in words if (KANA.search(w) or re.search(r"[\u4e00-\u9fff]", w)) if code == "ja"] \
        if code == "ja" else [w for w in words if CYRILLIC.search(w)] if code == "ru" else \
        [w for w in words if re.fullmatch(r"[a-zäöüß-]+", w)]
    assert len(native) >= 0.5 * len(words)  # mostly the language's own words (Latin product names aside)
    if code == "ja":
        assert not set(words) & JAPANESE_FUNCTION_WORDS
        assert max(len(w) for w in native) <= 10  # words, not phrase chunks like などのように指定します
    if code == "de":
        assert not set(words) & {"und", "der", "die", "das", "für", "mit", "ist", "eine", "werden"}
    if code == "ru":
        assert not set(words) & {"и", "в", "для", "на", "с", "это", "который", "также"}


def test_topics_match_the_gold_sections_far_better_than_chance(fitted_language):
    from sklearn.metrics import normalized_mutual_info_score

    _, model, gold = fitted_language
    topics = np.asarray(model.topics_)
    score = normalized_mutual_info_score(gold, topics)
    shuffled = normalized_mutual_info_score(np.random.default_rng(0).permutation(gold), topics)
    assert score > 0.3 and score > 2.5 * shuffled


def test_japanese_segmentation_keeps_content_words_whole():
    words = japanese_tokenize("本パッケージには、ハードディスクの温度を表示するプログラムが含まれます。")
    assert "ハードディスク" in words and "温度" in words and "表示" in words
    assert not {"には", "の", "を", "が", "ます", "する", "パッケージ"} & set(words)


def test_a_mixed_corpus_is_noted_and_an_unknown_language_warns_what_falls_back(capsys):
    german, _ = _sample("de", 60)
    russian, _ = _sample("ru", 40)
    shares = language_shares(german + russian)
    assert list(shares)[:2] == ["de", "ru"] and shares["ru"] == pytest.approx(0.4, abs=0.05)
    assert corpus_language(german + russian, "auto") == "de"
    assert "mixed languages: de 60%, ru 40%" in capsys.readouterr().err
    with pytest.warns(UserWarning, match="no stop-word list for ace.*not among use-multilingual"):
        assert corpus_language(german, "ace") == "ace"


@pytest.mark.slow
def test_labels_come_back_in_the_language(tmp_path):
    for code, script in (("ja", KANA), ("ru", CYRILLIC)):
        docs, _ = _sample(code, 400)
        model = TopicModel(seed=7, threads=1, verbose=False, layout="none", nr_topics=4, cache=str(tmp_path),
                           labeler="qwen2.5-coder-1.5b").fit(docs)
        labels = [model.labels_[t] for t in model.topic_ids_]
        in_language = [label for label in labels if script.search(label) or re.search(r"[\u4e00-\u9fff]", label)]
        assert len(in_language) >= 3, labels
