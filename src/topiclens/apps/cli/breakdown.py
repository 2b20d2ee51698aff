"""The breakdown commands: topiclens over-time | per-class (a saved model's topics per period or class).

The parsers are built at start-up, so this module imports nothing heavy at its top."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from pathlib import Path


def _load(args):
    from ...model import TopicModel

    return TopicModel.load(args.model, verbose=False, threads=args.threads)


def _table_rows(table) -> list[dict]:
    rows = table.copy()
    for column in ("start", "end"):
        if column in rows.columns:
            rows[column] = rows[column].map(lambda t: t.isoformat())
    return rows.to_dict(orient="records")


def _show(args, model, table, column: str, what: str) -> int:
    from ...io.export import spreadsheet_safe
    from ...io.files import write_atomic
    from .output import dump_json, for_terminal

    if args.chart is not None:
        chart = model.over_time_chart(table) if column == "period" else model.per_class_chart(table)
        write_atomic(args.chart, lambda out: out.write(chart.to_html(include_plotlyjs=True, full_html=True)))
    left_out = {key: table.attrs.get(key, 0) for key in ("missing", "unparsed")}
    if args.json:
        print(dump_json({"model": str(args.model), "documents": table.attrs["documents"], **left_out,
                         "rows": _table_rows(table)}))
        return 0
    if args.csv:
        spreadsheet_safe(table).to_csv(sys.stdout, index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        return 0
    for name, rows in table.groupby(column, sort=False):
        total = int(rows["documents"].sum())
        print(f"{for_terminal(str(name))}  ({total:,} documents)")
        shown = rows[rows["documents"] > 0].sort_values("documents", ascending=False).head(args.top)
        for row in shown.itertuples():
            print(f"  {row.topic:>4}  {for_terminal(row.label)[:50]:<50} {row.documents:>6,} {row.share:6.1%}  "
                  f"{for_terminal(row.keywords)}")
    print(f"\n{table.attrs['documents']:,} documents in {table.attrs['groups']} {what}"
          + (f"; {left_out['missing']} without a value, {left_out['unparsed']} unparsed (in none)"
             if any(left_out.values()) else "")
          + (f"; chart written to {args.chart}" if args.chart is not None else ""))
    return 0


def cmd_over_time(args) -> int:
    model = _load(args)
    table = model.topics_over_time(args.bins, freq=args.freq, time_field=args.time_field, n_words=args.words,
                                   tuning=args.tuning)
    return _show(args, model, table, "period", "periods")


def cmd_per_class(args) -> int:
    model = _load(args)
    table = model.topics_per_class(args.field, n_words=args.words, tuning=args.tuning)
    return _show(args, model, table, "class", "classes")


def add_breakdown_commands(commands) -> None:
    """The parsers of over-time and per-class."""
    over_time = commands.add_parser(
        "over-time", help="a saved model's topics per time period",
        description="Count each topic's documents per period (share of the period, keywords of the period); "
        "the times come from the corpus field 'timestamp' (or --time-field). Documents without a time, or "
        "whose time does not parse, are counted and reported.")
    over_time.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    when = over_time.add_mutually_exclusive_group()
    when.add_argument("--freq", choices=("year", "quarter", "month", "week", "day"), help="calendar periods")
    when.add_argument("--bins", type=int, metavar="N", help="N equal periods (default: 20 unless --freq)")
    over_time.add_argument("--time-field", default="timestamp", metavar="FIELD",
                           help="the corpus field with the times (default: timestamp)")
    per_class = commands.add_parser(
        "per-class", help="a saved model's topics per class of a corpus field",
        description="Count each topic's documents per value of a corpus field (share of the class, keywords "
        "within the class).")
    per_class.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    per_class.add_argument("--field", required=True, help="the corpus field holding the classes, e.g. section")
    for command in (over_time, per_class):
        command.add_argument("--words", type=int, default=5, metavar="N", help="keywords per cell (default: 5)")
        command.add_argument("--tuning", type=float, default=0.5, metavar="X",
                             help="how far a cell's keywords lean toward the topic's global keywords, 0 to 1 "
                             "(default: 0.5)")
        command.add_argument("--top", type=int, default=5, metavar="N",
                             help="topics shown per group in the text output (default: 5)")
        command.add_argument("--chart", type=Path, metavar="FILE.html", help="also write the plotly chart")
        command.add_argument("--threads", type=int, help="CPU threads")
        output = command.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="print every row as JSON")
        output.add_argument("--csv", action="store_true", help="print every row as CSV")


BREAKDOWN_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "over-time": cmd_over_time, "per-class": cmd_per_class,
}
