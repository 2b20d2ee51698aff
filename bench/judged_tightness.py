"""How well the tightness of the documents a judge saw tells the topics they called coherent (rounds r1-r11).

Every topic item of every judged round (``bench/judged/rN/keys``: the documents shown; ``verdicts``: each judge's
``coherent``) is read back with the corpus's embeddings (the same files the rounds were fitted on,
``bench/work/``): the tightness of the shown documents (the mean cosine to their mean direction) against the judges'
mean call (yes 1, partly 0.5, no 0). Printed per corpus: the items, the share called "yes" by every judge's mean,
the ROC area of tightness for "yes", and the "yes" share in bands of tightness. This is the analysis round r13
(bench/bench_tight_judged.py) started from; it runs in seconds.

usage: python bench/judged_tightness.py [--rounds r1,...,r11]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from judged_scores import JUDGED, read_verdicts  # noqa: E402

EMBEDDINGS = {"debian": "debian_full.minilm-int8.npy", "python-stdlib": "labels_python-stdlib.minilm-int8.npy",
              "debian-reference-zh": "labels_debian-reference-zh.use-multilingual.npy",
              "debian-reference-de": "labels_debian-reference-de.use-multilingual.npy"}
CALLS = {"yes": 1.0, "partly": 0.5, "no": 0.0}
BANDS = ((0.0, 0.5), (0.5, 0.55), (0.55, 0.6), (0.6, 0.65), (0.65, 0.7), (0.7, 1.01))


def shown_tightness(vectors: np.ndarray) -> float:
    """The mean cosine of the rows of ``vectors`` to their mean direction."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    centre = unit.mean(axis=0)
    return float((unit @ (centre / np.linalg.norm(centre))).mean())


def items(rounds: list[str]) -> list[dict]:
    """Every judged topic item of ``rounds``: corpus, round, tightness of the shown documents, mean call."""
    from bench_labels import embeddings_for
    from label_corpora import load

    found = []
    for corpus, name in EMBEDDINGS.items():
        path = HERE / "work" / name
        if not path.exists():  # computed as the rounds did, through topiclens's cache
            records, _ = load(corpus)
            embeddings_for(corpus, [r["text"] for r in records], name.split(".")[1], 2)
        vectors = np.load(path)
        for round_name in rounds:
            key_path = JUDGED / round_name / "keys" / f"{corpus}.json"
            if not key_path.exists():
                continue
            verdicts = read_verdicts(round_name, corpus)
            for item in json.loads(key_path.read_text())["items"]:
                if item.get("kind", "topic") != "topic" or not item["rows"]:
                    continue
                calls = [CALLS[v[item["item"]]["coherent"]] for v in verdicts.values()
                         if v.get(item["item"], {}).get("coherent") in CALLS]
                if calls:
                    found.append({"corpus": corpus, "round": round_name, "call": float(np.mean(calls)),
                                  "tightness": shown_tightness(vectors[item["rows"]])})
    return found


def main() -> None:
    from sklearn.metrics import roc_auc_score

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", default=",".join(f"r{i}" for i in range(1, 12)))
    args = parser.parse_args()
    found = items(args.rounds.split(","))
    print(f"{len(found)} judged topic items")
    for corpus in EMBEDDINGS:
        rows = [f for f in found if f["corpus"] == corpus]
        yes = np.array([f["call"] == 1.0 for f in rows])
        tight = np.array([f["tightness"] for f in rows])
        auc = roc_auc_score(yes, tight) if 0 < yes.sum() < len(yes) else float("nan")
        bands = ", ".join(f"{low:.2f}-{min(high, 1.0):.2f}: {yes[(tight >= low) & (tight < high)].mean():.0%} of "
                          f"{int(((tight >= low) & (tight < high)).sum())}"
                          for low, high in BANDS if ((tight >= low) & (tight < high)).any())
        print(f"{corpus}: {len(rows)} items, {yes.mean():.0%} yes, ROC area {auc:.2f}; yes by tightness {bands}")


if __name__ == "__main__":
    main()
