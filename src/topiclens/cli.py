"""The command line: topiclens fit | info | label | evaluate | assign | report."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from . import __version__
from .errors import TopicLensError
from .llm.base import DEFAULT_LLM

EPILOG = """examples:
  topiclens fit data/debian_sample.jsonl.gz --out runs/debian
  topiclens label runs/debian --llm openai:mistralai/Mixtral-8x7B-Instruct-v0.1@https://api.together.xyz/v1 \\
      --api-key-env TOGETHER_API_KEY
  topiclens info runs/debian --json
  topiclens assign runs/debian new.jsonl --out assigned.csv
  topiclens report runs/debian --open
"""


def _corpus_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input")
    group.add_argument("--text-field", default="text", help="field/column holding the text (default: text)")
    group.add_argument("--id-field", default="id", help="field/column holding the id (default: id)")
    group.add_argument("--encoding", default="utf-8", help="file encoding (default: utf-8)")
    group.add_argument("--decode-errors", default="strict", choices=["strict", "replace"],
                       help="what to do with undecodable bytes (default: strict = stop with an error)")
    group.add_argument("--embeddings", help="precomputed embeddings (.npy), one row per document")


def _llm_options(parser: argparse.ArgumentParser, required: bool) -> None:
    group = parser.add_argument_group("LLM labels")
    group.add_argument("--llm", required=required, default=None if required else DEFAULT_LLM,
                       help=f"{DEFAULT_LLM} (bundled, the default), qwen2.5-coder-0.5b, smollm2-135m, "
                       "llama-cpp:PATH.gguf, hf:DIR or openai:MODEL@BASE_URL")
    if not required:
        group.add_argument("--no-llm", action="store_true", help="keyword labels only, no LLM")
    group.add_argument("--chat-format", choices=["llama-2", "mistral", "zephyr", "chatml", "few-shot"],
                       help="raw prompt format for local models (default: the model's own chat template)")
    group.add_argument("--api-key-env", help="environment variable holding the API key (openai: backends)")
    group.add_argument("--llm-concurrency", type=int, default=4, help="parallel requests to a server (default 4)")
    group.add_argument("--llm-timeout", type=float, default=120.0, help="seconds per request (default 120)")
    group.add_argument("--label-language", default="auto", choices=["auto", "en", "zh"],
                       help="language of the labels; auto follows the corpus (default)")
    group.add_argument("--label-max-words", type=int, default=8, help="longest label in words (default 8)")
    group.add_argument("--label-doc-tokens", type=int, default=24,
                       help="tokens of each representative document shown to the LLM (default 24)")
    group.add_argument("--label-template", type=Path,
                       help="a text file with your own prompt, using [DOCUMENTS] and [KEYWORDS]")


def _llm_settings(args) -> dict:
    template = None
    if args.label_template:
        template = args.label_template.read_text(encoding="utf-8")
    return dict(chat_format=args.chat_format, api_key_env=args.api_key_env, llm_concurrency=args.llm_concurrency,
                llm_timeout=args.llm_timeout, label_language=args.label_language,
                label_max_words=args.label_max_words, label_doc_tokens=args.label_doc_tokens,
                label_template=template)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="topiclens", description="Topic modeling with readable labels, local by default.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"topiclens {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fit = commands.add_parser("fit", help="fit topics on a corpus and save the model",
                              description="Embed, cluster and describe a corpus; save the model to --out. "
                              "CORPUS is .txt (one document a line), .jsonl(.gz), .csv or .parquet.")
    fit.add_argument("corpus", type=Path, help="the corpus file")
    fit.add_argument("--out", type=Path, required=True, help="model directory to write (replaced if present)")
    _corpus_options(fit)
    pipe = fit.add_argument_group("pipeline")
    pipe.add_argument("--model", default="embedding", choices=["embedding", "lda", "nmf"],
                      help="embedding: embed, reduce, cluster (default); lda (gensim) or nmf (scikit-learn) on "
                      "word counts, with --nr-topics topics (default 20)")
    pipe.add_argument("--embedding-model", default="auto",
                      help="auto (minilm-int8, or use-multilingual for Chinese), all-MiniLM-L6-v2 (fp32), "
                      "minilm-int8 / minilm-onnx / minilm-static (faster builds of it, see README), "
                      "use-multilingual, or a local sentence-transformers directory")
    pipe.add_argument("--reduction", default="pca", choices=["pca", "none", "umap"],
                      help="dimension reduction before clustering (default: pca)")
    pipe.add_argument("--n-components", type=int, help="dimensions kept by PCA (default 64) or UMAP (5)")
    pipe.add_argument("--umap-epochs", type=int, help="UMAP optimisation epochs (default: UMAP's own)")
    pipe.add_argument("--clustering", default="leiden", choices=["leiden", "hdbscan", "kmeans"],
                      help="clustering algorithm (default: leiden on the kNN graph)")
    pipe.add_argument("--n-neighbors", type=int, default=15, help="neighbours in the kNN graph (default: 15)")
    pipe.add_argument("--resolution", type=float, default=1.0,
                      help="Leiden resolution: higher gives more, smaller topics (default: 1.0)")
    pipe.add_argument("--min-cluster-size", type=int,
                      help="smallest topic; smaller clusters become outliers (default: 0.2%% of the corpus, >= 10)")
    pipe.add_argument("--n-clusters", type=int, help="number of clusters for --clustering kmeans")
    pipe.add_argument("--nr-topics", type=int,
                      help="merge similar topics down to this number (lda/nmf: the number of topics)")
    pipe.add_argument("--layout", default="umap", choices=["umap", "pca", "none"],
                      help="2-D layout for the document map, computed at fit (default: umap)")
    pipe.add_argument("--reduce-outliers", action="store_true", help="move outliers to their nearest topic")
    pipe.add_argument("--outlier-threshold", type=float, default=0.0,
                      help="minimum cosine similarity for --reduce-outliers (default: 0)")
    words = fit.add_argument_group("keywords")
    words.add_argument("--lang", default="auto", choices=["auto", "en", "zh"],
                       help="corpus language: zh segments words with jieba; auto detects CJK text (default)")
    words.add_argument("--stop-words", default="english", help="'english', or 'none' to keep every word")
    words.add_argument("--ngram-range", type=int, nargs=2, default=[1, 1], metavar=("MIN", "MAX"),
                       help="word n-gram lengths (default: 1 1)")
    words.add_argument("--min-df", type=int, default=2, help="ignore words in fewer documents (default: 2)")
    words.add_argument("--keyword-weighting", default="docshare", choices=["docshare", "classic"],
                       help="docshare: share of the topic's documents with the word x BM25 idf (default); "
                       "classic: BERTopic's c-TF-IDF")
    words.add_argument("--top-n-words", type=int, default=10, help="keywords per topic (default: 10)")
    _llm_options(fit, required=False)
    run = fit.add_argument_group("run")
    run.add_argument("--seed", type=int, default=42, help="seed for every random step (default: 42)")
    run.add_argument("--threads", type=int, help="CPU threads (default: $TOPICLENS_THREADS or all cores)")
    run.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    big = fit.add_argument_group("big corpora")
    big.add_argument("--sample-size", type=int, default=100_000,
                     help="above this many documents, cluster a random sample and assign the rest "
                     "(default: 100000; 0 = never sample)")
    big.add_argument("--chunk-size", type=int, default=50_000, help="documents per chunk of work (default: 50000)")
    big.add_argument("--work-dir", type=Path,
                     help="where finished chunks are kept so an interrupted run resumes (default: the cache)")
    big.add_argument("--dask", metavar="SCHEDULER_ADDRESS",
                     help="run embedding, assignment and word counts on a Dask cluster (tcp://host:8786)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    run.add_argument("--json", action="store_true", help="print the topic table as JSON")
    run.add_argument("--rows", type=int, default=30, help="topics to print (default: 30; 0 = all)")

    info = commands.add_parser("info", help="print a saved model's topic table",
                               description="Print the topics of a saved model directory.")
    info.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    info.add_argument("--json", action="store_true", help="print JSON (topics and settings)")
    info.add_argument("--rows", type=int, default=30, help="topics to print (default: 30; 0 = all)")

    label = commands.add_parser("label", help="(re)label a saved model's topics with an LLM",
                                description="Ask an LLM for one label per topic of a saved model (answers "
                                "are cached: a repeated run makes no call) and save the labels into it.")
    label.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    _llm_options(label, required=True)
    label.add_argument("--threads", type=int, help="CPU threads for a local model")
    label.add_argument("--quiet", action="store_true", help="no progress bar")
    label.add_argument("--json", action="store_true", help="print the call counts and labels as JSON")

    evaluate = commands.add_parser("evaluate", help="score a saved model: coherence, diversity, labels, NMI/ARI",
                                   description="NPMI and C_v of each topic's top-10 words (gensim, over the "
                                   "corpus tokenized as the model tokenized it), topic diversity, how well each "
                                   "label points at its own topic, and NMI/ARI against gold labels if given.")
    evaluate.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    evaluate.add_argument("--labels", metavar="FIELD", help="input field holding gold labels (e.g. label)")
    evaluate.add_argument("--measures", nargs="+", default=["c_npmi", "c_v"], choices=["c_npmi", "c_v", "u_mass"],
                          help="coherence measures (default: c_npmi c_v)")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")

    assign = commands.add_parser("assign", help="assign topics to new documents with a saved model",
                                 description="Give each document of CORPUS a topic of a saved model "
                                 "(nearest-neighbour vote over the model's documents).")
    assign.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    assign.add_argument("corpus", type=Path, help="the documents to assign")
    _corpus_options(assign)
    assign.add_argument("--out", type=Path, help="write id, topic, probability, label to .csv/.jsonl/.parquet")
    assign.add_argument("--threads", type=int, help="CPU threads")
    assign.add_argument("--quiet", action="store_true", help="no progress bars")
    assign.add_argument("--json", action="store_true", help="print the assignments as JSON lines")

    report = commands.add_parser("report", help="write the HTML explorer of a saved model",
                                 description="Write one self-contained HTML file (data and scripts inline, "
                                 "works offline from file://): the document map, a sortable table of the "
                                 "topics, a page per topic with its documents, and a search over the documents.")
    report.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    report.add_argument("--out", type=Path, help="HTML file to write (default: MODEL/report.html)")
    report.add_argument("--max-chars", type=int, default=300,
                        help="characters of each document kept in the file, shown and searched (default: 300)")
    report.add_argument("--title", help="page title (default: from the corpus file name)")
    report.add_argument("--open", action="store_true", help="open the report in the web browser")
    return parser


def _width(text: str) -> int:
    """Terminal columns of a string: East Asian wide and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_column(text: str, columns: int) -> str:
    """Cut to ``columns`` terminal columns (with an ellipsis) and pad to exactly that width."""
    if _width(text) > columns:
        while _width(text) > columns - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (columns - _width(text))


