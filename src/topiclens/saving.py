"""TopicModel.save and TopicModel.load: a fitted model to a directory and back, without pickle."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import ConfigError, ModelFileError
from .params import Unrestored, check_param

# What a model directory restores; the rest (where LLM requests, keys, caches and work go, and how
# this process runs) is always the caller's choice, never the files'.
PIPELINE_PARAMS = ("model", "embedding_model", "reduction", "clustering", "vectorizer", "representation", "layout",
                   "language", "n_neighbors", "knn", "min_cluster_size", "nr_topics", "outlier_threshold",
                   "mixed_topics", "sample_size", "chunk_size", "seed")


class SavingMethods:
    """Saving a fitted model and loading one; mixed into :class:`~topiclens.TopicModel`."""

    def save(self, directory: str | Path, *, keep_previous: bool = False) -> Path:
        """Write the model as JSON + .npy/.npz + parquet (no pickle).

        Parameters
        ----------
        directory : str or Path
            Missing, empty, or holding a topiclens model, which is replaced; other files in it are kept.
            A directory that holds other files and no model is refused, as is a file or a symlink.
        keep_previous : bool, default False
            Keep the model this save replaces on the directory's undo stack (what an edit does:
            :func:`topiclens.undo` puts it back, file for file). False clears the stack.

        Returns
        -------
        Path
            The directory.

        Raises
        ------
        ModelFileError
            With ``keep_previous``, when the directory is the one this model was loaded from (or last saved to)
            and another program changed it since: an edit never silently replaces another.
        """
        from .io.writing import save_state

        directory = Path(directory)
        expected = self._saved_digest(directory) if keep_previous else None
        saved = save_state(self._state(), self._pipeline_record(), directory, edit=keep_previous, expected=expected)
        self._saved_as = (directory.resolve(), saved)
        return directory

    def save_labels(self, directory: str | Path, *, new_edit: bool = True) -> Path:
        """Save a change of labels, descriptions or history only, over the arrays already in ``directory``.

        Parameters
        ----------
        directory : str or Path
            The model directory this model was loaded from or last saved to, holding the same topics.
        new_edit : bool, default True
            Keep the saved model on the undo stack first (the change is a new edit). False replaces the
            saved manifest and leaves the stacks alone: the next step of a change saved as it goes.

        Returns
        -------
        Path
            The directory.
        """
        from .io.writing import save_labels

        self._check_fitted()
        directory = Path(directory)
        saved = save_labels(self._state(), self._pipeline_record(), directory, new_edit=new_edit,
                            expected=self._saved_digest(directory))
        self._saved_as = (directory.resolve(), saved)
        return directory

    def _saved_digest(self, directory: Path) -> str | None:
        """The digest of the manifest this model was loaded from or saved as, when that was in ``directory``."""
        origin = getattr(self, "_saved_as", None)
        return origin[1] if origin is not None and origin[0] == Path(directory).resolve() else None

    @classmethod
    def load(cls, directory: str | Path, **params: Any):
        """Read a model directory written by :meth:`save`; never runs code from the files.

        Parameters
        ----------
        directory : str or Path
        **params
            TopicModel parameters. The pipeline's settings come from the directory and ``params``
            override them (``embedding_model=`` also sets the model that embeds new documents); the
            labeler, cache, work directory, Dask client, threads and verbosity come only from
            ``params``. A user's own stage object cannot be restored from files: pass it again here
            to fit (or, for an embedder, to embed) with it.

        Returns
        -------
        TopicModel
        """
        from .embedders.registry import resolve_embedding_model
        from .io.persist import load_state
        from .io.records import restore_param

        state, records, saved = load_state(Path(directory))
        restored = {name: restore_param(records[name]) for name in PIPELINE_PARAMS if name in records}
        restored.setdefault("mixed_topics", "keep")  # saved before mixed topics were split: fitted keeping them
        _check_restored(cls, restored, Path(directory))
        model = cls(**{**restored, **params})
        if "embedding_model" in params:  # new documents are embedded with the model the caller names
            state = replace(state, embedding_model=resolve_embedding_model(params["embedding_model"], state.language))
        model._assign(state)
        model._saved_as = (Path(directory).resolve(), saved)
        return model


def _check_restored(model_class: type, restored: dict[str, Any], directory: Path) -> None:
    """A model file's settings pass the same checks as the caller's would (an edited file is refused)."""
    from .stages.base import Stage

    for name, value in restored.items():
        if isinstance(value, Unrestored):
            continue
        try:
            check_param(model_class.__name__, name, value, model_class._constraints[name])
            if isinstance(value, Stage):
                value.check()
        except ConfigError as exc:
            raise ModelFileError(f"{directory / 'topiclens.json'} holds an invalid setting ({exc}); fit the model "
                                 "again") from None
