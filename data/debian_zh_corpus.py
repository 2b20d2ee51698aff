"""Build the Chinese sample corpus from Debian's zh_CN package-description translations.

Same recipe as ../shared/corpora/debian_corpus.py (whose stanza parser and text cleaner it
reuses), but reading the `Translation-zh_CN` lists: one document per source package with a
Chinese long description, labelled with the package's archive section.
Needs `apt-get update -o Acquire::Languages=zh_CN,en` (and lz4) first.
usage: python3 data/debian_zh_corpus.py OUT.jsonl.gz [LIMIT]
"""

from __future__ import annotations

import glob
import gzip
import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "debian_corpus.py"


def shared_module():
    spec = importlib.util.spec_from_file_location("debian_corpus", SHARED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(out: str, limit: int) -> None:
    base = shared_module()
    chinese = {}
    for path in glob.glob("/var/lib/apt/lists/*_i18n_Translation-zh%5fCN.lz4"):
        raw = subprocess.run(["lz4cat", path], capture_output=True, text=True, check=True).stdout
        for fields in base.stanzas(raw):
            if "Description-zh_CN" in fields:
                chinese[fields["Description-md5"]] = fields["Description-zh_CN"]
    if not chinese:
        raise SystemExit("no Translation-zh_CN lists: run apt-get update -o Acquire::Languages=zh_CN,en")
    raw = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=True).stdout
    seen, docs = set(), []
    for fields in base.stanzas(raw):
        section = fields.get("Section", "").split("/")[-1]
        source = fields.get("Source", fields["Package"]).split()[0]
        description = chinese.get(fields.get("Description-md5", ""))
        if section in base.DROP or source in seen or not description:
            continue
        text = base.clean(description)
        if len(text) < 40:
            continue
        seen.add(source)
        docs.append({"id": fields["Package"], "text": text, "label": section})
    random.Random(0).shuffle(docs)
    docs = docs[:limit]
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
    print(len(docs), "docs,", len({d["label"] for d in docs}), "labels", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10**9)
