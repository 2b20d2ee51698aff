"""The vocabulary stage: which words a topic's keywords are ranked from, per language.

:class:`Vocabulary` configures scikit-learn's CountVectorizer once (stop words, n-grams, document
frequency limits) and adds the corpus language: Chinese text is segmented into words by jieba,
Japanese by Sudachi, Korean by Kiwi; words of other languages are counted by their dictionary form
(simplemma) where one is known, and every language gets its own stop words.
A user's own CountVectorizer-like object is adapted by :class:`SklearnVectorizer`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from ..core.errors import ConfigError, CorpusError
from ..core.lang import language_stop_words
from ..core.params import Instance, IsNone, Number, OneOf, Rule
from ..core.segment import TOKEN_PATTERN, word_splitter
from .base import Stage


@lru_cache(maxsize=32)
def _stop_list(language: str, listed: frozenset[str] | None, lemmatize: bool) -> tuple[str, ...]:
    """The stop words of a language (``listed`` or, for None, its own list plus English's), with the words a
    listed phrase ("хотел бы", "に対する") or form ("dieses", "Dieses" at a sentence start) becomes as the counts
    see it ("dieser"); built once per process, not at every transform."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = language_stop_words(language) | ENGLISH_STOP_WORDS if listed is None else listed
    split = word_splitter(language, lemmatize) or TOKEN_PATTERN.findall
    listed_words = set(words)
    new = listed_words
    while new:  # a lemma's own lemma can differ (heißt: heißen, heißen: heiß)
        new = {word for entry in new for form in {entry.lower(), entry.capitalize()} for word in split(form)} \
            - listed_words
        listed_words |= new
    return tuple(sorted(listed_words))


class Vocabulary(Stage):
    """Word counts per document (scikit-learn's CountVectorizer, configured once, language-aware).

    Parameters
    ----------
    stop_words : 'english', list of str or None, default 'english'
        Words never ranked ('english': scikit-learn's list; Chinese corpora add a Chinese list).
    ngram_range : (int, int), default (1, 1)
        Word n-gram lengths.
    min_df, max_df : int or float, default 2 and 1.0
        Ignore words in fewer / more documents (a float is a share of the documents).
    max_features : int or None, default None
        Keep only the most frequent words.
    lemmatize : bool, default True
        Count the words of languages other than English by their dictionary form (simplemma's dictionaries:
        German, French, Russian, Spanish and about 50 more), so Dateien and Datei make one keyword.
    """

    _constraints: ClassVar[dict[str, list[Rule]]] = {
        "stop_words": [IsNone(), OneOf(["english"]), Instance(list, tuple, frozenset, set, what="a list of words")],
        "ngram_range": [Instance(tuple, list, what="a pair (min_n, max_n)")],
        "min_df": [Number(int, 1), Number(float, 0, 1.0, low_open=True)],
        "max_df": [Number(int, 1), Number(float, 0, 1.0, low_open=True)],
        "max_features": [IsNone(), Number(int, 1)],
        "lemmatize": [Instance(bool, what="True or False")],
    }
    # Models saved before the setting existed counted inflected forms: they load with it off.
    record_defaults: ClassVar[dict[str, Any]] = {"lemmatize": False}

    def __init__(self, stop_words: str | list[str] | None = "english", ngram_range: tuple[int, int] = (1, 1),
                 min_df: int | float = 2, max_df: int | float = 1.0, max_features: int | None = None,
                 lemmatize: bool = True) -> None:
        self.stop_words = stop_words
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.lemmatize = lemmatize

    def check(self) -> Vocabulary:
        super().check()
        pair = tuple(self.ngram_range)
        if len(pair) != 2 or not all(type(n) is int for n in pair) or not 1 <= pair[0] <= pair[1]:
            raise ConfigError(f"Vocabulary(ngram_range={self.ngram_range!r}) is not valid: use a pair (min_n, max_n) "
                              "with 1 <= min_n <= max_n, e.g. (1, 2)")
        return self

    def count_vectorizer(self, language: str = "en", vocabulary: dict[str, int] | None = None):
        """The configured scikit-learn CountVectorizer for a language: jieba words for 'zh', Sudachi's content
        words for 'ja', Kiwi's nouns for 'ko', lemmas where simplemma knows the language (``lemmatize``), words
        between spaces otherwise. ``stop_words='english'`` (the default) means the language's own stop-word
        list (stopwordsiso's, our own for Chinese, Japanese and Korean) plus English's, which technical text in
        any language is full of."""
        from sklearn.feature_extraction.text import CountVectorizer

        settings = dict(ngram_range=tuple(self.ngram_range), min_df=self.min_df, max_df=self.max_df,
                        max_features=self.max_features, vocabulary=vocabulary, dtype=np.int32)
        if language == "en":
            stop = self.stop_words if self.stop_words in (None, "english") else list(self.stop_words)
            return CountVectorizer(stop_words=stop, **settings)
        stop = None if self.stop_words is None else list(_stop_list(
            language, None if self.stop_words == "english" else frozenset(self.stop_words), self.lemmatize))
        splitter = word_splitter(language, self.lemmatize)
        if splitter is None:
            return CountVectorizer(stop_words=stop, **settings)
        return CountVectorizer(tokenizer=splitter, token_pattern=None, lowercase=False, stop_words=stop, **settings)

    def fit_counts(self, texts: Sequence[str], language: str) -> tuple[FittedVocabulary, sp.csr_matrix]:
        """Learn the vocabulary of ``texts``; return it with the document-term counts."""
        from sklearn.base import clone

        vectorizer = self.count_vectorizer(language)
        if isinstance(self.min_df, int) and self.min_df > len(texts):
            raise ConfigError(f"Vocabulary(min_df={self.min_df}) keeps only words in {self.min_df} or more documents, "
                              f"but there are {len(texts)}: lower min_df=")
        try:
            counts = vectorizer.fit_transform(texts)
        except ValueError as exc:
            raise CorpusError(f"no words left to rank after stop words and min_df={self.min_df} ({exc}); "
                              "lower min_df= or check that the documents contain words") from None
        # A copy: set_params on the model's vectorizer later must not change how the fitted one counts.
        settings = clone(self)
        return FittedVocabulary(settings, language, vectorizer.get_feature_names_out().tolist()), counts.tocsr()


class FittedVocabulary:
    """A learned vocabulary: its words, and the settings that count them in new texts."""

    def __init__(self, settings: Vocabulary, language: str, words: list[str]) -> None:
        self.settings = settings
        self.language = language
        self.words = words

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        vocabulary = {w: i for i, w in enumerate(self.words)}
        return self.settings.count_vectorizer(self.language, vocabulary).transform(texts).tocsr()

    def unigram_analyzer(self) -> Callable[[str], list[str]]:
        """The function that turns one text into its single-word tokens (for coherence)."""
        unigrams = Vocabulary(self.settings.stop_words, (1, 1), 1, 1.0, lemmatize=self.settings.lemmatize)
        return unigrams.count_vectorizer(self.language).build_analyzer()


class SklearnVectorizer:
    """Adapts a scikit-learn CountVectorizer-like object (``fit_transform``, ``get_feature_names_out``).

    The object is cloned before fitting; its own tokenizer decides the words in every language.
    """

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def fit_counts(self, texts: Sequence[str], language: str) -> tuple[FittedSklearnVectorizer, sp.csr_matrix]:
        from sklearn.base import clone

        fitted = clone(self.estimator)
        counts = sp.csr_matrix(fitted.fit_transform(texts))
        return FittedSklearnVectorizer(fitted, language), counts


class FittedSklearnVectorizer:
    """A fitted scikit-learn vectorizer behind the WordCounter protocol."""

    def __init__(self, fitted: Any, language: str) -> None:
        self.fitted = fitted
        self.language = language
        self.words = [str(w) for w in fitted.get_feature_names_out()]

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return sp.csr_matrix(self.fitted.transform(texts))

    def unigram_analyzer(self) -> Callable[[str], list[str]]:
        from sklearn.base import clone

        if callable(getattr(self.fitted, "build_analyzer", None)):
            unigrams = clone(self.fitted)
            if "ngram_range" in unigrams.get_params():
                unigrams.set_params(ngram_range=(1, 1))
            return unigrams.build_analyzer()
        return FittedVocabulary(Vocabulary(), self.language, self.words).unigram_analyzer()


class RecordedVocabulary:
    """The words of a saved model whose own vectorizer cannot be rebuilt (topiclens never unpickles code)."""

    def __init__(self, words: list[str], description: str) -> None:
        self.words = words
        self.description = description

    def _refuse(self):
        raise ConfigError(f"this model counted words with {self.description}, which a saved model cannot "
                          "restore: counting words in new texts (LDA/NMF inference, evaluate) needs a model "
                          "fitted with topiclens's Vocabulary")

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        self._refuse()

    def unigram_analyzer(self) -> Callable[[str], list[str]]:
        self._refuse()
