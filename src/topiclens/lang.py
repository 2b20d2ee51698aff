"""Language detection and Chinese word segmentation (jieba) for the keyword stage."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .errors import require

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[\w\u3400-\u9fff\uf900-\ufaff]")

# Function words and fillers of written Chinese (our own list): they carry no topic.
CHINESE_STOP_WORDS = frozenset("""
的 地 得 了 着 过 和 与 及 以及 或 或者 而 而且 并 并且 但 但是 因为 所以 如果 虽然 是 在 有 也 都 就 还 又
很 更 最 不 没 没有 这 那 这个 那个 这些 那些 此 其 它 它们 他 她 他们 我 我们 你 你们 之 于 对 从 到 把 被
让 给 为 为了 以 由 等 等等 个 一 一个 一些 些 中 上 下 内 能 能够 可以 可 会 将 要 该 所 其他 其它 各种 每
各 通过 如 例如 比如 包括 之间 然后 同时 即 即可 已 已经 并非 非常 用来 以便 这是 这种 那种 本 该包 此包
""".split())


def detect_language(texts: Sequence[str]) -> str:
    """'zh' when a third or more of the sample's letters are CJK characters, else 'en'."""
    sample = "".join(texts[:300])
    letters = sum(ch.isalpha() for ch in sample)
    return "zh" if letters and len(CJK.findall(sample)) / letters > 0.3 else "en"


def chinese_tokenize(text: str) -> list[str]:
    """jieba words, lower-cased; punctuation, single characters and stop words dropped."""
    jieba = require("jieba", "zh", "Chinese word segmentation")
    jieba.setLogLevel(60)
    words = []
    for token in jieba.lcut(text):
        token = token.strip().lower()
        if len(token) < 2 or not WORD.search(token) or token in CHINESE_STOP_WORDS:
            continue
        words.append(token)
    return words
