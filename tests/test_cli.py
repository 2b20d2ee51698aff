"""The command line: fit, info, assign, help, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from topiclens.apps.cli import main
from topiclens.pipeline.coherence import MIXED_TIGHTNESS


@pytest.fixture(scope="module")
def corpus_files(records, embeddings, tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    corpus = root / "docs.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in records[:500]) + "\n", encoding="utf-8")
    new = root / "new.jsonl"
    new.write_text("\n".join(json.dumps(r) for r in records[500:]) + "\n", encoding="utf-8")
    np.save(root / "emb.npy", embeddings[:500])
    np.save(root / "new.npy", embeddings[500:])
    return root


@pytest.fixture(scope="module")
def fitted_dir(corpus_files):
    out = corpus_files / "model"
    assert main(["fit", str(corpus_files / "docs.jsonl"), "--out", str(out), "--embeddings",
                 str(corpus_files / "emb.npy"), "--quiet", "--threads", "1", "--no-llm"]) == 0
    return out


def test_fit_prints_the_table_and_writes_the_model(fitted_dir, capsys):
    assert (fitted_dir / "topiclens.json").exists()
    assert main(["info", str(fitted_dir)]) == 0
    out = capsys.readouterr().out
    assert "topics, 500 documents" in out
    assert "topic    size  label" in out


def test_fit_json(corpus_files, capsys):
    out = corpus_files / "model-json"
    assert main(["fit", str(corpus_files / "docs.jsonl"), "--out", str(out), "--embeddings",
                 str(corpus_files / "emb.npy"), "--quiet", "--json", "--seed", "5", "--nr-topics", "6",
                 "--no-llm"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n_topics"] == 6
    assert {"topic", "size", "label", "keywords", "keybert", "mmr"} <= set(result["topics"][0])


def test_info_marks_mixed_topics_and_a_default_fit_splits_them(fitted_dir, corpus_files, capsys):
    from topiclens import TopicModel

    kept_dir = corpus_files / "model-kept"
    assert main(["fit", str(corpus_files / "docs.jsonl"), "--out", str(kept_dir), "--embeddings",
                 str(corpus_files / "emb.npy"), "--quiet", "--threads", "1", "--no-llm", "--mixed-topics", "keep"]) == 0
    kept = TopicModel.load(kept_dir, verbose=False)
    assert kept.mixed_topics == "keep"  # restored with the model
    tightness = kept.topic_tightness()
    mixed = sorted(t for t, value in tightness.items() if value < MIXED_TIGHTNESS)
    assert mixed, tightness  # the Debian slice has loose topics (software of every kind in one)
    capsys.readouterr()  # what fit printed
    assert main(["info", str(kept_dir), "--rows", "0"]) == 0
    out = capsys.readouterr().out
    marked = [int(line.split()[0]) for line in out.splitlines() if "[mixed]" in line]
    assert marked == mixed
    assert f"mixed topics (their documents gather loosely; most such topics are grab-bags): topics " \
           f"{' '.join(map(str, mixed))}" in out
    split = TopicModel.load(fitted_dir, verbose=False)  # the default splits them
    assert split.mixed_topics == "split"
    assert len(split.topic_ids_) > len(tightness)
    assert sum(value < MIXED_TIGHTNESS for value in split.topic_tightness().values()) < len(mixed)


def test_info_json(fitted_dir, capsys):
    assert main(["info", str(fitted_dir), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n_documents"] == 500
    assert result["params"]["clustering"] == "leiden"
    assert sum(t["size"] for t in result["topics"]) == 500


def test_assign_new_documents(fitted_dir, corpus_files, capsys, records):
    out = corpus_files / "assigned.csv"
    assert main(["assign", str(fitted_dir), str(corpus_files / "new.jsonl"), "--embeddings",
                 str(corpus_files / "new.npy"), "--out", str(out), "--quiet"]) == 0
    frame = pd.read_csv(out)
    assert frame["id"].tolist() == [r["id"] for r in records[500:]]
    assert (frame["topic"] >= -1).all() and (frame["topic"] >= 0).mean() > 0.8
    assert "assigned 100 documents" in capsys.readouterr().out


def test_assign_training_documents_gives_fit_topics(fitted_dir, corpus_files, capsys):
    assert main(["assign", str(fitted_dir), str(corpus_files / "docs.jsonl"), "--json", "--quiet"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    data = fitted_dir / json.loads((fitted_dir / "topiclens.json").read_text())["data"]
    saved = pd.read_parquet(data / "documents.parquet")
    assert [r["topic"] for r in rows] == saved["topic"].tolist()


def test_errors_are_one_line_with_exit_code_2(tmp_path, capsys):
    assert main(["fit", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("topiclens: error: corpus file not found")
    assert main(["info", str(tmp_path)]) == 2
    assert "not a topiclens model directory" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["fit", "info", "assign"])
def test_help_explains_each_command(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "usage: topiclens " + command in text
    if command != "info":
        assert "--text-field" in text and "--embeddings" in text


def test_console_script_runs(fitted_dir):
    done = subprocess.run([sys.executable, "-m", "topiclens", "info", str(fitted_dir), "--rows", "3"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "more (--rows 0 shows all)" in done.stdout


def test_table_columns_line_up_for_wide_characters():
    from topiclens.apps.cli.output import fit_column, width

    assert width("Fcitx 输入法框架") == 16
    for label in ["Fcitx 输入法框架", "Python libraries", "很长的中文标签" * 5, "x" * 60]:
        cell = fit_column(label, 40)
        assert width(cell) == 40
    assert fit_column("x" * 60, 40).endswith("…")


def test_info_topic_shows_the_documents_behind_a_label(fitted_dir, capsys, records):
    """First hour: `info` cut labels and showed no evidence; --topic N shows a topic whole."""
    assert main(["info", str(fitted_dir), "--topic", "0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("topic 0: ") and "keywords:" in out and "KeyBERT:" in out and "MMR:" in out
    shown = [line for line in out.splitlines() if line.startswith("- [")]
    assert 1 <= len(shown) <= 5
    ids = {r["id"] for r in records[:500]}
    assert all(line[3:].split("]", 1)[0] in ids for line in shown)
    assert main(["info", str(fitted_dir), "--topic", "999"]) == 2
    assert "no topic 999" in capsys.readouterr().err


def test_assign_warns_about_empty_documents(fitted_dir, corpus_files, tmp_path, capsys, records):
    """First hour: the README promised a warning for an empty document and assign gave none."""
    new = tmp_path / "with-empty.jsonl"
    rows = [{"id": "blank", "text": "   "}, {"id": "real", "text": records[510]["text"]}]
    new.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "assigned.jsonl"
    with pytest.warns(UserWarning, match=r"1 empty or whitespace-only document\(s\) get no topic \(-1\)"):
        assert main(["assign", str(fitted_dir), str(new), "--out", str(out), "--quiet", "--threads", "1"]) == 0
    assigned = [json.loads(line) for line in out.read_text().splitlines()]
    assert assigned[0] == {"id": "blank", "topic": -1, "probability": 0.0, "label": "outliers", "mixture": ""}
    assert assigned[1]["topic"] >= 0


def test_label_without_llm_uses_the_bundled_model_its_help_names(capsys):
    """First hour: `label --help` called the bundled model the default while --llm was required."""
    from topiclens.apps.cli.parser import build_parser

    args = build_parser().parse_args(["label", "runs/x"])
    assert args.llm == "qwen2.5-coder-1.5b"
    with pytest.raises(SystemExit):
        main(["label", "--help"])
    assert "qwen2.5-coder-1.5b (bundled, the default)" in " ".join(capsys.readouterr().out.split())


def test_the_disambiguation_flags_reach_the_labeler_and_a_bad_threshold_is_one_line(capsys):
    from topiclens import LLMLabeler
    from topiclens.apps.cli.commands import labeler_from_args
    from topiclens.apps.cli.parser import build_parser

    parse = build_parser().parse_args
    assert labeler_from_args(parse(["label", "runs/x"])).disambiguate is LLMLabeler().disambiguate is None  # off
    assert labeler_from_args(parse(["label", "runs/x", "--label-similar", "0.5"])).disambiguate == 0.5
    assert labeler_from_args(parse(["label", "runs/x", "--label-similar", "0.7"])).disambiguate == 0.7
    assert labeler_from_args(parse(["label", "runs/x", "--no-disambiguate"])).disambiguate is None
    assert main(["label", "runs/x", "--label-similar", "1.5"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "disambiguate" in err and "[0, 1]" in err
