"""The corpus language: detected once (py3langid, whose model ships in its wheel), then what each stage
does with it: the words (segmenter, stop words), the embedder and the language of the labels."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from .segment import SEGMENTERS, lemmatized_languages

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
KANA = re.compile(r"[\u3040-\u30ff]")
DETECTION_SAMPLE = 300  # documents read to detect the corpus language
MIXED_SHARE = 0.2  # a second language with at least this share of the sample is reported

# use-multilingual (Universal Sentence Encoder multilingual v3) was trained on these 16 languages.
MULTILINGUAL_EMBEDDER_LANGUAGES = frozenset("ar zh nl en de fr it pt es ja ko pl ru th tr".split())
# Names for the label prompt ("Write the label in German."); other codes are named by their code.
LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "gl": "Galician", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian",
    "lv": "Latvian", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish", "th": "Thai",
    "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}
_SAME = {"wuu": "zh", "yue": "zh", "nn": "no"}  # Chinese varieties are read as Chinese
_NOT_A_LANGUAGE = {"zxx", "und"}


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def document_language(text: str) -> str:
    """One document's language code ('und' when there is nothing to read)."""
    if not text.strip():
        return "und"
    code = _identifier().classify(text[:2000])[0]
    return _SAME.get(code, code)


def language_shares(texts: Sequence[str], sample: int = DETECTION_SAMPLE) -> dict[str, float]:
    """The share of each language among up to ``sample`` documents spread over the corpus, largest first."""
    if not texts:
        return {}
    step = max(1, len(texts) // sample)
    try:
        votes = Counter(document_language(t) for t in list(texts)[::step][:sample])
    finally:
        _identifier.cache_clear()  # 70 MB of model a fit has no further use for
    for code in _NOT_A_LANGUAGE:
        votes.pop(code, None)
    total = sum(votes.values())
    return {code: count / total for code, count in votes.most_common()} if total else {}


def detect_language(texts: Sequence[str]) -> str:
    """The corpus language: the most common language among the sampled documents ('en' if none reads)."""
    shares = language_shares(texts)
    return next(iter(shares), "en")


def language_fallbacks(code: str) -> list[str]:
    """What topiclens cannot do for ``code`` and does instead, one sentence each (empty: nothing falls back)."""
    fallbacks = []
    if code in ("th", "lo", "km", "my", "bo", "dz"):
        fallbacks.append(f"no word segmenter for {code}: words are split at spaces only")
    if code not in ("en", "zh") and not _has_iso_stop_words(code):
        fallbacks.append(f"no stop-word list for {code}: keywords keep function words")
    if code not in ("en", *SEGMENTERS) and code not in lemmatized_languages():
        fallbacks.append(f"no lemmatiser for {code}: keywords keep the forms the text writes (one word may "
                         "show in several)")
    if code not in MULTILINGUAL_EMBEDDER_LANGUAGES:
        fallbacks.append(f"{code} is not among use-multilingual's 16 languages: documents are embedded with it "
                         "anyway (pass embedding_model= to choose another)")
    return fallbacks


def _has_iso_stop_words(code: str) -> bool:
    try:
        import stopwordsiso
    except ImportError:
        return False
    return bool(stopwordsiso.has_lang(code))


def language_stop_words(code: str) -> frozenset[str]:
    """The stop words of a language: our own lists for Chinese, Japanese and Korean (with stopwordsiso's for
    the last two), stopwordsiso's for the others (empty if it has none)."""
    from .segment import CHINESE_STOP_WORDS, JAPANESE_STOP_WORDS, KOREAN_STOP_WORDS

    if code == "zh":
        return CHINESE_STOP_WORDS
    own = {"ja": JAPANESE_STOP_WORDS, "ko": KOREAN_STOP_WORDS}.get(code, frozenset())
    if not _has_iso_stop_words(code):
        return own
    import stopwordsiso

    return own | frozenset(stopwordsiso.stopwords(code))


# Languages told by their script alone: a label with one such character is taken as written in the language.
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
SCRIPTS = {"zh": re.compile(r"[\u4e00-\u9fff]"), "ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"),
           "ko": re.compile(r"[\uac00-\ud7af]"), "ru": _CYRILLIC, "uk": _CYRILLIC, "bg": _CYRILLIC,
           "el": re.compile(r"[\u0370-\u03ff]"), "he": re.compile(r"[\u0590-\u05ff]"), "ar": _ARABIC, "fa": _ARABIC,
           "hi": re.compile(r"[\u0900-\u097f]"), "th": re.compile(r"[\u0e00-\u0e7f]")}


@lru_cache(maxsize=16)
def _pair_identifier(code: str):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code, "en"])
    return identifier


def written_in(text: str, code: str) -> bool:
    """Whether a short text (a label) is written in ``code``: by its script for languages with their own
    (a label with one Hangul syllable is Korean), only ASCII for English, and else py3langid choosing between
    the language and English (a label made only of product names reads as English)."""
    if code in SCRIPTS:
        return bool(SCRIPTS[code].search(text))
    if code == "en":
        return bool(re.fullmatch(r"[\x00-\x7f]+", text))
    try:
        return _pair_identifier(code).classify(text)[0] == code
    except ValueError:  # a code py3langid does not know
        return False


def language_name(code: str) -> str:
    """The English name of a language for prompts ('Language "xx"' when it has none here)."""
    return LANGUAGE_NAMES.get(code, f'the language with ISO code "{code}"')


def corpus_language(texts: Sequence[str], asked: str, verbose: bool = True) -> str:
    """The language a fit uses: ``asked``, or the detected one for 'auto'; a mixed corpus is noted (its
    documents are all handled as the main language's), and what falls back to what is one warning."""
    import warnings

    from .errors import TopicLensWarning
    from .runtime import note

    language = asked
    if asked == "auto":
        shares = language_shares(texts)
        language = next(iter(shares), "en")
        others = [f"{code} {share:.0%}" for code, share in list(shares.items())[1:] if share >= MIXED_SHARE]
        if others and verbose:
            note(f"mixed languages: {language} {shares[language]:.0%}, {', '.join(others)} of the documents "
                 f"sampled; all are handled as {language} (pass language= to choose)")
    fallbacks = language_fallbacks(language)
    if fallbacks:
        warnings.warn(f"language {language}: {'; '.join(fallbacks)}", TopicLensWarning, stacklevel=3)
    return language
