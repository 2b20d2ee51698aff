"""Cleaning LLM answers into labels, and keeping labels distinct: pure functions over strings."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..lang import CJK
from ..untrusted import strip_controls

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


def clean_label(answer: str, max_words: int = 8, max_chars: int = MAX_LABEL_CHARS) -> str:
    """One short line from an LLM answer, without chatter, quotes, a final period, control characters or
    terminal escapes; at most ``max_words`` words and ``max_chars`` characters ('' if nothing is left)."""
    text = strip_controls((answer or "")[:MAX_ANSWER_CHARS])
    text = re.sub(r"<think>.*?</think>", "", text, flags=re.DOTALL | re.IGNORECASE)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
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
        return line[: min(max_words * 3, max_chars)]
    words = line.split()[:max_words]
    while len(" ".join(words)) > max_chars and len(words) > 1:
        words.pop()
    return " ".join(words)[:max_chars]


def truncate(text: str, budget_tokens: int) -> str:
    """Roughly ``budget_tokens`` tokens of a document: ~0.75 words a token, or a character a token for CJK."""
    text = " ".join(text.split())
    if CJK.search(text):
        return text[:budget_tokens]
    words = text.split(" ")
    keep = max(1, int(budget_tokens * 0.75))
    return text if len(words) <= keep else " ".join(words[:keep]) + " …"


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
    """A readable stand-in label from the best keywords."""
    words = [w for w, _ in keywords[:n]]
    return ", ".join(words) if words else "(no keywords)"
