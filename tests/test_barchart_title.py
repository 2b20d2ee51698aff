"""The keyword bar chart says when it shows only some of the model's topics, and how to see the others."""

from __future__ import annotations

import pytest

from topiclens.core.errors import ConfigError


def _subtitle(fig) -> str:
    return fig.layout.title.subtitle.text or ""


def _charted(fig) -> list[str]:
    return [bar.name for bar in fig.data]


def test_a_chart_of_the_largest_topics_says_how_many_of_how_many(fitted):
    total = len(fitted.topic_ids_)
    assert total > 3
    fig = fitted.barchart(top_n_topics=3)
    assert len(fig.data) == 3
    assert _subtitle(fig).startswith(f"3 of {total} topics (the largest)")
    assert "top_n_topics=None" in _subtitle(fig) and "topics=[...]" in _subtitle(fig)
    assert fig.layout.title.text == "Topic keywords (c-TF-IDF)"
    default = fitted.barchart()
    assert len(default.data) == min(8, total)
    assert _subtitle(default) == (f"8 of {total} topics (the largest); pass top_n_topics=None or topics=[...] "
                                  "for others" if total > 8 else "")


def test_chosen_topics_and_a_custom_title_keep_the_note(fitted):
    total = len(fitted.topic_ids_)
    fig = fitted.barchart(topics=[1, 0], title="Two topics")
    assert [name.split(":")[0] for name in _charted(fig)] == ["1", "0"]
    assert fig.layout.title.text == "Two topics"
    assert _subtitle(fig) == f"2 of {total} topics; pass topics=[...] for others"


def test_every_topic_charted_needs_no_note(fitted):
    fig = fitted.barchart(top_n_topics=None)
    assert len(fig.data) == len(fitted.topic_ids_)
    assert _subtitle(fig) == ""
    with pytest.raises(ConfigError, match="top_n_topics=-2"):
        fitted.barchart(top_n_topics=-2)


def test_a_topic_has_the_same_colour_in_the_bars_as_on_the_map_after_an_edit(fitted):
    from topiclens.views.report import report_data

    edited = fitted.delete_topics([fitted.topic_ids_[1]])
    on_map = {t["id"]: t["color"] for t in report_data(edited)["topics"]}
    fig = edited.barchart(top_n_topics=None)
    assert len(fig.data) == len(edited.topic_ids_)
    for bar in fig.data:
        assert bar.marker.color == on_map[int(bar.name.split(":")[0])]
    assert on_map[fitted.topic_ids_[2]] == {t["id"]: t["color"] for t in report_data(fitted)["topics"]}[
        fitted.topic_ids_[2]]  # an edit leaves the other topics' colours alone
