"""The views in a notebook (Jupyter, VS Code): the explorer inline, and a local page in a frame.

A notebook shows an object through its ``_repr_html_``. The explorer is one self-contained page, so it goes
into an ``<iframe srcdoc>``: HTML-escaped, and sandboxed, so its scripts run in an origin of their own and
cannot reach the notebook's page, its cookies or its kernel. It needs no server and stays in the saved
notebook (about the size of ``report.html``: ``max_chars`` makes it smaller).
"""

from __future__ import annotations

import html
from pathlib import Path

from ..core.errors import ConfigError

DEFAULT_HEIGHT = 720
"""Pixels: the explorer's map and table side by side, with room for the topic pages."""
FRAME_STYLE = "width: 100%; border: 1px solid rgba(128,128,128,0.35); border-radius: 4px"


def check_height(height: int) -> int:
    """``height`` as a number of pixels, or a ConfigError."""
    if isinstance(height, bool) or not isinstance(height, int) or height < 100:
        raise ConfigError(f"height={height!r} is not valid: give the frame's height in pixels, 100 or more")
    return height


def frame(*, height: int, title: str, src: str | None = None, srcdoc: str | None = None,
          sandbox: str | None = None) -> str:
    """An ``<iframe>`` as full-width HTML, every attribute value escaped.

    Parameters
    ----------
    height : int
        Pixels.
    title : str
        What a screen reader names the frame.
    src : str, optional
        The address of the page.
    srcdoc : str, optional
        The page itself (escaped here, whole).
    sandbox : str, optional
        The frame's sandbox flags ('allow-scripts': scripts run, in an origin of their own).

    Returns
    -------
    str
    """
    attributes = {"title": title, "src": src, "srcdoc": srcdoc, "sandbox": sandbox, "height": str(height),
                  "style": FRAME_STYLE, "loading": "lazy"}
    shown = " ".join(f'{name}="{html.escape(value, quote=True)}"' for name, value in attributes.items()
                     if value is not None)
    return f"<iframe {shown}></iframe>"


class Explorer:
    """The explorer of a model, shown inline by a notebook.

    Parameters
    ----------
    page : str
        The explorer's HTML (:func:`~topiclens.views.report.render_report`).
    height : int, default 720
        The frame's height in pixels.

    Attributes
    ----------
    html : str
        The page, as ``report.html`` would hold it.
    """

    def __init__(self, page: str, *, height: int = DEFAULT_HEIGHT) -> None:
        self.html = page
        self.height = check_height(height)

    def _repr_html_(self) -> str:
        return frame(height=self.height, title="topiclens explorer", srcdoc=self.html, sandbox="allow-scripts")

    def __repr__(self) -> str:
        return (f"<topiclens explorer: {len(self.html.encode('utf-8')) / 1e6:.1f} MB of HTML, shown inline in a "
                "notebook; .save(path) writes it as a file>")

    def save(self, path: str | Path = "report.html") -> Path:
        """Write the page to ``path`` (atomically), as ``TopicModel.report`` does; returns the path."""
        from .report import write_page

        return write_page(path, self.html)


def explore(model, *, height: int = DEFAULT_HEIGHT, max_chars: int = 300, title: str | None = None) -> Explorer:
    """The explorer of a fitted ``model`` for a notebook: the page ``write_report`` writes, shown inline.

    Parameters
    ----------
    model : TopicModel
        A fitted (or loaded) model.
    height : int, default 720
        The frame's height in pixels.
    max_chars : int, default 300
        Characters of each document the page holds (what its search covers).
    title : str, optional
        The page's title (default: from the corpus's file name).

    Returns
    -------
    Explorer
        Displayed by the notebook; ``.save(path)`` writes the page, ``.html`` is its text.
    """
    from .report import checked_report

    check_height(height)
    return Explorer(checked_report(model, max_chars, title), height=height)
