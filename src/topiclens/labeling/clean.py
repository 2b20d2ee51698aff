"""Cleaning LLM answers into labels, and keeping labels distinct: pure functions over strings."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from ..core.lang import CJK
from ..core.untrusted import strip_controls
from .keyword_filter import readable_keywords

CHATTER = re.compile(
    r"^\s*(?:sure|certainly|of course|okay|ok|absolutely|great)\b[^:\n]*?(?:[:!.,]\s*|$)"
    r"|^\s*(?:here\s+is|here's|here\s+are)\b[^:\n]*?:\s*"
    r"|^\s*(?:the\s+)?(?:topic\s+)?(?:label|title|name|answer)"
    r"(?:\s+(?:is|would be|for this topic(?: is)?))?\s*[:\-–]\s*",
    re.IGNORECASE,
)
STILL_CHATTY = re.compile(r"^(?:sure|certainly|here|i |i'm|as an ai|based on|this topic|the topic)", re.IGNORECASE)
TRIM = " \t\"'`*#•“”‘’「」『』《》[]()"
MAX_LABEL_CHARS = 80  # eight long words; a label is read at a glance
MAX_ANSWER_CHARS = 8192  # the label is in the first lines: the rest of a runaway answer is never looked at


def answer_text(answer: str | None) -> str:
    """The part of an LLM answer worth reading: its beginning, without control characters, terminal
    escapes or a reasoning model's <think> block."""
    text = strip_controls((answer or "")[:MAX_ANSWER_CHARS])
    return re.sub(r"<think>.*?</think>", "", text, flags=re.DOTALL | re.IGNORECASE)


