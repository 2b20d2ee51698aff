"""topiclens: topic modeling with readable labels, local by default."""

__version__ = "0.1.0"

from .corpus import Corpus, TopicLensWarning, read_corpus  # noqa: E402
from .errors import (  # noqa: E402
    ConfigError,
    CorpusError,
    MissingDependencyError,
    ModelFileError,
    NotFittedError,
    TopicLensError,
)
from .model import TopicModel  # noqa: E402


def load(directory) -> "TopicModel":
    """Load a saved model directory (same as TopicModel.load)."""
    return TopicModel.load(directory)


__all__ = [
    "ConfigError", "Corpus", "CorpusError", "MissingDependencyError", "ModelFileError", "NotFittedError",
    "TopicLensError", "TopicLensWarning", "TopicModel", "__version__", "load", "read_corpus",
]
