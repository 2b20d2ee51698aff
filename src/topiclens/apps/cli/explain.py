"""``topiclens explain DIR FILE``: one document's passages coloured by their topic, and its topic mixture."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ...core.errors import ConfigError
from ...core.untrusted import for_terminal, strip_controls

# Foreground colours of the 256-colour palette, distinct on dark and light backgrounds; a topic keeps its colour.
PALETTE = (33, 166, 34, 163, 178, 37, 160, 99, 130, 70, 204, 67)


def add_parser(commands) -> None:
    explain = commands.add_parser(
        "explain", help="show which topic each passage of one document is about",
        description="Cut one document into passages at sentence ends, place each passage in the model's topics "
        "and print the document with every passage coloured by its topic, then the document's topic mixture.")
    explain.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    explain.add_argument("document", type=Path, help="a UTF-8 text file holding the one document ('-': read stdin)")
    explain.add_argument("--passage-tokens", type=int, metavar="N",
                         help="the most word pieces in a passage (default: 64, one or two sentences)")
    explain.add_argument("--method", choices=("words", "embeddings"), default="words",
                         help="place each passage by its words against the topics' c-TF-IDF (default, fast) or by "
                         "its embedding and the neighbours' vote")
    explain.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                         help="colour the passages (default: auto, when printing to a terminal)")
    explain.add_argument("--json", action="store_true", help="print the passages and the mixture as JSON")
    explain.add_argument("--threads", type=int, help="CPU threads")
    explain.add_argument("--quiet", action="store_true", help="no progress bars")


def read_document(path: Path) -> str:
    if str(path) == "-":
        data = sys.stdin.buffer.read()
    else:
        if not path.is_file():
            raise ConfigError(f"{path} is not a file: give the text file of one document (or - for stdin)")
        data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text (byte {exc.start}): convert it, e.g. iconv -t UTF-8") from None
    if not text.strip():
        raise ConfigError(f"{path} holds no text: give a file with the document's text")
    return text


def _colour(topic: int, text: str, enabled: bool) -> str:
    if not enabled or topic < 0:
        return text
    return f"\x1b[38;5;{PALETTE[topic % len(PALETTE)]}m{text}\x1b[0m"


def cmd_explain(args: argparse.Namespace) -> int:
    from ...model import TopicModel
    from .output import dump_json

    text = read_document(args.document)
    model = TopicModel.load(args.model, verbose=not args.quiet and not args.json, threads=args.threads)
    spans = model.explain(text, passage_tokens=args.passage_tokens, method=args.method)
    mixture = model.topic_mixture([text], passage_tokens=args.passage_tokens, method=args.method)[0]
    ranked = [(int(model.topic_ids_[i]), float(mixture[i])) for i in mixture.argsort()[::-1] if mixture[i] > 0]
    labels = dict(zip(model.topic_ids_, model.labels_))
    if args.json:
        print(dump_json({"model": str(args.model), "document": str(args.document),
                         "passages": [{k: row[k] for k in ("start", "end", "topic", "label", "share", "weight")}
                                      for row in spans.to_dict(orient="records")],
                         "mixture": [{"topic": t, "share": round(s, 4), "label": labels[t]} for t, s in ranked]}))
        return 0
    coloured = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    for row in spans.itertuples():
        sys.stdout.write(_colour(int(row.topic), strip_controls(row.text), coloured))
    print("\n")
    print(f"{len(spans)} passage(s); the document's topics:")
    for topic, share in ranked:
        marker = _colour(topic, "■", coloured)
        print(f"  {marker} {topic:4d}  {share:6.1%}  {for_terminal(labels[topic])}")
    outliers = int((spans["topic"] < 0).sum())
    if outliers:
        print(f"  {outliers} passage(s) near no topic (outliers) are left out of the mixture")
    return 0
