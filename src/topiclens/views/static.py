"""The static labeled map: a PNG (or PDF/SVG) made with matplotlib, labels placed apart with adjustText."""

from __future__ import annotations

import functools
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..core.errors import TopicLensWarning, require
from .data import OUTLIER_COLOR, map_data, wrap

FONT_PACKAGE = "fonts-wqy-microhei"  # Debian's smallest font with Chinese glyphs (1.6 MB); fonts-noto-cjk is larger
# Fonts tried first for glyphs the default font lacks (any installed font whose glyphs cover the labels will do).
FALLBACK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                  "Droid Sans Fallback", "Noto Sans", "Arial Unicode MS")
PLACEHOLDER_FONTS = ("Last Resort",)  # matplotlib's own: a box naming the block for every code point, not a glyph
_warned_fonts = False


def static_map(model, path: str | Path = "map.png", *, dpi: int = 300, figsize: tuple[float, float] = (10, 10),
               label_width: int = 22, font_size: float = 7.5, max_labels: int | None = None,
               title: str | None = None) -> Path:
    """Draw every document coloured by topic (outliers light grey) with each topic's label at its centre.

    Labels are wrapped at ``label_width`` characters and moved apart by adjustText so none overlaps
    another; at the default 10 x 10 inches and 300 dpi they stay readable. ``max_labels`` keeps only
    the largest topics' labels. The format follows the file suffix. Returns the path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, _ = draw_static_map(model, dpi=dpi, figsize=figsize, label_width=label_width, font_size=font_size,
                             max_labels=max_labels, title=title)
    with _quiet_missing_glyphs(fig):
        fig.savefig(path, dpi=dpi)
    return path


def draw_static_map(model, *, dpi: int = 300, figsize: tuple[float, float] = (10, 10), label_width: int = 22,
                    font_size: float = 7.5, max_labels: int | None = None, title: str | None = None):
    """The static map as a matplotlib Figure on an Agg canvas (no pyplot state), with its labels: ``(fig, texts)``."""
    require("matplotlib", "plot", "the static map")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    adjust_text = require("adjustText", "plot", "placing the static map's labels").adjust_text
    data = map_data(model)
    n = len(data.xy)
    point_size = float(np.clip(500.0 / np.sqrt(n), 1.5, 25.0)) * (figsize[0] / 10) ** 2  # points²

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    outliers = data.members(-1)
    if len(outliers):
        ax.scatter(data.xy[outliers, 0], data.xy[outliers, 1], s=point_size, c=OUTLIER_COLOR, alpha=0.5,
                   linewidths=0, rasterized=True)
    for t in data.topic_ids:
        rows = data.members(t)
        if len(rows):
            ax.scatter(data.xy[rows, 0], data.xy[rows, 1], s=point_size, c=data.colors[t], alpha=0.7,
                       linewidths=0, rasterized=True)
    ranked = sorted((t for t in data.topic_ids if np.isfinite(data.centres[t]).all()),
                    key=lambda t: -int((data.topics == t).sum()))
    shown = {t: wrap(data.labels[t], label_width) for t in ranked[:max_labels]}
    fonts = label_fonts([*shown.values(), title or ""])
    fig.topiclens_missing_glyphs = fonts is None  # warned once already; matplotlib would warn per glyph
    texts = []
    for t, label in shown.items():
        cx, cy = data.centres[t]
        texts.append(ax.text(
            cx, cy, label, fontsize=font_size, ha="center", va="center", fontfamily=fonts or None,
            color="#111111", zorder=5, linespacing=1.1, parse_math=False,  # a "$" in a label is a dollar
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": data.colors[t],
                  "linewidth": 0.8, "alpha": 0.85},
        ))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal", adjustable="datalim")
    for side in ax.spines.values():
        side.set_visible(False)
    if title is not None:
        ax.set_title(title, fontsize=font_size * 1.6, parse_math=False, fontfamily=fonts or None)
    with _quiet_missing_glyphs(fig):
        fig.tight_layout()
        if texts:
            with warnings.catch_warnings():  # adjustText says labels stick out through logging's deprecated warn()
                warnings.filterwarnings("ignore", "The .warn. method is deprecated", DeprecationWarning)
                adjust_text(texts, ax=ax, expand=(1.1, 1.25), ensure_inside_axes=True,
                            arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.5})
    return fig, texts


def label_fonts(texts: Iterable[str]) -> list[str] | None:
    """Font families that draw every character of ``texts``: matplotlib's default, then a fallback if needed.

    matplotlib's default font (DejaVu Sans) has no Chinese, Japanese or Korean glyphs and draws boxes for
    them. When the texts need glyphs the default lacks, an installed font whose character map has them is
    appended (matplotlib falls back glyph by glyph along the list). Fonts installed after matplotlib built
    its font cache are found too. When no installed font has them, warns once, naming a package to install.

    Parameters
    ----------
    texts : iterable of str
        The labels (and title) to draw.

    Returns
    -------
    list of str or None
        ``[default family, fallback family]`` (the default family alone when it has every glyph), or None
        when no installed font has the missing glyphs.
    """
    from matplotlib import font_manager, rcParams

    default = list(rcParams["font.family"])
    needed = {ord(c) for text in texts for c in text if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf")}
    missing = needed - _charmap(font_manager.findfont(font_manager.FontProperties(family=default)))
    if not missing:
        return default
    fallback = _font_with(missing)
    if fallback is None:
        _warn_no_font(missing)
        return None
    return [*default, fallback]


def _font_with(codepoints: set[int]) -> str | None:
    """The family name of an installed font that has all of ``codepoints`` (preferred fonts first), or None."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    rank = {name: k for k, name in enumerate(FALLBACK_FONTS)}
    known = sorted(manager.ttflist, key=lambda f: min((k for name, k in rank.items() if f.name.startswith(name)),
                                                      default=len(rank)))
    for font in known:
        if not font.name.startswith(PLACEHOLDER_FONTS) and codepoints <= _charmap(font.fname):
            return font.name
    seen = {f.fname for f in manager.ttflist}
    for path in _system_fonts():  # installed after matplotlib cached its font list
        if path not in seen and codepoints <= _charmap(path) and not _family(path).startswith(PLACEHOLDER_FONTS):
            manager.addfont(path)
            return _family(path)
    return None


