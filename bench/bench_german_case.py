"""Judged round r16: German labels with their nouns in the nominative, or as the LLM wrote them?

A small model asked for a German label often writes its noun in the dative plural or the genitive singular
("GUI-Systemen", "Druckformaten", "SMTP-Servers"); in round r14 both German judges rejected "GUI-Systemen" and
"SMTP-Servers" and accepted "GUI-Systeme" and "SMTP-Server" shown beside them in the same items. The labeler now puts
the nouns of a label made only of nouns in the nominative (``topiclens.labeling.german_case``). r13's tight fit of
the German corpus (the default's topics) is labelled again by today's default labeler and every label that changed
is judged as round r15 judged its changes (``bench/bench_repeats_judged.py``): up to eight members never shown to a
labeler, the label before (``before``), after (``after``) and the keyword label, shuffled under letters.

usage: python bench/bench_german_case.py build|packets|score [--table]
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import judged_scores as judged  # noqa: E402
from bench_repeats_judged import build_changed, packets_changed, score_changed, table_changed  # noqa: E402
from judged_scores import LLM  # noqa: E402

CORPORA = ("debian-reference-de",)
ROUND = "r16"
RESULTS = HERE / "results" / "german_case_judged.json"


def build(corpus: str, threads: int) -> Path:
    """See the module docstring; returns the build file."""
    from topiclens import LLMLabeler

    return build_changed(ROUND, corpus, threads, LLMLabeler(LLM))


def table_text() -> str:
    """The documentation's table from bench/results/german_case_judged.json."""
    return table_changed(RESULTS, "as written (before)", "nominative (after)")


if __name__ == "__main__":
    judged.round_main(__doc__, CORPORA, build, lambda corpus: packets_changed(ROUND, corpus),
                      lambda corpora: score_changed(ROUND, corpora, RESULTS), table_text)