def _format_table(model, rows: int) -> str:
    info = model.topic_info()
    total = int(info["size"].sum())
    lines = [f"{len(model.topic_ids_)} topics, {total} documents"
             f" ({info.loc[info.topic == -1, 'size'].sum() / max(total, 1):.1%} outliers)", ""]
    lines.append(f"{'topic':>5}  {'size':>6}  {'label':<40}  keywords")
    shown = info if rows <= 0 else info.head(rows + (1 if (info.topic == -1).any() else 0))
    for row in shown.itertuples():
        lines.append(f"{row.topic:>5}  {row.size:>6}  {_fit_column(row.label, 40)}  {', '.join(row.keywords[:8])}")
    if len(shown) < len(info):
        lines.append(f"  … {len(info) - len(shown)} more (--rows 0 shows all)")
    return "\n".join(lines)


def _topics_json(model) -> list[dict]:
    info = model.topic_info()
    return json.loads(info.drop(columns=["representative_docs"]).to_json(orient="records", force_ascii=False))


def _read(args):
    from .corpus import read_corpus

    return read_corpus(args.corpus, text_field=args.text_field, id_field=args.id_field, encoding=args.encoding,
                       decode_errors=args.decode_errors)


def cmd_fit(args) -> int:
    from .model import TopicModel

    corpus = _read(args)
    model = TopicModel(
        model=args.model, layout=args.layout, embedding_model=args.embedding_model, reduction=args.reduction,
        n_components=args.n_components,
        umap_epochs=args.umap_epochs, clustering=args.clustering, n_neighbors=args.n_neighbors,
        resolution=args.resolution, min_cluster_size=args.min_cluster_size, n_clusters=args.n_clusters,
        nr_topics=args.nr_topics, reduce_outliers=args.reduce_outliers, outlier_threshold=args.outlier_threshold,
        language=args.lang, stop_words=None if args.stop_words == "none" else args.stop_words,
        ngram_range=tuple(args.ngram_range),
        min_df=args.min_df, keyword_weighting=args.keyword_weighting, top_n_words=args.top_n_words,
        seed=args.seed, threads=args.threads, sample_size=args.sample_size or None, chunk_size=args.chunk_size,
        work_dir=args.work_dir, client=args.dask, cache=not args.no_cache, verbose=not args.quiet,
        llm=None if args.no_llm else args.llm,
        **_llm_settings(args),
    )
    llm = model.llm
    model.llm = None
    try:
        model.fit(corpus, embeddings=args.embeddings)
    finally:
        from .scale import close_clients

        close_clients()
    out = model.save(args.out)  # saved before labeling: a failing LLM loses none of the fit
    if llm is not None:
        try:
            model.label_topics(llm)
        except TopicLensError as exc:
            raise TopicLensError(f"{exc} (the model is saved with keyword labels in {out}: label it later with "
                                 f"topiclens label {out} --llm SPEC)") from None
        model.save(out)
    if args.json:
        print(json.dumps({"model": str(out), "n_topics": len(model.topic_ids_), **model.label_stats_,
                          "timings": model.timings_, "topics": _topics_json(model)}, ensure_ascii=False))
    else:
        print(_format_table(model, args.rows))
        if model.label_stats_:
            print(f"\n{_stats_line(model.label_stats_)}")
        print(f"\nmodel saved to {out}")
    return 0


