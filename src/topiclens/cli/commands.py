"""The commands: fit | info | label | evaluate | assign | report. Each builds on the Python API."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import TopicLensError
from .output import dump_json, format_table, stats_line, topics_json


def _read(args):
    from ..io.corpus import read_corpus

    return read_corpus(args.corpus, text_field=args.text_field, id_field=args.id_field, encoding=args.encoding,
                       decode_errors=args.decode_errors)


def labeler_from_args(args: argparse.Namespace):
    """The LLMLabeler the LLM options describe."""
    from ..labeling.labeler import LLMLabeler

    template = args.label_template.read_text(encoding="utf-8") if args.label_template else None
    return LLMLabeler(llm=args.llm, template=template, language=args.label_language, max_words=args.label_max_words,
                      doc_tokens=args.label_doc_tokens, chat_format=args.chat_format, api_key_env=args.api_key_env,
                      concurrency=args.llm_concurrency, timeout=args.llm_timeout)


def _or_name(stage: Any, name: Any) -> Any:
    """The shortcut name when the flags leave every knob of ``stage`` at its default (saved settings stay short)."""
    return name if stage.get_params() == type(stage)().get_params() else stage


def stages_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The stage objects the pipeline flags describe (the flags are shortcuts for their knobs)."""
    from ..stages import (
        KMeansClustering,
        LeidenClustering,
        PCAReduction,
        Representation,
        UMAPReduction,
        Vocabulary,
    )

    reductions = {"pca": lambda: PCAReduction(args.n_components or 64),
                  "umap": lambda: UMAPReduction(args.n_components or 5, n_epochs=args.umap_epochs)}
    clusterings = {"leiden": lambda: LeidenClustering(resolution=args.resolution),
                   "kmeans": lambda: KMeansClustering(n_clusters=args.n_clusters)}
    reduction = _or_name(reductions[args.reduction](), args.reduction) if args.reduction in reductions \
        else args.reduction
    clustering = _or_name(clusterings[args.clustering](), args.clustering) if args.clustering in clusterings \
        else args.clustering
    vocabulary = Vocabulary(stop_words=None if args.stop_words == "none" else args.stop_words,
                            ngram_range=tuple(args.ngram_range), min_df=args.min_df)
    representation = Representation(keyword_weighting=args.keyword_weighting, top_n_words=args.top_n_words)
    return dict(model=args.model, reduction=reduction, clustering=clustering,
                vectorizer=_or_name(vocabulary, None), representation=_or_name(representation, None))


def cmd_fit(args) -> int:
    from ..model import TopicModel
    from ..pipeline.scale import close_clients

    model = TopicModel(
        **stages_from_args(args), layout=args.layout, embedding_model=args.embedding_model,
        n_neighbors=args.n_neighbors, min_cluster_size=args.min_cluster_size, nr_topics=args.nr_topics,
        outlier_threshold=args.outlier_threshold if args.reduce_outliers else None, language=args.lang,
        seed=args.seed, threads=args.threads, sample_size=args.sample_size or None, chunk_size=args.chunk_size,
        work_dir=args.work_dir, client=args.dask, cache=not args.no_cache, verbose=not args.quiet,
    )
    labeler = None if args.no_llm else labeler_from_args(args)
    model.validate_params()  # every setting checked before the corpus is read or embedded
    if labeler is not None:
        labeler.check()
    corpus = _read(args)
    try:
        model.fit(corpus, embeddings=args.embeddings)
    finally:
        close_clients()
    out = model.save(args.out)  # saved before labeling: a failing LLM loses none of the fit
    if labeler is not None:
        try:
            model.label_topics(labeler)
        except TopicLensError as exc:
            raise TopicLensError(f"{exc} (the model is saved with keyword labels in {out}: label it later with "
                                 f"topiclens label {out} --llm SPEC)") from None
        model.save(out)
    if args.json:
        print(dump_json({"model": str(out), "n_topics": len(model.topic_ids_), **model.label_stats_,
                         "timings": model.timings_, "topics": topics_json(model)}))
    else:
        print(format_table(model, args.rows))
        if model.label_stats_:
            print(f"\n{stats_line(model.label_stats_)}")
        print(f"\nmodel saved to {out}")
    return 0


def cmd_label(args) -> int:
    from ..model import TopicModel

    labeler = labeler_from_args(args).check()
    model = TopicModel.load(args.model, verbose=not args.quiet, threads=args.threads)
    stats = model.label_topics(labeler)
    model.save(args.model)
    if args.json:
        print(dump_json({**stats, "model": str(args.model), "labels": model.labels_}))
    else:
        print(format_table(model, 0))
        print(f"\n{stats_line(stats)}; labels saved to {args.model}")
    return 0


def cmd_info(args) -> int:
    from ..model import TopicModel

    model = TopicModel.load(args.model, verbose=False)
    if args.json:
        print(dump_json({"model": str(args.model), "n_topics": len(model.topic_ids_),
                         "n_documents": len(model.corpus_), "params": model._pipeline_record(),
                         "topics": topics_json(model)}))
    else:
        print(format_table(model, args.rows))
    return 0


def cmd_assign(args) -> int:
    import numpy as np
    import pandas as pd

    from ..model import TopicModel

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
            print(dump_json(record))
    elif not args.out:
        print(frame.to_string(index=False, max_colwidth=60))
    else:
        counts = frame["topic"].value_counts()
        print(f"assigned {len(frame)} documents to {int((counts.index >= 0).sum())} topics "
              f"({int(counts.get(-1, 0))} outliers); written to {args.out}")
    return 0


def cmd_evaluate(args) -> int:
    import math

    from ..errors import ConfigError
    from ..evaluate import SCORE_NAMES, evaluate_model
    from ..model import TopicModel

    model = TopicModel.load(args.model, verbose=False)
    gold = None
    if args.labels:
        gold = model.corpus_.column(args.labels)
        if gold is None:
            fields = ", ".join(model.corpus_.fields.columns) or "none"
            raise ConfigError(f"the model's documents have no field {args.labels!r} (fields: {fields})")
    report = evaluate_model(model, gold, args.measures)
    if args.json:
        print(dump_json(report))
        return 0
    summary = report["summary"]
    names = [SCORE_NAMES[m] for m in args.measures]
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

    from ..model import TopicModel
    from ..views import write_report

    model = TopicModel.load(args.model, verbose=False)
    out = write_report(model, args.out or args.model / "report.html", max_chars=args.max_chars, title=args.title)
    size = out.stat().st_size
    print(f"report written to {out} ({size / 1e6:.1f} MB, {len(model.corpus_):,} documents, "
          f"{len(model.topic_ids_)} topics)")
    if args.open:
        webbrowser.open(out.resolve().as_uri())
    return 0


COMMANDS = {"fit": cmd_fit, "info": cmd_info, "label": cmd_label, "evaluate": cmd_evaluate, "assign": cmd_assign,
            "report": cmd_report}


def run(args: argparse.Namespace) -> int:
    return COMMANDS[args.command](args)

