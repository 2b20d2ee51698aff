"""``topiclens serve DIR``: the workbench over a saved model, in the browser."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from ...core.errors import ConfigError


def add_serve_command(commands, llm_options: Callable[[argparse.ArgumentParser, bool], None]) -> None:
    """The parser of serve (``llm_options`` adds the LLM options every labeling command takes)."""
    serve = commands.add_parser(
        "serve", help="curate a saved model in the browser (the workbench)",
        description="A local web app over a saved model: the map, topics, documents, tree and trends, with "
        "rename, merge, split, delete, reduce and outliers (each previewed, saved at once and undoable), LLM "
        "relabels and descriptions, and exports. Listens on 127.0.0.1 only, unless --host says otherwise; "
        "every request needs the token in the printed address.")
    serve.add_argument("model", type=Path, help="model directory written by 'topiclens fit'")
    serve.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765; 0: a free one)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; another one prints a warning)")
    serve.add_argument("--open", action="store_true", help="open the workbench in the web browser")
    llm_options(serve, True)
    serve.add_argument("--threads", type=int, help="CPU threads")


def cmd_serve(args) -> int:
    from ...store.modeldir import is_model_directory
    from ..serve.server import require_server, serve
    from ..serve.workspace import Workspace
    from .labeler_args import labeler_from_args

    require_server()  # before the model is read
    if not is_model_directory(args.model):
        raise ConfigError(f"{args.model} holds no topiclens model: give the directory 'topiclens fit --out' wrote")
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port {args.port} is not a port: give 1-65535, or 0 for a free one")
    labeler = None if args.no_llm else labeler_from_args(args).check()
    workspace = Workspace(args.model, labeler=labeler, threads=args.threads)

    private = tempfile.mkdtemp(prefix="topiclens-serve-")  # 0700: only this user reads the page that opens it

    def ready(address: str) -> None:
        print(f"topiclens workbench for {args.model}: {address}", flush=True)
        print("(Ctrl-C stops it; every edit is already saved)", flush=True)
        if args.open:
            from .browser import open_in_browser

            open_in_browser(_opener(Path(private), address).as_uri())

    try:
        serve(workspace, args.host, args.port, on_ready=ready)
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(private, ignore_errors=True)
    print("topiclens workbench stopped", file=sys.stderr)
    return 0


def _opener(folder: Path, address: str) -> Path:
    """A page only this user can read that sends the browser on to ``address``: the browser's command line (which
    any local user sees) then holds no token."""
    import html

    page = folder / "open.html"
    fd = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        target = html.escape(address, quote=True)
        out.write(f'<!DOCTYPE html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={target}">'
                  f'<title>topiclens workbench</title><a href="{target}">topiclens workbench</a>\n')
    return page
