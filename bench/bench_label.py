"""Seconds per topic for LLM labels with the bundled model, with and without prefix reuse.

Fits the default model on the Debian corpus (precomputed embeddings, as bench_fit.py makes
them), then labels every topic twice with a cold answer cache: once letting llama.cpp keep
the KV cache of the shared prompt prefix (system prompt + worked example) between topics,
once resetting it before every call so the whole prompt is prefilled each time.

usage: python bench/bench_label.py [--llm qwen2.5-coder-1.5b] [--threads 2] [--limit N] [--doc-tokens 24 40]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=HERE / "work" / "debian_full.jsonl.gz")
    parser.add_argument("--embeddings", type=Path, default=HERE / "work" / "debian_full.minilm.npy")
    parser.add_argument("--llm", default="qwen2.5-coder-1.5b")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, help="label only the first N topics")
    parser.add_argument("--doc-tokens", type=int, nargs="+", default=[24, 40],
                        help="document budgets to measure (the first is also run without prefix reuse)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "label_debian.json")
    args = parser.parse_args()

    import numpy as np

    from topiclens import TopicModel, read_corpus
    from topiclens.labeling.engine import TopicLabeler
    from topiclens.labeling.evidence import topic_evidence
    from topiclens.llm.bundled import bundled_model_path
    from topiclens.llm.llamacpp import LlamaCppLLM

    corpus = read_corpus(args.corpus)
    model = TopicModel(verbose=False, threads=args.threads).fit(corpus, embeddings=np.load(args.embeddings))
    texts = corpus.texts
    topics = model.topic_ids_[: args.limit] if args.limit else model.topic_ids_
    prompts = topic_evidence(texts, [model.representative_docs_[t] for t in topics],
                             [model.keywords_[t] for t in topics])
    path = bundled_model_path(args.llm)
    runs = {}
    modes = [(f"doc_tokens={args.doc_tokens[0]},no_reuse", args.doc_tokens[0], False)]
    modes += [(f"doc_tokens={n},prefix_reuse", n, True) for n in args.doc_tokens]
    for mode, doc_tokens, reuse in modes:
        llm = LlamaCppLLM(path, threads=args.threads, name=args.llm, reuse_prefix=reuse)
        start = time.perf_counter()
        llm._load()
        load_seconds = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as cache:
            labeler = TopicLabeler(llm, cache=str(Path(cache) / "answers.sqlite"), doc_tokens=doc_tokens,
                                   verbose=True)
            start = time.perf_counter()
            labels, stats = labeler.label(prompts)
            seconds = time.perf_counter() - start
        runs[mode] = {"doc_tokens": doc_tokens, "prefix_reuse": reuse, "seconds": round(seconds, 2),
                      "seconds_per_topic": round(seconds / len(prompts), 3),
                      "load_seconds": round(load_seconds, 2), **stats.as_dict(), "labels": labels}
        print(mode, runs[mode]["seconds_per_topic"], "s/topic", flush=True)
    report = {"llm": args.llm, "threads": args.threads, "n_topics": len(prompts), "n_documents": len(corpus),
              "date": time.strftime("%Y-%m-%d"), "keywords": [[w for w, _ in model.keywords_[t][:6]] for t in topics],
              **runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
