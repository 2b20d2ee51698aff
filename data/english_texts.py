"""Write the texts the general English table of ``embedding_model='learned'`` is trained on.

The bundled English samples' texts (``debian_sample.jsonl.gz``: 3,000 Debian package descriptions;
``changelog_sample.jsonl.gz``: 3,000 changelog entries), in that order, as one gzip'd JSON list inside the package:

    python3 data/english_texts.py src/topiclens/embedders/resources/english_texts.json.gz
"""

import gzip
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(target: str) -> None:
    texts: list[str] = []
    for name in ("debian_sample.jsonl.gz", "changelog_sample.jsonl.gz"):
        with gzip.open(HERE / name, "rt", encoding="utf-8") as rows:
            texts += [json.loads(line)["text"] for line in rows]
    # mtime=0: the same texts give the same bytes
    Path(target).write_bytes(gzip.compress(json.dumps(texts, ensure_ascii=False).encode("utf-8"), 9, mtime=0))
    print(f"{len(texts)} texts written to {target}")


if __name__ == "__main__":
    main(sys.argv[1])
