"""Chinese corpora: detected automatically, segmented with jieba, scored with the same tokens."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from topiclens import TopicModel
from topiclens.keywords import Vocabulary
from topiclens.lang import CHINESE_STOP_WORDS, CJK, chinese_tokenize, detect_language

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "debian_zh_sample.jsonl.gz"


@pytest.fixture(scope="module")
def zh_records():
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def zh_model(zh_records, cache_root):
    return TopicModel(threads=1, verbose=False).fit([r["text"] for r in zh_records])


def test_jieba_segments_words_and_drops_stop_words():
    words = chinese_tokenize("这是一个用于解析 TOML 文件的 Rust 库，由 debcargo 打包。")
    assert {"解析", "toml", "文件", "rust", "debcargo", "打包"} <= set(words)
    assert not set(words) & CHINESE_STOP_WORDS and "，" not in words and "的" not in words
    analyze = Vocabulary(language="zh").analyzer()
    assert "the" not in analyze("the 输入法 framework 框架")


def test_language_is_detected(zh_records):
    assert detect_language([r["text"] for r in zh_records]) == "zh"
    assert detect_language(["plain English text about packages"]) == "en"


def test_chinese_corpus_gets_chinese_keywords(zh_model, zh_records):
    assert zh_model.language_ == "zh"
    assert 5 <= len(zh_model.topic_ids_) <= 40
    for keywords in zh_model.keywords_:
        words = [w for w, _ in keywords]
        assert any(CJK.search(w) for w in words)
        # Segmented words, not whole sentences: the longest Chinese keyword is short.
        assert max(len(w) for w in words if CJK.search(w)) <= 6
        assert not set(words) & CHINESE_STOP_WORDS


def test_chinese_coherence_is_positive_with_segmentation(zh_model, zh_records):
    from topiclens.evaluate import evaluate_model

    report = evaluate_model(zh_model, [r["label"] for r in zh_records], measures=("c_npmi",))
    assert report["summary"]["npmi"] > 0
    assert report["summary"]["nmi"] > 0.2


def test_language_survives_save_and_load(zh_model, tmp_path):
    loaded = TopicModel.load(zh_model.save(tmp_path / "zh"))
    assert loaded.language_ == "zh"
    assert loaded.topic_info()["keywords"].tolist() == zh_model.topic_info()["keywords"].tolist()