@functools.cache
def _system_fonts() -> tuple[str, ...]:
    """The font files installed on the system (looked up once per process: it asks fontconfig)."""
    from matplotlib import font_manager

    return tuple(sorted(font_manager.findSystemFonts()))


@functools.cache
def _charmap(path: str) -> frozenset[int]:
    """The code points a font file has glyphs for (its first face); empty when it cannot be read."""
    from matplotlib.ft2font import FT2Font

    try:
        return frozenset(FT2Font(path).get_charmap())
    except (OSError, RuntimeError, ValueError):
        return frozenset()


def _family(path: str) -> str:
    """The family name matplotlib gives the font file at ``path`` (its first face)."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    return font_manager.ttfFontProperty(FT2Font(path)).name


def _warn_no_font(missing: set[int]) -> None:
    """Say once per process that the map's labels will show boxes, and which package gives the glyphs."""
    global _warned_fonts
    if _warned_fonts:
        return
    _warned_fonts = True
    sample = "".join(chr(c) for c in sorted(missing)[:5])
    warnings.warn(f"no installed font has the glyphs for {sample!r}…: the static map draws boxes for them; install a "
                  f"font that has them (Debian: apt-get install {FONT_PACKAGE} for Chinese)", TopicLensWarning,
                  stacklevel=4)


@contextmanager
def _quiet_missing_glyphs(fig) -> Iterator[None]:
    """Silence matplotlib's warning per missing glyph where :func:`label_fonts` has already warned once."""
    if not getattr(fig, "topiclens_missing_glyphs", False):
        yield
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        yield
