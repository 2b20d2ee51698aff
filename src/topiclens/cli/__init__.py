"""The command line: topiclens fit | info | label | evaluate | assign | report.

Parsing imports nothing heavy; each command imports what it needs when it runs.
"""

from __future__ import annotations

import sys
import warnings

from ..errors import TopicLensError
from .parser import build_parser


def _warning_line(message, category, filename, lineno, line=None) -> str:
    return f"topiclens: warning: {message}\n"


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input is one line on stderr and exit code 2."""
    args = build_parser().parse_args(argv)
    warnings.formatwarning = _warning_line
    try:
        from .commands import run

        return run(args)
    except TopicLensError as exc:
        print(f"topiclens: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("topiclens: interrupted; finished work is cached, run the same command to resume", file=sys.stderr)
        return 130
