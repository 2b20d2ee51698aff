"""The words of each language: lemmas, Korean nouns, stop lists that match the counted words, and label cuts
that leave no word of the label's language dangling."""

from __future__ import annotations

import warnings

import pytest

from topiclens.core.segment import korean_tokenize, lemmatized_words, word_splitter
from topiclens.labeling.clean import clean_label, complete_cjk_span, dangling_words
from topiclens.stages import Vocabulary
from topiclens.stages.vocabulary import _stop_list
from topiclens.store.records import param_record, restore_param


def test_lemmas_merge_the_forms_of_a_word_and_keep_product_names():
    assert lemmatized_words("Dateien, Datei und Perl", "de") == ["datei", "datei", "und", "perl"]
    assert lemmatized_words("файлов файлы файл", "ru") == ["файл", "файл", "файл"]
    assert lemmatized_words("fichiers fichier", "fr") == ["fichier", "fichier"]


def test_each_language_gets_its_own_word_splitter():
    assert word_splitter("en") is None  # English keywords stay as the text writes them
    assert word_splitter("de", lemmatize=False) is None
    assert word_splitter("de")("Bibliotheken") == ["bibliothek"]
    assert word_splitter("ko") is korean_tokenize
    assert word_splitter("th") is None  # no lemmatiser, no segmenter: words between spaces


def test_korean_words_are_nouns_without_their_particles():
    words = korean_tokenize("이 패키지는 파일을 압축하고 파일이 손상되면 Linux 커널에 알립니다.")
    assert words.count("파일") == 2 and "linux" in words and "커널" in words
    assert not {"파일을", "파일이", "패키지", "이", "는"} & set(words)


@pytest.mark.parametrize("language", ["de", "ru", "fr", "es", "ja", "ko"])
def test_the_stop_list_holds_every_word_its_entries_are_counted_as(language):
    stop = _stop_list(language, None, True)
    split = word_splitter(language) or str.split
    assert all(word in stop for entry in stop for word in split(entry))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scikit-learn's "stop_words may be inconsistent" warning
        Vocabulary(min_df=1).fit_counts(["Dieses Paket enthält die Dateien.", "Die Datei ist hier."], language)


def test_lemmas_are_counted_once_and_stop_words_in_any_form_are_dropped():
    vocabulary, counts = Vocabulary(min_df=1).fit_counts(
        ["Dieses Programm zeigt Dateien.", "Diese Datei zeigt das Programm."], "de")
    assert vocabulary.words == ["datei", "programm", "zeigen"]
    assert counts.sum() == 6
    assert vocabulary.transform(["Zwei Dateien"]).sum() == 1


def test_a_model_saved_before_lemmas_loads_counting_the_forms_it_counted():
    record = param_record(Vocabulary())
    assert record["params"]["lemmatize"] is True
    assert restore_param(record).lemmatize is True
    del record["params"]["lemmatize"]
    assert restore_param(record).lemmatize is False


@pytest.mark.parametrize("language, label, cut", [
    ("de", "Werkzeuge zur Verwaltung von Dateien und Ordnern auf dem Rechner", "Werkzeuge zur Verwaltung"),
    ("ru", "Утилиты для работы с файлами и каталогами на диске", "Утилиты для работы"),
    ("fr", "Outils pour la gestion des fichiers sur le disque", "Outils pour la gestion"),
])
def test_a_cut_label_ends_on_a_word_of_its_language_not_a_preposition(language, label, cut):
    assert clean_label(label, max_words=4, language=language) == cut
    assert clean_label(label, max_words=20, language=language) == label  # short enough: not cut
    assert "für" in dangling_words("de") and "на" in dangling_words("ru") and "für" not in dangling_words("en")


def test_a_cut_japanese_label_ends_between_words_and_not_on_a_particle():
    label = "ハードディスクの温度を表示するツール"
    assert complete_cjk_span(label, 9, "ja") == "ハードディスク"
    assert complete_cjk_span(label, 11, "ja") == "ハードディスクの温度"


def test_a_label_outside_the_script_asked_for_is_asked_again_but_an_english_one_never_is():
    from topiclens.labeling.engine import TopicLabeler

    korean = TopicLabeler(None, language="ko")
    assert korean._off_language("Audio software") and not korean._off_language("GNOME 데스크탑 매니저")
    assert not korean._off_language("")  # an empty label is asked again for being empty
    assert not TopicLabeler(None, language="en")._off_language("Музыка")
    assert not TopicLabeler(None, language="de")._off_language("Desktop-Manager")  # Latin script: not judged
