"""Topic quality: coherence (NPMI, C_v via gensim), diversity, and agreement with gold labels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .core.errors import ConfigError, TopicLensWarning, require
from .core.params import Unrestored


def tokenize_for_coherence(texts: Sequence[str], stop_words: str | list[str] | None = "english",
                           language: str = "en") -> list[list[str]]:
    """Unigram tokens as the default vocabulary stage sees them (lowercase, stop words removed)."""
    from .stages.vocabulary import FittedVocabulary, Vocabulary

    analyze = FittedVocabulary(Vocabulary(stop_words), language, []).unigram_analyzer()
    return [analyze(t) for t in texts]


def coherence(topic_words: Sequence[Sequence[str]], tokens: list[list[str]], measure: str = "c_npmi",
              top_n: int = 10, processes: int = 1) -> list[float]:
    """Per-topic coherence of the top words against the tokenized corpus (gensim's CoherenceModel).

    Words absent from the corpus tokens are dropped; topics left with fewer than two words
    score NaN.
    """
    gensim_models = require("gensim.models.coherencemodel", "gensim", "coherence (NPMI, C_v)")
    corpora = require("gensim.corpora", "gensim", "coherence (NPMI, C_v)")
    dictionary = corpora.Dictionary(tokens)
    known = [[w for w in words if w in dictionary.token2id][:top_n] for words in topic_words]
    scored = [i for i, words in enumerate(known) if len(words) >= 2]
    result = [float("nan")] * len(known)
    if not scored:
        return result
    model = gensim_models.CoherenceModel(topics=[known[i] for i in scored], texts=tokens, dictionary=dictionary,
                                         coherence=measure, topn=top_n, processes=processes)
    for i, value in zip(scored, model.get_coherence_per_topic()):
        result[i] = float(value)
    return result


def diversity(topic_words: Sequence[Sequence[str]], top_n: int = 10) -> float:
    """Share of distinct words among all topics' top-n words (1 = no word repeats)."""
    words = [w for ws in topic_words for w in list(ws)[:top_n]]
    return len(set(words)) / len(words) if words else float("nan")


def agreement(gold: Sequence, topics: np.ndarray) -> dict[str, float]:
    """NMI and ARI of topics against gold labels (outliers count as one cluster), and the outlier share."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    topics = np.asarray(topics)
    return {
        "nmi": float(normalized_mutual_info_score(gold, topics)),
        "ari": float(adjusted_rand_score(gold, topics)),
        "outlier_fraction": float((topics < 0).mean()),
    }


def label_quality(label_vectors: np.ndarray, topic_centroids: np.ndarray) -> dict[str, float]:
    """How well each label points at its own topic among all topics.

    ``hit_rate``: the share of topics whose label embedding is nearest to their own
    documents' centroid; ``mean_rank``: the average rank of the own topic (1 = best).
    It shows whether a label tells its topic apart from the others, not whether it is
    well written, and it favours labels that repeat words the documents use.
    """
    from .core.knn import normalize

    sims = normalize(label_vectors) @ normalize(topic_centroids).T
    own = np.diag(sims)
    ranks = (sims > own[:, None]).sum(axis=1) + 1
    return {"hit_rate": float((ranks == 1).mean()), "mean_rank": float(ranks.mean())}


SCORE_NAMES = {"c_npmi": "npmi", "c_v": "c_v", "u_mass": "u_mass"}  # the keys a report uses per measure


def _per_document(model, gold: list) -> list:
    """Gold labels of a model whose rows are passages, one per document: given so, or per passage (a field of the
    corpus, copied to every passage of a document), read from each document's first passage."""
    from .io.units import unit_owners

    owners, documents = unit_owners(model.corpus_)
    if len(gold) == len(documents):
        return gold
    if len(gold) == len(owners):
        _, first = np.unique(owners, return_index=True)
        return [gold[i] for i in first]
    raise ConfigError(f"{len(gold)} gold labels for {len(documents)} documents ({len(owners)} passages): give one "
                      "per document")


def evaluate_model(model, gold: Sequence | None = None, measures: Sequence[str] = ("c_npmi", "c_v"),
                   top_n: int = 10) -> dict:
    """Coherence per topic and on average, diversity, label quality, and NMI/ARI when gold labels exist.

    ``model`` is a fitted TopicModel. Each coherence measure is reported under its name in
    :data:`SCORE_NAMES` ('npmi', 'c_v', 'u_mass'); scores that cannot be computed are NaN.
    """
    from .labeling.clean import keyword_label

    unknown = [m for m in measures if m not in SCORE_NAMES]
    if unknown:
        raise ConfigError(f"unknown coherence measure {unknown[0]!r}: use {', '.join(SCORE_NAMES)}")
    usable = model.usable_
    texts = [t for t, ok in zip(model.corpus_.texts, usable) if ok]
    analyze = model.vectorizer_.unigram_analyzer()
    tokens = [analyze(t) for t in texts]
    words = [unigrams([w for w, _ in kw], top_n) for kw in model.keywords_]
    per_topic = [{"topic": t, "size": int(size), "label": label, "words": words[p]}
                 for p, (t, size, label) in enumerate(zip(model.topic_ids_, model.topic_sizes_, model.labels_))]
    summary: dict = {"n_topics": len(model.topic_ids_), "n_documents": int(usable.sum()),
                     "outlier_fraction": float((model.topics_[usable] < 0).mean()),
                     "diversity": diversity(words, top_n)}
    for measure in measures:
        name = SCORE_NAMES[measure]
        scores = coherence(words, tokens, measure, top_n)
        for row, score in zip(per_topic, scores):
            row[name] = score
        finite = [x for x in scores if not np.isnan(x)]
        summary[name] = float(np.mean(finite)) if finite else float("nan")
    if gold is not None and model.long_documents_ == "split":
        summary.update(agreement(_per_document(model, list(gold)), model.document_topics_))
    elif gold is not None:
        gold = list(gold)
        if len(gold) != len(model.topics_):
            raise ConfigError(f"{len(gold)} gold labels for {len(model.topics_)} documents: give one per document")
        kept = [g for g, ok in zip(gold, usable) if ok]
        summary.update(agreement(kept, model.topics_[usable]))
    if isinstance(model.embedding_model_, Unrestored):
        import warnings

        warnings.warn(f"label quality left out: {model.embedding_model_.problem('embedding_model')}",
                      TopicLensWarning, stacklevel=2)
    elif model.embedding_model_ is not None and model.topic_ids_:
        label_sets = {"keyword_labels": [keyword_label(kw) for kw in model.keywords_]}
        if model.llm_labels_:
            label_sets["llm_labels"] = model.llm_labels_
        if model.labels_ not in label_sets.values():
            label_sets["labels"] = model.labels_
        summary["label_quality"] = {
            name: label_quality(model.embed(labels, desc="embedding labels"), model.centroids_)
            for name, labels in label_sets.items()
        }
    return {"summary": summary, "topics": per_topic}


def unigrams(words: Sequence[str], n: int = 10) -> list[str]:
    """The first n single words of a keyword list (n-grams with spaces dropped)."""
    return [w for w in words if " " not in w][:n]
