"""Real corpora with gold categories and category names, for the topic-label benchmark.

The benchmark asks whether an LLM-written topic label names the gold category that dominates the topic, by
ranking all gold category NAMES by embedding similarity to the label. Each corpus is therefore written as
bench/work/labels_<name>.jsonl.gz (one {"id", "text", "label"} per line, shuffled with random.Random(0)) plus
bench/work/labels_<name>.names.json (label -> name, in the corpus's language, taken from the source).

debian-reference-zh / debian-reference-en
    The Debian Reference manual (Osamu Aoki), Debian 12 packages debian-reference-zh-cn / debian-reference-en
    2.100, fetched with `apt-get download` (after `apt-get update` if the lists are stale) and unpacked with
    `dpkg-deb -x`, or read from /usr/share/debian-reference when installed. One document per <p> of the twelve
    chapter pages (list items and admonitions are <p> too) and per row of the package/command tables (popcon and
    size cells dropped); code blocks (<pre>), tables of contents, table captions and paragraphs that are mostly
    <code> are skipped, as are paragraphs under 20 Han characters (zh) or 12 words (en); texts repeated within
    the manual are kept once (dropped if they occur in two chapters). Gold = chapter (ch01..ch12), name = the
    chapter's own title from its HTML <title>, "第 N 章"/"Chapter N." prefix removed (e.g. "Debian 软件包管理").
    Sizes at 2.100: zh 1,483 documents (43 to 305 per chapter), en 1,876 (50 to 361), 12 chapters each.
python-stdlib
    Docstrings of the running interpreter's standard library (3.11.7 here), extracted in an isolated
    subprocess by bench/label_corpora_pystdlib.py (see its docstring for the module -> chapter data and what
    is left out). One document per public function, class, method or property docstring of >= 15 words
    (doctest examples removed, cut at 250 words), deduplicated (a text found under two chapters is dropped),
    at most 60 per documented module (seeded sample). Gold = chapter of the Python Library Reference
    (page stem, e.g. "filesys"), name = chapter title ("File and Directory Access"). 2,298 documents, 28 chapters
    on Linux/3.11.7 (MS Windows Specific Services is empty; Multimedia 2, Internationalization 6 documents).
debian
    The Debian package-description corpus bench/work/debian_full.jsonl.gz built by
    ../shared/corpora/debian_corpus.py (label = archive section), copied as is. Names = the section titles as
    Debian's archive software (dak) and packages.debian.org publish them (admin = "Administration Utilities").
    29,351 documents, 48 sections.

usage: python bench/label_corpora.py NAME [NAME ...]   (names: debian-reference-zh debian-reference-en
       python-stdlib debian; --rebuild rebuilds cached files)
"""

from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
Records = list[dict]
Names = dict[str, str]

DEBIAN_SECTIONS: Names = {
    "admin": "Administration Utilities", "cli-mono": "Mono/CLI", "comm": "Communication Programs",
    "database": "Databases", "devel": "Development", "editors": "Editors", "education": "Education",
    "electronics": "Electronics", "embedded": "Embedded software", "fonts": "Fonts", "games": "Games",
    "gnome": "GNOME", "gnu-r": "GNU R", "gnustep": "GNUstep", "golang": "Go", "graphics": "Graphics",
    "hamradio": "Ham Radio", "haskell": "Haskell", "httpd": "Web Servers", "interpreters": "Interpreters",
    "java": "Java", "javascript": "JavaScript", "kde": "KDE", "kernel": "Kernels", "lisp": "Lisp", "mail": "Mail",
    "math": "Mathematics", "net": "Network", "news": "Newsgroups", "ocaml": "OCaml", "perl": "Perl", "php": "PHP",
    "python": "Python", "ruby": "Ruby", "rust": "Rust", "science": "Science", "shells": "Shells", "sound": "Sound",
    "tasks": "Tasks", "tex": "TeX", "text": "Text Processing", "utils": "Utilities",
    "vcs": "Version Control Systems", "video": "Video", "web": "Web Software", "x11": "X Window System software",
    "xfce": "Xfce", "zope": "Zope/Plone Framework",
}
DEBREF_LANGS = {"zh": ("debian-reference-zh-cn", "zh-cn"), "en": ("debian-reference-en", "en"),
                "de": ("debian-reference-de", "de"), "ja": ("debian-reference-ja", "ja")}
HAN = re.compile(r"[\u4e00-\u9fff]")
CJK_GAP = re.compile(r"(?<=[\u2e80-\u9fff\uff00-\uffef]) (?=[\u2e80-\u9fff\uff00-\uffef])")
TABLE_NOISE = re.compile(r"^(V:\d+, ?I:\d+|[\d.,]+|-)$")
SKIP_DIVS = {"toc", "navheader", "navfooter", "titlepage"}
STDLIB_CAP = 60
STDLIB_MIN_WORDS = 15


