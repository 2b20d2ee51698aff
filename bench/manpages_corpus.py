"""A corpus of long real documents built from the machine: the English manual pages of sections 1, 5, 7 and 8.

Each document is one page rendered to plain text by groff (headers, footers and the page's own name lines
dropped, lines joined into paragraphs); its label is the Debian archive section of the package that installed
it (``dpkg``: utils, admin, net, devel, perl, ...), the same kind of gold as the Debian description corpus.
Pages under 250 words, sections with fewer than 15 pages and the ``libs``/``oldlibs``/``misc`` sections are
left out; a page is kept to its first 5,000 words (the longest run to 40,000). Which pages exist depends on the
packages installed, so the corpus is rebuilt, not shipped; the file records how it was made.

usage: python bench/manpages_corpus.py OUT.jsonl.gz [--limit N] [--seed 42]
"""

from __future__ import annotations

import argparse
import re
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from bench_fit import write_corpus

MAN = Path("/usr/share/man")
SECTIONS = ("man1", "man5", "man7", "man8")
DROPPED = {"libs", "oldlibs", "misc", "libdevel", "doc"}
MIN_WORDS, MAX_WORDS, MIN_PAGES = 250, 5000, 15


def owners() -> dict[str, str]:
    """Installed file path -> its package, from dpkg's file lists."""
    found: dict[str, str] = {}
    for listing in Path("/var/lib/dpkg/info").glob("*.list"):
        package = listing.stem.split(":")[0]
        for line in listing.read_text(errors="replace").splitlines():
            if line.startswith("/usr/share/man/man"):
                found[line] = package
    return found


def package_sections() -> dict[str, str]:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Section}\n"], capture_output=True, text=True,
                         check=True).stdout
    return {name: section.rsplit("/", 1)[-1] for name, _, section in (line.partition(" ") for line in
                                                                        out.splitlines()) if section}


def render(path: Path) -> str:
    """The page as paragraphs of plain text."""
    page = subprocess.run(f"zcat -f {str(path)!r} | groff -mandoc -Tutf8 -P-cbou -rLL=200n 2>/dev/null",
                          shell=True, capture_output=True, text=True, errors="replace").stdout
    lines = page.splitlines()[1:-1]  # the running header and footer
    paragraphs, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    text = "\n\n".join(p for p in paragraphs if not re.fullmatch(r"[A-Z][A-Z ]+", p))  # section headings
    words = text.split(" ")
    return " ".join(words[:MAX_WORDS]) if len(words) > MAX_WORDS else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--limit", type=int, default=3000, help="the most pages kept (a seeded sample)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    sections, packages = package_sections(), owners()
    pages = []
    for section in SECTIONS:
        for path in sorted((MAN / section).glob("*")):
            package = packages.get(str(path))
            if path.is_file() and not path.is_symlink() and package and sections.get(package) not in DROPPED \
                    and package in sections:
                pages.append((path, sections[package]))
    counts = Counter(label for _, label in pages)
    pages = [(p, label) for p, label in pages if counts[label] >= MIN_PAGES]
    order = np.random.default_rng(args.seed).permutation(len(pages))
    with ThreadPoolExecutor(2) as pool:
        texts = list(pool.map(render, [pages[i][0] for i in order]))
    records = [{"id": pages[i][0].name, "text": text, "label": pages[i][1]}
               for i, text in zip(order, texts) if len(text.split()) >= MIN_WORDS]
    counts = Counter(r["label"] for r in records)
    records = [r for r in records if counts[r["label"]] >= MIN_PAGES][:args.limit]
    write_corpus(records, args.out, "pages", "sections")


if __name__ == "__main__":
    main()
