"""The workbench's one model: loaded from its directory, changed only through TopicModel's methods, and
saved into the directory after every change, on the same undo stack ``topiclens undo`` uses.

A change another program makes to the directory (``topiclens merge``, ``undo``, ``update``) is noticed
before the next request and the model is loaded again, so the page never edits an outdated model. Every
change holds the directory's lock from the model it starts from to the save: another program writing
the directory meanwhile is refused, and while another program holds it the change is refused (409).
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ...core.errors import ConfigError, ModelBusyError
from ...editing.table import EDITS
from ...ops.mixtures import row_passages
from ...store import edits, undoredo
from ...store.modeldir import MANIFEST, locked
from .changes import describe_change, run_edit
from .requests import EXPORTS, EditRequest


class Busy(ConfigError):
    """A request that has to wait for a running LLM job."""


class Workspace:
    """One saved model directory, open for reading and editing.

    Parameters
    ----------
    directory : Path
        A directory written by ``topiclens fit`` (or ``TopicModel.save``).
    labeler : LLMLabeler, optional
        What relabels and describes topics; None: the LLM actions are off.
    threads : int, optional
        CPU threads for the model's work.
    """

    def __init__(self, directory: Path, labeler: Any = None, threads: int | None = None):
        self.directory = Path(directory)
        self.labeler = labeler
        self.threads = threads
        self.lock = threading.RLock()
        self.job = None  # the running or last LLM job (jobs.LabelJob)
        self.order: np.ndarray | None = None
        self.order_version = 0  # a page whose points came in another order must load again
        self.generation = 0  # counts the models this workspace has held
        self._preview: tuple[tuple, int, Any] | None = None
        self._load()
        threading.Thread(target=self._warm_up, name="topiclens-warm-up", daemon=True).start()

    def _warm_up(self) -> None:
        """Load what the first edit needs (the keyword embedder, the word counts) while the page opens; without
        the lock, so the page is not kept waiting (at worst an edit asked for meanwhile loads them too)."""
        model = self.model
        try:
            model.fitted_.word_counts()
            if model.fitted_.optional_encoder() is not None:
                model.embed(["topiclens"], desc="loading the embedder")
        except Exception:  # noqa: BLE001 - only a head start: the first edit loads them itself
            pass

    # ------------------------------------------------------------------ the model on disk
    def _signature(self) -> tuple:
        stat = (self.directory / MANIFEST).stat()
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def _load(self) -> None:
        from ...model import TopicModel
        from ...views.data import map_data
        from ...views.report import point_order

        self.model = TopicModel.load(self.directory, verbose=False, threads=self.threads)
        self._saved()
        points = map_data(self.model)
        if self.order is None or not np.array_equal(np.sort(self.order), points.doc_index):
            self.order = point_order(points)  # other documents on the map: the page loads them again
            self.order_version += 1

    def _saved(self) -> None:
        """The model in memory is the one in the directory now."""
        self.seen = self._signature()
        self.generation += 1
        self._preview = None

    def refresh(self) -> bool:
        """Load the model again when another program changed the directory; True when it did."""
        with self.lock:
            if self._signature() == self.seen:
                return False
            self._load()
            return True

    @contextlib.contextmanager
    def changing(self, what: str, *, job: bool = False) -> Iterator[None]:
        """Hold the workspace and the directory's lock (the model loaded again first if another program changed
        the directory) for one change; refused (Busy) while an LLM job (unless ``job``: the job's own save) or
        another program writes."""
        with self.lock:
            if not job:
                self.check_idle()
            try:
                with locked(self.directory, f"topiclens serve ({what})", create=False):
                    self.refresh()
                    yield
            except ModelBusyError as exc:
                raise Busy(str(exc)) from None

    def check_idle(self) -> None:
        """Raise Busy while an LLM job runs (it saves the model topic by topic)."""
        if self.job is not None and self.job.running:
            raise Busy(f"an LLM {self.job.kind} is running ({self.job.progress['done']} of "
                       f"{self.job.progress['total']} topics): wait for it, or stop it")

    # ------------------------------------------------------------------ what the page shows
    def page_data(self, max_chars: int = 300) -> dict[str, Any]:
        """Everything the page needs at first: the explorer's data with the points in this workspace's order."""
        from ...views.report import report_data

        with self.lock:
            self.refresh()
            data = report_data(self.model, max_chars, order=self.order)
            return {**data, "workbench": self.state()}

    def topics_data(self) -> dict[str, Any]:
        """What changes with an edit: topics, each point's topic, tree, trends, history (no texts, no points)."""
        from ...views.report import report_data

        with self.lock:
            reloaded = self.refresh()
            data = report_data(self.model, order=self.order, texts=False)
            return {**data, "workbench": self.state(), "reloaded": reloaded}

    def document(self, point: int, order_version: int) -> dict[str, Any]:
        """One document of the page whole, as its passages (their text, and the topic each is about: ``explain``,
        or, where the model's documents are passages, the topic the fit gave each passage of the document); the
        page puts every text in with textContent."""
        with self.lock:
            self.refresh()
            if order_version != self.order_version:
                raise ConfigError("the map's documents changed since the page was loaded: load the page again")
            if point >= len(self.order):
                raise ConfigError(f"no document at point {point}: the map has {len(self.order)}")
            row = int(self.order[point])
            model = self.model
        document, spans = row_passages(model.fitted_, row)
        return {"point": point, "id": document, "topic": int(model.topics_[row]),
                "passages": [{"text": s.text, "topic": int(s.topic), "label": s.label, "share": float(s.share)}
                             for s in spans.itertuples()]}

    def state(self) -> dict[str, Any]:
        """The history (done and undone), the LLM, the running job and the model's generation."""
        return {"history": list(self.model.history_), "undone": edits.undone(self.directory),
                "can_undo": bool(edits.settled_stack(self.directory)), "generation": self.generation,
                "llm": getattr(self.labeler, "llm", None), "exports": list(EXPORTS),
                "edits": [edit.record() for edit in EDITS.values()],
                "job": None if self.job is None else self.job.snapshot(), "order_version": self.order_version}

    # ------------------------------------------------------------------ edits
    def preview(self, request: EditRequest) -> dict[str, Any]:
        """What ``request`` would change, from the edit run on a copy (kept for the apply that follows), with the
        model's generation (an apply for another generation is refused)."""
        with self.lock:
            self.check_idle()
            self.refresh()
            edited = self._edited(request)
            return {**describe_change(self.model, edited), "generation": self.generation}

    def _edited(self, request: EditRequest):
        cached = self._preview
        if cached is not None and cached[0] == request.key() and cached[1] == self.generation:
            return cached[2]
        edited = run_edit(self.model, request)
        self._preview = (request.key(), self.generation, edited)
        return edited

    def apply(self, request: EditRequest, generation: int | None = None) -> dict[str, Any]:
        """Run ``request`` (or take its preview's result) and save it into the directory at once.

        ``generation``: the one the preview was made for; refused when the model changed since.
        """
        with self.changing("an edit"):
            if generation is not None and generation != self.generation:
                raise Busy("the model changed since this preview (an undo, or another program): preview it again")
            before = self.model
            edited = self._edited(request)
            change = describe_change(before, edited)
            edited.save(self.directory, keep_previous=True)
            self.model = edited
            self._saved()
            return change

    def rename(self, topic: int, label: str) -> dict[str, Any]:
        """Give ``topic`` the label ``label`` (saved as an edit of its own; the model changes once saved)."""
        with self.changing("a rename"):
            model = self.model.rename_topic(topic, label)
            model.save_labels(self.directory, new_edit=True)
            self.model = model
            self._saved()
            return dict(model.edit_["arguments"])  # topic, label, was

    def step(self, which: str) -> dict[str, Any]:
        """Undo (``which='undo'``) or redo the newest edit on disk, and load the model it leaves."""
        with self.changing(which):
            record = undoredo.undo(self.directory) if which == "undo" else undoredo.redo(self.directory)
            self._load()
            return {which: record}

    # ------------------------------------------------------------------ the LLM
    def start_job(self, kind: str, topics: list[int] | None) -> dict[str, Any]:
        """Start relabeling (``kind='label'``) or describing ``topics`` (None: every topic without a name
        given at fit) in the background; returns the job's first progress."""
        from ...state import check_topics
        from .jobs import LabelJob

        with self.lock:
            self.check_idle()
            self.refresh()
            if self.labeler is None:
                raise ConfigError("no LLM: this workbench was started with --no-llm; start it again with --llm")
            ids = list(self.model.topic_ids_)
            if topics is None:
                given = self.model.given_labels_ or [""] * len(ids)
                topics = [t for t, name in zip(ids, given) if not name]
            check_topics(ids, topics)
            self.job = LabelJob(self, kind, sorted(topics)).start()
            return self.job.snapshot()

    def stop_job(self) -> dict[str, Any] | None:
        """Ask the running job to stop after its current topic."""
        if self.job is not None:
            self.job.stop()
            return self.job.snapshot()
        return None

    # ------------------------------------------------------------------ exports
    def export(self, name: str) -> bytes:
        """The bytes of one export (``requests.EXPORTS``), written to a private temporary folder first."""
        from ...io.export import write_table
        from ...views.report import write_report

        with self.lock:
            self.refresh()
            model = self.model
            with tempfile.TemporaryDirectory(prefix="topiclens-export-") as folder:
                path = Path(folder) / name
                if name == "report.html":
                    write_report(model, path)
                elif name == "map.png":
                    model.static_map(path, dpi=150)
                elif name.startswith("documents."):
                    write_table(model.document_info(), path)
                else:
                    write_table(_flat_topics(model.topic_info()), path)
                return path.read_bytes()


def _flat_topics(table):
    """The topic table with its word and document lists as text (a CSV cell and a parquet column both take it)."""
    table = table.copy()
    for column in ("keywords", "keybert", "mmr", "representative_docs"):
        table[column] = table[column].map(", ".join)
    return table
