"""From a parameter value to a stage object, in one place.

A string is a shortcut for topiclens's default object of that name; topiclens's own objects are
checked; an object that already speaks the stage's protocol is used as it is; a scikit-learn
estimator is wrapped in its one thin adapter. ``TopicModel`` checks the values first (each
parameter declares the protocols it accepts), so these functions only dispatch. Embedding models
go through their own registry of names (``embedders.registry.make_embedder``).
"""

from __future__ import annotations

from typing import Any

from ..core.params import Conforms, Instance, IsNone, Rule
from ..guidance.spec import GuideSpec
from ..labeling.labeler import LLMLabeler
from ..stages.base import Stage
from ..stages.classic import LDATopics, NMFTopics
from ..stages.cluster import HDBSCANClustering, KMeansClustering, LeidenClustering, SklearnClusterer
from ..stages.guided import GuidedClustering
from ..stages.layout import PCALayout, UMAPLayout
from ..stages.protocols import Clusterer, Labeler, MapLayout, Reducer, Vectorizer
from ..stages.reduce import NoReduction, PCAReduction, SklearnReducer, UMAPReduction
from ..stages.represent import Representation
from ..stages.topicmap import TopicLayout
from ..stages.vocabulary import SklearnVectorizer, Vocabulary

REDUCERS = {"pca": PCAReduction, "none": NoReduction, "umap": UMAPReduction}
CLUSTERERS = {"leiden": LeidenClustering, "hdbscan": HDBSCANClustering, "kmeans": KMeansClustering}
LAYOUTS = {"umap": UMAPLayout, "topics": TopicLayout, "pca": PCALayout}
CLASSIC = {"lda": LDATopics, "nmf": NMFTopics}


def _checked(value: Any) -> Any:
    return value.check() if isinstance(value, Stage) else value


def as_reducer(value: str | Any) -> Reducer:
    """'pca' | 'none' | 'umap', a Reducer, or a scikit-learn transformer."""
    value = _checked(REDUCERS[value]() if isinstance(value, str) else value)
    return value if isinstance(value, Reducer) else SklearnReducer(value)


def as_clusterer(value: str | Any) -> Clusterer:
    """'leiden' | 'hdbscan' | 'kmeans', a Clusterer, or a scikit-learn clusterer (a GuidedClustering: the one it
    wraps; its guidance is :func:`guide_of`)."""
    if isinstance(value, GuidedClustering):
        value = _checked(value).clustering
    value = _checked(CLUSTERERS[value]() if isinstance(value, str) else value)
    return value if isinstance(value, Clusterer) else SklearnClusterer(value)


def guide_of(value: Any) -> GuideSpec | None:
    """The seed words and zero-shot names of a GuidedClustering (None for any other clustering)."""
    return value.guide() if isinstance(value, GuidedClustering) else None


def as_vectorizer(value: Any) -> Vectorizer:
    """None (the default Vocabulary), a Vectorizer, or a scikit-learn CountVectorizer-like object."""
    value = _checked(Vocabulary() if value is None else value)
    return value if isinstance(value, Vectorizer) else SklearnVectorizer(value)


def as_representation(value: Representation | None) -> Representation:
    return _checked(Representation() if value is None else value)


def as_layout(value: str | Any) -> MapLayout | None:
    """'umap' | 'topics' | 'pca' | 'none' (no map), or a MapLayout."""
    if value == "none":
        return None
    return _checked(LAYOUTS[value]() if isinstance(value, str) else value)


def as_classic(value: str | Any) -> LDATopics | NMFTopics | None:
    """None for 'embedding' (the embedding pipeline); the LDA / NMF stage otherwise."""
    if value == "embedding":
        return None
    return _checked(CLASSIC[value]() if isinstance(value, str) else value)


# What the model's ``labeler`` parameter, and the ``labeler`` argument of every labeling operation, may be.
LABELER_RULES: list[Rule] = [IsNone(), Instance(str, what="an LLM spec string"),
                             Conforms(Labeler, "a labeler object with label(topics, context)")]


def as_labeler(value: str | Any | None) -> Labeler | None:
    """None (no labels at fit), an LLM spec string (an LLMLabeler with that LLM), or a Labeler."""
    if value is None:
        return None
    if isinstance(value, str):
        value = LLMLabeler(llm=value)
    return value.check() if isinstance(value, Stage) else value
