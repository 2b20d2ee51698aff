"""The label benchmark: the same topics, the same LLM, different labelers; does the label name the topic?

For each corpus (bench/label_corpora.py: real documents with gold categories and the categories' own
names) the topics are fitted once with topiclens's defaults and then held fixed. Each labeler writes one
label per topic:

- ``keywords``: topiclens's keyword label (the four best c-TF-IDF words), the floor;
- ``recipe``: the seed article's recipe through BERTopic 0.17 itself (bench/label_recipe.py: manual topic
  modeling, the LlamaCPP representation on the same GGUF file, the article's English prompt, BERTopic's
  4 documents cut to their first 300 words, 600 characters for Chinese);
- ``topiclens:<evidence>/<keywords>``: topiclens's LLMLabeler with each evidence choice (the documents
  nearest the centre, or diverse ones) and keyword source (c-TF-IDF, or c-TF-IDF and KeyBERT).

A label is scored by how well it names the gold category that dominates its topic: every category name is
ranked by cosine similarity to the label with Universal Sentence Encoder multilingual, an embedder that
writes no label (on Chinese text it is also the topic model's embedder: it chose the documents shown, not
the words of the label). hit@1, hit@3 and the mean reciprocal rank are weighted by topic size; seconds per
topic are the labeling's wall time over the topics, each labeler starting with an empty answer cache.

usage: python bench/bench_labels.py [--corpus NAME ...] [--llm qwen2.5-coder-1.5b] [--threads 2]
       [--variants nearest/ctfidf diverse/both ...] [--no-recipe]
Writes bench/results/labels_<corpus>.json; bench/bench_labels.py --table prints the README table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
RESULTS = HERE / "results"
CORPORA = ("debian", "debian-reference-zh", "python-stdlib")
VARIANTS = ("nearest/ctfidf", "diverse/ctfidf", "nearest/both", "diverse/both")
# A variant is evidence/keywords, optionally followed by ",knob=value" settings of LLMLabeler (n_keywords=30,
# doc_tokens=64, n_docs=8) or ",template=broad" (the prompt asks for the broad subject the documents share).
BROAD = ("This topic contains the following documents:\n[DOCUMENTS]\n"
         "It is described by these keywords: [KEYWORDS].\n"
         "Based on the documents and keywords above, write a short label that names the broad subject all of "
         "these documents share, not any single one of them. Answer with the label only, nothing else.")


def embeddings_for(name: str, texts: list[str], model_name: str, threads: int) -> np.ndarray:
    """The corpus's document embeddings, computed once and kept in bench/work/."""
    from label_corpora import WORK

    path = WORK / f"labels_{name}.{model_name}.npy"
    if name == "debian" and (WORK / "debian_full.minilm-int8.npy").exists():
        return np.load(WORK / "debian_full.minilm-int8.npy")
    if not path.exists():
        from topiclens.embedders.cache import embed_texts
        from topiclens.embedders.registry import make_embedder

        vectors = embed_texts(texts, make_embedder(model_name, threads=threads), cache=True, verbose=True)
        np.save(path, vectors)
    return np.load(path)


def fixed_topics(name: str, threads: int):
    """The corpus, its gold names and the directory of its topics (fitted once, then loaded as they are)."""
    from label_corpora import WORK, load

    from topiclens import TopicModel

    records, names = load(name)
    texts = [r["text"] for r in records]
    directory = WORK / f"labels_{name}.model"
    if (directory / "topiclens.json").exists():
        return records, names, directory
    zh = name.endswith("-zh")
    model_name = "use-multilingual" if zh else "minilm-int8"
    vectors = embeddings_for(name, texts, model_name, threads)
    model = TopicModel(seed=42, threads=threads, layout="none", verbose=False, embedding_model=model_name,
                       language="zh" if zh else "en").fit(texts, embeddings=vectors)
    model.save(directory)
    return records, names, directory


def score(labels: dict[int, str], dominant: dict[int, str], sizes: dict[int, int], names: dict[str, str],
          encode) -> dict:
    """hit@1, hit@3 and mean reciprocal rank of each topic's dominant category, weighted by topic size."""
    keys = list(names)
    name_vectors = encode([names[k] for k in keys])
    topics = sorted(labels)
    label_vectors = encode([labels[t] for t in topics])
    sims = label_vectors @ name_vectors.T
    ranks = {}
    for row, topic in enumerate(topics):
        order = np.argsort(-sims[row], kind="stable")
        ranks[topic] = int(np.flatnonzero(np.asarray(keys)[order] == dominant[topic])[0]) + 1
    weight = np.array([sizes[t] for t in topics], dtype=float)
    weight /= weight.sum()
    rank = np.array([ranks[t] for t in topics])
    return {"hit@1": float(weight @ (rank == 1)), "hit@3": float(weight @ (rank <= 3)),
            "mrr": float(weight @ (1.0 / rank)), "ranks": {str(t): ranks[t] for t in topics},
            "distinct": len({labels[t].casefold() for t in topics}) / len(topics)}


