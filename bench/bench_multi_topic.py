"""Several topics in one document: topiclens's topic_mixture against BERTopic's approximate_distribution.

Documents of known mixture are made from real ones: two or three Debian package descriptions of different
archive sections joined as paragraphs, each part at least 20 % of the joined text. Both systems are fitted on
the same 90 % of the Debian corpus with the same embeddings (int8 all-MiniLM-L6-v2); the mixed documents are
made from the other 10 %, so neither has seen their parts. Each topic stands for the section most of its
training documents belong to; a document's section shares are the shares of their topics. A section is found
when it holds at least 20 % of a document: precision and recall of the found sections against the joined ones
(summed over all documents), and the share given to the right sections. The mixture step of each system is
timed in the same run on the same documents (topiclens embeds the passages without a cache; BERTopic scores
token windows by c-TF-IDF, its defaults).

Each run (a --seed draws other joined documents) is kept in the results file under "runs"; --table prints the
README's table from it.

usage: python bench/bench_multi_topic.py [--documents 600] [--seed 42] [--threads 2] [--table]
                                         [--out bench/results/multi_topic.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import time
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
CORPUS = WORK / "debian_full.jsonl.gz"
EMBEDDINGS = WORK / "debian_full.minilm-int8.npy"
FOUND = 0.2  # a section holding at least this share of a document is found
METHODS = {"topiclens": "words", "topiclens-embeddings": "embeddings"}  # system -> topic_mixture(method=)


def read_corpus() -> tuple[list[str], list[str]]:
    if not CORPUS.exists():
        raise SystemExit(f"{CORPUS} is missing: build it with ../shared/corpora/debian_corpus.py {CORPUS}")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    return [r["text"] for r in records], [r["label"] for r in records]


def embeddings_of(docs: list[str], threads: int) -> np.ndarray:
    if not EMBEDDINGS.exists():
        from topiclens.embedders import embed_texts, make_embedder

        np.save(EMBEDDINGS, embed_texts(docs, make_embedder("minilm-int8", threads=threads)))
    return np.load(EMBEDDINGS)


def mixed_documents(docs: list[str], gold: list[str], pool: np.ndarray, n: int, seed: int = 42
                    ) -> tuple[list[str], list[set[str]]]:
    """``n`` documents, each 2 or 3 pool documents of different sections joined as paragraphs, every part at least
    20 % of the characters; and the sections each was made of."""
    rng = np.random.default_rng(seed)
    words = np.array([len(docs[i].split()) for i in pool])
    pool = pool[(words >= 25) & (words <= 150)]
    texts, truth = [], []
    while len(texts) < n:
        k = int(rng.integers(2, 4))
        chosen = rng.choice(pool, size=k, replace=False)
        sections = {gold[i] for i in chosen}
        lengths = np.array([len(docs[i]) for i in chosen])
        if len(sections) < k or (lengths / lengths.sum()).min() < FOUND:
            continue
        texts.append("\n\n".join(docs[i].strip() for i in chosen))
        truth.append(sections)
    return texts, truth


def topic_sections(topics: np.ndarray, gold: list[str]) -> dict[int, str]:
    """Each topic's majority section among its training documents."""
    members: dict[int, Counter] = {}
    for topic, section in zip(topics.tolist(), gold):
        if topic >= 0:
            members.setdefault(topic, Counter())[section] += 1
    return {topic: counts.most_common(1)[0][0] for topic, counts in members.items()}


def score(mixture: np.ndarray, columns: list[int], sections: dict[int, str], truth: list[set[str]]) -> dict:
    names = sorted(set(sections.values()))
    place = {name: i for i, name in enumerate(names)}
    to_section = np.zeros((len(columns), len(names)))
    for column, topic in enumerate(columns):
        to_section[column, place[sections[topic]]] = 1.0
    shares = np.asarray(mixture, dtype=np.float64) @ to_section
    totals = shares.sum(axis=1, keepdims=True)
    shares = np.divide(shares, totals, out=np.zeros_like(shares), where=totals > 0)
    hits = found = wanted = 0
    right = []
    for row, sections_in in zip(shares, truth):
        predicted = {names[i] for i in np.flatnonzero(row >= FOUND)}
        hits += len(predicted & sections_in)
        found += len(predicted)
        wanted += len(sections_in)
        right.append(sum(row[place[s]] for s in sections_in if s in place))
    precision, recall = hits / max(found, 1), hits / max(wanted, 1)
    return {"precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 4),
            "right_share": round(float(np.mean(right)), 4),
            "empty_rows": int((totals[:, 0] == 0).sum())}