def _stats_line(stats: dict) -> str:
    return (f"LLM labels: {stats['llm_calls']} LLM call(s), {stats['cached']} answer(s) from the cache, "
            f"{stats['reasked']} re-asked, {stats['fallbacks']} keyword fallback(s)")


def cmd_label(args) -> int:
    from .model import TopicModel

    model = TopicModel.load(args.model, verbose=not args.quiet, threads=args.threads, **_llm_settings(args))
    stats = model.label_topics(args.llm)
    model.save(args.model)
    if args.json:
        print(json.dumps({**stats, "model": str(args.model), "labels": model.labels_}, ensure_ascii=False))
    else:
        print(_format_table(model, 0))
        print(f"\n{_stats_line(stats)}; labels saved to {args.model}")
    return 0


def cmd_info(args) -> int:
    from .model import TopicModel

    model = TopicModel.load(args.model, verbose=False)
    if args.json:
        params = {k: v for k, v in model.get_params().items() if isinstance(v, (str, int, float, bool, list, tuple))
                  or v is None}
        print(json.dumps({"model": str(args.model), "n_topics": len(model.topic_ids_),
                          "n_documents": len(model.corpus_), "params": params,
                          "topics": _topics_json(model)}, ensure_ascii=False, default=str))
    else:
        print(_format_table(model, args.rows))
    return 0


