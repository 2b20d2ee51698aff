"""Charts of the breakdown tables (plotly): topics over time as lines, topics per class as stacked bars.

Labels, keywords and class names are untrusted text: cut (on the right, with an ellipsis), stripped of controls
and bidi overrides, and HTML-escaped before plotly sees them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from ..core.errors import ConfigError, require
from .data import colors_by_id, pick_topics, snippet, topic_name, wrap_html

CLASS_CHARS = 40  # a class name longer than this is cut on the right, with an ellipsis


def _distinct(names: list[str]) -> list[str]:
    """``names`` with a repeat numbered (" (2)"): two classes shown alike ("A" and "A" after a bidi override, two
    long names alike until the cut) stay two bars."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return result


def _chosen(model, table: pd.DataFrame, topics: Sequence[int] | None, top_n: int) -> list[int]:
    if topics is not None:
        return pick_topics(model, topics, None)
    totals = table[table["topic"] >= 0].groupby("topic")["documents"].sum().sort_values(ascending=False)
    return [int(t) for t in totals.index[:top_n]]


def _topic_rows(table: pd.DataFrame, topic: int, column: str, groups: list) -> pd.DataFrame:
    """Topic ``topic``'s rows of a breakdown table, one per group in ``groups`` order: a group without its
    documents (a table made without ``empty=True`` leaves it out) is a row of zeros, not a gap."""
    rows = table[table["topic"] == topic].set_index(column).reindex(groups)
    rows = rows.fillna({"documents": 0, "share": 0.0, "keywords": ""})
    spans = table.drop_duplicates(column).set_index(column)
    for bound in ("start", "end"):  # a period's span is the same on every row of it
        if bound in table.columns:
            rows[bound] = spans[bound].reindex(groups).to_numpy()
    return rows.rename_axis(column).reset_index()


def over_time_chart(model, table: pd.DataFrame | None = None, *, topics: Sequence[int] | None = None,
                    top_n: int = 8, relative: bool = False, width: int | None = None, height: int = 460,
                    title: str | None = None, **table_options):
    """One line per topic across the periods: documents (or, ``relative``, the share of the period).

    ``table`` is a ``topics_over_time`` result (made with ``table_options`` when None); ``topics``
    picks the topics, else the ``top_n`` largest over the whole span. Hover shows the period's keywords.
    """
    go = require("plotly.graph_objects", "plot", "interactive charts")

    table = model.topics_over_time(**table_options) if table is None else table
    if "period" not in table.columns:
        raise ConfigError("over_time_chart needs a topics_over_time table")
    chosen = _chosen(model, table, topics, top_n)
    colors = colors_by_id(list(model.topic_ids_))
    value = "share" if relative else "documents"
    periods = table.drop_duplicates("period").sort_values("start")["period"].tolist()
    fig = go.Figure()
    for t in chosen:
        rows = _topic_rows(table, t, "period", periods)
        fig.add_trace(go.Scatter(
            x=rows["start"], y=rows[value], mode="lines+markers", name=wrap_html(topic_name(model, t, 40), 60),
            line={"color": colors[t], "width": 2}, marker={"size": 5},
            text=[wrap_html(k, 60) for k in rows["keywords"]], customdata=rows["period"],
            hovertemplate="%{customdata}: %{y" + (":.1%" if relative else "") + "}<br>%{text}<extra>"
            + wrap_html(topic_name(model, t, 40), 60) + "</extra>"))
    default_title = "Topics over time" + (f" ({len(chosen)} largest topics)" if topics is None else "")
    fig.update_layout(title=title or default_title, template="simple_white", width=width, height=height,
                      yaxis_title="share of the period's documents" if relative else "documents",
                      legend={"font": {"size": 11}}, margin={"l": 10, "r": 10, "t": 60, "b": 40})
    if relative:
        fig.update_yaxes(tickformat=".0%")
    return fig


def per_class_chart(model, table: pd.DataFrame | str, *, topics: Sequence[int] | None = None, top_n: int = 8,
                    width: int | None = None, height: int | None = None, title: str | None = None):
    """A bar per class, split by topic: each topic's share of the class's documents (the other topics
    and the outliers together as the rest). ``table``: a ``topics_per_class`` result or a field name."""
    go = require("plotly.graph_objects", "plot", "interactive charts")

    table = model.topics_per_class(table) if isinstance(table, str) else table
    if "class" not in table.columns:
        raise ConfigError("per_class_chart needs a topics_per_class table")
    chosen = _chosen(model, table, topics, top_n)
    colors = colors_by_id(list(model.topic_ids_))
    classes = list(dict.fromkeys(table["class"]))
    names = _distinct([html.escape(snippet(str(c), CLASS_CHARS)) for c in classes])
    fig = go.Figure()
    for t in chosen:
        rows = _topic_rows(table, t, "class", classes)
        fig.add_trace(go.Bar(
            y=names, x=rows["share"], orientation="h", name=wrap_html(
                topic_name(model, t, 40), 60), marker={"color": colors[t]},
            text=[wrap_html(k, 60) for k in rows["keywords"]], customdata=rows["documents"],
            hovertemplate="%{y}: %{x:.1%} (%{customdata} documents)<br>%{text}<extra>"
            + wrap_html(topic_name(model, t, 40), 60) + "</extra>", textposition="none"))
    rest = 1.0 - table[table["topic"].isin(chosen)].groupby("class")["share"].sum().reindex(classes).fillna(0.0)
    fig.add_trace(go.Bar(y=names, x=rest.clip(lower=0.0), orientation="h",
                         name="other topics and outliers", marker={"color": "#d9d9d9"},
                         hovertemplate="%{y}: %{x:.1%}<extra>other topics and outliers</extra>"))
    fig.update_layout(barmode="stack", title=title or "Topics per class", template="simple_white", width=width,
                      height=height or max(360, 26 * len(classes) + 140), xaxis_tickformat=".0%",
                      xaxis_title="share of the class's documents", legend={"font": {"size": 11}},
                      margin={"l": 10, "r": 10, "t": 60, "b": 40})
    fig.update_yaxes(autorange="reversed")
    return fig
