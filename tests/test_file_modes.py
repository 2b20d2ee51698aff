"""Files topiclens writes get the mode the umask gives any new file, and writing them leaves the umask alone."""

from __future__ import annotations

import shlex
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# `topiclens report` as the command line runs it, then the writers of the figures and the exports, in the
# process that the umask was set for (one process: a second would double the time spent importing).
WRITERS = textwrap.dedent("""
    import sys
    from pathlib import Path
    from topiclens import TopicModel
    from topiclens.apps.cli import main
    from topiclens.io.export import write_table
    assert main(["report", sys.argv[1], "--out", str(Path(sys.argv[2]) / "report.html")]) == 0
    model, out = TopicModel.load(sys.argv[1], verbose=False), Path(sys.argv[2])
    model.static_map(out / "map.png", dpi=30, figsize=(3, 3))  # matplotlib's savefig, any format
    for suffix in ("csv", "jsonl", "parquet", "xlsx"):
        write_table(model.topic_info(), out / f"topics.{suffix}")
""")


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory) -> Path:
    return fitted.save(tmp_path_factory.mktemp("modes") / "model")


def _under_umask(umask: int, argv: list[str]) -> subprocess.CompletedProcess:
    """Run ``argv`` in a shell that first sets ``umask``, as a user with that umask would."""
    command = f"umask {umask:03o}; exec {shlex.join(argv)}"
    return subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=300)


def _modes(folder: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002], ids=["022", "077", "002"])
def test_report_and_figures_follow_the_umask(saved, tmp_path, umask):
    expected = 0o666 & ~umask
    done = _under_umask(umask, [sys.executable, "-c", WRITERS, str(saved), str(tmp_path)])
    assert done.returncode == 0, done.stderr[-2000:]
    modes = _modes(tmp_path)
    assert set(modes) == {"report.html", "map.png", "topics.csv", "topics.jsonl", "topics.parquet",
                          "topics.xlsx"}  # and no staging file left behind
    assert {name: oct(mode) for name, mode in modes.items() if mode != expected} == {}, oct(expected)


def test_writing_atomically_never_widens_another_threads_new_file(tmp_path):
    """Regression: write_atomic read the umask by setting it to 0 and back; a file that another thread made
    in between was world-writable (0666 under umask 022). Both sides race on purpose, thousands of times."""
    script = textwrap.dedent("""
        import os, stat, sys, threading
        from pathlib import Path
        from topiclens.io.files import write_atomic
        sys.setswitchinterval(1e-6)
        out = Path(sys.argv[1])
        def writer(k):
            for i in range(1000):
                write_atomic(out / f"w{k}-{i}", lambda f: f.write("x"))
        def opener():
            for i in range(10000):
                with open(out / f"o{i}", "w"):
                    pass
        threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)] + [threading.Thread(target=opener)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        umask = os.umask(0o022)
        wrong = sorted({oct(stat.S_IMODE(p.stat().st_mode)) for p in out.iterdir()} - {"0o644"})
        print(f"umask {umask:03o}, other modes {wrong}")
    """)
    done = _under_umask(0o022, [sys.executable, "-c", script, str(tmp_path)])
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "umask 022, other modes []"
    assert len(list(tmp_path.iterdir())) == 14_000
