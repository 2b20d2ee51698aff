"""TopicModel: composes the stages and owns what they learned."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator

from .breakdown.methods import BreakdownMethods
from .choices import CLUSTERINGS, KNN_METHODS, LANGUAGES, LAYOUTS, MIXED_DEFAULT, MIXED_HANDLING, MODELS, REDUCTIONS
from .editing.methods import EditingMethods
from .embedders.registry import check_embedding_spec
from .fitted import FittedState
from .growing.methods import GrowthMethods
from .hierarchy.methods import HierarchyMethods
from .io.corpus import as_corpus
from .io.records import fingerprint_record, param_record
from .labeling.methods import LabelMethods
from .params import (
    Conforms,
    HasMethods,
    Instance,
    IsNone,
    Number,
    OneOf,
    Rule,
    check_params,
)
from .pipeline.fit import fit_topics
from .pipeline.plan import FitPlan, require_chosen_extras
from .placing import Documents, Embeddings, PlacingMethods
from .saving import PIPELINE_PARAMS, SavingMethods
from .search import SearchMethods
from .stages import adapt
from .stages.classic import LDATopics, NMFTopics
from .stages.guided import GuidedClustering
from .stages.protocols import (
    Clusterer,
    CountVectorizerLike,
    Embedder,
    FitPredictor,
    FitTransformer,
    Labeler,
    MapLayout,
    Reducer,
    Vectorizer,
)
from .stages.represent import Representation
from .views.methods import ViewMethods


class TopicModel(FittedState, PlacingMethods, LabelMethods, EditingMethods, GrowthMethods, HierarchyMethods,
                 SearchMethods, BreakdownMethods, ViewMethods, SavingMethods, BaseEstimator):
    """Topics of a document collection: embed, reduce, cluster, rank words, represent, label.

    A scikit-learn estimator: the constructor only stores its parameters, every parameter is
    checked before any work starts, ``get_params(deep=True)`` lists nested stage settings
    (``clustering__resolution``), and ``set_params``, ``sklearn.base.clone`` and ``repr`` work.
    What the model learns ends in an underscore and is assigned in one place.

    Parameters
    ----------
    model : {'embedding', 'lda', 'nmf'} or LDATopics or NMFTopics, default 'embedding'
        'embedding': embed, reduce, cluster. 'lda' / 'nmf' (or the objects, for their settings):
        classic topic models on the word counts, ``nr_topics`` topics (20 by default).
    embedding_model : str, path or Embedder, default 'auto'
        'auto': int8 all-MiniLM-L6-v2 (``minilm-int8``), or the multilingual Universal Sentence
        Encoder (``use-multilingual``) for Chinese; ``all-MiniLM-L6-v2`` (fp32), ``minilm-onnx``,
        ``minilm-static``; a local sentence-transformers directory; or any object with ``name`` and
        ``encode(texts)`` (e.g. ``OnnxMiniLMEmbedder(max_seq_length=128)``). None: embeddings must be
        given to ``fit`` and no KeyBERT/MMR keywords are computed.
    reduction : {'pca', 'none', 'umap'}, a reducer, or a scikit-learn transformer, default 'pca'
        'pca' is ``PCAReduction(64)``, 'umap' ``UMAPReduction()``. A transformer such as
        ``sklearn.decomposition.PCA(32)`` is cloned and fitted on the unit-length embeddings; if it
        is affine its map is saved as arrays and places new documents, else new documents are
        compared in the embedding space.
    clustering : {'leiden', 'hdbscan', 'kmeans'}, a clusterer, or a scikit-learn clusterer, default 'leiden'
        'leiden' is ``LeidenClustering()`` (``resolution`` on the object), 'hdbscan'
        ``HDBSCANClustering()``, 'kmeans' needs ``KMeansClustering(n_clusters=N)``. Any estimator with
        ``fit_predict`` (or ``fit`` and ``labels_``), e.g. ``AgglomerativeClustering(n_clusters=20)``,
        is cloned and used as it is; negative labels are outliers. ``GuidedClustering(clustering, seed_topics=,
        zeroshot_topics=)`` wraps any of these with seed words and topic names known in advance.
    vectorizer : Vocabulary, a CountVectorizer-like object, or None, default None
        Which words are ranked: None is ``Vocabulary()`` (English stop words, unigrams, min_df=2; jieba
        words for Chinese). A scikit-learn vectorizer is cloned and its own tokenizer used.
    representation : Representation or None, default None
        Keyword weighting, keywords per topic, KeyBERT candidates, MMR diversity, representative
        documents (None: ``Representation()``).
    labeler : str, LLMLabeler, a labeler object, or None, default None
        Labels written at the end of ``fit``: an LLM spec such as 'qwen2.5-coder-1.5b' (bundled),
        'llama-cpp:PATH.gguf', 'hf:DIR', 'openai:MODEL@URL', or ``LLMLabeler(llm, ...)`` with its
        template, language, word cap and document budget. None: keyword labels until
        ``label_topics`` is called.
    layout : {'topics', 'umap', 'pca', 'none'} or a layout object, default 'topics'
        The document map's 2-D layout, computed at fit: 'topics' is ``TopicLayout()`` (topic discs placed
        by similarity, then a few epochs of neighbour forces; a fraction of a second), 'umap' is
        ``UMAPLayout()`` (UMAP on the kNN graph; seconds, plus numba's start-up).
    language : str, default 'auto'
        The corpus language, an ISO 639 code the detector knows ('de', 'ja', 'ru', 'zh', ...): it picks
        the stop words, the segmenter (jieba for 'zh', Sudachi for 'ja'), the embedder for
        ``embedding_model='auto'`` (all-MiniLM for 'en', use-multilingual otherwise) and the label
        language. 'auto' detects it with py3langid from 300 documents spread over the corpus; a second
        language in 20 % of them or more is noted, and the whole corpus is handled as the main one.
    n_neighbors : int, default 15
        Neighbours in the kNN graph (clustering, probabilities, map, assignment of new documents).
    knn : {'auto', 'exact', 'approximate'}, default 'auto'
        How neighbours are found: by comparing every pair ('exact'), or through an HNSW graph (faiss;
        'approximate': recall@15 about 0.99 on sentence embeddings, several times faster on big corpora).
        'auto' is approximate only when both the indexed and the searched documents number 50,000 or
        more (the sample of a big corpus and the rest assigned to it), exact otherwise.
    min_cluster_size : int or None, default None
        The smallest topic for Leiden and HDBSCAN: smaller clusters become outliers (None: 0.2 % of
        the documents, at least 10). Also the fewest documents a fit accepts.
    nr_topics : int or None, default None
        Merge the smallest topic into its most similar one until this many remain (LDA/NMF: the
        number of topics).
    outlier_threshold : float or None, default None
        Move each outlier to the topic with the most similar centroid when the cosine similarity is at
        least this (None: outliers stay).
    mixed_topics : {'split', 'keep', 'outliers'}, default 'split'
        What happens to a *mixed* topic, one whose documents gather loosely (tightness below 0.5, see
        :mod:`topiclens.pipeline.coherence`; blind judges found most such topics had no common theme):
        'split' it into the parts Leiden finds among its documents (the judges found most parts
        coherent), 'keep' it (``topic_info()`` marks it ``mixed``), or send its documents to the
        'outliers'. Decided before ``nr_topics`` merges; a guided fit, and a clustering told how many
        clusters to find (``n_clusters``), keeps them.
    sample_size : int or None, default 100000
        Above this many documents, cluster a seeded sample and assign the rest (None: never sample).
    chunk_size : int, default 50000
        Documents per chunk of big-corpus work.
    client : dask.distributed.Client, str or None, default None
        Run embedding, assignment and word counts on a Dask cluster (a client or a scheduler address).
    work_dir : str, path or None, default None
        Where finished big-corpus chunks are kept so an interrupted run resumes (None: the cache).
    seed : int, default 42
        Every random step (PCA, Leiden, UMAP, KMeans, LDA, NMF, the sample).
    threads : int or None, default None
        BLAS, torch, numba and LLM threads (None: ``$TOPICLENS_THREADS``, else every core).
    cache : bool or path, default True
        Embeddings and LLM answers on disk (True: ``$TOPICLENS_CACHE`` or ``~/.cache/topiclens``).
    verbose : bool, default True
        Progress bars on stderr.

    Attributes
    ----------
    corpus_ : Corpus
        The input documents, ids and other fields, in input order (``n`` documents).
    usable_ : ndarray of shape (n,), bool
        Documents with text (empty ones are kept as outliers).
    topics_ : ndarray of shape (n,), int64
        Each document's topic, -1 for outliers.
    probabilities_ : ndarray of shape (n, n_topics), float32
        Each document's share of its neighbours' similarity per topic (LDA/NMF: its topic mixture);
        what a row falls short of 1 is the outliers' share.
    sample_ : ndarray of shape (n,), bool
        Documents that were clustered (all of them unless the corpus was sampled).
    embeddings_ : ndarray of shape (n_usable, dim), float32 or float16
        Unit-length embeddings of the usable documents (float16 when they were given as float16; a big
        corpus's embeddings, and those of a loaded model, stay memory-mapped from their ``.npy`` file).
    projection_ : LinearMap or None
        Places new embeddings in the neighbour space of the clustering (None: the embedding space).
    vectorizer_ : WordCounter
        The fitted vocabulary; ``words_`` lists its words.
    ctfidf_ : sparse matrix of shape (n_topics, n_words)
        Each topic's word weights (LDA/NMF: the topic-word matrix, rows summing to 1).
    topic_ids_ : list of int
        The topic ids, ascending: ``[0, ..., n_topics - 1]`` after a fit (topic 0 the largest); an edit keeps
        the ids of the topics it does not touch, so an edited model's ids can have gaps. Every per-topic
        attribute is in this order (``labels_[i]`` is topic ``topic_ids_[i]``'s).
    topic_sizes_ : list of int, length n_topics
    keywords_, keybert_, mmr_ : list of n_topics lists of (word, score)
        c-TF-IDF keywords, KeyBERT-style keywords (cosine to the centroid), MMR keywords.
    representative_docs_ : list of n_topics lists of int
        Rows of each topic's documents nearest its centroid.
    centroids_ : ndarray of shape (n_topics, dim), float32
    layout_ : ndarray of shape (n, 2), float32, or None
        Map coordinates (NaN for empty documents); None with ``layout='none'``.
    labels_ : list of str
        The label in use per topic: the keyword label after ``fit``, replaced by the labeler's
        (``label_topics``) or by hand (``set_labels``), whichever came last.
    llm_labels_ : list of str or None
        The labeler's labels, once asked.
    llm_name_ : str or None
        What wrote ``llm_labels_`` (e.g. 'llama-cpp:qwen2.5-coder-1.5b').
    label_stats_ : dict
        Call counts of the last labeling (``llm_calls``, ``cached``, ``reasked``, ``fallbacks``, ``skipped``).
    label_evidence_ : list of list of int, or None
        Per topic, the document rows the LLM was shown when it wrote the label (empty for a topic it
        has not labeled); None before any LLM labeling.
    descriptions_ : list of str or None
        One or two sentences per topic written by the LLM (``describe_topics``, or
        ``LLMLabeler(describe=True)``); '' for a topic not described; None before any.
    label_confidence_ : list of float or None, or None
        Per topic, how well its label fits it and not its neighbours, between 0 and 1 (the probability
        that one of its documents is closer to the label than a neighbour's document, with the model's
        embedder; 0.5 says nothing); None for a label not scored (no embedder, or changed since).
    label_waiting_ : list of bool or None
        Per topic, whether its label is a keyword stand-in that an edit left on a model whose labels an
        LLM wrote, waiting for a name (``waiting_for_names_`` lists them); None when none is.
    language_ : str
        The corpus language used.
    embedding_model_ : str, path or Embedder
        The embedding model used ('auto' resolved).
    min_cluster_size_ : int
        The minimum topic size used.
    classic_ : ClassicAssigner or None
        The LDA / NMF model (``model='lda'|'nmf'``).
    timings_ : dict of str to float
        Seconds per stage of the fit.
    history_ : list of dict
        The edits since the fit (``merge_topics`` ...), oldest first: operation, arguments, time, topic ids
        before and after, the old-to-new id mapping as [old, new] pairs, the changed topics, LLM calls.
    hierarchy_ : dict or None
        The named tree over the topics (``build_hierarchy``): ``{"levels": [[node, ...], ...]}`` coarsest
        first, each node ``{"id", "name", "size", "topics", "children"}``; None until built, and after an edit.
    next_topic_id_ : int or None
        The id the next topic an edit creates gets: ids are never given twice (None: the largest id + 1).
    given_labels_ : list of str or None
        Per topic, the label the user gave at fit (a zero-shot name, a class name of ``y``; '' for none):
        ``label_topics()`` leaves these topics as they are unless they are asked for by id. None: none given.
    guidance_ : dict or None
        What a guided fit (``GuidedClustering``, ``y``) did, as fitted: ``seeds`` (documents per seed, words
        not in the vocabulary),
        ``seed_topics`` (each seed's topic), ``zeroshot`` (documents per name, names no document reached),
        ``classes`` (given, assigned), ``known_topics`` (the topic of each class, then of each reached name).
    """

    _constraints: ClassVar[dict[str, list[Rule]]] = {
        "model": [OneOf(MODELS), Instance(LDATopics, NMFTopics)],
        "embedding_model": [IsNone(), Instance(str, Path, what="a name or a model directory"),
                            Conforms(Embedder, "an embedder object with name and encode(texts)")],
        "reduction": [OneOf(REDUCTIONS), Conforms(Reducer, "a reducer object with reduce(unit, context)"),
                      Conforms(FitTransformer, "a scikit-learn transformer with fit_transform")],
        "clustering": [OneOf(CLUSTERINGS), Instance(GuidedClustering),
                       Conforms(Clusterer, "a clusterer object with cluster(vectors, graph, context)"),
                       Conforms(FitPredictor, "a scikit-learn clusterer with fit_predict")],
        "vectorizer": [IsNone(), Conforms(Vectorizer, "a vectorizer object with fit_counts(texts, language)"),
                       Conforms(CountVectorizerLike, "a scikit-learn CountVectorizer-like object")],
        "representation": [IsNone(), Instance(Representation)],
        "labeler": [IsNone(), Instance(str, what="an LLM spec string"),
                    Conforms(Labeler, "a labeler object with label(topics, context)")],
        "layout": [OneOf(LAYOUTS), Conforms(MapLayout, "a layout object with layout(space, graph, context)")],
        "language": [OneOf(LANGUAGES)],
        "n_neighbors": [Number(int, 1)],
        "knn": [OneOf(KNN_METHODS)],
        "min_cluster_size": [IsNone(), Number(int, 2)],
        "nr_topics": [IsNone(), Number(int, 1)],
        "outlier_threshold": [IsNone(), Number(float, -1.0, 1.0)],
        "mixed_topics": [OneOf(MIXED_HANDLING)],
        "sample_size": [IsNone(), Number(int, 50)],
        "chunk_size": [Number(int, 1)],
        "client": [IsNone(), Instance(str, what="a Dask scheduler address"),
                   HasMethods("submit", "scatter", what="a dask.distributed Client")],
        "work_dir": [IsNone(), Instance(str, Path, what="a directory")],
        "seed": [Number(int, 0, 2**32 - 1)],
        "threads": [IsNone(), Number(int, 1)],
        "cache": [Instance(bool, str, Path, what="True, False or a directory")],
        "verbose": [Instance(bool)],
    }

    def __init__(
        self,
        *,
        model: str | LDATopics | NMFTopics = "embedding",
        embedding_model: Any = "auto",
        reduction: Any = "pca",
        clustering: Any = "leiden",
        vectorizer: Any = None,
        representation: Representation | None = None,
        labeler: Any = None,
        layout: Any = "topics",
        language: str = "auto",
        n_neighbors: int = 15,
        knn: str = "auto",
        min_cluster_size: int | None = None,
        nr_topics: int | None = None,
        outlier_threshold: float | None = None,
        mixed_topics: str = MIXED_DEFAULT,
        sample_size: int | None = 100_000,
        chunk_size: int = 50_000,
        client: Any = None,
        work_dir: str | Path | None = None,
        seed: int = 42,
        threads: int | None = None,
        cache: bool | str | Path = True,
        verbose: bool = True,
    ) -> None:
        self.model = model
        self.embedding_model = embedding_model
        self.reduction = reduction
        self.clustering = clustering
        self.vectorizer = vectorizer
        self.representation = representation
        self.labeler = labeler
        self.layout = layout
        self.language = language
        self.n_neighbors = n_neighbors
        self.knn = knn
        self.min_cluster_size = min_cluster_size
        self.nr_topics = nr_topics
        self.outlier_threshold = outlier_threshold
        self.mixed_topics = mixed_topics
        self.sample_size = sample_size
        self.chunk_size = chunk_size
        self.client = client
        self.work_dir = work_dir
        self.seed = seed
        self.threads = threads
        self.cache = cache
        self.verbose = verbose

    # ----------------------------------------------------------------- parameters
    def validate_params(self) -> TopicModel:
        """Check every parameter, as ``fit`` does before it reads a document; return self.

        Raises
        ------
        ConfigError
            Naming the first invalid parameter and what to use instead.
        """
        self._plan()
        return self

    def _plan(self) -> FitPlan:
        """Check every parameter and resolve the stages; no document is read or embedded yet."""
        check_params(self)
        require_chosen_extras({name: getattr(self, name) for name in ("reduction", "layout", "knn", "model")})
        if isinstance(self.embedding_model, (str, Path)) and self.embedding_model != "auto":
            check_embedding_spec(self.embedding_model)
        adapt.as_labeler(self.labeler)
        classic = adapt.as_classic(self.model)
        embedding_path = classic is None  # LDA / NMF neither reduce nor cluster embeddings
        return FitPlan(
            classic=classic, embedding_model=self.embedding_model,
            reducer=adapt.as_reducer(self.reduction) if embedding_path else None,
            clusterer=adapt.as_clusterer(self.clustering) if embedding_path else None,
            vectorizer=adapt.as_vectorizer(self.vectorizer),
            representation=adapt.as_representation(self.representation), layout=adapt.as_layout(self.layout),
            language=self.language, n_neighbors=int(self.n_neighbors), knn=self.knn,
            min_cluster_size=_int(self.min_cluster_size),
            nr_topics=_int(self.nr_topics), sample_size=_int(self.sample_size), chunk_size=int(self.chunk_size),
            outlier_threshold=None if self.outlier_threshold is None else float(self.outlier_threshold),
            mixed_topics=self.mixed_topics,
            client=self.client, work_dir=self.work_dir, seed=int(self.seed), threads=_int(self.threads),
            cache=self.cache, verbose=self.verbose,
            fingerprint={name: fingerprint_record(getattr(self, name)) for name in PIPELINE_PARAMS},
            guide=adapt.guide_of(self.clustering) if embedding_path else None,
        )

    def _pipeline_record(self) -> dict[str, Any]:
        """The pipeline's parameters as JSON records (what a model directory restores)."""
        return {name: param_record(getattr(self, name)) for name in PIPELINE_PARAMS}

    # ------------------------------------------------------------------------ fit
    def fit(self, docs: Documents, embeddings: Embeddings = None, y: Sequence[Any] | None = None) -> TopicModel:
        """Learn topics from documents.

        Parameters
        ----------
        docs : list of str, Corpus or pathlib.Path
            The documents (a Path is read with ``read_corpus``). A pandas Series of strings is read as
            a list of its values; a DataFrame or a dict is refused (iterating it gives its column names or
            keys): pass the text column, e.g. ``df["text"].tolist()``.
        embeddings : ndarray, str or Path, optional
            Precomputed embeddings, one row per document (an ``.npy`` file stays memory-mapped).
        y : sequence, optional
            A class per document for a supervised fit: names (str) or numbers (int >= 0), with -1, None or
            '' where the class is not known (semi-supervised). Each class becomes a topic, named by its
            name when ``y`` holds names (no LLM call for it); an unlabeled document joins the class that
            holds half or more of its nearest labeled documents' vote, and the rest are clustered as usual.

        Returns
        -------
        self
        """
        plan = self._plan()
        state, encoder = fit_topics(plan, as_corpus(docs), embeddings, y)
        self._assign(state, encoder)
        if self.labeler is not None:  # after the fit is assigned: a failing labeler loses none of it
            clock = time.perf_counter()
            self.label_topics()
            self._assign(replace(self._state(), timings={**self.timings_, "label": time.perf_counter() - clock}))
        return self

    def fit_predict(self, docs: Documents, embeddings: Embeddings = None, y: Sequence[Any] | None = None
                    ) -> np.ndarray:
        """Fit, then return the topic of every document.

        Parameters
        ----------
        docs, embeddings, y
            As for :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_docs,), int64
            -1 for outliers and empty documents.
        """
        return self.fit(docs, embeddings, y).topics_.copy()


def _int(value: Any) -> int | None:
    """A checked integer parameter as a plain int (numpy integers pass the checks), None staying None."""
    return None if value is None else int(value)
