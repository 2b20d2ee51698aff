"""One exception family: every message says what is wrong and what to do."""

from __future__ import annotations

import errno


class TopicLensError(Exception):
    """Base class of every error topiclens raises on purpose."""


class CorpusError(TopicLensError, ValueError):
    """The input documents cannot be used as given."""


class ConfigError(TopicLensError, ValueError):
    """A parameter or a combination of parameters is invalid."""


class ModelFileError(TopicLensError):
    """A saved model directory is missing, damaged or from another version."""


class ModelBusyError(ModelFileError):
    """Another process is writing the model directory (it holds the directory's lock)."""


class MissingDependencyError(TopicLensError, ImportError):
    """An optional package is needed for the requested feature."""


NOT_FITTED = "this TopicModel is not fitted: call fit(docs) or TopicModel.load(dir) first"


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
            f"{feature} needs the '{module.partition('.')[0]}' package: pip install 'topiclens[{extra}]'"
        ) from exc


def require_installed(module: str, extra: str, feature: str) -> None:
    """As :func:`require`, without importing ``module``: checked before work starts that will need it."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        require(module, extra, feature)


def describe_os_error(exc: OSError) -> str:
    """What went wrong with a file, and what to do about it, in one line (the command line and the workbench
    say the same)."""
    where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
    short_write = exc.errno is None and "written" in str(exc)  # numpy's "N requested and M written"
    if short_write or exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        fix = "free some space (or write elsewhere: another path, or $TOPICLENS_CACHE for the cache) and try again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = "check the permissions, or choose another place"
    else:
        fix = "check the path and run the command again"
    reason = "the disk is full" if short_write else exc.strerror or exc
    return f"cannot read or write{where} ({reason}): {fix}; finished work is kept"
