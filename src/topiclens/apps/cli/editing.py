"""The editing commands: merge, split, delete, reduce, outliers (each saved at once, undoable), history, undo."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ...core.untrusted import for_terminal
from ...editing.table import EDITS
from .labeler_args import labeler_from_args
from .output import dump_json


def _edit(args, operation: Callable) -> int:
    """Load the model, apply ``operation(model, labeler)``, save the result with the previous kept for undo."""
    from ...model import TopicModel
    from ...store.modeldir import locked, require_model

    require_model(args.model)
    labeler = False if args.no_llm else labeler_from_args(args).check()
    with locked(args.model, f"topiclens {args.command}", create=False):
        model = TopicModel.load(args.model, verbose=not args.quiet, threads=args.threads)
        edited = operation(model, labeler)
        edited.save(args.model, keep_previous=True)
    report = {"model": str(args.model), **edited.history_[-1], "n_topics_before": len(model.topic_ids_),
              "n_topics_after": len(edited.topic_ids_)}
    labels = dict(zip(edited.topic_ids_, edited.labels_))
    if args.json:
        print(dump_json({**report, "labels": {str(t): labels[t] for t in edited.edit_["changed"]}}))
        return 0
    for topic in edited.edit_["changed"]:
        print(f"{topic:5d}  {for_terminal(labels[topic])}")
    untouched = len(edited.topic_ids_) - len(edited.edit_["changed"])
    print(f"{args.command}: {len(model.topic_ids_)} -> {len(edited.topic_ids_)} topics, "
          f"{len(edited.edit_['changed'])} changed, {untouched} untouched; {edited.edit_['llm_calls']} LLM call(s), "
          f"{edited.edit_['cached']} answer(s) from the cache; saved to {args.model} ('topiclens undo {args.model}' "
          "reverts it)")
    return 0


def change_saved(args, command: str, change: Callable, arguments: dict, changed: Callable) -> tuple:
    """Load the model in ``args.model`` and run ``change(model)`` (returning the changed model, its call counts in
    ``label_stats_``), holding the directory's lock from the load to the save, so no other program's change is
    lost; the change is recorded in the model's history (operation: the command's last word; topics:
    ``changed(model)``) and the previous model kept, so ``topiclens undo`` reverts it. Returns the model and the
    counts."""
    from ...model import TopicModel
    from ...store.modeldir import locked, require_model

    require_model(args.model)
    with locked(args.model, command, create=False):
        model = TopicModel.load(args.model, verbose=not args.quiet, threads=args.threads)
        model = change(model)
        stats = dict(model.label_stats_)
        model = model.note_edit(command.split()[-1], arguments, changed(model), stats, inplace=True)
        model.save(args.model, keep_previous=True)
    return model, stats


def cmd_edit(args) -> int:
    """Any edit of the table (``args.command`` names it), its arguments read from the options the table declares."""
    edit = EDITS[args.command]
    values = {argument.name: getattr(args, argument.name) for argument in edit.arguments}
    return _edit(args, lambda model, labeler: edit.run(model, values, labeler))


def cmd_history(args) -> int:
    from ...store import edits
    from ...store.persist import history_records, read_manifest

    records = history_records(read_manifest(args.model).get("history"))
    undone = edits.undone(args.model)
    if args.json:
        print(dump_json({"model": str(args.model), "edits": records, "undone": undone}))
        return 0
    if not records:
        print(f"{args.model}: no edit since the fit")
    for number, record in enumerate(records, 1):
        print(f"{number:3d}  {record.get('time', '')}  {for_terminal(str(record.get('operation')))} "
              f"{for_terminal(dump_json(record.get('arguments', {})))}: {len(record.get('topic_ids_before', []))} -> "
              f"{len(record.get('topic_ids_after', []))} topics, changed {record.get('changed', [])}")
    if undone:
        print(f"{len(undone)} undone edit(s), next {for_terminal(str(undone[0].get('operation')))}: "
              f"'topiclens redo {args.model}' puts it back (until the next edit)")
    return 0


def cmd_undo(args) -> int:
    return _step(args, "undo")


def cmd_redo(args) -> int:
    return _step(args, "redo")


def _step(args, which: str) -> int:
    from ...store.undoredo import redo, undo

    record = (undo if which == "undo" else redo)(args.model)
    if args.json:
        print(dump_json({"model": str(args.model), f"{which}ne": record}))
    else:
        print(f"{which}ne: {for_terminal(str(record.get('operation', 'an edit')))} "
              f"{for_terminal(dump_json(record.get('arguments', {})))}; {args.model} holds the model as it was "
              f"{'before' if which == 'undo' else 'after'} it")
    return 0


def cmd_tree(args) -> int:
    from ...model import TopicModel

    model = TopicModel.load(args.model, verbose=not args.quiet, threads=args.threads)
    stats = None
    if args.levels is not None or not model.hierarchy_:
        labeler = None if args.no_llm else labeler_from_args(args).check()
        model, stats = change_saved(args, "topiclens tree", lambda m: m.build_hierarchy(args.levels, labeler=labeler),
                                    {"levels": args.levels}, lambda m: [])
    if args.json:
        print(dump_json({"model": str(args.model), "tree": model.hierarchy_, "naming": stats}))
        return 0
    print(model.topic_tree())
    if stats is not None:
        print(f"\n{stats['nodes']} node(s): {stats['llm_calls']} LLM call(s), {stats['cached']} answer(s) from the "
              f"cache, {stats['reused']} single-child node(s) named after their child; saved to {args.model}")
    return 0


# the edits of the table (topiclens.editing.table.EDITS) all run through cmd_edit
def cmd_rename(args) -> int:
    """One topic's label typed by the user, saved as an edit (``TopicModel.rename_topic``) without rewriting the
    model's arrays."""
    from ...model import TopicModel
    from ...store.modeldir import locked, require_model

    require_model(args.model)
    with locked(args.model, "topiclens rename", create=False):
        model = TopicModel.load(args.model, verbose=False).rename_topic(args.topic, args.label)
        model.save_labels(args.model, new_edit=True)
    done = model.edit_["arguments"]  # topic, label, was
    if args.json:
        print(dump_json({"model": str(args.model), **done}))
        return 0
    print(f"topic {done['topic']}: {for_terminal(done['was'])!r} -> {for_terminal(done['label'])!r}; saved to "
          f"{args.model} ('topiclens undo {args.model}' puts the old label back)")
    return 0


EDIT_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "history": cmd_history, "undo": cmd_undo, "redo": cmd_redo, "tree": cmd_tree, "rename": cmd_rename,
}
