"""The core install and its extras: every feature outside the core names the extra that installs it, in one line."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from topiclens import TopicModel
from topiclens.apps.cli import main
from topiclens.core.ann import HnswIndex, use_approximate
from topiclens.core.errors import ConfigError, MissingDependencyError
from topiclens.evaluate import evaluate_model
from topiclens.io.export import write_table
from topiclens.pipeline.plan import SETTING_EXTRAS

ROOT = Path(__file__).resolve().parents[1]
# The import names of the packages the extras install, for a process that lacks every extra.
OPTIONAL_MODULES = ("llama_cpp", "starlette", "uvicorn", "plotly", "matplotlib", "adjustText", "sudachipy",
                    "kiwipiepy", "faiss", "umap", "fast_hdbscan", "gensim", "openpyxl", "dask")


def requirement_name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_extra_a_message_names_is_declared_and_outside_the_core():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 on
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    named = set()
    for path in (ROOT / "src" / "topiclens").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("require", "require_installed") \
                    and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                named.add(node.args[1].value)
        named |= set(re.findall(r"topiclens\[(\w+)\]", text))
    named |= {extra for _, extra, _ in SETTING_EXTRAS.values()}
    assert named and named <= set(extras), named - set(extras)
    core = {requirement_name(r) for r in project["dependencies"]}
    for extra, requirements in extras.items():
        assert not core & {requirement_name(r) for r in requirements}, extra
    every = set(re.findall(r"\w+", extras["all"][0].split("[", 1)[1]))
    assert every == set(extras) - {"all", "dev", "bench", "gpu"}  # gpu: bitsandbytes wants a CUDA machine


def block(monkeypatch, *names: str) -> None:
    """Make ``names`` (and their loaded submodules) impossible to import, as if not installed."""
    for name in names:
        for loaded in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            monkeypatch.setitem(sys.modules, loaded, None)
        monkeypatch.setitem(sys.modules, name, None)


def test_charts_and_the_static_map_name_the_plot_extra(fitted, monkeypatch, tmp_path):
    block(monkeypatch, "plotly", "matplotlib")
    with pytest.raises(MissingDependencyError, match=r"^interactive charts needs the 'plotly' package: "
                                                     r"pip install 'topiclens\[plot\]'$"):
        fitted.document_map()
    with pytest.raises(MissingDependencyError, match=r"pip install 'topiclens\[plot\]'"):
        fitted.static_map(tmp_path / "map.png")
    assert not (tmp_path / "map.png").exists()


def test_the_workbench_names_the_serve_extra_before_reading_the_model(monkeypatch, tmp_path, capsys):
    block(monkeypatch, "starlette", "uvicorn")
    assert main(["serve", str(tmp_path / "no-model-here")]) == 2
    assert capsys.readouterr().err.strip() == ("topiclens: error: the workbench needs the 'starlette' package: "
                                               "pip install 'topiclens[serve]'")


def test_without_faiss_auto_searches_exactly_and_approximate_names_the_ann_extra(monkeypatch):
    import topiclens.core.ann as ann

    vectors = np.random.default_rng(0).normal(size=(50, 8)).astype(np.float32)
    ann._faiss_installed.cache_clear()
    monkeypatch.setattr(ann, "accelerator", lambda: "cpu")  # on a GPU 'auto' searches exactly anyway
    block(monkeypatch, "faiss")
    try:
        assert not use_approximate("auto", 10**7, 10**7)
        with pytest.raises(MissingDependencyError, match=r"pip install 'topiclens\[ann\]'"):
            HnswIndex.build(vectors, threads=1)
    finally:
        ann._faiss_installed.cache_clear()


def test_coherence_and_excel_name_their_extras(fitted, docs, monkeypatch, tmp_path):
    block(monkeypatch, "gensim", "openpyxl")
    with pytest.raises(MissingDependencyError, match=r"coherence \(NPMI, C_v\) needs .*'topiclens\[gensim\]'"):
        evaluate_model(fitted, measures=("c_npmi",))
    with pytest.raises(ConfigError, match=r"pip install 'topiclens\[excel\]'"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.xlsx")
    assert not (tmp_path / "t.xlsx").exists()


def test_a_chosen_setting_or_llm_without_its_extra_stops_before_any_document_is_read(monkeypatch):
    from topiclens import LLMLabeler
    from topiclens.labeling.clean import clean_label

    block(monkeypatch, "umap", "faiss", "gensim", "llama_cpp", "sudachipy")
    for settings, extra in ((dict(reduction="umap"), "umap"), (dict(layout="umap"), "umap"),
                            (dict(knn="approximate"), "ann"), (dict(model="lda"), "gensim")):
        with pytest.raises(MissingDependencyError, match=rf"pip install 'topiclens\[{extra}\]'$"):
            TopicModel(**settings).validate_params()
    TopicModel().validate_params()
    for spec in ("qwen2.5-coder-1.5b", "llama-cpp:/no/such/model.gguf"):
        with pytest.raises(MissingDependencyError, match=r"^local GGUF models needs the 'llama_cpp' package"):
            LLMLabeler(spec).check()
    LLMLabeler("openai:m@http://127.0.0.1:9/v1").check()  # another backend needs no llama.cpp
    long_label = "日本語の文書を扱うためのさまざまなツールとライブラリの集まり"
    cut = clean_label(long_label, language="ja")  # Sudachi cuts between words; without it, between characters
    assert cut and long_label.startswith(cut) and len(cut) < len(long_label)


LEAN = """
import sys
for name in {modules!r}:
    sys.modules[name] = None  # as if the extras were not installed
from topiclens.apps.cli import main
codes = [main(["fit", sys.argv[1], "--out", sys.argv[2], "--no-llm", "--quiet", "--threads", "1"]),
         main(["info", sys.argv[2]]), main(["serve", sys.argv[2]]), main(["label", sys.argv[2]])]
print("CODES", codes)
"""


def test_the_core_alone_fits_and_every_missing_extra_is_one_line(records, tmp_path):
    corpus = tmp_path / "docs.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records[:400]), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", LEAN.format(modules=OPTIONAL_MODULES), str(corpus),
                           str(tmp_path / "model")], capture_output=True, text=True, timeout=900)
    assert done.stdout.strip().splitlines()[-1] == "CODES [0, 0, 2, 2]", done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("topiclens: error:")]
    assert errors == ["topiclens: error: the workbench needs the 'starlette' package: pip install 'topiclens[serve]'",
                      "topiclens: error: local GGUF models needs the 'llama_cpp' package: pip install "
                      "'topiclens[llm]'"]
    assert TopicModel.load(tmp_path / "model").topic_ids_
