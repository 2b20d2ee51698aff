"""Words of a text in its language: segmentation for Chinese (jieba), Japanese (Sudachi) and Korean (Kiwi),
and dictionary forms (lemmas, from simplemma) for languages written with spaces.

Each tokenizer is a module-level function (or a ``functools.partial`` of one), so a scikit-learn
CountVectorizer that uses it can be copied to other processes; the Japanese and Korean ones keep one
analyser per thread (a shared Sudachi tokenizer refuses concurrent use).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache, partial

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

# Korean nouns that Kiwi tags as content words but that carry no topic in software descriptions (our own list).
KOREAN_STOP_WORDS = frozenset("""
사용 패키지 포함 지원 제공 기능 가능 경우 위해 이용 필요 정도 다음 부분 자체 관련 여러 다양 모든 기타 버전 이것
""".split())

_JAPANESE = threading.local()
_KOREAN = threading.local()
_JAPANESE_DICTIONARY = None
_LOCK = threading.Lock()
# Sudachi parts of speech whose words can name a topic: nouns (common and proper), verbs, adjectives.
_CONTENT = {"名詞": ("普通名詞", "固有名詞"), "動詞": None, "形容詞": None}


def chinese_tokenize(text: str) -> list[str]:
    """jieba words, lower-cased; punctuation, single characters and stop words dropped."""
    import jieba
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


def japanese_pieces(text: str) -> list[str]:
    """``text`` cut between Sudachi's words, every character kept (joined, the pieces give ``text`` back)."""
    return [morpheme.surface() for morpheme in _japanese_tokenizer().tokenize(text)]


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


def _korean_analyser():
    analyser = getattr(_KOREAN, "kiwi", None)
    if analyser is None:
        kiwipiepy = require("kiwipiepy", "ko", "Korean word segmentation")
        analyser = _KOREAN.kiwi = kiwipiepy.Kiwi(num_workers=1)
    return analyser


# Kiwi's tags for words that can name a topic: common and proper nouns, and words in Latin letters (Linux, X11).
_KOREAN_CONTENT = frozenset({"NNG", "NNP", "SL"})


def korean_tokenize(text: str) -> list[str]:
    """Kiwi's nouns and Latin-letter words, lower-cased; particles, endings, verbs, single characters and stop
    words dropped (Korean attaches particles to nouns: 파일을 and 파일이 both count as 파일)."""
    words = []
    for token in _korean_analyser().tokenize(text):
        if token.tag not in _KOREAN_CONTENT:
            continue
        word = token.form.strip().lower()
        if len(word) >= 2 and WORD.search(word) and word not in KOREAN_STOP_WORDS:
            words.append(word)
    return words


SEGMENTERS = {"zh": chinese_tokenize, "ja": japanese_tokenize, "ko": korean_tokenize}
TOKEN_PATTERN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


@lru_cache(maxsize=1)
def lemmatized_languages() -> frozenset[str]:
    """The languages simplemma has a dictionary for (shipped in its wheel), English left out: English keywords
    stay as the text writes them."""
    try:
        from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES
    except ImportError:
        return frozenset()
    return frozenset(SUPPORTED_LANGUAGES) - {"en"}


@lru_cache(maxsize=200_000)
def _lemma(word: str, language: str) -> str:
    import simplemma

    return simplemma.lemmatize(word, lang=language).lower()


def lemmatized_words(text: str, language: str) -> list[str]:
    """The words of ``text`` (scikit-learn's pattern) by their dictionary form, lower-cased: Dateien and Datei
    count as datei, файлов and файлы as файл. Words are looked up as written, since case tells German nouns
    from verbs (Perl stays perl; lower-cased first it would become perlen)."""
    return [_lemma(word, language) for word in TOKEN_PATTERN.findall(text)]


def word_splitter(language: str, lemmatize: bool = True) -> Callable[[str], list[str]] | None:
    """The function that splits a text of ``language`` into the words counted for its keywords: a segmenter
    for Chinese, Japanese and Korean, lemmas where simplemma knows the language (with ``lemmatize``),
    else None (scikit-learn's words between spaces)."""
    if language in SEGMENTERS:
        return SEGMENTERS[language]
    if lemmatize and language in lemmatized_languages():
        return partial(lemmatized_words, language=language)
    return None
