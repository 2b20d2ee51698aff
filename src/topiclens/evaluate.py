"""Topic quality: coherence (NPMI, C_v via gensim), diversity, and agreement with gold labels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import require


def tokenize_for_coherence(texts: Sequence[str], stop_words: str | list[str] | None = "english") -> list[list[str]]:
    """Unigram tokens as the keyword stage sees them (lowercase, stop words removed)."""
    from sklearn.feature_extraction.text import CountVectorizer

    analyzer = CountVectorizer(stop_words=stop_words).build_analyzer()
    return [analyzer(t) for t in texts]


def coherence(topic_words: Sequence[Sequence[str]], tokens: list[list[str]], measure: str = "c_npmi",
              top_n: int = 10, processes: int = 1) -> list[float]:
    """Per-topic coherence of the top words against the tokenized corpus (gensim's CoherenceModel).

    Words absent from the corpus tokens are dropped; topics left with fewer than two words
    score NaN.
    """
    gensim_models = require("gensim.models.coherencemodel", "eval", "coherence (NPMI, C_v)")
    corpora = require("gensim.corpora", "eval", "coherence (NPMI, C_v)")
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


def unigrams(words: Sequence[str], n: int = 10) -> list[str]:
    """The first n single words of a keyword list (n-grams with spaces dropped)."""
    return [w for w in words if " " not in w][:n]
