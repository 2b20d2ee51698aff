"""What the guided-fit options of ``fit`` ask for, and the ``update`` command (a saved model grown)."""

from __future__ import annotations

import argparse

from ...core.untrusted import for_terminal
from .labeler_args import labeler_from_args
from .output import dump_json


def guided(clustering, args: argparse.Namespace):
    """``clustering`` wrapped in a GuidedClustering when --seed-topic or --zeroshot is given, else as it is."""
    if not args.seed_topics and not args.zeroshot_topics:
        return clustering
    from ...stages.guided import GuidedClustering

    return GuidedClustering(clustering, seed_topics=args.seed_topics, zeroshot_topics=args.zeroshot_topics,
                            zeroshot_min_similarity=args.zeroshot_min_similarity)


def classes_of(corpus, field: str | None) -> list | None:
    """The ``--class-field`` values of the corpus (None, '' or NaN: no class), or None without the option."""
    if field is None:
        return None
    from ...io.corpus import corpus_field

    values = corpus_field(corpus, field, "y")  # fit(docs, y=) is --class-field on the command line
    return [None if not isinstance(v, str) and (v is None or v != v) else str(v) for v in values]


def cmd_update(args) -> int:
    from ...model import TopicModel
    from ...store.modeldir import check_target, locked, require_model
    from .inputs import read_input

    require_model(args.model)
    labeler = False if args.no_llm else labeler_from_args(args).check()
    corpus = read_input(args)
    check_target(args.model)
    with locked(args.model, "topiclens update"):
        model = TopicModel.load(args.model, verbose=not args.quiet, threads=args.threads)
        before = len(model.topic_ids_)
        entries = len(model.history_)
        model.partial_fit(corpus, embeddings=args.embeddings, min_probability=args.min_probability,
                          labeler=labeler, relabel_below=args.relabel_below)
        if len(model.history_) == entries:
            print(f"update: every document of {args.corpus} is already in the model; nothing changed")
            return 0
        model.save(args.model, keep_previous=True)
    record = model.history_[-1]
    new_topics = record["arguments"]["new_topics"]
    labels = dict(zip(model.topic_ids_, model.labels_))
    if args.json:
        print(dump_json({"model": str(args.model), **record, "n_topics_before": before,
                         "n_topics_after": len(model.topic_ids_),
                         "labels": {str(t): labels[t] for t in new_topics}}))
        return 0
    for topic in new_topics:
        print(f"{topic:5d}  {for_terminal(labels[topic])}  (new)")
    arguments = record["arguments"]
    print(f"update: {arguments['added']} document(s) added ({arguments['already_in_model']} already in the model), "
          f"{arguments['joined']} joined existing topics, {len(new_topics)} new topic(s), {arguments['outliers']} "
          f"outlier(s); {record['llm_calls']} LLM call(s), {record['cached']} from the cache; saved to {args.model} "
          f"('topiclens undo {args.model}' reverts it)")
    return 0
