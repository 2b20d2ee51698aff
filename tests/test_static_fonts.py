"""The static map finds a font with the glyphs its labels need (Chinese here), or says once what to install."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from topiclens.core.errors import TopicLensWarning

ZH_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "debian_zh_sample.jsonl.gz"
GLYPH_WARNING = re.compile(r"Glyph \d+ .*missing from font")


def _chinese_font_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    return bool(found.strip())


@pytest.fixture(scope="module")
def chinese_labels(fitted) -> dict[int, str]:
    """Real Chinese text for each topic: the title of a document of the bundled Chinese sample."""
    with gzip.open(ZH_SAMPLE, "rt", encoding="utf-8") as handle:
        titles = [json.loads(line)["text"].split(".")[0] for line in handle]
    titles = [t for t in titles if re.search(r"[\u4e00-\u9fff]", t)]
    return {t: titles[k][:16] for k, t in enumerate(fitted.topic_ids_)}


def _relabelled(fitted, labels: dict[int, str]):
    return fitted.set_labels(labels)  # a new model: the session's stays as it is


def _families_cover(text, characters: set[str]) -> bool:
    """Whether the fonts a matplotlib Text falls back along have a glyph for every one of ``characters``."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    have: set[int] = set()
    for family in text.get_fontfamily():
        path = font_manager.findfont(font_manager.FontProperties(family=[family]), fallback_to_default=False)
        have |= set(FT2Font(path).get_charmap())
    return {ord(c) for c in characters} <= have


def test_chinese_labels_are_drawn_with_a_font_that_has_their_glyphs(fitted, chinese_labels, tmp_path):
    if not _chinese_font_installed():
        if os.environ.get("CI"):
            pytest.fail("CI needs a font with Chinese glyphs: apt-get install -y fonts-wqy-microhei", pytrace=False)
        pytest.skip("no font with Chinese glyphs is installed (apt-get install fonts-wqy-microhei)")
    from topiclens.views.static import draw_static_map

    model = _relabelled(fitted, chinese_labels)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = model.static_map(tmp_path / "map.png", dpi=60, title="中文主题地图")
        _, texts = draw_static_map(model, dpi=60)
    missing = [str(w.message) for w in caught if GLYPH_WARNING.search(str(w.message))]
    assert missing == [], f"{len(missing)} missing-glyph warnings, e.g. {missing[:2]}"
    assert not [w for w in caught if issubclass(w.category, TopicLensWarning)]
    assert path.stat().st_size > 1000
    assert len(texts) == len(chinese_labels)
    for text in texts:
        characters = {c for c in text.get_text() if not c.isspace()}
        assert re.search(r"[\u4e00-\u9fff]", text.get_text())
        assert _families_cover(text, characters), (text.get_text(), text.get_fontfamily())


def test_latin_labels_keep_the_default_font(fitted):
    from matplotlib import rcParams

    from topiclens.views.static import draw_static_map

    _, texts = draw_static_map(fitted, dpi=40, figsize=(4, 4))
    assert all(text.get_fontfamily() == list(rcParams["font.family"]) for text in texts)


def test_labels_no_font_can_draw_warn_once_naming_a_package(fitted, chinese_labels, tmp_path, monkeypatch):
    """U+F0000 is private use: no real font has it. One line says what to install, not one warning per glyph."""
    from topiclens.views import static

    monkeypatch.setattr(static, "_warned_fonts", False)  # another test of this process may have warned already
    labels = {t: f"\U000f0000\U000f0001 {label}" for t, label in chinese_labels.items()}
    model = _relabelled(fitted, labels)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.static_map(tmp_path / "a.png", dpi=40, figsize=(4, 4))
        model.static_map(tmp_path / "b.png", dpi=40, figsize=(4, 4))
    ours = [str(w.message) for w in caught if issubclass(w.category, TopicLensWarning)]
    assert len(ours) == 1 and "\n" not in ours[0], ours
    assert f"apt-get install {static.FONT_PACKAGE}" in ours[0]
    assert [str(w.message) for w in caught if GLYPH_WARNING.search(str(w.message))] == []
