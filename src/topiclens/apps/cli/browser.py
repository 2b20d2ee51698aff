"""Opening a page in the user's web browser, or saying why not (``report --open``, ``serve --open``)."""

from __future__ import annotations

import sys
import webbrowser

from ...core.untrusted import for_terminal


def open_in_browser(uri: str) -> bool:
    """Open ``uri`` in a web browser; where none can be opened, say so in one line on stderr.

    ``webbrowser.open`` returns False (or raises ``webbrowser.Error``) when it finds no browser to
    run, for instance on a server without a display: the line then gives the address to open by hand.

    Parameters
    ----------
    uri : str
        The address to open: a ``file://`` URI or an ``http://`` URL.

    Returns
    -------
    bool
        True when a browser was started.
    """
    reason = ""
    try:
        opened = webbrowser.open(uri)
    except (webbrowser.Error, OSError) as exc:
        opened, reason = False, f" ({exc})"
    if not opened:
        print(f"topiclens: warning: no web browser could be opened{for_terminal(reason)}; open {for_terminal(uri)} "
              "in one by hand", file=sys.stderr, flush=True)
    return opened
