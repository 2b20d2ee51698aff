"""The base of topiclens's own stage objects: a scikit-learn estimator whose parameters are declared."""

from __future__ import annotations

from typing import ClassVar

from sklearn.base import BaseEstimator

from ..core.params import Rule, check_params


class Stage(BaseEstimator):
    """``__init__`` only stores; ``check()`` validates every declared parameter before any work.

    Being a scikit-learn estimator gives ``get_params``/``set_params``, ``clone`` and a readable
    ``repr``, and lets ``TopicModel.get_params(deep=True)`` list nested names such as
    ``clustering__resolution``.
    """

    _constraints: ClassVar[dict[str, list[Rule]]] = {}

    def check(self) -> Stage:
        """Raise ConfigError on the first invalid parameter; return self."""
        check_params(self)
        return self
