"""Word segmentation for languages written without spaces: Chinese (jieba) and Japanese (Sudachi).

Each tokenizer is a module-level function, so a scikit-learn CountVectorizer that uses it can be
copied to other processes; the Japanese one keeps one Sudachi tokenizer per thread (a shared one
refuses concurrent use).
"""

from __future__ import annotations

import re
import threading

from .errors import require

WORD = re.compile(r"[\w\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")

# Function words and fillers of written Chinese (our own list): they carry no topic.
CHINESE_STOP_WORDS = frozenset("""
的 地 得 了 着 过 和 与 及 以及 或 或者 而 而且 并 并且 但 但是 因为 所以 如果 虽然 是 在 有 也 都 就 还 又
很 更 最 不 没 没有 这 那 这个 那个 这些 那些 此 其 它 它们 他 她 他们 我 我们 你 你们 之 于 对 从 到 把 被
让 给 为 为了 以 由 等 等等 个 一 一个 一些 些 中 上 下 内 能 能够 可以 可 会 将 要 该 所 其他 其它 各种 每
各 通过 如 例如 比如 包括 之间 然后 同时 即 即可 已 已经 并非 非常 用来 以便 这是 这种 那种 本 该包 此包
""".split())

# Japanese words that Sudachi tags as content words but that carry no topic (our own list).
JAPANESE_STOP_WORDS = frozenset("""
する ある いる なる できる れる られる 行う 使う 使用 場合 こと もの ため よう これ それ あれ どれ ここ そこ
ほか など 等 的 他 各 全て すべて 本 当 次 以下 以上 方法 機能 提供 含む 可能 必要 パッケージ よる 因る 依る
おく 見る 持つ 付く 付ける 出来る いう 言う
""".split())

_JAPANESE = threading.local()
_JAPANESE_DICTIONARY = None
_LOCK = threading.Lock()
# Sudachi parts of speech whose words can name a topic: nouns (common and proper), verbs, adjectives.
_CONTENT = {"名詞": ("普通名詞", "固有名詞"), "動詞": None, "形容詞": None}


def chinese_tokenize(text: str) -> list[str]:
    """jieba words, lower-cased; punctuation, single characters and stop words dropped."""
    jieba = require("jieba", "zh", "Chinese word segmentation")
    jieba.setLogLevel(60)
    return [token for token in (t.strip().lower() for t in jieba.lcut(text))
            if len(token) >= 2 and WORD.search(token) and token not in CHINESE_STOP_WORDS]


def _japanese_tokenizer():
    global _JAPANESE_DICTIONARY
    tokenizer = getattr(_JAPANESE, "tokenizer", None)
    if tokenizer is None:
        sudachipy = require("sudachipy", "ja", "Japanese word segmentation")
        with _LOCK:
            if _JAPANESE_DICTIONARY is None:
                _JAPANESE_DICTIONARY = sudachipy.Dictionary()
        tokenizer = _JAPANESE.tokenizer = _JAPANESE_DICTIONARY.tokenizer(mode=sudachipy.SplitMode.C)
    return tokenizer


def japanese_tokenize(text: str) -> list[str]:
    """Sudachi's content words (nouns, verbs and adjectives, by their dictionary form: the words as the text
    writes them, not Sudachi's normalised spellings such as ミディ for MIDI; the longest units, so
    ハードディスク stays one word), lower-cased; particles, auxiliaries, symbols, single characters and stop
    words dropped."""
    words = []
    for morpheme in _japanese_tokenizer().tokenize(text):
        pos = morpheme.part_of_speech()
        if pos[0] not in _CONTENT:
            continue
        allowed = _CONTENT[pos[0]]
        if allowed is not None and pos[1] not in allowed:
            continue
        if pos[0] != "名詞" and pos[1] == "非自立可能":
            continue
        word = morpheme.dictionary_form().strip().lower()
        if len(word) >= 2 and WORD.search(word) and word not in JAPANESE_STOP_WORDS:
            words.append(word)
    return words


SEGMENTERS = {"zh": chinese_tokenize, "ja": japanese_tokenize}
