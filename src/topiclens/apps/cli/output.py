"""What the command line prints: aligned tables (wide characters count twice) and strict JSON."""

from __future__ import annotations

import json
import math
import unicodedata
from typing import Any

import numpy as np

from ...core.untrusted import BIDI_CONTROLS, for_terminal

REVIEW_BELOW = 0.75  # a label whose fit is under this is listed for review
_ESCAPE_BIDI = {ord(ch): f"\\u{ord(ch):04x}" for ch in BIDI_CONTROLS}


def _columns(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def width(text: str) -> int:
    """Terminal columns of a string: East Asian wide and full-width characters take two."""
    return sum(_columns(ch) for ch in text)


def fit_column(text: str, columns: int) -> str:
    """Cut to ``columns`` terminal columns (with an ellipsis) and pad to exactly that width; linear time."""
    if width(text) > columns:
        kept, used = [], 0
        for ch in text:
            if used + _columns(ch) > columns - 1:
                break
            kept.append(ch)
            used += _columns(ch)
        text = "".join(kept) + "…"
    return text + " " * (columns - width(text))


def format_table(model, rows: int, full: bool = False) -> str:
    """The topic table; ``full`` prints every label whole instead of cutting it at 40 columns.

    Labels and keywords come from documents and LLMs: control characters and escapes are shown,
    not obeyed (``for_terminal``).
    """
    info = model.topic_info()
    total = int(info["size"].sum())
    labels = [for_terminal(str(label)) for label in info["label"]]
    label_width = max([40] + [width(label) for label in labels]) if full else 40
    embedder = model.embedding_model_
    embedder = "none" if embedder is None else embedder if isinstance(embedder, str) else type(embedder).__name__
    lines = [f"{len(model.topic_ids_)} topics, {total} documents"
             f" ({info.loc[info.topic == -1, 'size'].sum() / max(total, 1):.1%} outliers); language "
             f"{model.language_}, embedder {for_terminal(str(embedder))}", ""]
    scored = any(c is not None for c in model.label_confidence_ or [])  # a fit column only where labels have one
    lines.append(f"{'topic':>5}  {'size':>6}  {'fit  ' if scored else ''}{fit_column('label', label_width)}  keywords")
    shown = info if rows <= 0 else info.head(rows + (1 if (info.topic == -1).any() else 0))
    waiting = set(model.waiting_for_names_)
    for row, label in zip(shown.itertuples(), labels):
        keywords = for_terminal(", ".join(row.keywords[:8]))
        marked = f"[relabel] {label}" if row.topic in waiting else f"[mixed] {label}" if row.mixed else label
        fit = f"{confidence_text(row.confidence):>4} " if scored else ""
        lines.append(f"{row.topic:>5}  {row.size:>6}  {fit}{fit_column(marked, label_width)}  {keywords}")
    if len(shown) < len(info):
        lines.append(f"  … {len(info) - len(shown)} more (--rows 0 shows all)")
    lines += _review_lines(model, waiting, info)
    return "\n".join(lines)


def confidence_text(value: Any) -> str:
    """A label confidence as printed: two decimals, or '—' when not known."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):.2f}"


def _review_lines(model, waiting: set[int], info) -> list[str]:
    """What to look at first: labels waiting for a name, mixed topics, the three labels that fit their topics
    least."""
    from ...labeling.confidence import weakest_first

    lines = []
    if waiting:
        shown = sorted(waiting)
        lines.append(f"keyword labels waiting for an LLM name: topics {' '.join(map(str, shown))} (topiclens label "
                     f"DIR --topics {','.join(map(str, shown))})")
    mixed = [int(t) for t in info.topic[info.mixed]]
    if mixed:
        how = ("left by the fit's split, too small or a part still loose" if model.mixed_topics == "split" else
               "fit with --mixed-topics split to split them all")
        lines.append(f"mixed topics (their documents gather loosely; most such topics are grab-bags): topics "
                     f"{' '.join(map(str, mixed))} (topiclens split DIR N splits one; {how})")
    confidence, ids = model.label_confidence_ or [], model.topic_ids_
    weakest = [ids[at] for at in weakest_first(confidence)
               if confidence[at] is not None and confidence[at] < REVIEW_BELOW][:3]
    if weakest:
        lines.append(f"labels that fit their topics least (fit < {REVIEW_BELOW}): topics "
                     f"{' '.join(str(t) for t in weakest)} (topiclens info DIR --topic N shows one)")
    return [""] + lines if lines else []


def format_topic(model, topic: int, max_chars: int = 300) -> str:
    """One topic in full: its labels, keywords of every kind, and the documents behind the label."""
    at = model.fitted_.position(topic)
    texts = model.corpus_.texts
    llm = model.llm_labels_[at] if model.llm_labels_ else None
    lines = [f"topic {topic}: {model.topic_sizes_[at]} documents",
             f"label:     {for_terminal(model.labels_[at])}"]
    if llm is not None and llm != model.labels_[at]:
        lines.append(f"LLM label: {for_terminal(llm)} ({model.llm_name_})")
    confidence = model.label_confidence_[at] if model.label_confidence_ else None
    lines.append(f"fit:       {confidence_text(confidence)} (how well the label tells this topic's documents from "
                 "its neighbours'; 0.5 says nothing)")
    if topic in model.waiting_for_names_:
        lines.append(f"note:      a keyword label waiting for an LLM name (topiclens label DIR --topics {topic})")
    if model.descriptions_ and model.descriptions_[at]:
        lines.append(f"about:     {for_terminal(model.descriptions_[at])}")
    for name, pairs in (("keywords", model.keywords_[at]), ("KeyBERT", model.keybert_[at]),
                        ("MMR", model.mmr_[at])):
        lines.append(f"{name + ':':<10} {for_terminal(', '.join(w for w, _ in pairs))}")
    shown = model.label_evidence_[at] if model.label_evidence_ else []
    sections = [("representative documents (nearest the topic's centre):", model.representative_docs_[at])]
    if shown:
        sections.append(("documents the LLM was shown when it wrote the label:", shown))
    for title, rows in sections:
        lines += ["", title]
        for row in rows:
            text = " ".join(texts[row].split())
            text = text if len(text) <= max_chars else text[: max_chars - 1] + "…"
            lines.append(f"- [{for_terminal(model.corpus_.ids[row])}] {for_terminal(text)}")
    return "\n".join(lines)


def topics_json(model) -> list[dict]:
    info = model.topic_info()
    return json.loads(info.drop(columns=["representative_docs"]).to_json(orient="records", force_ascii=False))


def stats_line(stats: dict) -> str:
    skipped = f", {stats['skipped']} skipped (call limit)" if stats.get("skipped") else ""
    groups = (f", {stats['groups']} group(s) of near-identical labels told apart ({stats['renamed']} renamed)"
              if stats.get("groups") else "")
    plain = (f", {stats['keyword_labels']} keyword label(s) kept where they fit the topic better"
             if stats.get("keyword_labels") else "")
    return (f"LLM labels: {stats['llm_calls']} LLM call(s), {stats['cached']} answer(s) from the cache, "
            f"{stats['reasked']} re-asked, {stats['fallbacks']} keyword fallback(s){groups}{plain}{skipped}")


def plan_line(plan: dict) -> str:
    """A dry run's estimate in one paragraph."""
    parts = [f"dry run, no LLM call made: {plan['calls']} LLM call(s) with {plan['llm']} "
             f"({plan['prompt_tokens']:,} prompt tokens, counted by {plan['tokens_counted_by']}), "
             f"{plan['cached']} answer(s) from the cache"]
    if plan["skipped"]:
        parts.append(f"{plan['skipped']} topic(s) past the call limit keep their labels")
    if plan["seconds_estimate"] is not None:
        parts.append(f"about {plan['seconds_estimate']:.0f} s on this machine (measured by a short timing probe)")
    if plan["cost_estimate"] is not None:
        parts.append(f"about {plan['cost_estimate']:.4f} in prompt tokens at the price given")
    parts.append("each empty or repeated answer costs one re-ask more")
    return "; ".join(parts)


def embedding_plan_line(plan: dict) -> str:
    """A fit's dry run in one paragraph: what each reading of long documents embeds and how long it takes."""
    def reading(name: str) -> str:
        figures = plan["readings"][name]
        cached = f", {figures['cached']:,} in the cache" if figures["cached"] else ""
        time = "" if figures["seconds"] is None else f", about {figures['seconds']:,.0f} s"
        if figures["seconds"] is not None and figures["cached"]:
            time += f" ({figures['seconds_uncached']:,.0f} s without the cache)"
        return f"{figures['texts']:,} texts to embed{cached}{time}"

    why = f" (long_documents={plan['long_documents']!r})" if plan["long_documents"] == "auto" else ""
    counted = f" (counted on {plan['counted']:,})" if plan["counted"] < plan["documents"] else ""
    return (f"dry run, nothing fitted: {plan['documents']:,} documents with text{counted}, {plan['long']:,} longer "
            f"than {plan['embedding_model']} reads; this fit reads them {plan['chosen']!r}{why}. Read whole "
            f"('passages'): {reading('passages')}; each passage a unit ('split'): {reading('split')}; by their "
            f"beginning ('truncate'): {reading('truncate')} (times "
            f"measured on this machine by embedding {plan['probe_texts']} passages){_embedders(plan)}")


def _embedders(plan: dict) -> str:
    """The dry run's comparison of the teacher and the learned table ('' where the plan has none)."""
    choices = plan.get("embedders")
    if not choices:
        return ""
    teacher, learned = choices["minilm-int8"], choices["learned"]

    def seconds(value: float | None) -> str:
        return "?" if value is None else f"{value:,.0f} s"

    parts = (f"the teacher on {learned['sample']:,} texts {seconds(learned['teacher_seconds'])}, training "
             f"{seconds(learned['training_seconds'])}, the table over every text {seconds(learned['table_seconds'])}"
             if learned["sample"] else f"the general English table over every text {seconds(learned['table_seconds'])}")
    cached = "" if teacher["seconds"] == teacher["seconds_uncached"] else \
        f" ({seconds(teacher['seconds_uncached'])} without the cache)"
    return (f". Embedding model: minilm-int8 about {seconds(teacher['seconds'])}{cached}; the table learned from the "
            "corpus "
            f"('learned') about {seconds(learned['seconds'] if learned['sample'] else learned['table_seconds'])} "
            f"({parts}); this fit uses {plan['embedding_model']}")


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
    """Strict JSON (no NaN): what every --json prints. Control characters are escaped by JSON itself;
    bidi overrides, which JSON leaves raw, are escaped too (the same text, safe on a terminal)."""
    return json.dumps(json_safe(value), ensure_ascii=False, allow_nan=False).translate(_ESCAPE_BIDI)
