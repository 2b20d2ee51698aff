"""The workbench started from a notebook (``TopicModel.workbench()``): the server of ``topiclens serve``, with its
token and its Host, Origin and token checks, run in a background thread of the kernel on 127.0.0.1, and a handle
that the notebook shows as the page in a frame.

Only the pages of a notebook on this machine (Jupyter, VS Code) may frame it
(:data:`~topiclens.apps.serve.server.NOTEBOOK_FRAME_ANCESTORS`); the handle also links to it for a tab of its own.
"""

from __future__ import annotations

import copy
import json
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ...core.errors import ConfigError, TopicLensWarning
from ...views.notebook import DEFAULT_HEIGHT, check_height, frame
from .server import open_server, require_server

HOST = "127.0.0.1"
START_SECONDS = 30.0
STOP_SECONDS = 10.0
COMPARED = ("topic_ids_", "topic_sizes_", "labels_", "llm_labels_", "descriptions_", "label_confidence_",
            "label_waiting_", "given_labels_", "history_", "hierarchy_")


class Workbench:
    """A workbench over one model directory, running in a background thread until :meth:`stop`.

    Made by :func:`open_workbench` (``TopicModel.workbench()``). A notebook shows it as the page in a frame.

    Parameters
    ----------
    workspace : Workspace
        The model directory, open for editing.
    port : int, default 0
        0 picks a free port.
    height : int, default 720
        The frame's height in pixels.

    Attributes
    ----------
    url : str
        The page's address with the session token (every request needs it).
    directory : Path
        The model directory; every edit is saved there at once, on the undo stack ``topiclens undo`` uses.
    """

    def __init__(self, workspace, *, port: int = 0, height: int = DEFAULT_HEIGHT) -> None:
        self.workspace = workspace
        self.directory = Path(workspace.directory)
        self.height = check_height(height)
        self._server, self._socket, self.url = open_server(workspace, HOST, port, embedded=True)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="topiclens-workbench", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self._server.started:
            self.stop()
            raise ConfigError(f"the workbench did not start ({self._failure or 'no answer in time'}): "
                              "try again, or run 'topiclens serve' on the directory")

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # noqa: BLE001 - kept for the one line the caller sees
            self._failure = exc
        finally:
            self._socket.close()

    @property
    def running(self) -> bool:
        """Whether the server still answers."""
        return self._thread.is_alive() and not self._server.should_exit

    def model(self):
        """The model as the workbench holds it now, with every edit made in the page (a TopicModel, read again
        when another program changed the directory)."""
        with self.workspace.lock:
            self.workspace.refresh()
            return self.workspace.model

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Stop the server (a running LLM job stops after its topic) and free the port; every edit is already
        saved in :attr:`directory`."""
        self.workspace.stop_job()
        self._server.should_exit = True
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = self.url if self.running else "stopped"
        return f"<topiclens workbench for {self.directory}: {state}>"

    def _repr_html_(self) -> str:
        import html

        where = html.escape(str(self.directory))
        if not self.running:
            return f"<div>topiclens workbench for <code>{where}</code>: stopped</div>"
        url = html.escape(self.url, quote=True)
        return (f"<div style='font-size: 13px; margin: 0 0 4px'>topiclens workbench for <code>{where}</code> "
                f"(every edit is saved there at once; <code>.stop()</code> ends it) · "
                f"<a href=\"{url}\" target=\"_blank\" rel=\"noopener noreferrer\">open in a new tab</a></div>"
                + frame(height=self.height, title="topiclens workbench", src=self.url,
                        sandbox="allow-scripts allow-same-origin allow-downloads allow-forms"))


def _plain(value: Any) -> Any:
    """``value`` as JSON would keep it (tuples as lists, numpy numbers as Python's, floats to 6 digits)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    return round(value, 6) if isinstance(value, float) else value


def same_model(saved, model) -> bool:
    """Whether ``saved`` (a model read from a directory) is ``model`` as it was saved: the same topics, documents'
    topics, labels, descriptions, tree and history (an edit, a relabel or a tree made since differs)."""
    try:
        if not np.array_equal(np.asarray(saved.topics_), np.asarray(model.topics_)):
            return False
        return all(json.dumps(_plain(getattr(saved, name)), sort_keys=True, default=str) ==
                   json.dumps(_plain(getattr(model, name)), sort_keys=True, default=str) for name in COMPARED)
    except (AttributeError, TypeError, ValueError):
        return False


def _labeler(model, labeler: Any):
    """The workspace's labeler: 'auto' is the model's own, else the bundled LLM (as ``topiclens serve``)."""
    from ...labeling.labeler import LLMLabeler
    from ...pipeline.adapt import as_labeler

    if labeler is None or labeler is False:
        return None
    if isinstance(labeler, str) and labeler == "auto":
        labeler = model.labeler if model.labeler is not None else LLMLabeler()
    return as_labeler(labeler)


def _workspace(model, directory: str | Path | None, home: Path | None, options: dict[str, Any],
               home_digest: str | None = None):
    """The workspace to serve and, when it holds a copy of ``model`` saved for it, the line that says where.
    ``home_digest``: the manifest digest ``home`` had when the model was loaded from or saved to it."""
    from ...store.modeldir import current_digest, is_model_directory
    from .workspace import Workspace

    target = home if directory is None else Path(directory)
    if target is not None and is_model_directory(target):
        workspace = Workspace(target, **options)
        if same_model(workspace.model, model):
            return workspace, None
    note = None
    if directory is None:
        target = Path(tempfile.mkdtemp(prefix="topiclens-workbench-")) / "model"
        if home is None:
            why = "this model was never saved"
        elif home_digest is not None and current_digest(home) not in (None, home_digest):
            why = (f"the model in {home} has changed since this one was loaded or saved (an edit in a workbench?): "
                   f"TopicModel.load('{home}') continues from it; meanwhile this model")
        else:
            why = f"this model has changes not saved in {home}"
        note = (f"{why}: the workbench serves a copy saved to {target}, and saves its edits there "
                f"(TopicModel.load('{target}') reads them back)")
    # a copy saves it, so the caller's model keeps the directory it came from; the model's own directory gets the
    # changes as an edit, on its undo stack
    keep = home is not None and target.resolve() == home
    copy.copy(model).save(target, keep_previous=keep)
    return Workspace(target, **options), note


def open_workbench(model, directory: str | Path | None = None, *, home: Path | None = None,
                   home_digest: str | None = None, port: int = 0, labeler: Any = "auto", threads: int | None = None,
                   height: int = DEFAULT_HEIGHT) -> Workbench:
    """Start the workbench over ``model`` in a background thread; see ``TopicModel.workbench``.

    ``home`` is the directory the model was loaded from or last saved to (None: none), ``home_digest`` the digest
    of its manifest then.
    """
    from ...views.data import check_fitted

    require_server()  # before anything is saved
    check_fitted(model)
    check_height(height)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigError(f"port={port!r} is not a port: give 1-65535, or 0 for a free one")
    options = {"labeler": _labeler(model, labeler), "threads": model.threads if threads is None else threads}
    workspace, note = _workspace(model, directory, home, options, home_digest)
    if note is not None:
        warnings.warn(note, TopicLensWarning, stacklevel=3)
    return Workbench(workspace, port=port, height=height)
