"""Run a topiclens command and SIGKILL it just before its Nth change to a model directory (test helper).

``python killpoints.py DIR N ARGV...``: every call that changes the file system (a file opened for
writing, a rename, a removal, a new folder, a link, a truncation) under DIR is counted; the process kills
itself with SIGKILL just before the Nth, so that change and everything after it never happen. With N = 0
nothing is killed and the count of changes is printed last on stdout as ``changes: K``, so a test can
sweep N over 1..K: a kill between every two steps of a command.
"""

from __future__ import annotations

import builtins
import io
import os
import shutil
import signal
import sys
from pathlib import Path

WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def install(directory: Path, kill_at: int) -> list[int]:
    """Wrap the file system's changing calls; returns the one-item list that counts them."""
    root = str(directory.resolve())
    count = [0]

    def inside(path, dir_fd=None) -> bool:
        if dir_fd is not None:  # shutil.rmtree works by descriptors: count it when its folder is ours
            try:
                path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), os.fsdecode(path))
            except OSError:
                return False
        if isinstance(path, int):
            return False
        try:
            full = os.path.abspath(os.fsdecode(path))
        except TypeError:
            return False
        return full == root or full.startswith(root + os.sep)

    def step() -> None:
        count[0] += 1
        if count[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def counted(function, *path_args):
        def wrapper(*args, **kwargs):
            paths = [args[i] for i in path_args if i < len(args)]
            if any(inside(p, kwargs.get("dir_fd", kwargs.get("src_dir_fd"))) for p in paths):
                step()
            return function(*args, **kwargs)
        return wrapper

    for name, where in (("replace", (0, 1)), ("rename", (0, 1)), ("unlink", (0,)), ("remove", (0,)),
                        ("rmdir", (0,)), ("mkdir", (0,)), ("link", (0, 1)), ("symlink", (1,)),
                        ("truncate", (0,))):
        setattr(os, name, counted(getattr(os, name), *where))
    original_open, original_builtin_open = os.open, builtins.open
    original_ftruncate = os.ftruncate

    def os_open(path, flags, *args, **kwargs):
        if flags & WRITING and inside(path, kwargs.get("dir_fd")):
            step()
        return original_open(path, flags, *args, **kwargs)

    def builtin_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+") and inside(file):
            step()
        return original_builtin_open(file, mode, *args, **kwargs)

    def ftruncate(fd, length):
        if inside(os.readlink(f"/proc/self/fd/{fd}")):
            step()
        return original_ftruncate(fd, length)

    os.open, builtins.open, io.open, os.ftruncate = os_open, builtin_open, builtin_open, ftruncate
    shutil.os = os  # shutil calls os.* through its module reference: the wrappers are seen
    return count


def main() -> int:
    directory, kill_at, argv = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    count = install(directory, kill_at)
    from topiclens.apps.cli import main as topiclens

    code = topiclens(argv)
    print(f"changes: {count[0]}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
