"""The commands: fit | info | label | evaluate | assign | explain | report. Each builds on the Python API."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from ...core.errors import ConfigError, TopicLensError
from .breakdown import BREAKDOWN_COMMANDS
from .editing import EDIT_COMMANDS, change_saved, cmd_edit
from .explain import cmd_explain
from .growing import classes_of, cmd_update, guided
from .inputs import read_input
from .labeler_args import labeler_from_args
from .output import (
    dump_json,
    embedding_plan_line,
    for_terminal,
    format_table,
    format_topic,
    plan_line,
    stats_line,
    topics_json,
)
from .serve import cmd_serve


def _or_name(stage: Any, name: Any) -> Any:
    """The shortcut name when the flags leave every knob of ``stage`` at its default (saved settings stay short)."""
    return name if stage.get_params() == type(stage)().get_params() else stage


def stages_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The stage objects the pipeline flags describe (the flags are shortcuts for their knobs)."""
    from ...stages import (
        KMeansClustering,
        LeidenClustering,
        PCAReduction,
        Representation,
        UMAPReduction,
        Vocabulary,
    )

    if args.clustering == "kmeans" and args.n_clusters is None:
        raise ConfigError("KMeans needs a number of topics: give --n-clusters N with --clustering kmeans")

    def components(default: int) -> int:
        return default if args.n_components is None else args.n_components

    reductions = {"pca": lambda: PCAReduction(components(64)),
                  "umap": lambda: UMAPReduction(components(5), n_epochs=args.umap_epochs)}
    clusterings = {"leiden": lambda: LeidenClustering(resolution=args.resolution,
                                                      iterations=args.leiden_iterations),
                   "kmeans": lambda: KMeansClustering(n_clusters=args.n_clusters)}
    reduction = _or_name(reductions[args.reduction](), args.reduction) if args.reduction in reductions \
        else args.reduction
    clustering = _or_name(clusterings[args.clustering](), args.clustering) if args.clustering in clusterings \
        else args.clustering
    vocabulary = Vocabulary(stop_words=None if args.stop_words == "none" else args.stop_words,
                            ngram_range=tuple(args.ngram_range), min_df=args.min_df)
    representation = Representation(keyword_weighting=args.keyword_weighting, top_n_words=args.top_n_words)
    return dict(model=args.model, reduction=reduction, clustering=guided(clustering, args),
                vectorizer=_or_name(vocabulary, None), representation=_or_name(representation, None))


def cmd_fit(args) -> int:
    from ...model import TopicModel
    from ...pipeline.scale import close_clients
    from ...store.modeldir import check_target, locked

    model = TopicModel(
        **stages_from_args(args), layout=args.layout, embedding_model=args.embedding_model,
        n_neighbors=args.n_neighbors, knn=args.knn, min_cluster_size=args.min_cluster_size, nr_topics=args.nr_topics,
        outlier_threshold=args.outlier_threshold if args.reduce_outliers else None, language=args.lang,
        member_threshold=args.member_threshold, mixed_topics=args.mixed_topics, long_documents=args.long_documents,
        max_passages=args.max_passages, seed=args.seed, threads=args.threads,
        sample_size=args.sample_size or None,
        chunk_size=args.chunk_size, work_dir=args.work_dir, client=args.dask, cache=not args.no_cache,
        verbose=not args.quiet,
    )
    model.validate_params()  # every setting checked before the corpus is read or embedded
    if args.dry_run:
        if args.embeddings is not None:
            raise ConfigError("--dry-run estimates the embedding, and --embeddings gives it: leave one of them out")
        plan = model.plan_embedding(read_input(args))
        print(dump_json(plan) if args.json else embedding_plan_line(plan))
        return 0
    if args.out is None:
        raise ConfigError("topiclens fit needs --out DIR, the model directory to write (or --dry-run to estimate "
                          "the embedding only)")
    labeler = None if args.no_llm else labeler_from_args(args)
    if labeler is not None:
        labeler.check()
    check_target(args.out)  # and where the model goes: a file or a foreign directory fails now, not after the fit
    created = not args.out.exists()
    try:
        with locked(args.out, "topiclens fit"):
            out = _fit_and_save(model, labeler, args)
    except BaseException:
        if created:
            _remove_if_only_lock(args.out)
        raise
    finally:
        close_clients()
    if args.json:
        print(dump_json({"model": str(out), "n_topics": len(model.topic_ids_), **model.label_stats_,
                         "timings": model.timings_, "topics": topics_json(model)}))
    else:
        print(format_table(model, args.rows))
        if model.label_stats_:
            print(f"\n{stats_line(model.label_stats_)}")
        print(f"\nmodel saved to {out}")
    return 0