def topiclens_labels(directory: Path, variant: str, llm: str, threads: int) -> tuple[dict[int, str], float, dict]:
    from topiclens import LLMLabeler, TopicModel

    head, *settings = variant.split(",")
    evidence, source = head.split("/")
    knobs: dict = {}
    for setting in settings:
        key, value = setting.split("=")
        knobs[key] = {"broad": BROAD}.get(value, value) if key == "template" else int(value)
    with tempfile.TemporaryDirectory() as cache:
        work = TopicModel.load(directory, cache=cache, threads=threads, verbose=True)
        clock = time.perf_counter()
        stats = work.label_topics(LLMLabeler(llm, evidence=evidence, keyword_source=source, **knobs))
        seconds = time.perf_counter() - clock
    return dict(enumerate(work.labels_)), seconds / len(work.labels_), stats


def recipe(model, texts: list[str], llm: str, threads: int, zh: bool) -> tuple[dict[int, str], float, str]:
    from label_recipe import recipe_labels

    from topiclens.llm.bundled import assemble

    usable = np.asarray(model.usable_)
    docs = [t for t, ok in zip(texts, usable) if ok]
    topics = np.asarray(model.topics_)[usable].tolist()
    result = recipe_labels(docs, topics, model.embeddings_, assemble(llm), threads=threads, cjk=zh)
    return result.labels, result.seconds_per_topic, result.doc_cut


def run(name: str, args) -> dict:
    from topiclens import TopicModel
    from topiclens.embedders.registry import make_embedder
    from topiclens.knn import normalize

    records, names, directory = fixed_topics(name, args.threads)
    model = TopicModel.load(directory, threads=args.threads, verbose=False)
    texts = [r["text"] for r in records]
    gold = np.array([r["label"] for r in records])
    topics = np.asarray(model.topics_)
    dominant = {t: Counter(gold[topics == t]).most_common(1)[0][0] for t in model.topic_ids_}
    sizes = {t: int((topics == t).sum()) for t in model.topic_ids_}
    scorer = make_embedder("use-multilingual", threads=args.threads)

    def encode(items):
        return normalize(np.asarray(scorer.encode(list(items)), dtype=np.float32))

    out = {"corpus": name, "documents": len(records), "categories": len(names), "topics": len(model.topic_ids_),
           "llm": args.llm, "threads": args.threads, "dominant": {str(t): dominant[t] for t in dominant},
           "dominant_names": {str(t): names[dominant[t]] for t in dominant}, "labelers": {}}
    path = RESULTS / f"labels_{name}.json"
    if path.exists():  # earlier labelers' results are kept; the ones run now replace theirs
        out["labelers"] = json.loads(path.read_text())["labelers"]
    runs = {"keywords": (dict(enumerate(model.labels_)), 0.0, {})}
    for variant in args.variants:
        runs[f"topiclens:{variant}"] = topiclens_labels(directory, variant, args.llm, args.threads)
    if args.recipe:
        labels, seconds, cut = recipe(model, texts, args.llm, args.threads, name.endswith("-zh"))
        runs["recipe"] = (labels, seconds, {"documents": cut})
    for labeler, (labels, seconds, extra) in runs.items():
        result = score(labels, dominant, sizes, names, encode)
        out["labelers"][labeler] = {**result, "seconds_per_topic": round(seconds, 2), "extra": extra,
                                    "labels": {str(t): labels[t] for t in sorted(labels)}}
        print(f"{name:22s} {labeler:26s} hit@1 {result['hit@1']:.3f}  hit@3 {result['hit@3']:.3f}  "
              f"MRR {result['mrr']:.3f}  distinct {result['distinct']:.2f}  {seconds:.2f} s/topic", flush=True)
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    return out


def table() -> str:
    """The README table from bench/results/labels_*.json."""
    lines = ["| corpus | documents / categories / topics | labeler | hit@1 | hit@3 | MRR | distinct | s/topic |",
             "|---|---|---|---|---|---|---|---|"]
    for name in CORPORA:
        path = RESULTS / f"labels_{name}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        shape = f"{data['documents']:,} / {data['categories']} / {data['topics']}"
        for labeler, result in data["labelers"].items():
            seconds = f"{result['seconds_per_topic']:.2f}" if labeler != "keywords" else "—"
            lines.append(f"| {name} | {shape} | {labeler} | {result['hit@1']:.3f} | {result['hit@3']:.3f} | "
                         f"{result['mrr']:.3f} | {result['distinct']:.2f} | {seconds} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", default=list(CORPORA), choices=CORPORA)
    parser.add_argument("--llm", default="qwen2.5-coder-1.5b")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    parser.add_argument("--no-recipe", dest="recipe", action="store_false")
    parser.add_argument("--table", action="store_true", help="print the table of the saved results and stop")
    args = parser.parse_args()
    if args.table:
        print(table())
        return
    for name in args.corpus:
        run(name, args)
    print(table())


if __name__ == "__main__":
    main()
