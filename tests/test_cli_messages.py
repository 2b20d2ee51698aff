"""Python speaks Python, the command line speaks flags; every command that loads a model takes --threads."""

from __future__ import annotations

import argparse
import inspect
import json
import subprocess
import sys

import numpy as np
import pytest

from topiclens import LLMLabeler, TopicModel, Vocabulary
from topiclens.apps.cli import main
from topiclens.apps.cli.flags import PYTHON_NAMES, command_parser, flag_table, with_flags
from topiclens.apps.cli.parser import build_parser
from topiclens.core.errors import ConfigError, CorpusError


def _flags(command: str) -> dict[str, str]:
    return flag_table(build_parser(), command)


@pytest.mark.parametrize(("command", "message", "shown"), [
    ("fit", "but there are 5: lower min_df=", "but there are 5: lower --min-df"),
    ("fit", "no words left after min_df=3 (x); lower min_df= or check", "no words left after min_df=3 (x); lower "
     "--min-df or check"),
    ("fit", "Vocabulary(min_df=0) is not valid", "Vocabulary(min_df=0) is not valid"),
    ("fit", "pass clustering=KMeansClustering(n_clusters=N)", "pass clustering=KMeansClustering(n_clusters=N)"),
    ("fit", "give encoding=, or decode_errors='replace'", "give --encoding, or --decode-errors replace"),
    ("fit", "name the text column with text_column=.", "name the text column with --text-field."),
    ("fit", "(pass language= to choose)", "(pass --lang to choose)"),
    ("label", "(pass language= to choose)", "(pass --label-language to choose)"),
    ("per-class", "no field 'x': name one with classes=", "no field 'x': name one with --field"),
    ("over-time", "name it with time_field=", "name it with --time-field"),
    ("label", "or leave api_key_env= out", "or leave --api-key-env out"),
    ("fit", "choose another out, or another model", "choose another out, or another model"),
    ("fit", "TopicModel.load(DIR, embedding_model=...)", "TopicModel.load(DIR, embedding_model=...)"),
    ("fit", "TOPICLENS_DEVICE=cuda and path/min_df= and $min_df=", "TOPICLENS_DEVICE=cuda and path/min_df= and "
     "$min_df="),
    ("info", "lower min_df=", "lower min_df="),  # info has no such option: the Python name stays
    ("fit", "cannot read x seed=/c.csv or seed=~/c.csv", "cannot read x seed=/c.csv or seed=~/c.csv"),  # paths
    ("serve", "port 8 is in use: choose another with port= (0 picks", "port 8 is in use: choose another with --port "
     "(0 picks"),
])
def test_a_library_message_gets_the_flags_of_the_command_that_ran(command, message, shown):
    assert with_flags(message, _flags(command)) == shown


def test_the_table_reads_the_parser_and_knows_every_renamed_parameter():
    parser = build_parser()
    table = flag_table(parser, "fit")
    assert table["min_df"] == "--min-df" and table["seed_topics"] == "--seed-topic" and table["debug"] == "--debug"
    assert table["n_epochs"] == "--umap-epochs" and table["y"] == "--class-field" and table["client"] == "--dask"
    assert "model" in table and "corpus" not in table  # options only, never a positional argument
    dests = {action.dest for name in ("fit", "label", "per-class", "over-time", "search", "evaluate")
             for action in command_parser(parser, name)._actions}
    assert {dest for dests_ in PYTHON_NAMES.values() for dest in dests_} <= dests
    from topiclens import KMeansClustering, LeidenClustering, UMAPReduction
    from topiclens.evaluate import evaluate_model

    python = set()
    for function in (TopicModel.__init__, TopicModel.fit, TopicModel.topics_per_class, TopicModel.topics_over_time,
                     TopicModel.find_topics, LLMLabeler.__init__, UMAPReduction.__init__, LeidenClustering.__init__,
                     KMeansClustering.__init__, evaluate_model):
        python |= set(inspect.signature(function).parameters)
    assert set(PYTHON_NAMES) <= python  # each entry is a real parameter of the Python API