def normalize(text: str) -> str:
    """Collapse whitespace, dropping the line-wrap spaces that fall between two CJK characters."""
    return CJK_GAP.sub("", " ".join(text.split()))


class ChapterParser(HTMLParser):
    """Collects the text of <p> elements and data-table rows of one Debian Reference chapter page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.blocks: list[tuple[str, float]] = []  # (text, share of characters inside <code>)
        self._divs: list[str] = []
        self._tables: list[bool] = []  # per open <table>: is it a data table?
        self._in = collections.Counter()
        self._buf: list[str] | None = None
        self._code = 0
        self._cells: list[list[str]] | None = None

    def _skipping(self) -> bool:
        return self._in["pre"] > 0 or any(c in SKIP_DIVS for c in self._divs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        self._in[tag] += 1
        if tag == "div":
            self._divs.append(cls)
        elif tag == "table":
            self._tables.append(cls in ("table", "informaltable"))
        elif tag == "p" and "title" not in cls and not self._skipping():
            self._buf, self._code = [], 0
        elif tag == "tr" and self._tables and self._tables[-1] and not self._skipping():
            self._cells, self._code = [], 0
        elif tag == "td" and self._cells is not None:
            self._cells.append([])

    def handle_endtag(self, tag: str) -> None:
        self._in[tag] = max(0, self._in[tag] - 1)
        if tag == "div" and self._divs:
            self._divs.pop()
        elif tag == "table" and self._tables:
            self._tables.pop()
        elif tag == "p" and self._buf is not None:
            text = normalize("".join(self._buf))
            self.blocks.append((text, self._code / max(1, len(text))))
            self._buf = None
        elif tag == "tr" and self._cells is not None:
            cells = [normalize("".join(c)) for c in self._cells]
            text = " ".join(c for c in cells if c and not TABLE_NOISE.match(c))
            self.blocks.append((text, self._code / max(1, len(text))))
            self._cells = None

    def handle_data(self, data: str) -> None:
        if self._in["title"]:
            self.title += data
        elif self._buf is not None and not self._in["pre"]:
            self._buf.append(data)
            if self._in["code"]:
                self._code += len(data.strip())
        elif self._cells and self._in["td"]:
            self._cells[-1].append(data)
            if self._in["code"]:
                self._code += len(data.strip())


def debref_pages(package: str, lang: str, tmp: str) -> list[str]:
    """Paths of the chNN chapter pages, from the installed package or one fetched and unpacked into `tmp`."""
    pattern = f"usr/share/debian-reference/ch[0-9][0-9].{lang}.html"
    pages = sorted(glob.glob("/" + pattern))
    if pages:
        return pages
    download = ["apt-get", "download", package]
    if subprocess.run(download, cwd=tmp, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update"], capture_output=True, check=True)
        subprocess.run(download, cwd=tmp, capture_output=True, check=True)
    (deb,) = glob.glob(f"{tmp}/{package}_*.deb")
    subprocess.run(["dpkg-deb", "-x", deb, f"{tmp}/root"], check=True)
    return sorted(glob.glob(f"{tmp}/root/{pattern}"))


def dedupe(records: Records) -> Records:
    """Keep the first record of each text; drop texts that occur under more than one label."""
    labels: dict[str, set[str]] = collections.defaultdict(set)
    for r in records:
        labels[r["text"]].add(r["label"])
    seen: set[str] = set()
    out = []
    for r in records:
        if len(labels[r["text"]]) == 1 and r["text"] not in seen:
            seen.add(r["text"])
            out.append(r)
    return out


def build_debian_reference(lang: str) -> tuple[Records, Names]:
    """Paragraphs and table rows of the Debian Reference in `lang` ("zh" or "en"), gold = chapter."""
    package, suffix = DEBREF_LANGS[lang]
    records: Records = []
    names: Names = {}
    with tempfile.TemporaryDirectory() as tmp:
        pages = debref_pages(package, suffix, tmp)
        if len(pages) < 10:
            raise RuntimeError(f"expected the chapter pages of {package}, found {pages}")
        for path in pages:
            label = Path(path).name.split(".")[0]
            parser = ChapterParser()
            parser.feed(Path(path).read_text(encoding="utf-8"))
            names[label] = re.sub(r"^(第\s*\d+\s*章|Chapter\s+\d+\.|Kapitel\s+\d+\.)\s*", "", normalize(parser.title))
            for text, code_share in parser.blocks:
                long_enough = len(HAN.findall(text)) >= 20 if lang in ("zh", "ja") else len(text.split()) >= 12
                if long_enough and code_share <= 0.5:
                    records.append({"id": f"{label}-{len(records):05d}", "text": text, "label": label})
    return dedupe(records), names


def build_python_stdlib() -> tuple[Records, Names]:
    """Standard-library docstrings of this interpreter, gold = Library Reference chapter of the module."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "docs.json"
        subprocess.run([sys.executable, "-I", str(HERE / "label_corpora_pystdlib.py"), str(out)],
                       stdin=subprocess.DEVNULL, capture_output=True, check=True, timeout=300)
        data = json.loads(out.read_text(encoding="utf-8"))
    if data["failed"]:
        print(f"python-stdlib: not importable, skipped: {' '.join(data['failed'])}", file=sys.stderr)
    records = [{"id": f"{d['module']}.{d['qualname']}", "text": d["text"], "label": d["label"], "key": d["key"]}
               for d in data["docs"] if len(d["text"].split()) >= STDLIB_MIN_WORDS]
    by_module: dict[str, Records] = collections.defaultdict(list)
    for r in dedupe(records):
        by_module[r.pop("key")].append(r)
    rng = random.Random(0)
    kept: Records = []
    for key in sorted(by_module):
        docs = sorted(by_module[key], key=lambda r: r["id"])
        kept += rng.sample(docs, STDLIB_CAP) if len(docs) > STDLIB_CAP else docs
    ids = collections.Counter(r["id"] for r in kept)
    assert max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]
    used = {r["label"] for r in kept}
    return kept, {label: title for label, title in data["chapters"].items() if label in used}


