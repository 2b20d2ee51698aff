"""The result tables of a fitted model: one row per topic, one row per document."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..io.export import joined as joined_lists
from ..ops.fitted import Fitted
from ..ops.mixtures import mixture_text, row_mixture
from ..ops.placing import with_fields
from ..state import OUTLIER_LABEL, TopicState

TOPIC_COLUMNS = ["topic", "size", "label", "confidence", "tightness", "mixed", "keywords", "keybert", "mmr", "llm",
                 "description", "representative_docs"]


def topic_table(state: TopicState, tightness: list[float | None] | None = None) -> pd.DataFrame:
    """Outliers first (as topic -1, when there are any), then the topics by size. ``tightness``: per topic, in
    ``state.topic_ids`` order (``pipeline.coherence``; None: not shown)."""
    from ..pipeline.coherence import is_mixed

    texts = state.corpus.texts
    rows = []
    n_out = int(((state.topics < 0) & state.usable).sum())
    if n_out:
        rows.append({"topic": -1, "size": n_out, "label": OUTLIER_LABEL, "confidence": None, "tightness": None,
                     "mixed": False, "keywords": [],
                     "keybert": [], "mmr": [], "llm": "", "description": "", "representative_docs": []})
    for p, t in enumerate(state.topic_ids):  # p: the topic's place in the per-topic lists
        rows.append({
            "topic": t, "size": state.topic_sizes[p], "label": state.labels[p],
            "confidence": state.label_confidence[p] if state.label_confidence else None,
            "tightness": tightness[p] if tightness else None,
            "mixed": is_mixed(tightness[p]) if tightness else False,
            "keywords": [w for w, _ in state.keywords[p]],
            "keybert": [w for w, _ in state.keybert[p]],
            "mmr": [w for w, _ in state.mmr[p]],
            "llm": state.llm_labels[p] if state.llm_labels else "",
            "description": state.descriptions[p] if state.descriptions else "",
            "representative_docs": [texts[i] for i in state.representative_docs[p]],
        })
    return pd.DataFrame(rows, columns=TOPIC_COLUMNS)


def document_table(state: TopicState, mixture: list[str] | None = None) -> pd.DataFrame:
    """Every input document in input order (``mixture``: a column of each one's topics, as text); the input's own
    fields keep their names (input_X on a clash)."""
    topics = state.topics
    rows = np.arange(len(topics))
    columns = state.positions(topics)
    if state.topic_ids:
        prob = np.where(topics >= 0, state.probabilities[rows, np.maximum(columns, 0)], 0.0)
    else:
        prob = np.zeros(len(topics))
    frame = pd.DataFrame({
        "id": state.corpus.id_values, "text": state.corpus.texts, "topic": topics,
        "probability": prob.astype(np.float32),
        "topic_label": [state.labels[p] if p >= 0 else OUTLIER_LABEL for p in columns.tolist()],
    })
    if mixture is not None:
        frame["mixture"] = mixture
    return with_fields(frame, state.corpus)


def topic_info(fitted: Fitted, *, joined: bool = False) -> pd.DataFrame:
    """The topics as a table.

    Parameters
    ----------
    joined : bool, default False
        Give each list as one text (keywords joined by ", ", representative documents by a blank line),
        ready for ``to_csv`` and ``to_excel``; ``topiclens.write_table`` does the same by itself.

    Returns
    -------
    DataFrame
        One row per topic, outliers first as topic -1 when there are any: ``topic``, ``size``,
        ``label`` (the one in use: ``labels_``), ``confidence`` (of the label), ``tightness`` (how
        closely the documents gather, :meth:`topic_tightness`), ``mixed`` (tightness below 0.55: likely a
        grab-bag), ``keywords``, ``keybert``, ``mmr``, ``llm`` (the labeler's label, or '') and
        ``representative_docs`` (their texts).
    """
    table = topic_table(fitted.state, fitted.tightness())
    return joined_lists(table) if joined else table


def topic_tightness(fitted: Fitted) -> dict[int, float | None]:
    """How closely each topic's documents gather: the mean cosine of their embeddings to their mean direction.

    Blind judges called most topics below 0.5 grab-bags (no theme shared by most documents); such a
    topic is *mixed* (``topic_info()["mixed"]``; ``mixed_topics="split"`` splits them at fit). See
    :mod:`topiclens.pipeline.coherence`.

    Returns
    -------
    dict
        Topic id -> tightness between 0 and 1 (None for a topic without documents).
    """
    return dict(zip(fitted.state.topic_ids, fitted.tightness()))


def document_info(fitted: Fitted, *, mixture: bool = True) -> pd.DataFrame:
    """The documents as a table.

    Parameters
    ----------
    mixture : bool, default True
        Add the ``mixture`` column (``topic_mixture_``, computed once).

    Returns
    -------
    DataFrame
        One row per input document, in input order: ``id`` (with the input's type: whole numbers for a
        table's integer index or a list's positions), ``text``, ``topic``, ``probability`` (of its topic),
        ``topic_label``, ``mixture`` (the topics holding at least 10 % of the document, best first, as
        ``"12: 0.64, 3: 0.30"``), then the input's own fields (``input_X`` on a name clash). In a model whose
        units are passages (``long_documents='split'``) a row is a passage (or a document that needed no cut):
        its fields ``passage_of``, ``passage`` and ``passage_start`` say where it comes from, and ``mixture`` is
        its document's.
    """
    state = fitted.state
    shown = mixture_text(row_mixture(fitted), state.topic_ids) if mixture and state.topic_ids else None
    return document_table(state, shown)
