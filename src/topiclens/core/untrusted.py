"""Text from documents and LLMs is untrusted: strip what could take over a terminal, show the rest safely.

Two jobs: ``strip_controls`` removes terminal escape sequences (CSI, OSC such as a window-title
change), other control characters (NUL, backspace, ...) and the invisible bidirectional overrides
that reorder what a reader sees; ``for_terminal`` keeps a text whole but shows those characters as
visible ``\\uXXXX`` escapes, for printing strings topiclens did not write.
"""

from __future__ import annotations

import re
import unicodedata

# ESC [ ... final byte (CSI), ESC ] ... BEL or ESC \ (OSC), ESC P/X/^/_ ... ESC \ (DCS, SOS, PM, APC), ESC + one byte
ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\|$)|\x1b[ -~]?")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe(ch: str) -> bool:
    return ch in BIDI_CONTROLS or (unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t")


def strip_controls(text: str) -> str:
    """``text`` without escape sequences, control characters (tabs and newlines kept) or bidi overrides."""
    if text.isprintable():  # no control, format (bidi) or surrogate character at all: the common case, at C speed
        return text
    text = ESCAPE_SEQUENCE.sub("", text)
    return "".join(ch for ch in text if not _unsafe(ch))


def for_terminal(text: str) -> str:
    """``text`` with every control character, escape and bidi override shown as ``\\uXXXX``; one line."""
    return "".join(f"\\u{ord(ch):04x}" if _unsafe(ch) or ch in "\n\t\r" else ch for ch in text)