def _fit_and_save(model, labeler, args):
    corpus = read_input(args)
    model.fit(corpus, embeddings=args.embeddings, y=classes_of(corpus, args.class_field))
    out = model.save(args.out)  # saved before labeling: a failing LLM loses none of the fit
    if labeler is not None:
        try:
            model.label_topics(labeler, inplace=True)
        except TopicLensError as exc:
            raise TopicLensError(f"{exc} (the model is saved with keyword labels in {out}: label it later with "
                                 f"topiclens label {out} --llm SPEC)") from None
        model.save(out)
    return out


def _remove_if_only_lock(directory) -> None:
    """Undo the directory a failed fit created for its lock (only if nothing else is in it)."""
    from ...store.modeldir import LOCK

    with contextlib.suppress(OSError):
        if [p.name for p in directory.iterdir()] == [LOCK]:
            (directory / LOCK).unlink()
            directory.rmdir()


def _asked(model, topics) -> list[int]:
    """The topics a relabel or describe changes: those asked for, or all."""
    return sorted(model.topic_ids_) if topics is None else sorted(set(topics))


def cmd_label(args) -> int:
    from ...model import TopicModel

    labeler = labeler_from_args(args).check()
    if args.dry_run:
        model = TopicModel.load(args.model, verbose=not args.quiet, threads=args.threads)
        plan = model.plan_labels(labeler, topics=args.topics, max_calls=args.max_calls,
                                 price_per_1k_tokens=args.price_per_1k_tokens)
        print(dump_json(plan) if args.json else plan_line(plan))
        return 0
    model, stats = change_saved(args, "topiclens label",
                                lambda m: m.label_topics(labeler, topics=args.topics, max_calls=args.max_calls),
                                {"topics": args.topics}, lambda m: _asked(m, args.topics))
    if args.json:
        print(dump_json({**stats, "model": str(args.model), "labels": model.labels_}))
    else:
        print(format_table(model, 0))
        print(f"\n{stats_line(stats)}; labels saved to {args.model}")
    return 0


def cmd_describe(args) -> int:

    labeler = labeler_from_args(args).check()
    model, stats = change_saved(args, "topiclens describe",
                                lambda m: m.describe_topics(labeler, topics=args.topics, max_calls=args.max_calls),
                                {"topics": args.topics}, lambda m: _asked(m, args.topics))
    if args.json:
        print(dump_json({**stats, "model": str(args.model), "descriptions": model.descriptions_}))
        return 0
    for topic, label, text in zip(model.topic_ids_, model.labels_, model.descriptions_):
        print(f"{topic:5d}  {for_terminal(label)}\n       {for_terminal(text) or '(none)'}")
    print(f"\n{stats['llm_calls']} LLM call(s), {stats['cached']} answer(s) from the cache; descriptions saved to "
          f"{args.model}")
    return 0


def cmd_info(args) -> int:
    from ...model import TopicModel

    model = TopicModel.load(args.model, verbose=False, threads=args.threads)
    if args.json:
        from ...store.records import param_record

        print(dump_json({"model": str(args.model), "n_topics": len(model.topic_ids_),
                         "n_documents": len(model.corpus_), "language": model.language_,
                         "embedding_model": param_record(model.embedding_model_),
                         "params": model._pipeline_record(), "topics": topics_json(model)}))
    elif args.topic is not None:
        print(format_topic(model, args.topic))
    else:
        print(format_table(model, args.rows, full=args.full))
    return 0


