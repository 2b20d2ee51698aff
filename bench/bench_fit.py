"""topiclens against BERTopic, in the same run, on the same precomputed embeddings.

Each configuration runs in its own process (so peak memory and one-time compilation are
its own); the parent scores every result the same way: topic count, outlier share, NMI/ARI
against the archive sections, NPMI (gensim c_npmi) and diversity of the top-10 unigrams.

usage: python bench/bench_fit.py [--lang en|zh] [--corpus C.jsonl.gz] [--embeddings E.npy] [--only NAME ...]
                                 [--out bench/results/fit_debian.json]
English: the full Debian corpus built by ../shared/corpora/debian_corpus.py, all-MiniLM-L6-v2
embeddings. Chinese (--lang zh): every Debian zh_CN translated description (data/debian_translated_corpus.py zh_CN),
Universal Sentence Encoder multilingual embeddings, jieba words for every model and for coherence.
Embeddings are computed through topiclens's cache when missing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
WORK = HERE / "work"

TOPICLENS = {  # name -> TopicModel settings; stage objects are written as (class name, knobs)
    "topiclens": {},
    "topiclens-no-map": {"layout": "none"},
    "topiclens-keep-mixed": {"mixed_topics": "keep"},  # the default before round r5 of the judged benchmark
    "topiclens-fast": {"knn": "approximate", "clustering": ("LeidenClustering", {"iterations": 2})},
    "topiclens-fast-words": {"knn": "approximate", "clustering": ("LeidenClustering", {"iterations": 2}),
                             "embedding_model": None},
    "topiclens-leiden-r2": {"clustering": ("LeidenClustering", {"resolution": 2.0})},
    "topiclens-umap100-hdbscan": {"reduction": ("UMAPReduction", {"n_epochs": 100}), "clustering": "hdbscan"},
    "topiclens-classic-ctfidf": {"representation": ("Representation", {"keyword_weighting": "classic"})},
    "lda": {"model": "lda", "nr_topics": 35, "layout": "none"},
    "nmf": {"model": "nmf", "nr_topics": 35, "layout": "none"},
}
LANG = {
    "en": {"corpus": "debian_full.jsonl.gz", "embeddings": "debian_full.minilm.npy", "model": "all-MiniLM-L6-v2",
           "out": "fit_debian.json"},
    "zh": {"corpus": "debian_zh_full.jsonl.gz", "embeddings": "debian_zh_full.use.npy", "model": "use-multilingual",
           "out": "fit_debian_zh.json"},
}
BERTOPIC = {"bertopic": False, "bertopic+keybert+mmr": True}


def read_corpus(path: Path) -> tuple[list[str], list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    return [r["text"] for r in records], [r["label"] for r in records]


def write_corpus(records: list[dict], path: Path, unit: str, label: str) -> None:
    """``records`` ({id, text, label}) as gzipped JSON lines at ``path``, and a line that sums them up."""
    from collections import Counter

    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    words = sorted(len(r["text"].split()) for r in records)
    labels = Counter(r["label"] for r in records)
    print(f"{len(records)} {unit} in {len(labels)} {label}, median {words[len(words) // 2]} words, mean "
          f"{sum(words) / len(words):.0f}: {dict(labels.most_common())}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def topiclens_settings(name: str) -> dict:
    import topiclens

    return {key: getattr(topiclens, value[0])(**value[1]) if isinstance(value, tuple) else value
            for key, value in TOPICLENS[name].items()}


def run_topiclens(name: str, docs: list[str], embeddings, lang: str) -> dict:
    from topiclens import TopicModel
    from topiclens.store.records import param_record

    model = TopicModel(**{"seed": 42, "verbose": False, "language": lang, "embedding_model": LANG[lang]["model"],
                          **topiclens_settings(name)})
    start = time.perf_counter()
    model.fit(docs, embeddings=embeddings)
    seconds = time.perf_counter() - start
    return {
        "fit_seconds": seconds,
        "represent_seconds": model.timings_["represent"],
        "stage_seconds": {k: round(v, 2) for k, v in model.timings_.items()},
        "topics": model.topics_.tolist(),
        "topic_words": [[w for w, _ in kw] for kw in model.keywords_],
        "params": {k: param_record(v) for k, v in model.get_params().items() if k != "client"},
        "min_cluster_size": model.min_cluster_size_,
    }


def run_bertopic(name: str, docs: list[str], embeddings, lang: str) -> dict:
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from umap import UMAP

    with_reps = BERTOPIC[name]
    embedding_model = representation = None
    if with_reps:
        from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance
        from sentence_transformers import SentenceTransformer

        from topiclens.embedders import bundled_minilm_path

        embedding_model = SentenceTransformer(str(bundled_minilm_path()), device="cpu")
        representation = {"KeyBERT": KeyBERTInspired(), "MMR": MaximalMarginalRelevance(diversity=0.3)}
    model = BERTopic(
        embedding_model=embedding_model,
        umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42),
        hdbscan_model=HDBSCAN(min_cluster_size=10, metric="euclidean", cluster_selection_method="eom",
                              prediction_data=True),
        vectorizer_model=bertopic_vectorizer(lang),
        representation_model=representation,
    )
    start = time.perf_counter()
    topics, _ = model.fit_transform(docs, embeddings=embeddings)
    seconds = time.perf_counter() - start
    ids = sorted(t for t in set(topics) if t >= 0)
    return {
        "fit_seconds": seconds,
        "topics": [int(t) for t in topics],
        "topic_words": [[w for w, _ in model.get_topic(t)] for t in ids],
    }


def bertopic_vectorizer(lang: str):
    """BERTopic's documented setup: English stop words and bigrams; for Chinese, jieba words (as topiclens)."""
    from sklearn.feature_extraction.text import CountVectorizer

    if lang == "zh":
        from topiclens import Vocabulary

        return Vocabulary().count_vectorizer("zh")
    return CountVectorizer(stop_words="english", min_df=2, ngram_range=(1, 2))


