"""Finding topics by meaning: a query against the topics' centroids and labels, in the model's embedding space."""

from __future__ import annotations

import numpy as np

from ..core.errors import ConfigError
from ..core.knn import normalize
from ..core.params import Number, check_param
from .fitted import Fitted


def find_topics(fitted: Fitted, query: str, top_n: int = 5) -> tuple[list[int], list[float]]:
    """The topics nearest a query, by meaning.

    The query is embedded with the model's embedding model and compared (cosine) with each topic's
    centroid (what its documents say) and with its label (what it is called); a topic's similarity
    is the mean of the two, so a query finds a topic by its content even when the label uses other
    words.

    Parameters
    ----------
    query : str
    top_n : int, default 5

    Returns
    -------
    topics : list of int
        Topic ids, most similar first.
    similarities : list of float
    """
    state = fitted.state
    check_param("TopicModel", "top_n", top_n, [Number(int, 1)])
    if not isinstance(query, str) or not query.strip():
        raise ConfigError("the query is empty: give a few words that describe the topic you look for")
    if not state.topic_ids:
        return [], []
    vectors = fitted.embed([query, *state.labels], desc="embedding the query")
    vectors = normalize(vectors)
    to_centroids = normalize(np.asarray(state.centroids, dtype=np.float32)) @ vectors[0]
    to_labels = vectors[1:] @ vectors[0]
    scores = (to_centroids + to_labels) / 2
    order = np.lexsort((np.asarray(state.topic_ids), -scores))[:top_n]
    return [int(state.topic_ids[i]) for i in order], [round(float(scores[i]), 4) for i in order]
