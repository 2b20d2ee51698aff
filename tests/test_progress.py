"""Progress where people wait: each bar names the step it counts, and a local LLM says it is loading."""

from __future__ import annotations

import copy
import re
from pathlib import Path

from topiclens import LLMLabeler
from topiclens.core.runtime import note, progress
from topiclens.llm.base import loading_message
from topiclens.llm.registry import make_llm


class NamingLLM:
    """An LLM that answers every prompt with a new name (no model to load)."""

    backend = "test"
    model = "namer"
    concurrency = 1

    def __init__(self) -> None:
        self.calls = 0

    def complete(self, messages, params) -> str:
        self.calls += 1
        return f"Group number {self.calls}"


def test_the_tree_bar_says_it_names_tree_nodes(five_topics, capsys):
    """Issue 30: naming the tree showed a bar called 'labeling topics'."""
    model = copy.deepcopy(five_topics)
    model.cache = False
    model.verbose = True
    model.build_hierarchy([2], labeler=LLMLabeler(NamingLLM()), inplace=True)
    err = capsys.readouterr().err
    assert "naming tree nodes" in err and "node" in err.split("naming tree nodes", 1)[1]
    assert "labeling topics" not in err
    model.label_topics(LLMLabeler(NamingLLM()), inplace=True)  # the topics' own labeling keeps its name
    assert "labeling topics" in capsys.readouterr().err


def test_the_loading_message_names_the_model_its_runner_and_size(tmp_path):
    weights = tmp_path / "tiny.gguf"
    weights.write_bytes(b"\0" * 2_000_000)
    assert loading_message("tiny.gguf", "llama.cpp", weights) == \
        "loading the LLM tiny.gguf (llama.cpp, 2 MB; this takes seconds to a minute)"
    folder = tmp_path / "hf-model"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "model.safetensors").write_bytes(b"\0" * 1_500_000)
    with open(folder / "model-2.safetensors", "wb") as sparse:
        sparse.truncate(1_498_500_000)  # its size, without writing it
    assert ", 1.5 GB;" in loading_message("hf-model", "transformers", folder)
    assert "(transformers; " in loading_message("gone", "transformers", tmp_path / "gone")


def test_a_verbose_local_model_says_it_is_loading_before_it_loads(capsys):
    quiet = make_llm("smollm2-135m", threads=1)
    assert quiet.count_tokens("hello world") > 0
    assert "loading the LLM" not in capsys.readouterr().err
    told = make_llm("smollm2-135m", threads=1, verbose=True)
    assert told.count_tokens("hello world") > 0 and told.count_tokens("again") > 0
    err = capsys.readouterr().err
    assert err.count("topiclens: note: loading the LLM smollm2-135m (llama.cpp, ") == 1


def test_a_verbose_model_says_so_when_labeling_loads_its_llm(five_topics, tmp_path, capsys):
    model = copy.deepcopy(five_topics)
    model.cache = str(tmp_path)
    model.verbose = True
    model.plan_labels("smollm2-135m")
    assert "topiclens: note: loading the LLM smollm2-135m" in capsys.readouterr().err
    model.verbose = False
    model.plan_labels("smollm2-135m")
    assert "loading the LLM" not in capsys.readouterr().err


def test_a_note_goes_above_a_running_bar_not_into_it(capsys):
    with progress(total=2, desc="counting", disable=False, mininterval=0) as bar:
        bar.update(1)
        note("something slow")
        bar.update(1)
    err = capsys.readouterr().err
    assert any(line.startswith("topiclens: note: something slow") for line in err.replace("\r", "\n").splitlines())


def test_bars_come_from_tqdm_auto_widgets_in_a_notebook_text_in_a_terminal():
    import tqdm.auto
    import tqdm.std

    bar = progress(total=1, disable=True)
    assert isinstance(bar, tqdm.auto.tqdm) and isinstance(bar, tqdm.std.tqdm)
    source = (Path(__file__).resolve().parents[1] / "src" / "topiclens").rglob("*.py")
    plain = [str(p) for p in source if re.search(r"^\s*(from tqdm(\.std)? import|import tqdm\b)", p.read_text(), re.M)]
    assert plain == []
