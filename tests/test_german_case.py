"""German labels in the nominative: the rule on a hand-made table, and the real table of german-nouns."""

import pytest

from topiclens.labeling.clean import clean_label
from topiclens.labeling.german_case import NounForms, nominative_label, nominative_word

# Dative plurals and a genitive mapped to their nominatives, and the nominatives of the same nouns, as the table
# of german-nouns holds them.
FORMS = NounForms(oblique={"Systemen": "Systeme", "Formaten": "Formate", "Servers": "Server", "Paketen": "Pakete",
                           "Druckern": "Drucker", "Scannern": "Scanner"},
                  nominative=frozenset({"System", "Systeme", "Format", "Formate", "Server", "Paket", "Pakete",
                                        "Drucker", "Scanner", "Art", "Arten", "Druck"}))


def test_an_oblique_noun_is_put_in_the_nominative_inside_a_compound_and_after_a_hyphen():
    assert nominative_word("GUI-Systemen", FORMS) == "GUI-Systeme"
    assert nominative_word("Druckformaten", FORMS) == "Druckformate"
    assert nominative_word("SMTP-Servers", FORMS) == "SMTP-Server"


def test_a_nominative_part_stops_the_search():
    # "Arten" is a nominative plural (and a dative plural): a heading may say it, so it is left alone
    assert nominative_word("Schriftarten", FORMS) == "Schriftarten"
    assert nominative_word("Paketsystem", FORMS) == "Paketsystem"


def test_only_labels_made_of_nouns_are_changed():
    assert nominative_label("Druckern und Scannern", FORMS) == "Drucker und Scanner"
    assert nominative_label("Stable- und Unstable-Systemen", FORMS) == "Stable- und Unstable-Systeme"
    assert nominative_label("Verwaltung von Paketen", FORMS) == "Verwaltung von Paketen"  # the dative is right here
    assert nominative_label("Paketen, Systemen", FORMS) == "Paketen, Systemen"  # a list
    assert nominative_label("GUI-Systemen", NounForms({}, frozenset())) == "GUI-Systemen"  # no table: as written


def test_the_real_table_and_the_label_cleaner():
    pytest.importorskip("german_nouns", reason="the german-nouns table comes with topiclens[de]")
    assert [nominative_label(label) for label in ("GUI-Systemen", "Druckformaten", "SMTP-Servers", "Schriftarten",
                                                  "Festplatten-Abbilds", "Paketmanagement")] == [
        "GUI-Systeme", "Druckformate", "SMTP-Server", "Schriftarten", "Festplatten-Abbild", "Paketmanagement"]
    assert clean_label("Label: Druckformaten.", language="de") == "Druckformate"
    assert clean_label("Label: Druckformaten.", language="en") == "Druckformaten"
