"""How a TopicModel shows itself: a text summary for ``repr`` and an HTML one for notebooks.

Both never raise: every fact is read on its own and one that cannot be read is left out, and when even
that fails the model shows a minimal form. Labels, keywords and the names of the LLM and the embedder come
from documents and LLMs: untrusted text, stripped of controls, escapes and bidi overrides (and HTML-escaped
in the notebook's view) before it is shown.
"""

from __future__ import annotations

import html
import inspect
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .data import snippet

MAX_TOPICS = 15
"""Topics listed before '… N more'."""
KEYWORDS = 5
"""Keywords shown per topic."""
LABEL_CHARS = 60
KEYWORD_CHARS = 60
VALUE_CHARS = 80


@dataclass
class Summary:
    """What a model's repr shows, each fact None when it could not be read."""

    fitted: bool = False
    n_topics: int | None = None
    n_documents: int | None = None
    n_passages: int | None = None  # the units, where they are passages (long_documents='split')
    outlier_share: float | None = None
    language: str | None = None
    embedder: str | None = None
    labels_from: str | None = None
    labeler: str | None = None
    topics: list[tuple[int, int, str, str]] = field(default_factory=list)  # id, size, label, keywords
    n_edits: int | None = None
    last_edit: str | None = None
    changed_params: list[tuple[str, str]] = field(default_factory=list)


def _clean(value: Any, limit: int) -> str:
    """``value`` as one line of untrusted text, cut at ``limit`` characters (:func:`~topiclens.views.data.snippet`)."""
    return snippet(str(value), limit)


def present_names(model: Any, names: Iterable[str]) -> list[str]:
    """The names of ``names`` that ``model`` has now, for ``dir`` and tab completion.

    As scikit-learn's ``dir`` does, a name whose reading raises AttributeError is left out (an unfitted model
    lists no fitted attribute); unlike it, a name whose reading fails in another way is kept, so that listing the
    names never raises (reading that one says what is wrong).
    """
    present = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            try:
                getattr(model, name)
            except AttributeError:
                continue
            except Exception:  # noqa: BLE001 - listed; reading it raises where it is read
                pass
            present.append(name)
    return present


def _read(read: Callable[[], Any]) -> Any:
    """``read()``, or None when it fails in any way (a repr never raises)."""
    try:
        return read()
    except Exception:  # noqa: BLE001 - a fact that cannot be read is left out
        return None


def _short(value: Any) -> str:
    """A parameter value or an object as shown: a string itself, an object by its repr, cut."""
    try:
        text = value if isinstance(value, str) else repr(value)
    except Exception:  # noqa: BLE001 - an object whose repr fails is shown by its type
        text = f"<{type(value).__name__}>"
    return _clean(text, VALUE_CHARS)


def _changed_params(model: Any) -> list[tuple[str, str]]:
    """The constructor parameters that differ from their defaults, as (name, value shown)."""
    defaults = {name: p.default for name, p in inspect.signature(type(model).__init__).parameters.items()
                if p.default is not inspect.Parameter.empty}
    changed = []
    for name, value in model.get_params(deep=False).items():
        try:
            same = name in defaults and (value is defaults[name] or bool(value == defaults[name]))
        except Exception:  # noqa: BLE001 - a value that cannot be compared counts as changed
            same = False
        if not same:
            changed.append((name, _short(value)))
    return changed


def _last_edit(record: dict | None) -> str | None:
    """The last history record as ``operation(arg=value, ...) at time``."""
    if not record:
        return None
    arguments = record.get("arguments") or {}
    shown = ", ".join(f"{_clean(k, 30)}={_short(v)}" for k, v in arguments.items()) if isinstance(arguments, dict) \
        else _short(arguments)
    when = f" at {_clean(record['time'], 30)}" if record.get("time") else ""
    return _clean(f"{record.get('operation', 'edit')}({shown})", 2 * VALUE_CHARS) + when


def _embedder(value: Any) -> str:
    if value is None:
        return "none (embeddings given)"
    return _clean(value, VALUE_CHARS) if isinstance(value, str) else _clean(getattr(value, "name", None)
                                                                          or type(value).__name__, VALUE_CHARS)


def _topics(model: Any, limit: int) -> list[tuple[int, int, str, str]]:
    ids, sizes, labels, keywords = model.topic_ids_, model.topic_sizes_, model.labels_, model.keywords_
    return [(int(t), int(sizes[i]), _clean(labels[i], LABEL_CHARS),
             _clean(", ".join(str(w) for w, _ in keywords[i][:KEYWORDS]), KEYWORD_CHARS))
            for i, t in enumerate(ids[:limit])]


def summarize(model: Any, max_topics: int = MAX_TOPICS) -> Summary:
    """What :func:`model_text` and :func:`model_html` show, every fact read on its own (None: not readable)."""
    summary = Summary(fitted=bool(_read(model.__sklearn_is_fitted__)))
    if not summary.fitted:
        summary.changed_params = _read(lambda: _changed_params(model)) or []
        return summary
    summary.n_topics = _read(lambda: len(model.topic_ids_))
    from ..io.units import unit_owners

    summary.n_documents = _read(lambda: len(model.topics_))
    if _read(lambda: model.long_documents_ == "split"):
        summary.n_passages = summary.n_documents
        summary.n_documents = _read(lambda: len(unit_owners(model.corpus_)[1]))
    summary.outlier_share = _read(lambda: float((model.topics_ < 0).mean()) if len(model.topics_) else 0.0)
    summary.language = _read(lambda: _clean(model.language_, 20))
    summary.embedder = _read(lambda: _embedder(model.embedding_model_))
    llm = _read(lambda: model.llm_name_ if model.llm_labels_ else None)
    summary.labels_from = f"LLM ({_clean(llm, VALUE_CHARS)})" if llm else "keywords"
    summary.labeler = _read(lambda: None if model.labeler is None else _short(model.labeler))
    summary.topics = _read(lambda: _topics(model, max_topics)) or []
    summary.n_edits = _read(lambda: len(model.history_))
    summary.last_edit = _read(lambda: _last_edit(model.edit_))
    return summary