def test_python_names_the_parameter_and_the_command_line_the_flag(docs, embeddings, tmp_path):
    """Issue 30: a library error said "lower --min-df" to a Python user."""
    with pytest.raises(ConfigError, match=r"lower min_df=$") as raised:
        TopicModel(vectorizer=Vocabulary(min_df=10_000), seed=7, threads=1, verbose=False).fit(
            docs[:200], embeddings=embeddings[:200])
    assert "--" not in str(raised.value)
    with pytest.raises(CorpusError, match=r"lower min_df= or check") as raised:
        Vocabulary(stop_words="english", min_df=1).fit_counts(["the and of", "a to the"], "en")
    assert "--" not in str(raised.value)

    corpus = tmp_path / "docs.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(docs[:200])),
                      encoding="utf-8")
    np.save(tmp_path / "emb.npy", embeddings[:200])
    done = subprocess.run([sys.executable, "-m", "topiclens", "fit", str(corpus), "--out", str(tmp_path / "m"),
                           "--embeddings", str(tmp_path / "emb.npy"), "--min-df", "10000", "--no-llm", "--quiet",
                           "--threads", "1"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 2, done.stderr
    error = done.stderr.strip().splitlines()[-1]
    assert error.startswith("topiclens: error: Vocabulary(min_df=10000) keeps only words in 10000 or more documents")
    assert error.endswith("lower --min-df") and "lower min_df=" not in done.stderr


def test_a_corpus_error_names_text_field_in_python_and_the_flag_on_the_command_line(tmp_path, capsys):
    from topiclens import read_corpus

    corpus = tmp_path / "docs.jsonl"
    corpus.write_text('{"id": "a", "text": "one"}\n{"id": "b", "body": "two"}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"line 2: no 'text' field \(fields: body, id\); .*text_field=$"):
        read_corpus(corpus)
    assert main(["fit", str(corpus), "--out", str(tmp_path / "m"), "--no-llm", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "name the text field with --text-field" in err and "text_field=" not in err


def test_kmeans_without_a_count_says_the_flag_on_the_command_line_and_the_object_in_python(tmp_path, capsys):
    from topiclens import KMeansClustering

    with pytest.raises(ConfigError, match=r"KMeansClustering\(n_clusters=N\)$") as raised:
        KMeansClustering().check()
    assert "--" not in str(raised.value)
    assert main(["fit", str(tmp_path / "docs.jsonl"), "--out", str(tmp_path / "m"), "--clustering", "kmeans"]) == 2
    assert "KMeans needs a number of topics: give --n-clusters N with --clustering kmeans" in capsys.readouterr().err


WORKING = {  # every command that loads a model and computes, with the arguments it needs to parse
    "fit": ["corpus.jsonl", "--out", "m"], "info": ["m"], "describe": ["m"], "label": ["m"], "evaluate": ["m"],
    "assign": ["m", "new.jsonl"], "report": ["m"], "search": ["m", "query"], "tree": ["m"],
    "merge": ["m", "1,2"], "delete": ["m", "1"], "split": ["m", "1"], "reduce": ["m", "--n-topics", "3"],
    "outliers": ["m"], "update": ["m", "new.jsonl"], "serve": ["m"], "over-time": ["m"],
    "per-class": ["m", "--field", "section"], "explain": ["m", "doc.txt"],
}


@pytest.mark.parametrize("command", sorted(WORKING))
def test_every_working_command_takes_threads(command):
    args = build_parser().parse_args([command, *WORKING[command], "--threads", "1"])
    assert args.threads == 1


def test_the_list_of_working_commands_is_every_command_but_the_bookkeeping_ones():
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(commands) - set(WORKING) == {"history", "undo", "redo", "rename"}  # file steps and one typed label


def test_info_evaluate_report_and_search_run_with_the_models_threads(fitted, tmp_path, monkeypatch, capsys):
    """Issue 30: these four refused --threads; now each loads the model with it."""
    directory = fitted.save(tmp_path / "model")
    seen = []
    load = TopicModel.load.__func__

    def spy(cls, path, **params):
        seen.append(params.get("threads"))
        return load(cls, path, **params)

    monkeypatch.setattr(TopicModel, "load", classmethod(spy))
    assert main(["info", str(directory), "--rows", "2", "--threads", "1"]) == 0
    assert main(["evaluate", str(directory), "--measures", "c_npmi", "--json", "--threads", "1"]) == 0
    assert main(["report", str(directory), "--out", str(tmp_path / "r.html"), "--threads", "1"]) == 0
    assert main(["search", str(directory), "python modules", "--top", "2", "--threads", "1"]) == 0
    assert seen == [1, 1, 1, 1]
    assert (tmp_path / "r.html").exists() and "report written to" in capsys.readouterr().out
