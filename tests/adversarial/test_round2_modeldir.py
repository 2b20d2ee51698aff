"""A model directory from someone else reaches nothing outside itself; edits never lose each other; a kill at any
step of an edit, an undo or a redo leaves a directory that loads, tells the truth and undoes what it says."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from topiclens import ModelFileError, TopicModel
from topiclens.apps.cli import main
from topiclens.store import edits

from .conftest import assert_one_line_error, run_cli

HERE = Path(__file__).parent


def snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root`` (links as links) with the digest of its bytes."""
    seen = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            seen[key] = f"-> {os.readlink(path)}"
        elif path.is_file():
            seen[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            seen[key] = "dir"
    return seen


def _cli(*argv) -> int:
    return main([str(a) for a in argv])


@pytest.fixture(scope="module")
def edited_model(saved_model, tmp_path_factory) -> Path:
    """A model with two edits, the second undone: an undo stack and a redo stack to plant links in."""
    directory = Path(shutil.copytree(saved_model, tmp_path_factory.mktemp("edited") / "model"))
    ids = TopicModel.load(directory, verbose=False).topic_ids_
    assert _cli("merge", directory, f"{ids[0]},{ids[1]}", "--no-llm", "--quiet", "--threads", "1") == 0
    assert _cli("merge", directory, f"{ids[2]},{ids[3]}", "--no-llm", "--quiet", "--threads", "1") == 0
    assert _cli("undo", directory) == 0
    assert edits.stack(directory) and edits.stack(directory, "redo")
    return directory


@pytest.fixture
def victim(tmp_path) -> Path:
    """Files outside the model directory that a planted link points at."""
    root = tmp_path / "outside"
    (root / "folder").mkdir(parents=True)
    (root / "precious.txt").write_text("precious")
    (root / "folder" / "0001.topiclens.json").write_text("the user's own file of that name")
    (root / "folder" / "0002.topiclens.json").write_text("another")
    return root


# ----------------------------------------------------------------------------- 1-3: planted links
def _plant(model: Path, where: str, victim: Path) -> None:
    """A symbolic link at ``where`` (a path topiclens writes, removes or descends into) to a file or folder outside."""
    data = json.loads((model / "topiclens.json").read_text())["data"]
    undo_top = edits.stack(model)[-1].name
    targets = {
        ".topiclens.lock": victim / "precious.txt",
        "topiclens.json": victim / "precious.txt",
        ".topiclens.json.undo.tmp": victim / "precious.txt",
        f".topiclens.json.{data}.tmp": victim / "precious.txt",
        "edits": victim / "folder",
        "edits/redo": victim / "folder",
        f"edits/{undo_top}": victim / "precious.txt",
        "edits/.0002.topiclens.json.tmp": victim / "precious.txt",
        "edits/redo/.0001.topiclens.json.tmp": victim / "precious.txt",
        data: victim / "folder",
    }
    path = model / where
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    path.symlink_to(targets[where])


PLANTED = [".topiclens.lock", "topiclens.json", ".topiclens.json.undo.tmp", "STAGING", "edits", "edits/redo",
           "UNDO_TOP", "edits/.0002.topiclens.json.tmp", "edits/redo/.0001.topiclens.json.tmp", "DATA"]

WRITERS = {
    "merge": lambda m, s: ["merge", m, "0,1", "--no-llm", "--quiet", "--threads", "1"],
    "split": lambda m, s: ["split", m, "0", "--parts", "2", "--no-llm", "--quiet", "--threads", "1"],
    "delete": lambda m, s: ["delete", m, "0", "--no-llm", "--quiet", "--threads", "1"],
    "reduce": lambda m, s: ["reduce", m, "--n-topics", "4", "--no-llm", "--quiet", "--threads", "1"],
    "outliers": lambda m, s: ["outliers", m, "--no-llm", "--quiet", "--threads", "1"],
    "undo": lambda m, s: ["undo", m],
    "redo": lambda m, s: ["redo", m],
    "tree": lambda m, s: ["tree", m, "--levels", "2", "--no-llm", "--quiet", "--threads", "1"],
    "label": lambda m, s: ["label", m, "--llm", "smollm2-135m", "--topics", "0", "--quiet", "--threads", "1"],
    "describe": lambda m, s: ["describe", m, "--llm", "smollm2-135m", "--topics", "0", "--quiet", "--threads", "1"],
    "update": lambda m, s: ["update", m, s / "docs.jsonl", "--embeddings", s / "emb.npy", "--no-llm", "--quiet",
                            "--threads", "1"],
    "fit --out": lambda m, s: ["fit", s / "docs.jsonl", "--embeddings", s / "emb.npy", "--out", m, "--no-llm",
                               "--quiet", "--threads", "1"],
}


def _named(model: Path, where: str) -> str:
    data = json.loads((model / "topiclens.json").read_text())["data"]
    return {"STAGING": f".topiclens.json.{data}.tmp", "UNDO_TOP": f"edits/{edits.stack(model)[-1].name}",
            "DATA": data}.get(where, where)


@pytest.mark.parametrize("where", PLANTED)
def test_a_planted_link_is_refused_by_every_writing_command_and_nothing_outside_changes(
        where, edited_model, small, victim, tmp_path, capsys):
    """Regression: a .topiclens.lock link truncated any file, staging links overwrote outside files, and an
    'edits' link made fit --out delete files in the folder it pointed to. Every writing command, every path."""
    outside = snapshot(victim)
    for command, argv in WRITERS.items():
        model = Path(shutil.copytree(edited_model, tmp_path / command.replace(" ", ""), symlinks=True))
        _plant(model, _named(model, where), victim)
        inside = snapshot(model)
        code = _cli(*argv(model, small))
        err = capsys.readouterr().err
        assert code == 2, (command, where, err)
        assert "symbolic link" in err and err.count("topiclens: error:") == 1, (command, where, err)
        assert snapshot(victim) == outside, (command, where)
        assert snapshot(model) == inside, (command, where)  # refused before anything was written


def test_the_lock_file_is_never_truncated_through_a_link_from_the_shell(saved_model, tmp_path):
    """The issue's reproduction, as a user types it."""
    model = Path(shutil.copytree(saved_model, tmp_path / "m2"))
    (tmp_path / "v.txt").write_text("precious\n")
    (model / ".topiclens.lock").unlink(missing_ok=True)
    (model / ".topiclens.lock").symlink_to(tmp_path / "v.txt")
    ids = TopicModel.load(model, verbose=False).topic_ids_
    assert_one_line_error(run_cli("merge", model, f"{ids[0]},{ids[3]}", "--no-llm"), "is a symbolic link")
    assert (tmp_path / "v.txt").read_text() == "precious\n"


def test_a_hard_linked_lock_file_is_refused(saved_model, tmp_path):
    model = Path(shutil.copytree(saved_model, tmp_path / "m"))
    (tmp_path / "v.txt").write_text("precious")
    (model / ".topiclens.lock").unlink(missing_ok=True)
    os.link(tmp_path / "v.txt", model / ".topiclens.lock")
    with pytest.raises(ModelFileError, match="not the lock file"):
        TopicModel.load(model, verbose=False).save(model)
    assert (tmp_path / "v.txt").read_text() == "precious"


# ----------------------------------------------------------------------------- 5: a damaged undo record
DAMAGES = {
    "not JSON": lambda path, model: path.write_text("{nope"),
    "its data folder gone": lambda path, model: shutil.rmtree(model / json.loads(path.read_text())["data"]),
    "a topic size forged": lambda path, model: path.write_text(json.dumps(
        {**(m := json.loads(path.read_text())), "topics": [{**m["topics"][0], "size": 1}, *m["topics"][1:]]})),
    "an array changed": lambda path, model: (model / json.loads(path.read_text())["data"] / "centroids.npy")
    .write_bytes(b"\x93NUMPY garbage"),
    "its data folder outside": lambda path, model: path.write_text(json.dumps(
        {**json.loads(path.read_text()), "data": "../elsewhere"})),
    "a list": lambda path, model: path.write_text("[]"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_undo_record_is_one_line_and_changes_nothing(damage, edited_model, tmp_path):
    """Regression: undo put a damaged record in place without checking it, said it succeeded, and the model no
    longer loaded; the real previous data folder was gone."""
    model = Path(shutil.copytree(edited_model, tmp_path / "m"))
    kept = edits.stack(model)[-1]
    shared = json.loads(kept.read_text())["data"] == json.loads((model / "topiclens.json").read_text())["data"]
    if damage == "its data folder gone" and shared:
        pytest.skip("the kept model shares the current data folder")
    DAMAGES[damage](kept, model)
    before = snapshot(model)
    assert_one_line_error(run_cli("undo", model), "cannot be put back, so nothing was changed")
    assert snapshot(model) == before
    TopicModel.load(model, verbose=False)


# ----------------------------------------------------------------------------- 6: edits never lose each other
def test_a_workbench_edit_holds_the_lock_so_a_cli_edit_meanwhile_is_refused(edited_model, tmp_path, monkeypatch):
    """Regression: Workspace.apply reloaded, computed and saved without the directory's lock, so a CLI edit made
    meanwhile was silently overwritten."""
    from topiclens.apps.serve import changes, workspace
    from topiclens.apps.serve.requests import parse_edit

    model = Path(shutil.copytree(edited_model, tmp_path / "m"))
    space = workspace.Workspace(model, threads=1)
    ids = space.model.topic_ids_
    computing, release = threading.Event(), threading.Event()
    real_run_edit = changes.run_edit

    def slow_run_edit(current, request):
        computing.set()
        assert release.wait(120)
        return real_run_edit(current, request)

    monkeypatch.setattr(workspace, "run_edit", slow_run_edit)
    result = {}
    page = threading.Thread(target=lambda: result.update(
        change=space.apply(parse_edit({"operation": "merge", "groups": [[ids[0], ids[1]]]}))))
    page.start()
    assert computing.wait(120)
    cli = run_cli("merge", model, f"{ids[2]},{ids[3]}", "--no-llm", "--quiet", "--threads", "1")
    release.set()
    page.join(120)
    assert_one_line_error(cli, "is being written by pid")
    history = TopicModel.load(model, verbose=False).history_
    assert history[-1]["operation"] == "merge" and history[-1]["arguments"]["groups"] == [[ids[0], ids[1]]]
    assert "change" in result


def test_the_workbench_refuses_an_edit_while_another_program_writes(edited_model, tmp_path):
    from topiclens.apps.serve.requests import parse_edit
    from topiclens.apps.serve.workspace import Busy, Workspace

    model = Path(shutil.copytree(edited_model, tmp_path / "m"))
    space = Workspace(model, threads=1)
    ids = space.model.topic_ids_
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom topiclens.store.modeldir import locked\n"
                               f"with locked({str(model)!r}, 'a test'):\n    print('held', flush=True)\n"
                               "    time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = snapshot(model)
        with pytest.raises(Busy, match="is being written by pid"):
            space.apply(parse_edit({"operation": "merge", "groups": [[ids[0], ids[1]]]}))
        with pytest.raises(Busy):
            space.rename(ids[0], "a name")
        with pytest.raises(Busy):
            space.step("undo")
        assert snapshot(model) == before
    finally:
        holder.kill()
        holder.wait()


def test_a_model_loaded_before_another_programs_edit_cannot_save_over_it(edited_model, tmp_path):
    """The Python API: a model loaded, then edited elsewhere, then saved as an edit, is refused with one line."""
    model = Path(shutil.copytree(edited_model, tmp_path / "m"))
    stale = TopicModel.load(model, verbose=False)
    ids = stale.topic_ids_
    assert _cli("merge", model, f"{ids[2]},{ids[3]}", "--no-llm", "--quiet", "--threads", "1") == 0
    theirs = snapshot(model)
    with pytest.raises(ModelFileError, match="changed by another program since this model was loaded"):
        stale.merge_topics([[ids[0], ids[1]]]).save(model, keep_previous=True)
    assert snapshot(model) == theirs
    fresh = TopicModel.load(model, verbose=False)
    fresh.merge_topics([[ids[0], ids[1]]]).save(model, keep_previous=True)  # loaded again: saved


# ----------------------------------------------------------------------------- 7: a stray record
def test_a_record_left_by_a_kill_between_push_and_commit_is_dropped_with_a_note(edited_model, tmp_path):
    """Regression: after a kill between the undo-stack push and the commit, the next undo said it succeeded and
    changed nothing (it put back a copy of the current model)."""
    model = Path(shutil.copytree(edited_model, tmp_path / "m"))
    edits.clear(model)  # one clean edit: a merge on top of the fit
    fit = TopicModel.load(model, verbose=False)
    ids = fit.topic_ids_
    assert _cli("merge", model, f"{ids[0]},{ids[1]}", "--no-llm", "--quiet", "--threads", "1") == 0
    merged = TopicModel.load(model, verbose=False).topic_ids_
    from topiclens.store.modeldir import new_step

    # what a killed second edit leaves: its push, never its commit
    edits.push(model, (model / "topiclens.json").read_bytes(), new_step())
    assert len(edits.stack(model)) == 2
    done = run_cli("undo", model)
    assert done.returncode == 0, done.stderr
    assert "dropped 1 undo record(s) left by a run that was stopped" in done.stderr
    assert TopicModel.load(model, verbose=False).topic_ids_ == fit.topic_ids_ != merged


# ----------------------------------------------------------------------------- 8: a full disk
@pytest.fixture
def small_disk(tmp_path):
    """A 12 MB file system of its own (tmpfs), so that a save really runs out of space."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave: int) -> None:
    free = shutil.disk_usage(disk).free
    with open(disk / "filler", "wb") as out:
        out.write(b"\0" * max(free - leave, 0))


def test_a_full_disk_is_one_line_and_the_previous_model_stays(saved_model, small_disk):
    """Regression: a full disk killed the process with SIGBUS (arrays written through a memory map), leaving an
    unfinished data folder; in the workbench /api/apply killed the server."""
    model = Path(shutil.copytree(saved_model, small_disk / "model"))
    before = snapshot(model)
    _fill(small_disk, 200_000)  # room for neither the embeddings nor the rest
    ids = TopicModel.load(model, verbose=False).topic_ids_
    done = run_cli("merge", model, f"{ids[0]},{ids[1]}", "--no-llm", "--quiet", "--threads", "1")
    assert_one_line_error(done, "not enough free space to save the model")
    assert {k: v for k, v in snapshot(model).items() if k != ".topiclens.lock"} == \
        {k: v for k, v in before.items() if k != ".topiclens.lock"}
    TopicModel.load(model, verbose=False)


def test_rows_written_to_a_full_disk_raise_oserror_not_sigbus(small_disk):
    """The array writer itself, past the free-space check: a write error, never a signal."""
    _fill(small_disk, 100_000)
    code = ("import numpy as np, sys\nfrom topiclens.io.rowfiles import save_rows\n"
            "try:\n    save_rows(__import__('pathlib').Path(sys.argv[1]), np.ones((4000, 384), np.float32))\n"
            "except OSError as exc:\n    print('oserror', exc.errno)\n")
    done = subprocess.run([sys.executable, "-c", code, str(small_disk / "rows.npy")], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("oserror 28"), (done.returncode, done.stderr[-500:])


# ----------------------------------------------------------------------------- 12: a read-only directory
@pytest.fixture
def read_only_model(saved_model, small_disk):
    model = Path(shutil.copytree(saved_model, small_disk / "model"))
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    yield model
    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=False)


def test_the_workbench_on_a_read_only_directory_answers_the_clis_line(read_only_model):
    """Regression: an edit in the workbench on a read-only directory answered 500 with a traceback in the log."""
    import asyncio

    from topiclens.apps.serve.app import create_app
    from topiclens.apps.serve.workspace import Workspace

    space = Workspace(read_only_model, threads=1)
    ids = space.model.topic_ids_
    cli = run_cli("merge", read_only_model, f"{ids[0]},{ids[1]}", "--no-llm", "--quiet")
    assert_one_line_error(cli, "Read-only file system")
    app = create_app(space, "t" * 43, frozenset({"127.0.0.1:1"}))
    body = json.dumps({"operation": "merge", "groups": [[ids[0], ids[1]]]}).encode()
    status, answer = asyncio.run(_post(app, "/api/apply", body))
    assert status == 409 and json.loads(answer)["error"] == cli.stderr.strip().removeprefix("topiclens: error: ")


async def _post(app, path: str, body: bytes) -> tuple[int, bytes]:
    """One POST through the ASGI application, as uvicorn hands it over."""
    sent: list[dict] = []
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "server": ("127.0.0.1", 1), "client": ("127.0.0.1", 2),
             "headers": [(b"host", b"127.0.0.1:1"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode()), (b"x-topiclens-token", b"t" * 43),
                         (b"origin", b"http://127.0.0.1:1")]}
    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


# ----------------------------------------------------------------------------- a kill at every step
def _state(model: Path) -> tuple:
    loaded = TopicModel.load(model, verbose=False)
    return tuple(loaded.topic_ids_), tuple(r["operation"] + json.dumps(r["arguments"]) for r in loaded.history_)


def _killed_at(step: int, base: Path, model: Path, argv: list) -> subprocess.CompletedProcess:
    """``argv`` (naming ``base``) run on the copy ``model``, killed just before its ``step``-th change (0: never)."""
    return subprocess.run([sys.executable, str(HERE / "killpoints.py"), str(model), str(step),
                           *[str(a).replace(str(base), str(model)) for a in argv]],
                          capture_output=True, text=True, timeout=300)


def _sweep(base: Path, argv: list, before: tuple, after: tuple, states: dict, tmp_path: Path, every: int = 1):
    """Kill ``argv`` (run on a copy of ``base``) just before each of its changes to the directory, then check the
    directory: it loads, holds the model before or after, its history and redo list say which, and the next
    undo (and the redo after it) does what it says."""
    counted = _killed_at(0, base, Path(shutil.copytree(base, tmp_path / "count")), argv)
    assert counted.returncode == 0, counted.stderr[-2000:]
    total = int(counted.stdout.strip().splitlines()[-1].split()[-1])
    assert total >= 5
    landed = set()
    for step in range(1, total + 1, every):
        model = Path(shutil.copytree(base, tmp_path / f"kill{step}"))
        killed = _killed_at(step, base, model, argv)
        assert killed.returncode == -9, (step, killed.stderr[-2000:])
        now = _state(model)
        assert now in (before, after), (step, now)
        landed.add(now)
        undone = [r["operation"] for r in edits.undone(model)]
        assert undone == states[now]["undone"], (step, undone)
        if states[now]["after undo"] is None:  # a new fit: nothing before it to put back
            assert _cli("undo", model) == 2 and _state(model) == now, step
        else:
            assert _cli("undo", model) == 0, step
            assert _state(model) == states[now]["after undo"], step
            assert _cli("redo", model) == 0, step
            assert _state(model) == now, step
        shutil.rmtree(model)
    assert landed == {before, after}  # the sweep crossed the commit


@pytest.fixture(scope="module")
def three_states(saved_model, small, tmp_path_factory):
    """S0 the fit, S1 one merge, S2 two merges, S2b another second merge, F a new fit; and the directories
    holding S2 (with S0, S1 kept), S1 (with S0 kept) and S1 with S2 undone."""
    root = tmp_path_factory.mktemp("states")
    at_s2 = Path(shutil.copytree(saved_model, root / "s2"))
    ids = TopicModel.load(at_s2, verbose=False).topic_ids_
    s0 = _state(at_s2)
    assert _cli("merge", at_s2, f"{ids[0]},{ids[1]}", "--no-llm", "--quiet", "--threads", "1") == 0
    s1 = _state(at_s2)
    at_s1 = Path(shutil.copytree(at_s2, root / "s1"))
    assert _cli("merge", at_s2, f"{ids[2]},{ids[3]}", "--no-llm", "--quiet", "--threads", "1") == 0
    s2 = _state(at_s2)
    undone_s1 = Path(shutil.copytree(at_s2, root / "s1-undone"))
    assert _cli("undo", undone_s1) == 0 and _state(undone_s1) == s1
    other = Path(shutil.copytree(undone_s1, root / "s2b"))
    assert _cli(*_edit_b(other, ids)) == 0
    fitted = Path(shutil.copytree(at_s2, root / "f"))
    assert _cli(*_fit(fitted, small)) == 0
    return {"ids": ids, "s0": s0, "s1": s1, "s2": s2, "s2b": _state(other), "f": _state(fitted), "at_s1": at_s1,
            "at_s2": at_s2, "undone_s1": undone_s1}


def _edit_b(model: Path, ids: list) -> list:
    return ["merge", model, f"{ids[4]},{ids[5]}", "--no-llm", "--quiet", "--threads", "1"]


def _fit(model: Path, small: Path) -> list:
    return ["fit", small / "docs.jsonl", "--embeddings", small / "emb.npy", "--out", model, "--no-llm", "--quiet",
            "--threads", "1", "--layout", "pca"]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["edit", "edit with a redo stack", "fit over an edited model", "undo", "redo"])
def test_a_kill_at_every_step_leaves_a_directory_that_loads_tells_the_truth_and_undoes(command, three_states,
                                                                                       small, tmp_path):
    """Regression: after a kill -9 between the undo-stack push and the commit, the next undo reported success
    and changed nothing. Now every step of an edit, an undo, a redo (and a new fit over an edited model) is a
    kill point."""
    s = three_states
    ids = s["ids"]
    back = {s["s1"]: s["s0"], s["s2"]: s["s1"], s["s2b"]: s["s1"], s["f"]: None}
    if command == "edit":  # S1 -> S2 by a merge
        base, argv, before, after = s["at_s1"], ["merge", s["at_s1"], f"{ids[2]},{ids[3]}", "--no-llm", "--quiet",
                                                 "--threads", "1"], s["s1"], s["s2"]
        undone = {s["s1"]: [], s["s2"]: []}
    elif command == "edit with a redo stack":  # S1 (S2 undone) -> S2b, which forgets S2
        base, argv, before, after = s["undone_s1"], _edit_b(s["undone_s1"], ids), s["s1"], s["s2b"]
        undone = {s["s1"]: ["merge"], s["s2b"]: []}
    elif command == "fit over an edited model":  # S2 -> F, which forgets both stacks
        base, argv, before, after = s["at_s2"], _fit(s["at_s2"], small), s["s2"], s["f"]
        undone = {s["s2"]: [], s["f"]: []}
    elif command == "undo":  # S2 -> S1
        base, argv, before, after = s["at_s2"], ["undo", s["at_s2"]], s["s2"], s["s1"]
        undone = {s["s2"]: [], s["s1"]: ["merge"]}
    else:  # redo: S1 (S2 undone) -> S2
        base, argv, before, after = s["undone_s1"], ["redo", s["undone_s1"]], s["s1"], s["s2"]
        undone = {s["s1"]: ["merge"], s["s2"]: []}
    states = {state: {"after undo": back[state], "undone": undone[state]} for state in (before, after)}
    _sweep(base, argv, before, after, states, tmp_path)


def test_a_kill_at_every_step_of_an_undo_fast(three_states, tmp_path):
    """The undo sweep, every third step, in the default run (the slow test does every step of all three)."""
    s = three_states
    states = {s["s2"]: {"after undo": s["s1"], "undone": []}, s["s1"]: {"after undo": s["s0"], "undone": ["merge"]}}
    _sweep(s["at_s2"], ["undo", s["at_s2"]], s["s2"], s["s1"], states, tmp_path, every=3)


# ----------------------------------------------------------------------------- what the review found
def test_a_damaged_older_record_leaves_the_newest_undo_and_every_edit_working(edited_model, tmp_path):
    """Only the record an undo puts back must be whole: a damaged older one blocks nothing else, and is refused
    (changing nothing) when its turn comes."""
    model = Path(shutil.copytree(edited_model, tmp_path / "m"))
    assert _cli("redo", model) == 0  # two edits on the undo stack, nothing to redo
    older, newest = edits.stack(model)
    older.write_text("{broken")
    assert _cli("undo", model) == 0
    assert len(TopicModel.load(model, verbose=False).history_) == 1
    ids = TopicModel.load(model, verbose=False).topic_ids_
    assert _cli("history", model) == 0
    assert _cli("merge", model, f"{ids[1]},{ids[2]}", "--no-llm", "--quiet", "--threads", "1") == 0
    assert _cli("undo", model) == 0
    before = snapshot(model)
    assert_one_line_error(run_cli("undo", model), "cannot be put back, so nothing was changed")
    assert snapshot(model) == before


def test_a_kept_record_that_lists_no_checksums_is_refused(edited_model, tmp_path):
    model = Path(shutil.copytree(edited_model, tmp_path / "m"))
    kept = edits.stack(model)[-1]
    manifest = json.loads(kept.read_text())
    del manifest["files"]
    kept.write_text(json.dumps(manifest))
    before = snapshot(model)
    assert_one_line_error(run_cli("undo", model), "lists its files wrongly (or not at all)")
    assert snapshot(model) == before


def test_undo_and_redo_of_a_save_that_added_no_history_record(saved_model, tmp_path):
    """A Python save(keep_previous=True) with no history record of its own is undone and redone like any edit
    (its redo is not taken for a stray one)."""
    from topiclens.store.undoredo import redo, undo

    model = Path(shutil.copytree(saved_model, tmp_path / "m"))
    loaded = TopicModel.load(model, verbose=False)
    first = loaded.topic_ids_[0]
    loaded.set_labels({first: "renamed in Python"}, inplace=True)
    loaded.save(model, keep_previous=True)
    undo(model)
    assert TopicModel.load(model, verbose=False).labels_[0] != "renamed in Python"
    assert edits.undone(model) == [{}]
    redo(model)
    assert TopicModel.load(model, verbose=False).labels_[0] == "renamed in Python"


def test_a_save_with_keep_previous_into_a_new_directory_just_saves(fitted, tmp_path):
    fitted.save(tmp_path / "new", keep_previous=True)
    assert edits.stack(tmp_path / "new") == [] and TopicModel.load(tmp_path / "new", verbose=False)


def test_the_first_edit_of_a_schema_1_model_can_be_undone(tmp_path):
    """Regression: the first edit of a model saved by topiclens 0.1 kept a manifest whose arrays the commit then
    removed, so its undo could never work."""
    model = Path(shutil.copytree(Path(__file__).parents[1] / "data" / "model_v1", tmp_path / "v1"))
    original = TopicModel.load(model, verbose=False)
    ids = original.topic_ids_
    assert _cli("merge", model, f"{ids[0]},{ids[1]}", "--no-llm", "--quiet", "--threads", "1") == 0
    assert not (model / "embeddings.npy").exists()  # saved as schema 3 now
    assert _cli("undo", model) == 0
    back = TopicModel.load(model, verbose=False)
    assert back.topic_ids_ == ids and (back.topics_ == original.topics_).all() and back.labels_ == original.labels_
    assert _cli("redo", model) == 0 and len(TopicModel.load(model, verbose=False).topic_ids_) == len(ids) - 1


def test_an_edit_command_on_a_mistyped_path_creates_nothing(tmp_path):
    assert_one_line_error(run_cli("label", tmp_path / "nope", "--llm", "openai:m@http://127.0.0.1:9/v1"),
                          "holds no topiclens model")
    assert_one_line_error(run_cli("tree", tmp_path / "nope", "--no-llm"), "not found")
    assert not (tmp_path / "nope").exists()


def test_a_second_thread_of_the_same_process_is_refused_the_lock(tmp_path):
    from topiclens.core.errors import ModelBusyError
    from topiclens.store.modeldir import locked

    held, done, seen = threading.Event(), threading.Event(), []

    def first():
        with locked(tmp_path / "d", "first"):
            held.set()
            done.wait(30)

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(30)
    try:
        with locked(tmp_path / "d", "second"):
            seen.append("entered")
    except ModelBusyError as exc:
        seen.append(str(exc))
    done.set()
    thread.join(30)
    assert len(seen) == 1 and "is being written by pid" in seen[0]


def test_the_stacks_keep_their_order_past_9999_edits(tmp_path):
    (tmp_path / "edits").mkdir()
    for number in (10001, 9999, 10000):
        (tmp_path / "edits" / f"{number:04d}.{number:016x}.topiclens.json").write_text("{}")
    assert [p.name.split(".")[0] for p in edits.stack(tmp_path)] == ["9999", "10000", "10001"]
    assert edits.push_onto(tmp_path, "undo", b"{}", "0" * 16).name.startswith("10002.")
