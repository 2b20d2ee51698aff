"""LLM relabels and descriptions in the background, one topic at a time, each saved as soon as it is done.

The first finished topic saves the model as a new edit (on the undo stack); each later one replaces that
save with one more topic in it. A server killed in the middle keeps every finished label on disk and a
model directory that loads; undo takes the whole relabel back at once.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any

from ...core.errors import ConfigError


class LabelJob:
    """Ask the workspace's labeler for the labels (``kind='label'``) or descriptions of ``topics``.

    ``progress`` says how far it is: ``total``, ``done``, ``llm_calls``, ``cached`` (answers from the
    cache), ``current`` (the topic being asked about), ``finished`` ([topic, text] pairs, in order),
    ``state`` ('running', 'done', 'stopped' or 'failed') and ``error``.
    """

    def __init__(self, workspace, kind: str, topics: list[int]):
        self.workspace = workspace
        self.kind = kind
        self.topics = list(topics)
        self.progress: dict[str, Any] = {"kind": kind, "total": len(self.topics), "done": 0, "llm_calls": 0,
                                         "cached": 0, "current": None, "finished": [], "state": "running",
                                         "error": None, "seconds": 0.0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"topiclens-{kind}", daemon=True)

    @property
    def running(self) -> bool:
        return self.progress["state"] == "running"

    def start(self) -> LabelJob:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the topic being asked about (what is finished stays saved)."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def snapshot(self) -> dict[str, Any]:
        return {**self.progress, "finished": list(self.progress["finished"])}

    def _run(self) -> None:
        clock = time.perf_counter()
        try:
            for topic in self.topics:
                if self._stop.is_set():
                    self.progress["state"] = "stopped"
                    return
                self.progress["current"] = topic
                self._one(topic)
            self.progress["state"] = "done"
        except BaseException as exc:  # noqa: BLE001 - the page shows what went wrong; finished topics stay saved
            self.progress["state"] = "failed"
            self.progress["error"] = str(exc) or type(exc).__name__
            traceback.print_exc()
        finally:
            self.progress["current"] = None
            self.progress["seconds"] = round(time.perf_counter() - clock, 2)

    def _one(self, topic: int) -> None:
        """Label (or describe) one topic and save it: a new edit for the first topic, the same edit after.

        The LLM is asked outside the workspace's lock (the page keeps loading); the labeled model, a new one,
        replaces the workspace's model once it is saved. A model changed meanwhile (the directory changed
        by another program) stops the job: what was finished stays saved.
        """
        workspace = self.workspace
        with workspace.lock:
            model, generation = workspace.model, workspace.generation
        if topic not in model.topic_ids_:  # gone since the job was asked for
            return
        ask = model.label_topics if self.kind == "label" else model.describe_topics
        model = ask(workspace.labeler, topics=[topic])  # a new model: the workspace's stays as it is
        stats = model.label_stats_
        first = self.progress["done"] == 0
        if first:
            model = model.note_edit(self.kind, {"topics": self.topics}, [topic], stats, inplace=True)
        else:
            model = model.extend_edit([topic], stats, inplace=True)
        with workspace.changing(f"an LLM {self.kind}", job=True):
            if workspace.generation != generation:
                raise ConfigError("the model directory was changed by another program during the LLM job: stopped "
                                  "(the topics finished before are saved)")
            model.save_labels(workspace.directory, new_edit=first)
            workspace.model = model
            workspace._saved()
        row = model.fitted_.topic(topic)
        text = row.label if self.kind == "label" else row.description
        self.progress["llm_calls"] += int(stats.get("llm_calls", 0))
        self.progress["cached"] += int(stats.get("cached", 0))
        self.progress["finished"].append([topic, text])
        self.progress["done"] += 1