def build_debian() -> tuple[Records, Names]:
    """The Debian package-description corpus, gold = archive section, names = Debian's section titles."""
    path = WORK / "debian_full.jsonl.gz"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: build it with ../shared/corpora/debian_corpus.py {path}")
    records = read_jsonl(path)
    missing = {r["label"] for r in records} - set(DEBIAN_SECTIONS)
    if missing:
        raise KeyError(f"no section title for {sorted(missing)}: add them to DEBIAN_SECTIONS")
    return records, {s: DEBIAN_SECTIONS[s] for s in sorted({r["label"] for r in records})}


BUILDERS: dict[str, Callable[[], tuple[Records, Names]]] = {
    "debian-reference-zh": lambda: build_debian_reference("zh"),
    "debian-reference-en": lambda: build_debian_reference("en"),
    "debian-reference-de": lambda: build_debian_reference("de"),
    "debian-reference-ja": lambda: build_debian_reference("ja"),
    "python-stdlib": build_python_stdlib,
    "debian": build_debian,
}


def paths(name: str) -> tuple[Path, Path]:
    """The corpus file and the names file of corpus `name`."""
    return WORK / f"labels_{name}.jsonl.gz", WORK / f"labels_{name}.names.json"


def read_jsonl(path: Path) -> Records:
    """Records of a gzipped JSONL file."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load(name: str, rebuild: bool = False) -> tuple[Records, Names]:
    """Records ({"id", "text", "label"}) and names (label -> name) of corpus `name`, built and cached on first use."""
    if name not in BUILDERS:
        raise KeyError(f"unknown corpus {name!r}; known: {', '.join(BUILDERS)}")
    corpus, names_path = paths(name)
    if not rebuild and corpus.exists() and names_path.exists():
        return read_jsonl(corpus), json.loads(names_path.read_text(encoding="utf-8"))
    records, names = BUILDERS[name]()
    if name == "debian":
        WORK.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(WORK / "debian_full.jsonl.gz", corpus)
    else:
        random.Random(0).shuffle(records)
        write_jsonl(corpus, records)
    names_path.write_text(json.dumps(names, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return records, names


def write_jsonl(path: Path, records: Records) -> None:
    """Write records as gzipped JSONL (reproducible bytes: no timestamp in the gzip header)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for r in records:
            gz.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))


def main() -> None:
    """CLI: build (or load) each named corpus and print its size and biggest categories."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="+", choices=list(BUILDERS), metavar="NAME")
    parser.add_argument("--rebuild", action="store_true", help="rebuild even if cached in bench/work/")
    args = parser.parse_args()
    for name in args.names:
        records, names = load(name, rebuild=args.rebuild)
        counts = collections.Counter(r["label"] for r in records)
        size = max(1, len(records))
        words = sum(len(r["text"].split()) for r in records) / size
        chars = sum(len(r["text"]) for r in records) / size
        print(f"{name}: {len(records)} documents, {len(counts)} categories ({len(names)} names), "
              f"{words:.0f} words / {chars:.0f} characters per document -> {paths(name)[0]}")
        for label, n in counts.most_common(5):
            print(f"  {n:6d}  {label:12s} {names.get(label, '?')}")
        print(f"  smallest: {', '.join(f'{label} {n}' for label, n in counts.most_common()[:-4:-1])}")


if __name__ == "__main__":
    main()
