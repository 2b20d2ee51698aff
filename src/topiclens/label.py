"""The labeling stage: one LLM call per topic, cached, cleaned, made distinct, never missing.

Every answer goes to the on-disk cache as soon as it arrives, so an interrupted run resumes
with the topics it had not finished, and a repeated run makes no call. An empty or chatty
answer is cleaned; if nothing usable is left, or the label repeats another topic's, the
topic is asked once more with the labels already taken listed. What is still a duplicate
gets the topic's best distinguishing keyword; what is still empty falls back to keywords.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from .corpus import TopicLensWarning
from .lang import CJK
from .llm.base import LLM, GenerationParams, LLMError, LLMUnavailable
from .llm.cache import AnswerCache, answer_key
from .llm.prompts import TEMPLATE, TEMPLATE_ZH, label_messages
from .runtime import progress

CHATTER = re.compile(
    r"^\s*(?:sure|certainly|of course|okay|ok|absolutely|great)\b[^:\n]*?(?:[:!.,]\s*|$)"
    r"|^\s*(?:here\s+is|here's|here\s+are)\b[^:\n]*?:\s*"
    r"|^\s*(?:the\s+)?(?:topic\s+)?(?:label|title|name|answer)"
    r"(?:\s+(?:is|would be|for this topic(?: is)?))?\s*[:\-–]\s*",
    re.IGNORECASE,
)
STILL_CHATTY = re.compile(r"^(?:sure|certainly|here|i |i'm|as an ai|based on|this topic|the topic)", re.IGNORECASE)
TRIM = " \t\"'`*#•“”‘’「」『』《》[]()"


def clean_label(answer: str, max_words: int = 8) -> str:
    """One short line from an LLM answer, without chatter, quotes or a final period ('' if none)."""
    text = re.sub(r"<think>.*?</think>", "", answer or "", flags=re.DOTALL | re.IGNORECASE)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[0]
    if line.rstrip().endswith(":") and len(lines) > 1:
        line = lines[1]
    for _ in range(3):
        stripped = CHATTER.sub("", line, count=1).strip().strip(TRIM).strip()
        if stripped == line:
            break
        line = stripped
    line = re.sub(r"^\s*(?:[-*]\s+|\d+[.)]\s+)", "", line).strip(TRIM).rstrip(".。!！;；,，:：").strip(TRIM)
    if not line or STILL_CHATTY.match(line):
        return ""
    if CJK.search(line):
        return line[: max_words * 3]
    words = line.split()
    return " ".join(words[:max_words])


def truncate(text: str, budget_tokens: int) -> str:
    """Roughly ``budget_tokens`` tokens of a document: ~0.75 words a token, or a character a token for CJK."""
    text = " ".join(text.split())
    if CJK.search(text):
        return text[:budget_tokens]
    words = text.split(" ")
    keep = max(1, int(budget_tokens * 0.75))
    return text if len(words) <= keep else " ".join(words[:keep]) + " …"


@dataclass
class TopicPrompt:
    """What the LLM sees of one topic."""

    documents: list[str]
    keywords: list[str]
    fallback: str


@dataclass
class LabelStats:
    llm_calls: int = 0
    cached: int = 0
    reasked: int = 0
    fallbacks: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"llm_calls": self.llm_calls, "cached": self.cached, "reasked": self.reasked,
                "fallbacks": self.fallbacks}


class TopicLabeler:
    """Writes a label for each topic with an LLM (see the module docstring)."""

    def __init__(self, llm: LLM, *, template: str | None = None, language: str = "en", max_words: int = 8,
                 doc_tokens: int = 24, params: GenerationParams | None = None, cache: bool | str = True,
                 verbose: bool = True) -> None:
        self.llm = llm
        self.language = language
        self.template = template or (TEMPLATE_ZH if language == "zh" else TEMPLATE)
        self.max_words = max_words
        self.doc_tokens = doc_tokens
        self.params = params or GenerationParams()
        self.cache = cache
        self.verbose = verbose

    def _messages(self, topic: TopicPrompt, taken: Sequence[str] = ()) -> list[dict[str, str]]:
        documents = [truncate(d, self.doc_tokens) for d in topic.documents]
        return label_messages(documents, topic.keywords, self.template, self.language, taken)

    def _ask_all(self, jobs: list[list[dict[str, str]]], store: AnswerCache | None, stats: LabelStats,
                 desc: str) -> list[str | None]:
        """Answers for each message list: from the cache, or from the LLM (concurrently if it allows)."""
        params = self.params.as_dict()
        answers: list[str | None] = [None] * len(jobs)
        keys = [answer_key(self.llm.backend, self.llm.model, m, params) for m in jobs]
        todo = []
        for i, key in enumerate(keys):
            cached = store.get(key) if store is not None else None
            if cached is not None:
                answers[i] = cached
                stats.cached += 1
            else:
                todo.append(i)
        stats.llm_calls += len(todo)

        def call(i: int) -> str:
            answer = self.llm.complete(jobs[i], self.params)
            if store is not None:
                store.put(keys[i], self.llm.backend, self.llm.model, jobs[i], params, answer)
            return answer

        with progress(total=len(jobs), initial=len(jobs) - len(todo), desc=desc, unit="topic",
                      disable=not self.verbose) as bar:
            workers = max(1, min(getattr(self.llm, "concurrency", 1), len(todo)))
            if workers == 1:
                for i in todo:
                    answers[i] = self._guarded(call, i, stats)
                    bar.update(1)
            else:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    futures = {pool.submit(self._guarded, call, i, stats): i for i in todo}
                    for future in as_completed(futures):
                        answers[futures[future]] = future.result()
                        bar.update(1)
        return answers

    @staticmethod
    def _guarded(call, i: int, stats: LabelStats) -> str | None:
        try:
            return call(i)
        except LLMUnavailable:
            raise
        except LLMError as exc:
            stats.errors.append(str(exc))
            return None

    def label(self, topics: Sequence[TopicPrompt]) -> tuple[list[str], LabelStats]:
        """A distinct, non-empty label for every topic, and what it cost."""
        stats = LabelStats()
        store = AnswerCache(None if self.cache is True else self.cache) if self.cache else None
        try:
            answers = self._ask_all([self._messages(t) for t in topics], store, stats, "labeling topics")
            labels = [clean_label(a or "", self.max_words) for a in answers]
            # Failed calls were retried already: they go straight to the keyword fallback.
            again = [i for i, lab in enumerate(labels)
                     if answers[i] is not None and (not lab or _is_duplicate(labels, i))]
            if again:
                stats.reasked = len(again)
                taken = [lab for lab in labels if lab]
                retry = self._ask_all([self._messages(topics[i], taken) for i in again], store, stats,
                                      "re-asking topics")
                for i, answer in zip(again, retry):
                    candidate = clean_label(answer or "", self.max_words)
                    if candidate and candidate.casefold() not in {t.casefold() for t in taken}:
                        labels[i] = candidate
        finally:
            if store is not None:
                store.close()
        for i, lab in enumerate(labels):
            if not lab:
                labels[i] = topics[i].fallback
                stats.fallbacks += 1
        labels = make_distinct(labels, [t.keywords for t in topics])
        if stats.errors:
            warnings.warn(f"{len(stats.errors)} LLM call(s) failed, those topics use keyword labels; first: "
                          f"{stats.errors[0]}", TopicLensWarning, stacklevel=2)
        return labels, stats


def _is_duplicate(labels: Sequence[str], i: int) -> bool:
    """True when an earlier (larger) topic already has this label."""
    folded = labels[i].casefold()
    return any(lab.casefold() == folded for lab in labels[:i])


def make_distinct(labels: Sequence[str], keywords: Sequence[Sequence[str]]) -> list[str]:
    """Append a keyword (or a number) to every repeat of an earlier label."""
    result: list[str] = []
    seen: set[str] = set()
    for label, words in zip(labels, keywords):
        candidate = label
        for word in words:
            if candidate.casefold() not in seen:
                break
            if word.casefold() not in label.casefold():
                candidate = f"{label} ({word})"
        n = 2
        while candidate.casefold() in seen:
            candidate = f"{label} ({n})"
            n += 1
        seen.add(candidate.casefold())
        result.append(candidate)
    return result


def label_model(model, llm=None) -> dict[str, int]:
    """Label a fitted TopicModel's topics with ``llm`` (or its own ``llm`` setting); store and return stats."""
    from pathlib import Path

    from .errors import ConfigError
    from .llm.base import make_llm
    from .model import keyword_label

    spec = llm if llm is not None else model.llm
    if spec is None:
        raise ConfigError("no LLM given: pass llm='qwen2.5-coder-1.5b' (bundled), 'llama-cpp:PATH.gguf', "
                          "'hf:DIR' or 'openai:MODEL@URL'")
    backend = make_llm(spec, threads=model.threads, chat_format=model.chat_format, api_key_env=model.api_key_env,
                       concurrency=model.llm_concurrency, timeout=model.llm_timeout)
    model.llm = spec
    texts = model.corpus_.texts
    language = model.language_ if model.label_language == "auto" else model.label_language
    prompts = [TopicPrompt(documents=[texts[i] for i in model.representative_docs_[t]],
                           keywords=[w for w, _ in model.keywords_[t][:10]],
                           fallback=keyword_label(model.keywords_[t])) for t in model.topic_ids_]
    cache = model.cache if isinstance(model.cache, bool) else str(Path(model.cache) / "llm-answers.sqlite")
    labeler = TopicLabeler(backend, template=model.label_template, language=language,
                           max_words=model.label_max_words, doc_tokens=model.label_doc_tokens, cache=cache,
                           verbose=model.verbose)
    labels, stats = labeler.label(prompts)
    model.llm_labels_ = labels
    model.labels_ = list(labels)
    model.llm_name_ = f"{backend.backend}:{backend.model}"
    model.label_stats_ = stats.as_dict()
    return model.label_stats_
