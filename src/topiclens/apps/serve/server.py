"""Binding the workbench's socket and running it with uvicorn until Ctrl-C."""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
from collections.abc import Callable
from typing import Any

from ...core.errors import ConfigError, require
from .guard import allowed_hosts, new_token

# The pages that may frame a workbench a notebook started: Jupyter (Notebook, Lab) in a browser on this machine,
# and VS Code's notebooks (their outputs are webviews). Any other page is refused by the browser.
NOTEBOOK_FRAME_ANCESTORS = ("http://localhost:* http://127.0.0.1:* https://localhost:* https://127.0.0.1:* "
                            "vscode-webview: vscode-file:")


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: a free port), or one line saying why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} on {host} is in use: choose another with port= (0 picks a free one)") \
                from None
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror or exc}): give another host= or "
                          "port=") from None
    sock.listen(64)
    return sock


def require_server() -> None:
    """The web server's packages, or the one-line error that names the extra installing them."""
    require("starlette", "serve", "the workbench")
    require("uvicorn", "serve", "the workbench")


def open_server(workspace, host: str = "127.0.0.1", port: int = 8765, *, title: str | None = None,
                embedded: bool = False) -> tuple[Any, socket.socket, str]:
    """The workbench's server over ``workspace``, its socket listening, not yet running.

    Parameters
    ----------
    workspace : Workspace
    host : str
        The address to listen on; anything but a loopback address prints a warning (anyone who can
        reach it and has the address with its token can change the model).
    port : int
        0 picks a free port.
    title : str, optional
        The page's title (default: the model directory's name).
    embedded : bool, default False
        A server run inside another program, a notebook's kernel: its page may be framed by the
        notebook's (:data:`NOTEBOOK_FRAME_ANCESTORS`), it runs on asyncio's own loop (no event-loop
        policy of the program changed), leaves the program's logging alone and stops within seconds.

    Returns
    -------
    (uvicorn.Server, socket.socket, str)
        The server, its listening socket (``server.run(sockets=[sock])`` runs it) and the page's
        address with the session token.
    """
    require_server()
    import uvicorn

    from .app import create_app

    if host in ("0.0.0.0", "::", ""):
        raise ConfigError(f"--host {host or repr(host)} listens on every address, and a browser would reach it by one "
                          "this server cannot check requests against: give the address others will use (e.g. "
                          "--host 192.168.1.5)")
    if not is_loopback(host):
        print(f"topiclens: warning: serving on {host}, which other machines may reach: anyone with the address "
              "and its token can read and change this model", file=sys.stderr)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    token = new_token()
    frames = {"frame_ancestors": NOTEBOOK_FRAME_ANCESTORS} if embedded else {}
    app = create_app(workspace, token, allowed_hosts(host, port), title=title, **frames)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/?token={token}"
    embedding = {"loop": "asyncio", "log_config": None, "timeout_graceful_shutdown": 5} if embedded else {}
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, proxy_headers=False,
                            lifespan="off", date_header=False, **embedding)
    return uvicorn.Server(config), sock, address


def serve(workspace, host: str = "127.0.0.1", port: int = 8765, *, on_ready: Callable[[str], None] | None = None,
          title: str | None = None) -> None:
    """Run the workbench over ``workspace`` until interrupted.

    Parameters
    ----------
    workspace : Workspace
    host, port, title
        As for :func:`open_server`.
    on_ready : callable, optional
        Called with the page's address (token included) once the socket listens.
    """
    server, sock, address = open_server(workspace, host, port, title=title)
    if on_ready is not None:
        on_ready(address)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
