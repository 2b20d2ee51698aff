"""GuidedClustering: any clusterer, started from what the user knows (seed words, zero-shot topic names)."""

from __future__ import annotations

from typing import Any, ClassVar

from ..core.choices import CLUSTERINGS
from ..core.params import Conforms, IsNone, Number, OneOf, Rule
from ..guidance.spec import GuideSpec, NameList, WordLists
from .base import Stage
from .protocols import Clusterer, FitPredictor


class GuidedClustering(Stage):
    """Clustering guided by seed words and zero-shot topic names, around any clusterer.

    Parameters
    ----------
    clustering : str, a clusterer, or a scikit-learn clusterer, default 'leiden'
        One of 'leiden', 'hdbscan', 'kmeans', or an object.
        What clusters the documents that no name claims (as ``TopicModel(clustering=...)``).
    seed_topics : list of lists of str, or None, default None
        Guided topics, e.g. ``[['vaccine', 'dose', 'mrna'], ['tax', 'budget']]``: the documents that contain
        a seed's words are moved halfway toward their own mean before clustering, clusters made mostly of
        them become one topic, and the seed words weigh double in that topic's keywords. Seed words that
        are not in the vocabulary are named in a warning.
    zeroshot_topics : list of str or None, default None
        Topic names known in advance, e.g. ``['Networking', 'Databases']``: a document whose embedding is at
        least ``zeroshot_min_similarity`` similar to a name's (and most similar to that one) goes to that
        name's topic, as does a cluster of the other documents whose centroid is that similar; the topic
        keeps the name as its label (no LLM call for it). Names no document reaches are named in a warning.
    zeroshot_min_similarity : float, default 0.4
        The cosine needed to join a zero-shot topic (all-MiniLM-L6-v2 puts a short name and a document on
        its subject at about 0.3-0.6; the README measures 0.3, 0.4 and 0.5 on the Debian corpus).
    """

    _constraints: ClassVar[dict[str, list[Rule]]] = {
        "clustering": [OneOf(CLUSTERINGS), Conforms(Clusterer, "a clusterer object with cluster(vectors, graph, "
                                                               "context)"),
                       Conforms(FitPredictor, "a scikit-learn clusterer with fit_predict")],
        "seed_topics": [IsNone(), WordLists()],
        "zeroshot_topics": [IsNone(), NameList()],
        "zeroshot_min_similarity": [Number(float, -1.0, 1.0)],
    }

    def __init__(self, clustering: Any = "leiden", seed_topics: list[list[str]] | None = None,
                 zeroshot_topics: list[str] | None = None, zeroshot_min_similarity: float = 0.4) -> None:
        self.clustering = clustering
        self.seed_topics = seed_topics
        self.zeroshot_topics = zeroshot_topics
        self.zeroshot_min_similarity = zeroshot_min_similarity

    def guide(self) -> GuideSpec | None:
        """The checked guidance (None when neither seeds nor names are given)."""
        self.check()
        return GuideSpec.of(self.seed_topics, self.zeroshot_topics, self.zeroshot_min_similarity)
