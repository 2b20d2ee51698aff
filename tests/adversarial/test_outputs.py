"""What topiclens writes and prints, when documents and labels are hostile: inert everywhere."""

from __future__ import annotations

import csv
import json
import os
import stat

import numpy as np
import pandas as pd
import pytest

from topiclens import TopicModel

from .conftest import run_cli

HOSTILE_IDS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0", "id\rwith CR",
               "\tTAB", "plain"]


@pytest.fixture
def hostile_model(fitted, tmp_path):
    """The fitted model with labels an LLM or a user might have written to do harm."""
    model = fitted.set_labels({0: "=HYPERLINK(\"http://evil\")", 1: "\x1b]0;pwned\x07title \u202eevil",
                               2: "costs $5 and $10", 3: "x" * 100_000})  # a new model: the fixture's stays
    return model.save(tmp_path / "model")


def _assign_corpus(records, tmp_path):
    rows = [{"id": ident, "text": r["text"]} for ident, r in zip(HOSTILE_IDS, records[:len(HOSTILE_IDS)])]
    path = tmp_path / "new.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_csv_cells_never_run_as_formulas_and_keep_their_rows(hostile_model, records, tmp_path):
    """Regression: ids and labels starting with = + - @ were written verbatim; a CR broke the rows."""
    out = tmp_path / "a.csv"
    done = run_cli("assign", hostile_model, _assign_corpus(records, tmp_path), "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(HOSTILE_IDS)
    for row, ident in zip(rows, HOSTILE_IDS):
        assert row["id"] == ("'" + ident if ident[0] in "=+-@\t" else ident)
        assert not row["label"].startswith(("=", "+", "-", "@"))


def test_xlsx_is_a_spreadsheet_with_inert_cells(hostile_model, records, tmp_path):
    """Regression: --out out.xlsx wrote CSV text under that name."""
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "a.xlsx"
    assert run_cli("assign", hostile_model, _assign_corpus(records, tmp_path), "--out", out, "--quiet").returncode == 0
    sheet = openpyxl.load_workbook(out).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)  # no formula anywhere
    assert sheet.cell(row=2, column=1).value == "'" + HOSTILE_IDS[0]


def test_parquet_and_jsonl_keep_the_values_exactly(hostile_model, records, tmp_path):
    corpus = _assign_corpus(records, tmp_path)
    assert run_cli("assign", hostile_model, corpus, "--out", tmp_path / "a.parquet", "--quiet").returncode == 0
    assert pd.read_parquet(tmp_path / "a.parquet")["id"].tolist() == HOSTILE_IDS
    assert run_cli("assign", hostile_model, corpus, "--out", tmp_path / "a.jsonl", "--quiet").returncode == 0
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == HOSTILE_IDS


def test_the_terminal_sees_escapes_not_commands(hostile_model):
    """Regression: `info` wrote an LLM's OSC sequence raw (it set the window title) and never finished on a
    100,000-character label."""
    done = run_cli("info", hostile_model, "--rows", "0", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout
    assert "\\u001b]0;pwned\\u0007title \\u202eevil" in done.stdout
    full = run_cli("info", hostile_model, "--full", "--rows", "0", timeout=60)
    assert "x" * 100_000 in full.stdout
    as_json = run_cli("info", hostile_model, "--json", timeout=60)
    assert "\u202e" not in as_json.stdout and "\x1b" not in as_json.stdout
    labels = {t["topic"]: t["label"] for t in json.loads(as_json.stdout)["topics"]}
    assert labels[1] == "\x1b]0;pwned\x07title \u202eevil"


def test_a_dollar_in_a_label_is_a_dollar_on_the_static_map(hostile_model, tmp_path):
    """Regression: matplotlib read '$5 and $10' as mathtext; escapes and a 100,000-character label were drawn."""
    import warnings

    from topiclens.views.static import draw_static_map

    model = TopicModel.load(hostile_model, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (ESC, BEL) or a layout that cannot fit fails here
        path = model.static_map(tmp_path / "map.png", dpi=50)
        _, texts = draw_static_map(model, dpi=50)
    assert path.stat().st_size > 1000
    shown = {text.get_text().replace("\n", " ") for text in texts}
    assert "costs $5 and $10" in shown
    assert "title evil" in shown  # the OSC sequence and the bidi override are gone
    assert max(len(text) for text in shown) <= 121


def test_a_placeholder_in_the_report_title_is_text(hostile_model, tmp_path):
    """Regression: a --title containing the template's placeholder pasted the whole script into the title."""
    out = tmp_path / "r.html"
    assert run_cli("report", hostile_model, "--out", out, "--title", "/*__JS__*/ and __TITLE__").returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "<title>/*__JS__*/ and __TITLE__</title>" in page and page.count("<title>") == 1


def test_files_and_directories_follow_the_umask(small, tmp_path):
    """Regression: the model directory was 0700 and report.html 0600 whatever the umask."""
    previous = os.umask(0o022)
    try:
        out = tmp_path / "m"
        assert run_cli("fit", small / "docs.jsonl", "--embeddings", small / "emb.npy", "--out", out, "--no-llm",
                       "--quiet", "--layout", "pca").returncode == 0
        assert run_cli("report", out).returncode == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "report.html").stat().st_mode) == 0o644
    data = out / json.loads((out / "topiclens.json").read_text())["data"]
    assert stat.S_IMODE(data.stat().st_mode) == 0o755
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in data.iterdir())


def test_assign_can_leave_far_away_documents_as_outliers(fitted, tmp_path):
    """A recipe is far from every software topic: with a probability floor it becomes an outlier."""
    recipe = ["Preheat the oven, slice six apples, add cinnamon and sugar, and bake the pie for forty minutes."]
    loose = fitted.predict(recipe)
    assert loose[0] >= 0
    probability = fitted.transform(recipe)[0, loose[0]]
    assert fitted.predict(recipe, min_probability=probability + 1e-6)[0] == -1
    with pytest.warns(UserWarning, match="1 empty or whitespace-only document"):
        assert fitted.predict(["  ", recipe[0]]).tolist()[0] == -1


def test_json_output_is_strict(fitted, tmp_path):
    saved = fitted.save(tmp_path / "m")
    done = run_cli("info", saved, "--json")
    json.loads(done.stdout, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    assert np.isfinite([t["size"] for t in json.loads(done.stdout)["topics"]]).all()
