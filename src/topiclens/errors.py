"""One exception family: every message says what is wrong and what to do."""

from __future__ import annotations


class TopicLensError(Exception):
    """Base class of every error topiclens raises on purpose."""


class CorpusError(TopicLensError, ValueError):
    """The input documents cannot be used as given."""


class ConfigError(TopicLensError, ValueError):
    """A parameter or a combination of parameters is invalid."""


class ModelFileError(TopicLensError):
    """A saved model directory is missing, damaged or from another version."""


class MissingDependencyError(TopicLensError, ImportError):
    """An optional package is needed for the requested feature."""


class NotFittedError(TopicLensError, AttributeError):
    """The model must be fitted (or loaded) first."""


class TopicLensWarning(UserWarning):
    """Something was skipped or looks wrong, but the work went on."""


def require(module: str, extra: str, feature: str):
    """Import an optional module, or say which extra installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{feature} needs the '{module}' package: pip install 'topiclens[{extra}]'"
        ) from exc
