"""What the command line prints: aligned tables (wide characters count twice) and strict JSON."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def width(text: str) -> int:
    """Terminal columns of a string: East Asian wide and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_column(text: str, columns: int) -> str:
    """Cut to ``columns`` terminal columns (with an ellipsis) and pad to exactly that width."""
    if width(text) > columns:
        while width(text) > columns - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (columns - width(text))


def format_table(model, rows: int) -> str:
    info = model.topic_info()
    total = int(info["size"].sum())
    lines = [f"{len(model.topic_ids_)} topics, {total} documents"
             f" ({info.loc[info.topic == -1, 'size'].sum() / max(total, 1):.1%} outliers)", ""]
    lines.append(f"{'topic':>5}  {'size':>6}  {'label':<40}  keywords")
    shown = info if rows <= 0 else info.head(rows + (1 if (info.topic == -1).any() else 0))
    for row in shown.itertuples():
        lines.append(f"{row.topic:>5}  {row.size:>6}  {fit_column(row.label, 40)}  {', '.join(row.keywords[:8])}")
    if len(shown) < len(info):
        lines.append(f"  … {len(info) - len(shown)} more (--rows 0 shows all)")
    return "\n".join(lines)


def topics_json(model) -> list[dict]:
    info = model.topic_info()
    return json.loads(info.drop(columns=["representative_docs"]).to_json(orient="records", force_ascii=False))


def stats_line(stats: dict) -> str:
    return (f"LLM labels: {stats['llm_calls']} LLM call(s), {stats['cached']} answer(s) from the cache, "
            f"{stats['reasked']} re-asked, {stats['fallbacks']} keyword fallback(s)")


def json_safe(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as Python values and NaN / infinity as None (valid JSON)."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return json_safe(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dump_json(value: Any) -> str:
    """Strict JSON (no NaN): what every --json prints."""
    return json.dumps(json_safe(value), ensure_ascii=False, allow_nan=False)
