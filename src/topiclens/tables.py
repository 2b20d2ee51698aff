"""The result tables of a fitted model: one row per topic, one row per document."""

from __future__ import annotations

import numpy as np
import pandas as pd

TOPIC_COLUMNS = ["topic", "size", "label", "keywords", "keybert", "mmr", "llm", "representative_docs"]


def topic_table(model) -> pd.DataFrame:
    """Outliers first (as topic -1, when there are any), then the topics by size."""
    texts = model.corpus_.texts
    rows = []
    n_out = int(((model.topics_ < 0) & model.usable_).sum())
    if n_out:
        rows.append({"topic": -1, "size": n_out, "label": "outliers", "keywords": [], "keybert": [], "mmr": [],
                     "llm": "", "representative_docs": []})
    for t in model.topic_ids_:
        rows.append({
            "topic": t, "size": model.topic_sizes_[t], "label": model.labels_[t],
            "keywords": [w for w, _ in model.keywords_[t]],
            "keybert": [w for w, _ in model.keybert_[t]],
            "mmr": [w for w, _ in model.mmr_[t]],
            "llm": model.llm_labels_[t] if model.llm_labels_ else "",
            "representative_docs": [texts[i] for i in model.representative_docs_[t]],
        })
    return pd.DataFrame(rows, columns=TOPIC_COLUMNS)


def document_table(model) -> pd.DataFrame:
    """Every input document in input order; the input's own fields keep their names (input_X on a clash)."""
    topics = model.topics_
    rows = np.arange(len(topics))
    if model.topic_ids_:
        prob = np.where(topics >= 0, model.probabilities_[rows, np.maximum(topics, 0)], 0.0)
    else:
        prob = np.zeros(len(topics))
    frame = pd.DataFrame({
        "id": model.corpus_.ids, "text": model.corpus_.texts, "topic": topics,
        "probability": prob.astype(np.float32),
        "topic_label": [model.labels_[t] if t >= 0 else "outliers" for t in topics],
    })
    extra = model.corpus_.fields.reset_index(drop=True)
    if len(extra.columns):
        extra = extra.rename(columns={c: f"input_{c}" for c in extra.columns if c in frame.columns})
        frame = pd.concat([frame, extra], axis=1)
    return frame