def _headline(summary: Summary) -> str:
    parts = [f"{summary.n_topics} topics" if summary.n_topics is not None else "topics",
             f"{summary.n_documents:,} documents" if summary.n_documents is not None else None]
    if summary.n_passages is not None and parts[1]:
        parts[1] = f"{summary.n_passages:,} passages of {parts[1]}"
    line = ", ".join(p for p in parts if p)
    if summary.outlier_share is not None:
        line += f" ({summary.outlier_share:.1%} outliers)"
    return line


def _facts(summary: Summary) -> list[str]:
    facts = [f"language {summary.language}" if summary.language else None,
             f"embedder {summary.embedder}" if summary.embedder else None,
             f"labels from {summary.labels_from}" if summary.labels_from else None,
             f"labeler {summary.labeler}" if summary.labeler else None]
    return [f for f in facts if f]


def _edits(summary: Summary) -> str | None:
    if summary.n_edits is None:
        return None
    if not summary.n_edits:
        return "no edits since the fit"
    return f"{summary.n_edits} edit{'s' if summary.n_edits != 1 else ''}, the last: {summary.last_edit or '?'}"


def model_text(model: Any, constructor: Callable[[], str]) -> str:
    """The text repr of ``model``: ``constructor()`` (scikit-learn's ``TopicModel(...)``), then for a fitted model
    its topics, documents, outliers, language, embedder, labels, the first topics and its edits. Never raises.

    Parameters
    ----------
    model : TopicModel
    constructor : callable
        Gives the model's parameters as scikit-learn shows them: the first line (all of it for an unfitted model).

    Returns
    -------
    str
    """
    try:
        first = _read(constructor) or f"{type(model).__name__}(…)"
        summary = summarize(model)
        if not summary.fitted:
            return first
        lines = [first, f"fitted: {_headline(summary)}"]
        facts = _facts(summary)
        if facts:
            lines.append("  " + " · ".join(facts))
        if summary.topics:
            width = max(len(label) for _, _, label, _ in summary.topics)
            lines.append(f"  {'topic':>5}  {'size':>6}  {'label':<{width}}  keywords")
            lines += [f"  {t:>5}  {size:>6,}  {label:<{width}}  {words}" for t, size, label, words in summary.topics]
            more = (summary.n_topics or 0) - len(summary.topics)
            if more > 0:
                lines.append(f"  … {more} more")
        edits = _edits(summary)
        if edits:
            lines.append("  " + edits)
        return "\n".join(lines)
    except Exception:  # noqa: BLE001 - a repr never raises: the minimal form
        return _minimal(model)


def _minimal(model: Any) -> str:
    return f"<{type(model).__name__} at {id(model):#x}>"


def model_html(model: Any) -> str:
    """The notebook's view of ``model`` (``_repr_html_``): for a fitted model its summary and a table of the
    first topics, for an unfitted one that it is not fitted and the parameters it was given. Every text from
    documents and LLMs is HTML-escaped. Never raises.

    Parameters
    ----------
    model : TopicModel

    Returns
    -------
    str
        An HTML fragment.
    """
    try:
        return _html(summarize(model), type(model).__name__)
    except Exception:  # noqa: BLE001 - a repr never raises: the minimal form
        return f"<pre>{html.escape(_minimal(model))}</pre>"


STYLE = ("font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; font-size: 13px; line-height: 1.4; "
         "max-width: 60em")
CELL = "padding: 2px 8px; text-align: left; vertical-align: top; border-bottom: 1px solid rgba(128,128,128,0.25)"


def _html(summary: Summary, name: str) -> str:
    e = html.escape
    if not summary.fitted:
        params = "".join(f"<li><code>{e(key)}={e(value)}</code></li>" for key, value in summary.changed_params)
        given = f"<ul style='margin: 4px 0'>{params}</ul>" if params else "<div>default parameters</div>"
        return (f"<div class='topiclens-model' style=\"{STYLE}\"><b>{e(name)}</b>: not fitted (call "
                f"<code>fit(docs)</code> or <code>{e(name)}.load(dir)</code>){given}</div>")
    parts = [f"<div class='topiclens-model' style=\"{STYLE}\"><div><b>{e(name)}</b>: {e(_headline(summary))}</div>"]
    facts = _facts(summary)
    if facts:
        parts.append(f"<div>{' · '.join(e(f) for f in facts)}</div>")
    if summary.topics:
        head = "".join(f"<th style='{CELL}'>{h}</th>" for h in ("topic", "size", "label", "keywords"))
        rows = "".join(f"<tr><td style='{CELL}'>{t}</td><td style='{CELL}; text-align: right'>{size:,}</td>"
                       f"<td style='{CELL}'>{e(label)}</td><td style='{CELL}; opacity: 0.75'>{e(words)}</td></tr>"
                       for t, size, label, words in summary.topics)
        parts.append(f"<table style='border-collapse: collapse; margin: 6px 0'><thead><tr>{head}</tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
        more = (summary.n_topics or 0) - len(summary.topics)
        if more > 0:
            parts.append(f"<div>… {more} more (<code>topic_info()</code> lists them all)</div>")
    edits = _edits(summary)
    if edits:
        parts.append(f"<div>{e(edits)}</div>")
    parts.append("</div>")
    return "".join(parts)