def cmd_assign(args) -> int:
    import numpy as np
    import pandas as pd

    from .model import TopicModel

    model = TopicModel.load(args.model, verbose=not args.quiet, threads=args.threads)
    corpus = _read(args)
    probs = model.transform(corpus, embeddings=args.embeddings)
    topics = model.predict(corpus, embeddings=args.embeddings)
    rows = np.arange(len(topics))
    prob = np.where(topics >= 0, probs[rows, np.maximum(topics, 0)] if probs.shape[1] else 0.0, 0.0)
    frame = pd.DataFrame({"id": corpus.ids, "topic": topics, "probability": prob.round(4),
                          "label": [model.labels_[t] if t >= 0 else "outliers" for t in topics]})
    if args.out:
        suffix = args.out.suffix.lower()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".parquet":
            frame.to_parquet(args.out, index=False)
        elif suffix in (".jsonl", ".json"):
            frame.to_json(args.out, orient="records", lines=True, force_ascii=False)
        else:
            frame.to_csv(args.out, index=False)
    if args.json:
        for record in frame.to_dict(orient="records"):
            print(json.dumps(record, ensure_ascii=False, default=float))
    elif not args.out:
        print(frame.to_string(index=False, max_colwidth=60))
    else:
        counts = frame["topic"].value_counts()
        print(f"assigned {len(frame)} documents to {int((counts.index >= 0).sum())} topics "
              f"({int(counts.get(-1, 0))} outliers); written to {args.out}")
    return 0