def worker(name: str, corpus: Path, embeddings_path: Path, lang: str) -> None:
    import numpy as np

    docs, _ = read_corpus(corpus)
    embeddings = np.load(embeddings_path)
    rss_before = peak_rss_mb()
    runner = run_bertopic if name in BERTOPIC else run_topiclens
    result = runner(name, docs, embeddings, lang)
    result.update(name=name, peak_rss_mb=round(peak_rss_mb(), 1), rss_before_fit_mb=round(rss_before, 1))
    print(json.dumps(result))


def ensure_inputs(corpus: Path, embeddings: Path, lang: str) -> None:
    if not corpus.exists():
        corpus.parent.mkdir(parents=True, exist_ok=True)
        if lang == "en":
            command = [str(SHARED / "corpora" / "debian_corpus.py"), str(corpus)]
        else:
            command = [str(ROOT / "data" / "debian_translated_corpus.py"), "zh_CN", str(corpus)]
        subprocess.run([sys.executable, *command], check=True)
    if not embeddings.exists():
        import numpy as np

        from topiclens.embedders import embed_texts, make_embedder

        docs, _ = read_corpus(corpus)
        np.save(embeddings, embed_texts(docs, make_embedder(LANG[lang]["model"])))


def score(result: dict, gold: list[str], tokens) -> dict:
    import numpy as np

    from topiclens.evaluate import agreement, coherence, diversity, unigrams

    topics = np.array(result["topics"])
    words = [unigrams(w, 10) for w in result["topic_words"]]
    npmi = coherence(words, tokens, "c_npmi", processes=2)
    c_v = coherence(words, tokens, "c_v", processes=2)
    scores = {
        "name": result["name"],
        "fit_seconds": round(result["fit_seconds"], 2),
        "represent_seconds": round(result.get("represent_seconds", float("nan")), 2),
        "peak_rss_mb": result["peak_rss_mb"],
        "rss_before_fit_mb": result["rss_before_fit_mb"],
        "n_topics": int(len(set(topics.tolist()) - {-1})),
        **{k: round(v, 4) for k, v in agreement(gold, topics).items()},
        "npmi": round(float(np.nanmean(npmi)), 4),
        "c_v": round(float(np.nanmean(c_v)), 4),
        "diversity": round(diversity(words), 4),
    }
    for key in ("stage_seconds", "params", "min_cluster_size"):
        if key in result:
            scores[key] = result[key]
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=sorted(LANG), default="en")
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--embeddings", type=Path)
    parser.add_argument("--only", nargs="*", help="configurations to run (default: all)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.corpus = args.corpus or WORK / LANG[args.lang]["corpus"]
    args.embeddings = args.embeddings or WORK / LANG[args.lang]["embeddings"]
    args.out = args.out or HERE / "results" / LANG[args.lang]["out"]
    if args.worker:
        worker(args.worker, args.corpus, args.embeddings, args.lang)
        return
    ensure_inputs(args.corpus, args.embeddings, args.lang)
    names = args.only or [*BERTOPIC, *TOPICLENS]
    docs, gold = read_corpus(args.corpus)
    from topiclens.evaluate import tokenize_for_coherence

    tokens = tokenize_for_coherence(docs, "english", args.lang)
    rows = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as cold_cache:  # every run starts with empty caches
            done = subprocess.run([sys.executable, __file__, "--worker", name, "--corpus", str(args.corpus),
                                   "--embeddings", str(args.embeddings), "--lang", args.lang],
                                  capture_output=True, text=True,
                                  env={**os.environ, "PYTHONWARNINGS": "ignore", "TOPICLENS_CACHE": cold_cache})
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{name} failed")
        row = score(json.loads(done.stdout.strip().splitlines()[-1]), gold, tokens)
        print(json.dumps({k: v for k, v in row.items() if k not in ("params", "stage_seconds")}), file=sys.stderr)
        rows.append(row)
    base = next((r for r in rows if r["name"] == "bertopic"), None)
    reps = next((r for r in rows if r["name"] == "bertopic+keybert+mmr"), None)
    for row in rows:
        if base and not row["name"].startswith("bertopic"):
            row["fit_time_ratio_vs_bertopic"] = round(row["fit_seconds"] / base["fit_seconds"], 3)
            if reps:
                bert_reps = reps["fit_seconds"] - base["fit_seconds"]
                row["represent_time_ratio_vs_bertopic"] = round(row["represent_seconds"] / bert_reps, 4)
    report = {
        "corpus": str(args.corpus.name), "language": args.lang, "embedding_model": LANG[args.lang]["model"],
        "n_documents": len(docs), "n_gold_labels": len(set(gold)),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "threads": os.environ.get("TOPICLENS_THREADS", "all")},
        "date": time.strftime("%Y-%m-%d"), "results": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"written {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
