"""The pipeline's stages as objects: reduce, cluster, count words, represent, lay out, and LDA/NMF.

Each stage's protocol is declared in ``stages.protocols``; ``stages.adapt`` turns a parameter value
(a name, one of these objects, or a scikit-learn estimator) into a stage.
"""

from .classic import LDATopics, NMFTopics
from .cluster import HDBSCANClustering, KMeansClustering, LeidenClustering
from .guided import GuidedClustering
from .layout import PCALayout, UMAPLayout
from .reduce import NoReduction, PCAReduction, UMAPReduction
from .represent import Representation
from .topicmap import TopicLayout
from .vocabulary import Vocabulary

__all__ = ["GuidedClustering", "HDBSCANClustering", "KMeansClustering", "LDATopics", "LeidenClustering", "NMFTopics",
           "NoReduction", "PCALayout", "PCAReduction", "Representation", "TopicLayout", "UMAPLayout", "UMAPReduction",
           "Vocabulary"]