def cmd_assign(args) -> int:
    from ...io.export import FORMATS, write_table
    from ...model import TopicModel

    if args.out and args.out.suffix.lower() not in FORMATS:  # checked before the work, not after
        raise ConfigError(f"cannot write {args.out.name}: name the file with one of {', '.join(FORMATS)}")
    if args.out and args.out.is_dir():
        raise ConfigError(f"--out {args.out} is a directory: give a file name such as {args.out / 'assigned.csv'}")
    model = TopicModel.load(args.model, verbose=not args.quiet, threads=args.threads)
    corpus = read_input(args)
    frame = model.assign(corpus, embeddings=args.embeddings, min_probability=args.min_probability)
    if args.out:
        write_table(frame, args.out)
    if args.json:
        for record in frame.to_dict(orient="records"):
            print(dump_json(record))
    elif not args.out:
        shown = frame[["id", "topic", "probability", "label"]]  # the input's own fields go to --out and --json
        shown = shown.assign(id=shown["id"].map(for_terminal), label=shown["label"].map(for_terminal))
        print(shown.to_string(index=False, max_colwidth=60))
    else:
        counts = frame["topic"].value_counts()
        print(f"assigned {len(frame)} documents to {int((counts.index >= 0).sum())} topics "
              f"({int(counts.get(-1, 0))} outliers); written to {args.out}")
    return 0


def cmd_evaluate(args) -> int:
    import math

    from ...evaluate import SCORE_NAMES, evaluate_model
    from ...io.corpus import corpus_field
    from ...model import TopicModel

    model = TopicModel.load(args.model, verbose=False, threads=args.threads)
    gold = corpus_field(model.corpus_, args.labels, "gold") if args.labels else None  # --labels on the command line
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
        print(f"{row['topic']:>5}  {row['size']:>6}  {scores}  {for_terminal(row['label'])}")
    return 0


def cmd_report(args) -> int:
    from ...model import TopicModel
    from ...views import write_report
    from .browser import open_in_browser

    if args.max_chars < 1:
        raise ConfigError(f"--max-chars {args.max_chars} is not valid: give at least 1 (default 300)")
    model = TopicModel.load(args.model, verbose=False, threads=args.threads)
    out = write_report(model, args.out or args.model / "report.html", max_chars=args.max_chars, title=args.title)
    size = out.stat().st_size
    print(f"report written to {out} ({size / 1e6:.1f} MB, {len(model.corpus_):,} documents, "
          f"{len(model.topic_ids_)} topics)")
    if args.open:
        open_in_browser(out.resolve().as_uri())  # the report is written either way: not a failure
    return 0


def cmd_search(args) -> int:
    from ...model import TopicModel

    model = TopicModel.load(args.model, verbose=False, threads=args.threads)
    topics, similarities = model.find_topics(args.query, top_n=args.top)
    labels = dict(zip(model.topic_ids_, model.labels_))
    if args.json:
        print(dump_json({"model": str(args.model), "query": args.query,
                         "topics": [{"topic": t, "similarity": s, "label": labels[t]}
                                    for t, s in zip(topics, similarities)]}))
        return 0
    for topic, similarity in zip(topics, similarities):
        print(f"{topic:5d}  {similarity:.3f}  {for_terminal(labels[topic])}")
    return 0


COMMANDS = {"fit": cmd_fit, "info": cmd_info, "label": cmd_label, "describe": cmd_describe, "evaluate": cmd_evaluate,
            "assign": cmd_assign, "explain": cmd_explain, "report": cmd_report, "search": cmd_search, **EDIT_COMMANDS,
            **BREAKDOWN_COMMANDS, "update": cmd_update, "serve": cmd_serve}


def run(args: argparse.Namespace) -> int:
    return COMMANDS[args.command](args) if args.command in COMMANDS else cmd_edit(args)  # an edit of the table

