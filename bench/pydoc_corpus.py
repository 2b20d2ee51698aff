"""A corpus of long real documents: the pages of the Python 3.11 Library Reference, labelled by chapter.

Read from Debian's ``python3.11-doc`` package (``apt-get install python3.11-doc``: the HTML documentation in
/usr/share/doc/python3.11/html). Every chapter listed by library/index.html links its module pages in a table
of contents; each such page is one document (its main text, without navigation, code examples kept as text),
labelled by its chapter's page name (text, datatypes, numeric, ...). Pages under 250 words and pages listed by
two chapters are left out.

usage: python bench/pydoc_corpus.py OUT.jsonl.gz
"""

from __future__ import annotations

import argparse
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from bench_fit import write_corpus

LIBRARY = Path("/usr/share/doc/python3.11/html/library")
MIN_WORDS = 250
TOC = re.compile(r'<li class="toctree-l1"><a class="reference internal" href="([\w.\-]+)\.html">')


class BodyText(HTMLParser):
    """The text of the page's main body (role="main"), without scripts, styles or the header links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside the main body: how many divs deep
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "div" and self.depth:
            self.depth += 1
        elif tag == "div" and attributes.get("role") == "main":
            self.depth = 1
        if tag in ("script", "style") or (tag == "a" and attributes.get("class") == "headerlink"):
            self.skip += 1
        if tag in ("p", "li", "dt", "dd", "pre", "h1", "h2", "h3", "tr", "div") and self.depth:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "a") and self.skip:
            self.skip -= 1 if tag != "a" or self.skip else 0
        if tag == "div" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def page_text(path: Path) -> str:
    parser = BodyText()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    lines = [" ".join(line.split()) for line in html.unescape("".join(parser.parts)).splitlines()]
    paragraphs, current = [], []
    for line in lines + [""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return "\n\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    if not (LIBRARY / "index.html").exists():
        raise SystemExit(f"{LIBRARY} is missing: apt-get install python3.11-doc")
    chapters = list(dict.fromkeys(TOC.findall((LIBRARY / "index.html").read_text(encoding="utf-8"))))
    pages: dict[str, list[str]] = {}
    for chapter in chapters:
        for page in dict.fromkeys(TOC.findall((LIBRARY / f"{chapter}.html").read_text(encoding="utf-8"))):
            if (LIBRARY / f"{page}.html").exists() and page not in chapters:
                pages.setdefault(page, []).append(chapter)
    records = []
    for page, owners in sorted(pages.items()):
        text = page_text(LIBRARY / f"{page}.html")
        if len(owners) == 1 and len(text.split()) >= MIN_WORDS:
            records.append({"id": page, "text": text, "label": owners[0]})
    write_corpus(records, args.out, "pages", "chapters")


if __name__ == "__main__":
    main()
