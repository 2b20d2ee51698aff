"""topiclens: topic modeling with readable labels, local by default.

The names below load on first use, so ``import topiclens`` (and ``topiclens --help``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .core.errors import (
    ConfigError,
    CorpusError,
    MissingDependencyError,
    ModelFileError,
    NotFittedError,
    TopicLensError,
    TopicLensWarning,
)

_WHERE = {
    "TopicModel": ".model",
    "Corpus": ".io.corpus", "read_corpus": ".io.corpus", "as_corpus": ".io.documents", "write_table": ".io.export",
    "NoReduction": ".stages.reduce", "PCAReduction": ".stages.reduce", "UMAPReduction": ".stages.reduce",
    "LeidenClustering": ".stages.cluster", "HDBSCANClustering": ".stages.cluster",
    "KMeansClustering": ".stages.cluster", "GuidedClustering": ".stages.guided",
    "Vocabulary": ".stages.vocabulary", "Representation": ".stages.represent",
    "UMAPLayout": ".stages.layout", "PCALayout": ".stages.layout", "TopicLayout": ".stages.topicmap",
    "LDATopics": ".stages.classic", "NMFTopics": ".stages.classic",
    "LLMLabeler": ".labeling.labeler",
    "undo": ".store.undoredo",
}

if TYPE_CHECKING:
    from .io.corpus import Corpus, read_corpus
    from .io.documents import as_corpus
    from .io.export import write_table
    from .labeling.labeler import LLMLabeler
    from .model import TopicModel
    from .stages.classic import LDATopics, NMFTopics
    from .stages.cluster import HDBSCANClustering, KMeansClustering, LeidenClustering
    from .stages.guided import GuidedClustering
    from .stages.layout import PCALayout, UMAPLayout
    from .stages.reduce import NoReduction, PCAReduction, UMAPReduction
    from .stages.represent import Representation
    from .stages.topicmap import TopicLayout
    from .stages.vocabulary import Vocabulary
    from .store.undoredo import undo


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load(directory) -> TopicModel:
    """Load a saved model directory (same as ``TopicModel.load``)."""
    from .model import TopicModel

    return TopicModel.load(directory)


__all__ = [
    "ConfigError", "Corpus", "CorpusError", "GuidedClustering", "HDBSCANClustering", "KMeansClustering", "LDATopics",
    "LLMLabeler",
    "LeidenClustering", "MissingDependencyError", "ModelFileError", "NMFTopics", "NoReduction", "NotFittedError",
    "PCALayout", "PCAReduction", "Representation", "TopicLayout", "TopicLensError", "TopicLensWarning", "TopicModel",
    "UMAPLayout",
    "UMAPReduction", "Vocabulary", "__version__", "as_corpus", "load", "read_corpus", "undo", "write_table",
]
