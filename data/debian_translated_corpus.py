"""Build a sample corpus in another language from Debian's package-description translations.

Same recipe as ../shared/corpora/debian_corpus.py (whose stanza parser and text cleaner it
reuses), but reading the `Translation-<LANG>` lists: one document per source package with a
translated long description, labelled with the package's archive section (the gold category).
The lists come from an apt update into a scratch state directory (the system's apt state is not
touched):

    apt-get -o Dir::State=/tmp/aptstate -o Dir::Cache=/tmp/aptcache \\
        -o Acquire::Languages=de,ja,ru,zh_CN update
    python3 data/debian_translated_corpus.py de data/debian_de_sample.jsonl.gz 800 --lists /tmp/aptstate/lists

usage: python3 data/debian_translated_corpus.py LANG OUT.jsonl.gz [LIMIT] [--lists DIR]
(the default DIR is /var/lib/apt/lists, after `apt-get update -o Acquire::Languages=LANG,en`)
"""

from __future__ import annotations

import argparse
import glob
import gzip
import importlib.util
import json
import random
import re
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "debian_corpus.py"
CJK_OR_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
SYSTEM_LISTS = "/var/lib/apt/lists"
SHORT_SCRIPT = ("ja", "ko")  # no spaces between words: counted in CJK characters and kana


def shared_module():
    spec = importlib.util.spec_from_file_location("debian_corpus", SHARED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_lists(pattern: str) -> str:
    """The text of every apt list file matching ``pattern`` (lz4-compressed), joined."""
    return "".join(subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path], capture_output=True, text=True,
                                  check=True).stdout for path in sorted(glob.glob(pattern)))


def long_enough(text: str, language: str) -> bool:
    if language.startswith("zh"):  # the Chinese sample's rule (2026-11-23)
        return len(text) >= 40
    if language in SHORT_SCRIPT:
        return len(CJK_OR_KANA.findall(text)) >= 40
    return len(text.split()) >= 25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("language", help="the Translation list's language: de, ja, ru, zh_CN, ...")
    parser.add_argument("out", type=Path)
    parser.add_argument("limit", type=int, nargs="?", default=10**9)
    parser.add_argument("--lists", default=SYSTEM_LISTS)
    args = parser.parse_args()
    base = shared_module()
    key = f"Description-{args.language}"
    translated = {fields["Description-md5"]: fields[key]
                  for fields in base.stanzas(read_lists(f"{args.lists}/*_i18n_Translation-"
                                                        f"{args.language.replace('_', '%5f')}.lz4"))
                  if key in fields}
    if not translated:
        raise SystemExit(f"no Translation-{args.language} lists in {args.lists}: run apt-get update with "
                         f"-o Acquire::Languages={args.language},en")
    if args.lists == SYSTEM_LISTS:  # the packages apt knows (how the Chinese sample was built)
        packages = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=True).stdout
    else:
        packages = read_lists(f"{args.lists}/*_Packages.lz4")
    seen, docs = set(), []
    for fields in base.stanzas(packages):
        section = fields.get("Section", "").split("/")[-1]
        source = fields.get("Source", fields["Package"]).split()[0]
        description = translated.get(fields.get("Description-md5", ""))
        if section in base.DROP or source in seen or not description:
            continue
        text = base.clean(description)
        if not long_enough(text, args.language):
            continue
        seen.add(source)
        docs.append({"id": fields["Package"], "text": text, "label": section})
    random.Random(0).shuffle(docs)
    docs = docs[: args.limit]
    with gzip.open(args.out, "wt", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
    print(len(docs), "docs,", len({d["label"] for d in docs}), "labels", file=sys.stderr)


if __name__ == "__main__":
    main()
