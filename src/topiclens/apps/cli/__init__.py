"""The command line: topiclens fit | info | label | evaluate | assign | report.

Parsing imports nothing heavy; each command imports what it needs when it runs. Every failure a
user can cause ends in one line on stderr that names the problem and the fix, and exit code 2;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Mapping

from ...core.errors import TopicLensError, describe_os_error
from ...core.runtime import NOTE_WORDS
from .flags import flag_table, with_flags
from .parser import build_parser


def _warning_line(message, category, filename, lineno, line=None, *, flags: Mapping[str, str]) -> str:
    from ...core.untrusted import for_terminal

    return f"topiclens: warning: {for_terminal(with_flags(str(message), flags))}\n"


def _error(message: str) -> None:
    from ...core.untrusted import for_terminal

    print(f"topiclens: error: {for_terminal(message)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 2 a problem to fix, 130 interrupted).

    The library's messages name Python parameters (``min_df=``); they are printed with the command's flags
    (``--min-df``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    flags = flag_table(parser, args.command)
    warnings.formatwarning = functools.partial(_warning_line, flags=flags)
    NOTE_WORDS[:] = [functools.partial(with_flags, table=flags)]
    try:
        from .commands import run

        code = run(args)
        sys.stdout.flush()  # here, where a closed pipe can still be told apart from a failure
        return code
    except BrokenPipeError:  # `topiclens info DIR | head`: the reader went away, which is not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141
    except KeyboardInterrupt:
        _error("interrupted; finished work is cached, run the same command to resume")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns failures into one line
        if args.debug:
            raise
        if isinstance(exc, TopicLensError):
            _error(with_flags(str(exc), flags))
            return 2
        if isinstance(exc, OSError):
            _error(describe_os_error(exc))
            return 2
        if isinstance(exc, MemoryError):
            _error("out of memory: use --sample-size (big corpora) or a smaller corpus, and close other programs")
            return 2
        _error(f"unexpected {type(exc).__name__}: {exc} (this is a topiclens bug: run again with --debug and "
               "report the traceback)")
        return 1
    finally:
        NOTE_WORDS.clear()  # a program that runs a command and then the library gets Python's words back
