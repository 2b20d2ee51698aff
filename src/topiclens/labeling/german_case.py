"""German labels in the nominative: a heading names its subject in the nominative case.

A small model asked for a German label often answers with the noun in the dative plural or the genitive singular, as
it would stand after a preposition ("GUI-Systemen", "Druckformaten", "SMTP-Servers"); the judges of the label
benchmark rejected every such name and accepted the nominative beside it (rounds r14 and r16,
bench/bench_german_case.py). A label made only of nouns (each
capitalised, joined by "und"/"oder", a hyphenated compound included) gets each noun's nominative: the dative plural's
nominative plural ("GUI-Systeme"), the genitive singular's nominative singular ("SMTP-Server"). A form that is also
a nominative of some noun is left alone ("Schriftarten"), and so is any label with another word in it ("Verwaltung
von Paketen", where the dative is right) or a comma (a list). The forms come from the declension tables of German
Wiktionary's ~100,000 nouns in the ``german-nouns`` package (``pip install topiclens[de]``, CC BY-SA 4.0 data);
without it labels are left as written, and a note says so once.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..core.runtime import note

JOINING = frozenset({"und", "oder", "&"})
MIN_PART = 4  # the shortest compound part looked up inside a word ("Druck|formaten"); shorter ones are too ambiguous


def nouns_table() -> Path | None:
    """The declension table of the ``german-nouns`` package, found without importing it (None: not installed)."""
    spec = importlib.util.find_spec("german_nouns")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "nouns.csv"
        if path.is_file():
            return path
    return None


@dataclass(frozen=True)
class NounForms:
    """The forms a label's nouns are checked against: each oblique form that is no noun's nominative, mapped to its
    noun's nominative, and every nominative."""

    oblique: dict[str, str]
    nominative: frozenset[str]


@lru_cache(maxsize=1)
def noun_forms() -> NounForms:
    """The dative plurals and genitive singulars of the table's nouns that are no noun's nominative (mapped to the
    nominative plural, the nominative singular), and every nominative; empty without the table."""
    path = nouns_table()
    if path is None:
        note("German labels keep the case the LLM wrote their nouns in (\"GUI-Systemen\"): pip install "
             "'topiclens[de]' puts them in the nominative (\"GUI-Systeme\")")
        return NounForms({}, frozenset())
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        columns = {kind: [i for i, name in enumerate(header) if name.startswith(kind)]
                   for kind in ("nominativ singular", "nominativ plural", "genitiv singular", "dativ plural")}
        nominative: set[str] = set()
        oblique: dict[str, str] = {}
        for row in rows:
            if len(row) < 2 or "Substantiv" not in row[1]:
                continue
            forms = {kind: [row[i] for i in at if i < len(row) and row[i]] for kind, at in columns.items()}
            nominative.update(forms["nominativ singular"], forms["nominativ plural"])
            if forms["nominativ plural"]:
                for form in forms["dativ plural"]:
                    oblique.setdefault(form, forms["nominativ plural"][0])
            if forms["nominativ singular"]:
                for form in forms["genitiv singular"]:
                    oblique.setdefault(form, forms["nominativ singular"][0])
    return NounForms({form: noun for form, noun in oblique.items() if form not in nominative}, frozenset(nominative))


def nominative_word(word: str, forms: NounForms) -> str:
    """``word`` (a capitalised noun, perhaps a compound) with its last part in the nominative, where that part is
    only ever an oblique form: the longest such part after a hyphen or of at least :data:`MIN_PART` letters inside
    the compound; a part that is a nominative (of any noun) stops the search."""
    for start in range(len(word)):
        part = word[start:]
        after_hyphen = start == 0 or word[start - 1] == "-"
        if not after_hyphen and len(part) < MIN_PART:
            break
        shown = part if after_hyphen else part[:1].upper() + part[1:]
        if shown in forms.oblique:
            noun = forms.oblique[shown]
            return word[:start] + (noun if after_hyphen else noun[:1].lower() + noun[1:])
        if shown in forms.nominative:
            return word
    return word


def nominative_label(label: str, forms: NounForms | None = None) -> str:
    """``label`` with its nouns in the nominative (see the module docstring); unchanged unless it is made only of
    capitalised words joined by "und"/"oder"."""
    forms = noun_forms() if forms is None else forms
    words = label.split()
    if not forms.oblique or not words or "," in label:
        return label
    if any(w not in JOINING and not (w[:1].isupper() and w[:1].isalpha()) for w in words):
        return label
    return " ".join(w if w in JOINING or w.endswith("-") else nominative_word(w, forms) for w in words)
