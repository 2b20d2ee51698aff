"""Nothing lost: kills at any moment of a save or a fit, two writers at once, files that are not ours."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from topiclens import ModelFileError, TopicModel

from .conftest import assert_one_line_error, run_cli

SAVE_FOREVER = """
import sys
from topiclens import TopicModel
model = TopicModel.load(sys.argv[1], verbose=False)
round = 0
print("ready", flush=True)
while True:
    round += 1
    model.set_labels({0: f"round {round}"}, inplace=True)
    model.save(sys.argv[1])
"""


def _loads(directory: Path) -> TopicModel:
    model = TopicModel.load(directory, verbose=False)
    assert model.labels_[0].startswith(("round ", model.keywords_[0][0][0]))
    return model


def test_a_kill_at_any_moment_of_a_save_leaves_a_whole_model(saved_model, tmp_path):
    """Saves run back to back and are killed at random moments: the directory always loads, foreign files stay.

    Regression: a kill between removing the old model and renaming the new one left no model at all.
    """
    import shutil

    model_dir = Path(shutil.copytree(saved_model, tmp_path / "model"))
    (model_dir / "notes.txt").write_text("the user's notes")
    (model_dir / "report.html").write_text("<html>a report</html>")
    rng = np.random.default_rng(0)
    rounds = set()
    for _ in range(12):
        process = subprocess.Popen([sys.executable, "-c", SAVE_FOREVER, str(model_dir)], stdout=subprocess.PIPE)
        assert process.stdout.readline().strip() == b"ready"
        time.sleep(float(rng.uniform(0.05, 1.5)))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        rounds.add(_loads(model_dir).labels_[0])
        assert (model_dir / "notes.txt").read_text() == "the user's notes"
        assert (model_dir / "report.html").exists()
    assert len(rounds) > 3  # the kills did land in different saves
    model = TopicModel.load(model_dir, verbose=False)
    model.save(model_dir)  # the next save tidies what killed saves left behind
    folders = [p for p in model_dir.iterdir() if p.is_dir()]
    assert len(folders) == 1 and folders[0].name == json.loads((model_dir / "topiclens.json").read_text())["data"]
    assert sorted(p.name for p in model_dir.iterdir() if p.is_file()) == [".topiclens.lock", "notes.txt",
                                                                         "report.html", "topiclens.json"]


def test_refitting_keeps_the_report_and_the_users_files(small, tmp_path):
    """Regression: refitting or relabeling deleted every other file in the model directory."""
    out = tmp_path / "m"
    argv = ["fit", small / "docs.jsonl", "--embeddings", small / "emb.npy", "--out", out, "--no-llm", "--quiet",
            "--layout", "pca"]
    assert run_cli(*argv).returncode == 0
    assert run_cli("report", out).returncode == 0
    (out / "notes.md").write_text("mine")
    (out / "src").mkdir()
    (out / "src" / "analysis.py").write_text("print('mine')")
    assert run_cli(*argv, "--nr-topics", "4").returncode == 0
    assert (out / "notes.md").read_text() == "mine" and (out / "src" / "analysis.py").exists()
    assert (out / "report.html").exists()
    assert len(TopicModel.load(out).topic_ids_) == 4


def test_two_writers_at_once_the_second_is_refused_with_the_holders_pid(small, tmp_path):
    """Regression: two fits to the same --out both reported success and one result vanished."""
    out = tmp_path / "m"
    first = subprocess.Popen([sys.executable, "-m", "topiclens", "fit", str(small / "docs.jsonl"), "--out",
                              str(out), "--no-llm", "--quiet", "--layout", "umap", "--threads", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out / ".topiclens.lock").exists():
        time.sleep(0.05)
    second = run_cli("fit", small / "docs.jsonl", "--embeddings", small / "emb.npy", "--out", out, "--no-llm",
                     "--quiet")
    first.wait(timeout=600)
    assert first.returncode == 0, first.stderr
    assert_one_line_error(second, f"is being written by pid {first.pid} (topiclens fit")
    TopicModel.load(out)
    with pytest.raises(ModelFileError):
        from topiclens.store.modeldir import locked

        with locked(out, "a test"):
            run = subprocess.run([sys.executable, "-c", f"from topiclens import TopicModel; "
                                  f"TopicModel.load({str(out)!r}).save({str(out)!r})"], capture_output=True, text=True)
            assert run.returncode != 0 and "is being written by pid" in run.stderr
            raise ModelFileError("checked")


@pytest.mark.parametrize("moment", [0.3, 1.5, 4.0])
def test_a_fit_killed_at_any_stage_leaves_the_previous_model_and_the_next_run_works(small, saved_model, tmp_path,
                                                                                   moment):
    import shutil

    out = Path(shutil.copytree(saved_model, tmp_path / "m"))
    before = TopicModel.load(out).topics_.copy()
    process = subprocess.Popen([sys.executable, "-m", "topiclens", "fit", str(small / "docs.jsonl"), "--out",
                                str(out), "--no-llm", "--quiet", "--threads", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(moment)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    after = TopicModel.load(out)  # the old model, or the new one when the kill came after the save
    assert len(after.topics_) in (len(before), 200)
    done = run_cli("fit", small / "docs.jsonl", "--embeddings", small / "emb.npy", "--out", out, "--no-llm",
                   "--quiet")
    assert done.returncode == 0, done.stderr  # the dead run's lock went with it


def _run_on_a_full_disk(*argv, limit: int, env: dict | None = None) -> subprocess.CompletedProcess:
    """topiclens with files capped at ``limit`` bytes (RLIMIT_FSIZE): every write past it fails as on a full disk."""
    import resource

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "topiclens", *map(str, argv)], capture_output=True, text=True,
                          timeout=300, preexec_fn=cap, env={**os.environ, **(env or {})})


def test_a_full_disk_is_one_line_and_loses_nothing(saved_model, small, tmp_path):
    """Regression: a full disk ended in a traceback (and the answer cache's SQLite error in 'a topiclens bug')."""
    import shutil

    from servers import MisbehavingServer

    model_dir = tmp_path / "model"
    shutil.copytree(saved_model, model_dir)
    (model_dir / "notes.txt").write_text("mine")
    before = TopicModel.load(model_dir, verbose=False).labels_

    report = _run_on_a_full_disk("report", model_dir, "--out", tmp_path / "r.html", limit=50_000)
    assert_one_line_error(report, "free some space")
    assert not (tmp_path / "r.html").exists() and not list(tmp_path.glob(".r.html*"))

    refit = _run_on_a_full_disk("fit", small / "docs.jsonl", "--out", model_dir, "--embeddings", small / "emb.npy",
                                "--no-llm", "--quiet", "--threads", "1", limit=50_000)
    assert_one_line_error(refit, "free some space")

    with MisbehavingServer({"ok": ("ok", 0)}) as server:
        label = _run_on_a_full_disk("label", model_dir, "--llm", f"openai:m@{server.url('ok')}", "--quiet",
                                    limit=6_000, env={"TOPICLENS_CACHE": str(tmp_path / "fresh-cache")})
    assert_one_line_error(label, "free some space")

    assert TopicModel.load(model_dir, verbose=False).labels_ == before
    assert (model_dir / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in model_dir.iterdir() if p.name.startswith("data-")) == \
        [json.loads((model_dir / "topiclens.json").read_text())["data"]]