def clean_label(answer: str, max_words: int = 8, max_chars: int = MAX_LABEL_CHARS, language: str = "en") -> str:
    """One short line from an LLM answer, without chatter, quotes, a final period, control characters or
    terminal escapes; at most ``max_words`` words and ``max_chars`` characters ('' if nothing is left), cut
    where no word of ``language`` is left dangling; a German label's nouns in the nominative
    (``german_case.nominative_label``)."""
    lines = [line.strip() for line in answer_text(answer).splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[0]
    if line.rstrip().endswith(":") and len(lines) > 1:
        line = lines[1]
    for _ in range(3):
        stripped = CHATTER.sub("", line, count=1).strip().strip(TRIM).strip()
        if stripped == line:
            break
        line = stripped
    line = re.sub(r"^\s*(?:[-*]\s+|\d+[.)]\s+)", "", line).strip(TRIM).rstrip(".。!！;；,，:：").strip(TRIM)
    if not line or STILL_CHATTY.match(line):
        return ""
    if CJK.search(line):
        return complete_cjk_span(line, min(max_words * 3, max_chars), language)
    label = complete_span(line, max_words, max_chars, dangling_words(language))
    if language == "de":  # a heading names its subject in the nominative ("GUI-Systeme", not "GUI-Systemen")
        from .german_case import nominative_label

        label = nominative_label(label)
    return label


# Words an English label does not end with: a cut after one leaves the phrase open ("Go library for parsing and").
DANGLING = frozenset(
    "a an the of for and or nor but to with without within in on at by as from into onto over under about "
    "than that which who whose via per vs versus is are was were be been being its their his her our your my "
    "this these those such both either neither & + -".split())
# Particles a cut Japanese label does not end with (一覧表示の, 画像を).
JAPANESE_DANGLING = frozenset("の を に は が と で や へ も から まで より など および 及び または 又は".split())


@lru_cache(maxsize=16)
def dangling_words(language: str) -> frozenset[str]:
    """The words a cut label of ``language`` does not end with: English's articles, prepositions and
    conjunctions, and for other languages written with spaces their stop words too (German "für", Russian
    "на")."""
    from ..core.lang import language_stop_words

    if language in ("en", "zh", "ja"):
        return DANGLING
    return DANGLING | language_stop_words(language)


PHRASE_BREAK = re.compile(r"\s*(?:[:;,(\[]|\s[-–—]\s)\s*")
CJK_BREAK = re.compile(r"[，、：；（(,:;]")


def complete_span(line: str, max_words: int, max_chars: int = MAX_LABEL_CHARS,
                  dangling: frozenset[str] = DANGLING) -> str:
    """``line`` if it fits in ``max_words`` words and ``max_chars`` characters, else a complete beginning
    that does: its head clause (up to a colon, comma, dash or parenthesis) when that has two words or
    more, or else its first words without the articles, prepositions and conjunctions a cut would leave
    dangling at the end ("Go library for parsing and" becomes "Go library for parsing")."""
    words = line.split()
    if len(words) <= max_words and len(line) <= max_chars:
        return line
    head = PHRASE_BREAK.split(line, maxsplit=1)[0].split()
    kept = head if 2 <= len(head) <= max_words and len(" ".join(head)) <= max_chars else words[:max_words]
    while len(" ".join(kept)) > max_chars and len(kept) > 1:
        kept.pop()
    while len(kept) > 1 and kept[-1].casefold().strip(TRIM) in dangling:
        kept.pop()
    return " ".join(kept).strip(TRIM + ".,;:-–—")[:max_chars]


def complete_cjk_span(line: str, max_chars: int, language: str = "zh") -> str:
    """A Chinese or Japanese label cut to ``max_chars``: at its first punctuation break, or else between words
    (jieba's; Sudachi's for Japanese, without a particle left at the end)."""
    if len(line) <= max_chars:
        return line
    first_break = CJK_BREAK.search(line)
    if first_break and 2 <= first_break.start() <= max_chars:
        return line[: first_break.start()].strip(TRIM)
    if language == "ja":
        from ..core.errors import MissingDependencyError
        from ..core.segment import japanese_pieces

        try:
            pieces = japanese_pieces(line)
        except MissingDependencyError:  # without the extra ja (Sudachi): a cut between characters
            pieces = list(line)
    else:
        import jieba

        pieces = jieba.lcut(line)
    kept: list[str] = []
    for piece in pieces:
        if sum(map(len, kept)) + len(piece) > max_chars:
            break
        kept.append(piece)
    while len(kept) > 1 and kept[-1] in JAPANESE_DANGLING:
        kept.pop()
    return ("".join(kept) or line[:max_chars]).strip(TRIM)


MAX_DESCRIPTION_CHARS = 400
DESCRIPTION_CHATTER = re.compile(r"^\s*(?:(?:sure|certainly|of course|okay)\b[^:\n]*?[:!.]\s*|(?:the\s+)?"
                                 r"(?:topic\s+)?(?:description|summary)\s*[:\-–]\s*)", re.IGNORECASE)


def clean_description(answer: str, max_chars: int = MAX_DESCRIPTION_CHARS) -> str:
    """One or two sentences from an LLM answer: its first paragraph without chatter, control characters or
    escapes, cut at the last sentence end (or word) within ``max_chars`` ('' if nothing is left)."""
    paragraph = ""
    # an introduction ("Here is a description:") is passed over
    for block in re.split(r"\n\s*\n", answer_text(answer).strip())[:3]:
        paragraph = DESCRIPTION_CHATTER.sub("", " ".join(block.split())).strip().strip(TRIM)
        if paragraph and not paragraph.endswith(":") and not (STILL_CHATTY.match(paragraph) and len(paragraph) < 40):
            break
        paragraph = ""
    if len(paragraph) <= max_chars:
        return paragraph
    head = paragraph[:max_chars]
    ends = [m.end() for m in re.finditer(r"[.!?。！？](?=\s|$)", head)]
    if ends:  # whole sentences only
        return head[: ends[-1]].strip()
    return head.rsplit(" ", 1)[0].rstrip(",;:") + "…"


def truncate(text: str, budget_tokens: int, count: Callable[[str], int] | None = None) -> str:
    """The beginning of a document within ``budget_tokens`` tokens: counted by ``count`` (the LLM's tokenizer:
    the longest run of whole words, or characters for Chinese and Japanese, that fits), else estimated at
    ~0.75 words a token, or a character a token for CJK."""
    text = " ".join(text.split())
    if count is not None:
        return _fitted(text[: budget_tokens * 12], budget_tokens, count)
    if CJK.search(text):
        return text[:budget_tokens]
    words = text.split(" ")
    keep = max(1, int(budget_tokens * 0.75))
    return text if len(words) <= keep else " ".join(words[:keep]) + " …"


def _fitted(text: str, budget_tokens: int, count: Callable[[str], int]) -> str:
    """The longest beginning of ``text`` (whole words; characters for CJK) of at most ``budget_tokens`` tokens."""
    if count(text) <= budget_tokens:
        return text
    cjk = bool(CJK.search(text))
    pieces, joiner = (list(text), "") if cjk else (text.split(" "), " ")
    low, high = 1, len(pieces)
    while low < high:
        middle = (low + high + 1) // 2
        if count(joiner.join(pieces[:middle])) <= budget_tokens:
            low = middle
        else:
            high = middle - 1
    return joiner.join(pieces[:low]) + ("…" if cjk else " …")


def is_duplicate(labels: Sequence[str], i: int) -> bool:
    """True when an earlier (larger) topic already has this label."""
    folded = labels[i].casefold()
    return any(lab.casefold() == folded for lab in labels[:i])


def make_distinct(labels: Sequence[str], keywords: Sequence[Sequence[str]]) -> list[str]:
    """Append a keyword (or a number) to every repeat of an earlier label."""
    result: list[str] = []
    seen: set[str] = set()
    for label, words in zip(labels, keywords):
        candidate = label
        for word in words:
            if candidate.casefold() not in seen:
                break
            if word.casefold() not in label.casefold():
                candidate = f"{label} ({word})"
        n = 2
        while candidate.casefold() in seen:
            candidate = f"{label} ({n})"
            n += 1
        seen.add(candidate.casefold())
        result.append(candidate)
    return result


def keyword_label(keywords: Sequence[tuple[str, float]], n: int = 4) -> str:
    """A readable stand-in label from the best keywords (numbers, address and citation pieces left out while
    others are left)."""
    words = [w for w, _ in (readable_keywords(keywords) or keywords)[:n]]
    return ", ".join(words) if words else "(no keywords)"
