"""Zero-shot and semi-supervised topics on the Debian corpus, measured against its archive sections.

usage: python bench/bench_guided.py [--out bench/results/guided_debian.json]

The corpus and its all-MiniLM-L6-v2 embeddings are the ones bench_fit.py builds in bench/work. Every
fit is the default pipeline on those embeddings (seed 42). Reported per setting: NMI and ARI of the
topics against the sections (outliers as one class), the share of documents in a named topic, and
how often a named topic's documents are in the section its name stands for (zero-shot) or the
share of unlabeled documents whose topic is their own section's (semi-supervised, over the
documents whose class was hidden).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"

# Fourteen large sections and a name a person would give each, written before any fit.
NAMES = {"perl": "Perl modules", "python": "Python libraries", "rust": "Rust crates", "golang": "Go packages",
         "javascript": "JavaScript and Node.js modules", "java": "Java libraries", "ruby": "Ruby gems",
         "gnu-r": "R packages for statistics", "haskell": "Haskell libraries", "science": "Scientific software",
         "net": "Networking tools", "games": "Games", "fonts": "Fonts", "sound": "Audio and music"}


def scores(gold: list[str], topics: np.ndarray) -> dict:
    return {"nmi": round(normalized_mutual_info_score(gold, topics), 3),
            "ari": round(adjusted_rand_score(gold, topics), 3), "topics": int(len(set(topics.tolist()) - {-1})),
            "outliers": round(float((topics < 0).mean()), 3)}


def named_share(model) -> float:
    given = model.given_labels_ or [""] * len(model.topic_ids_)
    return sum(size for size, name in zip(model.topic_sizes_, given) if name) / len(model.topics_)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "guided_debian.json")
    args = parser.parse_args()
    from topiclens import GuidedClustering, TopicModel

    records = [json.loads(line) for line in gzip.open(WORK / "debian_full.jsonl.gz", "rt", encoding="utf-8")]
    docs, gold = [r["text"] for r in records], [r["label"] for r in records]
    vectors = np.load(WORK / "debian_full.minilm.npy", mmap_mode="r")

    def fit(**settings):
        y = settings.pop("y", None)
        model = TopicModel(seed=42, verbose=False, cache=False, **settings)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(docs, embeddings=vectors, y=y)
        return model, time.perf_counter() - start, [str(w.message) for w in caught]

    plain, seconds, _ = fit()
    rows = [{"setting": "plain fit", **scores(gold, plain.topics_), "named_share": 0.0,
             "seconds": round(seconds, 1)}]
    print(json.dumps(rows[-1]), flush=True)
    section_of = {name: section for section, name in NAMES.items()}
    for threshold in (0.3, 0.4, 0.5):
        model, seconds, caught = fit(clustering=GuidedClustering(zeroshot_topics=list(NAMES.values()),
                                                                 zeroshot_min_similarity=threshold))
        in_named = [(section_of[name], gold[i]) for name, t in zip(model.given_labels_ or [], model.topic_ids_)
                    if name for i in np.flatnonzero(model.topics_ == t)]
        rows.append({"setting": f"zero-shot, 14 names, min_similarity {threshold}", **scores(gold, model.topics_),
                     "named_share": round(named_share(model), 3),
                     "named_precision": round(float(np.mean([a == b for a, b in in_named])), 3) if in_named else None,
                     "names_reached": len(NAMES) - len(model.guidance_["zeroshot"]["unreached"]),
                     "seconds": round(seconds, 1)})
        print(json.dumps(rows[-1]), flush=True)
    rng = np.random.default_rng(0)
    draw = rng.random(len(docs))
    for share in (0.05, 0.1, 0.3):
        hidden = draw >= share
        y = [None if h else g for h, g in zip(hidden, gold)]
        model, seconds, _ = fit(y=y)
        topic_names = dict(zip(model.topic_ids_, model.given_labels_ or [""] * len(model.topic_ids_)))
        right = [topic_names.get(int(t), "") == g for t, g, h in zip(model.topics_, gold, hidden) if h]
        rows.append({"setting": f"semi-supervised, {share:.0%} of the sections given", **scores(gold, model.topics_),
                     "nmi_hidden": round(normalized_mutual_info_score(
                         [g for g, h in zip(gold, hidden) if h], model.topics_[hidden]), 3),
                     "named_share": round(named_share(model), 3), "hidden_right": round(float(np.mean(right)), 3),
                     "assigned": model.guidance_["classes"]["assigned"], "seconds": round(seconds, 1)})
        print(json.dumps(rows[-1]), flush=True)
    rows_hidden = normalized_mutual_info_score([g for g, h in zip(gold, draw >= 0.3) if h],
                                               plain.topics_[draw >= 0.3])
    report = {"corpus": "debian_full", "n_documents": len(docs), "sections": len(set(gold)),
              "plain_nmi_on_the_30pct_hidden_rows": round(rows_hidden, 3),
              "threads": os.environ.get("TOPICLENS_THREADS"),
              "date": time.strftime("%Y-%m-%d"), "names": NAMES, "rows": rows}
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
