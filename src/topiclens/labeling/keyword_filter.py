"""Keywords worth showing a reader or a labeler: c-TF-IDF's best words without the pieces of text that are
not words of the subject (numbers, web addresses, markup, citation debris such as "al et").

Pure functions over (word, score) pairs; the model keeps every keyword, only what is shown is filtered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..core.lang import CJK

# Pieces of addresses and markup: a keyword made of them says where a text was found, not what it is about.
ADDRESS_PIECES = frozenset("http https www org com net html htm php xml url uri href mailto ftp gov edu".split())
# Citation and reference debris: "et al.", "ibid.", "pp. 3", "vol. 2", "doi".
CITATION_PIECES = frozenset("et al ibid pp vol doi isbn cf eg ie etc".split())
LATIN_WORD = re.compile(r"^[^\W\d_]+$")


def is_readable(keyword: str) -> bool:
    """Whether a keyword (a word or an n-gram) names something: no digits, no address or citation pieces,
    no one- or two-letter Latin-script pieces (Chinese and Japanese words are short by nature)."""
    pieces = keyword.split()
    if not pieces or any(ch.isdigit() for ch in keyword):
        return False
    for piece in pieces:
        folded = piece.casefold().strip(".-_'")
        if folded in ADDRESS_PIECES or folded in CITATION_PIECES:
            return False
        if not CJK.search(piece) and (len(folded) <= 2 or not LATIN_WORD.match(folded.replace("-", ""))):
            return False
    # the same word twice ("linux linux") or a pair that only repeats a neighbour's words is noise
    return len({p.casefold() for p in pieces}) == len(pieces)


def readable_keywords(pairs: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """``pairs`` without the keywords that are not readable (:func:`is_readable`), best first as given; an
    n-gram whose every word is already shown is dropped too."""
    kept: list[tuple[str, float]] = []
    shown: set[str] = set()
    for word, score in pairs:
        if not is_readable(word):
            continue
        pieces = {p.casefold() for p in word.split()}
        if len(pieces) > 1 and pieces <= shown:
            continue
        kept.append((word, score))
        shown |= pieces
    return kept
