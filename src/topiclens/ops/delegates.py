"""How TopicModel's methods are made from operations, and the one rule for what a method does to a model.

- ``fit`` and ``partial_fit`` change the model and return it, as every scikit-learn estimator's do.
- Every other operation that changes topics, labels, descriptions, the tree or the history (edits,
  ``label_topics``, ``describe_topics``, ``set_labels``, ``build_hierarchy``, ``note_edit``, ...) returns a new
  model and leaves the one it was called on as it was; ``inplace=True`` changes that one instead and returns it.
  The call counts of a labeling, a description or the naming of the tree are in the result's ``label_stats_``.
- Everything else reads: it returns a value (an array, a table, a figure, a dict) and changes nothing.

An operation is a plain function whose first argument is a :class:`~topiclens.ops.fitted.Fitted`; :func:`changing`
and :func:`reading` turn it into a method with the operation's own signature and docstring.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

INPLACE_DOC = ("    inplace : bool, default False\n"
               "        Change this model and return it, instead of returning a new model and leaving this one "
               "as it is.\n")
_RETURNS_FITTED = "\n\n    Returns\n    -------\n    Fitted\n"
_RETURNS_MODEL = "\n\n    Returns\n    -------\n    TopicModel\n"


def changing(operation: Callable[..., Any]) -> Callable[..., Any]:
    """A method that runs ``operation`` on the model's fitted state and returns a new model holding the result
    (this model, changed, with ``inplace=True``)."""
    def method(self, *args: Any, inplace: bool = False, **kwargs: Any):
        return self._with(operation(self.fitted_, *args, **kwargs), inplace)

    raw, start = _returns_fitted(operation)
    method.__doc__ = raw[:start] + "\n" + INPLACE_DOC.rstrip("\n") + _RETURNS_MODEL + raw[start + len(_RETURNS_FITTED):]
    inplace = inspect.Parameter("inplace", inspect.Parameter.KEYWORD_ONLY, default=False, annotation="bool")
    return _named(method, operation, extra=[inplace], returns="TopicModel")


def returning_self(operation: Callable[..., Any], says: str) -> str:
    """``operation``'s docstring for a method that changes the model in place and returns it."""
    raw, start = _returns_fitted(operation)
    end = raw.find("\n\n", start + len(_RETURNS_FITTED))
    rest = raw[end:] if end >= 0 else "\n    "
    return raw[:start] + f"\n\n    Returns\n    -------\n    self\n        {says}" + rest


def _returns_fitted(operation: Callable[..., Any]) -> tuple[str, int]:
    """``operation``'s docstring and where its Returns section (which must name ``Fitted``) starts."""
    raw = operation.__doc__ or ""
    start = raw.find(_RETURNS_FITTED)
    if start < 0:
        raise TypeError(f"{operation.__name__}'s docstring must say it returns Fitted")
    return raw, start


def reading(operation: Callable[..., Any]) -> Callable[..., Any]:
    """A method that returns what ``operation`` returns for the model's fitted state; the model is unchanged."""
    def method(self, *args: Any, **kwargs: Any):
        return operation(self.fitted_, *args, **kwargs)

    method.__doc__ = operation.__doc__
    return _named(method, operation)


def _named(method: Callable[..., Any], operation: Callable[..., Any], extra: list | None = None,
           returns: Any = inspect.Signature.empty) -> Callable[..., Any]:
    """``method`` named like ``operation``, with its signature (``self`` in place of the fitted state)."""
    signature = inspect.signature(operation)
    parameters = list(signature.parameters.values())[1:]
    keyword_only = [p for p in parameters if p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD)]
    if extra and keyword_only and keyword_only[-1].kind is inspect.Parameter.VAR_KEYWORD:
        parameters = parameters[:-1] + extra + parameters[-1:]
    else:
        parameters = parameters + (extra or [])
    self_parameter = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    method.__signature__ = inspect.Signature(
        [self_parameter, *parameters],
        return_annotation=returns if returns is not inspect.Signature.empty else signature.return_annotation)
    method.__name__ = operation.__name__
    method.__qualname__ = f"TopicModel.{operation.__name__}"
    method.__module__ = "topiclens.model"
    method.operation = operation  # what the method runs (the table of operations reads it)
    return method
