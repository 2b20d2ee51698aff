"""Long texts cut into passages an embedder reads whole: at sentence ends, in every script the project supports.

A passage is a ``(start, end)`` span of character offsets into the text. Without overlap the passages of a text
are contiguous and cover it exactly (joining them gives the text back, whitespace included); with ``overlap``
each passage after the first starts with the last sentences of the one before. Lengths are counted in
estimated word pieces (:func:`estimate_pieces`), the unit in which the embedders state what they read.
"""

from __future__ import annotations

import math
import re

Span = tuple[int, int]

# Scripts written without spaces: each character is about one word piece, and any character may end a cut.
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_LATIN_ACCENTED = re.compile("[\u00c0-\u024f]")
_PIECE_RUNS = re.compile(rf"[{_UNSPACED}]|[^\W\d_{_UNSPACED}]+|\d+|[^\w\s]")
_CLOSERS = re.escape("\"'”’»)]」』）】")
# A sentence ends after a CJK full stop, ! or ? (wherever they are), after . ! ? … followed by a space or the end
# (closing quotes and brackets stay with their sentence), at a blank line, and before a list item on a new line.
_SENTENCE_END = re.compile(
    rf"[。！？!?][{_CLOSERS}]*\s*"
    rf"|(?:\.|…)[{_CLOSERS}]*(?:\s+|$)"
    r"|\n[ \t]*\n\s*"
    r"|\n(?=[ \t]*(?:[-*•·]|\d{1,3}[.)])\s)")
# Words after which a full stop does not end a sentence: one letter (initials, "z. B.", "e.g."), and short
# abbreviations of the supported languages.
_ABBREVIATIONS = frozenset("""
e.g i.e etc vs cf al approx ca no nr fig abb bzw usw ggf vgl evtl inkl bsp dr prof mr mrs ms st sr jr
т.е т.к т.д т.п др см рис стр им
""".split())
_WORD_BEFORE = re.compile(r"([^\s(\"'«]+)$")


def _run_pieces(run: str) -> int:
    if len(run) == 1:
        return 2 if "\uac00" <= run <= "\ud7af" else 1
    if run.isascii():
        return 1 + (len(run) - 1) // 7
    if _LATIN_ACCENTED.search(run):
        return math.ceil(len(run) / 2)
    return len(run)


def estimate_pieces(text: str) -> int:
    """About how many word pieces all-MiniLM-L6-v2's tokenizer makes of ``text`` (English word pieces).

    A CJK character, a kana or a punctuation mark counts one, a Hangul syllable two, an ASCII word one plus one
    per seven letters past the first, a Latin word with accents one per two letters, any other word (Cyrillic,
    Greek) one per letter. On Debian's descriptions the mean is within 5 % of the tokenizer's count in English,
    Russian, Chinese, Japanese and Korean, 7 % under in French, 20-25 % under in Spanish and German (long
    unaccented words split more than this counts); cheap enough to run over a whole corpus.
    """
    return sum(_run_pieces(run) for run in _PIECE_RUNS.findall(text))


def _ends_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at ``stop`` closes an abbreviation or an initial rather than a sentence."""
    match = _WORD_BEFORE.search(text, max(0, stop - 32), stop)  # a window: the whole prefix would be quadratic
    if match is None:
        return False
    word = match.group(1).lower().rstrip(".")
    return len(word) == 1 and word.isalpha() or word in _ABBREVIATIONS


def sentence_spans(text: str) -> list[Span]:
    """The sentences of ``text`` as contiguous spans covering it (the whitespace after a sentence is its own)."""
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if end <= start or end >= len(text):
            continue
        if text[match.start()] == "." and _ends_abbreviation(text, match.start()):
            continue
        spans.append((start, end))
        start = end
    if start < len(text) or not spans:
        spans.append((start, len(text)))
    return spans


def _chars_within(run: str, budget: int) -> int:
    """The most characters of ``run`` (one word) that count at most ``budget`` pieces, whatever part of it."""
    if run.isascii():
        return 7 * (budget - 1) + 1
    return 2 * budget if _LATIN_ACCENTED.search(run) else budget


def _within_word(text: str, at: int) -> bool:
    """Whether the characters on both sides of ``at`` belong to one run of :func:`estimate_pieces` (one word)."""
    pair = _PIECE_RUNS.match(text[at - 1:at + 1])
    return pair is not None and pair.end() == 2


def _cut_long(text: str, span: Span, budget: int) -> list[Span]:
    """A sentence longer than ``budget`` pieces cut before the first word that would pass it (between characters
    in scripts written without spaces; inside a word only when one word alone is longer than the budget)."""
    start, end = span
    parts: list[Span] = []
    used = 0
    for run in _PIECE_RUNS.finditer(text, start, end):
        pieces = _run_pieces(run.group())
        if used + pieces > budget and run.start() > start:
            parts.append((start, run.start()))
            start, used = run.start(), 0
        if pieces > budget:  # one word longer than a whole passage: cut it every so many characters
            step = _chars_within(run.group(), budget)
            for cut in range(start + step, run.end(), step):
                parts.append((start, cut))
                start = cut
            pieces = _run_pieces(text[start:run.end()])
        used += pieces
    parts.append((start, end))
    return [part for part in parts if part[1] > part[0]] or [span]


def passage_spans(text: str, budget: int, *, overlap: int = 0) -> list[Span]:
    """``text`` cut into passages of at most ``budget`` pieces, at sentence ends wherever a sentence fits.

    Parameters
    ----------
    text : str
    budget : int
        The most word pieces (as :func:`estimate_pieces` counts them) in one passage; a sentence longer than
        that is cut between words (or, in Chinese, Japanese and Korean, between characters).
    overlap : int, default 0
        How many sentences of the end of a passage the next one starts with (only as many as fit its budget).

    Returns
    -------
    list of (start, end)
        Character offsets; one span ``(0, len(text))`` for a text within the budget.
    """
    if budget < 1:
        raise ValueError(f"budget must be at least 1 word piece, got {budget}")
    if overlap < 0:
        raise ValueError(f"overlap must be 0 or more sentences, got {overlap}")
    if len(text) <= budget // 2 or estimate_pieces(text) <= budget:  # no character counts more than two pieces
        return [(0, len(text))]
    units = [part for span in sentence_spans(text) for part in _cut_long(text, span, budget)]
    sizes = [estimate_pieces(text[s:e]) for s, e in units]
    # A unit that starts inside the word its predecessor ends with (a word cut for being longer than a passage)
    # starts a passage of its own: joined again, the word would count more than its parts.
    inside = [k > 0 and _within_word(text, units[k][0]) for k in range(len(units))]
    passages: list[Span] = []
    first = 0
    while first < len(units):
        last, used = first, sizes[first]
        while last + 1 < len(units) and used + sizes[last + 1] <= budget and not inside[last + 1]:
            last += 1
            used += sizes[last]
        passages.append((units[first][0], units[last][1]))
        following = last + 1
        if overlap and following < len(units):
            back = following
            while back > first + 1 and following - back < overlap and \
                    sum(sizes[back - 1:following]) + sizes[following] <= budget:
                back -= 1
            following = back
        first = following
    return passages