def cmd_evaluate(args) -> int:
    import math

    from .errors import ConfigError
    from .evaluate import evaluate_model
    from .model import TopicModel

    model = TopicModel.load(args.model, verbose=False)
    gold = None
    if args.labels:
        gold = model.corpus_.column(args.labels)
        if gold is None:
            fields = ", ".join(model.corpus_.fields.columns) or "none"
            raise ConfigError(f"the model's documents have no field {args.labels!r} (fields: {fields})")
    report = evaluate_model(model, gold, args.measures)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, default=lambda x: None if x != x else x))
        return 0
    summary = report["summary"]
    names = [m.removeprefix("c_") for m in args.measures]
    print(f"{summary['n_topics']} topics, {summary['n_documents']} documents, "
          f"{summary['outlier_fraction']:.1%} outliers, diversity {summary['diversity']:.3f}")
    print("coherence: " + ", ".join(f"{n} {summary[n]:.3f}" for n in names))
    if "nmi" in summary:
        print(f"against '{args.labels}': NMI {summary['nmi']:.3f}, ARI {summary['ari']:.3f}")
    for name, quality in summary.get("label_quality", {}).items():
        print(f"{name}: {quality['hit_rate']:.0%} point at their own topic first (mean rank "
              f"{quality['mean_rank']:.2f})")
    print()
    print(f"{'topic':>5}  {'size':>6}  " + "  ".join(f"{n:>6}" for n in names) + "  label")
    for row in report["topics"]:
        scores = "  ".join("   nan" if math.isnan(row[n]) else f"{row[n]:>6.3f}" for n in names)
        print(f"{row['topic']:>5}  {row['size']:>6}  {scores}  {row['label']}")
    return 0


def cmd_report(args) -> int:
    import webbrowser

    from .model import TopicModel
    from .views import write_report

    model = TopicModel.load(args.model, verbose=False)
    out = write_report(model, args.out or args.model / "report.html", max_chars=args.max_chars, title=args.title)
    size = out.stat().st_size
    print(f"report written to {out} ({size / 1e6:.1f} MB, {len(model.corpus_):,} documents, "
          f"{len(model.topic_ids_)} topics)")
    if args.open:
        webbrowser.open(out.resolve().as_uri())
    return 0


def _warning_line(message, category, filename, lineno, line=None) -> str:
    return f"topiclens: warning: {message}\n"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    warnings.formatwarning = _warning_line
    try:
        commands = {"fit": cmd_fit, "info": cmd_info, "label": cmd_label, "evaluate": cmd_evaluate,
                    "assign": cmd_assign, "report": cmd_report}
        return commands[args.command](args)
    except TopicLensError as exc:
        print(f"topiclens: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("topiclens: interrupted; finished work is cached, run the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