def run_topiclens(train: list[str], vectors: np.ndarray, gold: list[str], mixed: list[str], truth, threads: int
                  ) -> list[dict]:
    from topiclens import TopicModel

    model = TopicModel(embedding_model="minilm-int8", seed=42, threads=threads, cache=False, verbose=False,
                       language="en")
    start = time.perf_counter()
    model.fit(train, embeddings=vectors)
    fit_seconds = time.perf_counter() - start
    sections = topic_sections(model.topics_, gold)
    model.embed(["warm the embedder up"])  # the model load is not part of the mixture step
    results = []
    for system, method in METHODS.items():
        start = time.perf_counter()
        mixture = model.topic_mixture(mixed, method=method)
        seconds = time.perf_counter() - start
        results.append({"system": system, "method": f"topic_mixture(method={method!r}), its defaults",
                        "topics": len(model.topic_ids_),
                        "fit_seconds": round(fit_seconds, 1), "mixture_seconds": round(seconds, 2),
                        **score(mixture, list(model.topic_ids_), sections, truth)})
        print(json.dumps(results[-1]), flush=True)
    return results


def run_bertopic(train: list[str], vectors: np.ndarray, gold: list[str], mixed: list[str], truth) -> dict:
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    model = BERTopic(
        umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42),
        hdbscan_model=HDBSCAN(min_cluster_size=10, metric="euclidean", cluster_selection_method="eom",
                              prediction_data=True),
        vectorizer_model=CountVectorizer(stop_words="english", min_df=2, ngram_range=(1, 2)))
    start = time.perf_counter()
    topics, _ = model.fit_transform(train, embeddings=vectors)
    fit_seconds = time.perf_counter() - start
    topics = np.asarray(topics)
    sections = topic_sections(topics, gold)
    start = time.perf_counter()
    distribution, _ = model.approximate_distribution(mixed)
    seconds = time.perf_counter() - start
    columns = sorted(t for t in set(topics.tolist()) if t >= 0)
    result = {"system": "bertopic", "method": "approximate_distribution (window 4, stride 1, its defaults)",
              "topics": len(columns), "fit_seconds": round(fit_seconds, 1), "mixture_seconds": round(seconds, 2),
              **score(distribution[:, :len(columns)], columns, sections, truth)}
    print(json.dumps(result), flush=True)
    return result


def table(path: Path) -> str:
    """The README's table: one row per system, each run's figures side by side."""
    runs = json.loads(path.read_text())["runs"]
    systems = [result["system"] for result in runs[0]["results"]]
    lines = ["| system | precision | recall | share on the right sections | seconds for the mixtures |",
             "|---|---|---|---|---|"]
    for system in systems:
        rows = [next(r for r in run["results"] if r["system"] == system) for run in runs]
        cells = [" / ".join(f"{row[key]:.2f}" for row in rows) for key in ("precision", "recall", "right_share")]
        seconds = " / ".join(f"{row['mixture_seconds']:.1f}" for row in rows)
        lines.append(f"| {system} | {' | '.join(cells)} | {seconds} |")
    draws = ", ".join(f"seed {run['seed']}: {run['documents']} documents" for run in runs)
    return "\n".join(lines) + f"\n\n({draws}; figures of the runs in that order.)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=600)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", choices=["topiclens", "bertopic"])
    parser.add_argument("--seed", type=int, default=42, help="draws the joined documents (default: 42)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "multi_topic.json")
    parser.add_argument("--table", action="store_true", help="print the README's table from the results file")
    args = parser.parse_args()
    if args.table:
        print(table(args.out))
        return
    os.environ.setdefault("TOPICLENS_THREADS", str(args.threads))
    docs, gold = read_corpus()
    vectors = embeddings_of(docs, args.threads)
    order = np.random.default_rng(42).permutation(len(docs))
    held = order[: len(docs) // 10]
    fit_rows = np.sort(order[len(docs) // 10:])
    train = [docs[i] for i in fit_rows]
    train_gold = [gold[i] for i in fit_rows]
    mixed, truth = mixed_documents(docs, gold, held, args.documents, args.seed)
    results = []
    if args.only != "bertopic":
        results += run_topiclens(train, vectors[fit_rows], train_gold, mixed, truth, args.threads)
    if args.only != "topiclens":
        results.append(run_bertopic(train, vectors[fit_rows], train_gold, mixed, truth))
    record = {"corpus": "debian", "documents": len(mixed), "parts": dict(Counter(len(t) for t in truth)),
              "seed": args.seed, "training_documents": len(train), "found_at": FOUND, "embedding_model": "minilm-int8",
              "threads": args.threads, "machine": platform.machine(), "results": results}
    if args.only is None:
        runs = json.loads(args.out.read_text())["runs"] if args.out.exists() else []
        runs = [run for run in runs if run["seed"] != args.seed] + [record]
        args.out.write_text(json.dumps({"runs": sorted(runs, key=lambda run: run["seed"] != 42)}, indent=1) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
