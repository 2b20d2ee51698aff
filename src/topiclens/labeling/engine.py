"""Asking an LLM for one label per topic: cached, concurrent where the backend allows, re-asked once.

Every answer goes to the on-disk cache as soon as it arrives, so an interrupted run resumes
with the topics it had not finished, and a repeated run makes no call. An empty or chatty
answer is cleaned; if nothing usable is left, the label repeats another topic's, or it is
written outside the script of the language asked for (Korean asked, English given), the
topic is asked once more with the labels already taken listed. What is still a duplicate
gets the topic's best distinguishing keyword; what is still empty falls back to keywords.
Labels that are not repeats but mean nearly the same can be renamed together, one prompt per
group of them (joint disambiguation, :meth:`TopicLabeler.disambiguate`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

import numpy as np

from ..core.errors import TopicLensWarning
from ..core.lang import SCRIPTS, written_in
from ..core.runtime import progress
from ..llm.base import LLM, GenerationParams, LLMError, LLMUnavailable, ask, scrub_answer
from ..llm.cache import AnswerCache, answer_key
from ..llm.prompts import (
    TEMPLATE,
    TEMPLATE_ZH,
    WorkedExample,
    describe_messages,
    disambiguate_messages,
    label_messages,
)
from ..stages.protocols import TopicEvidence
from .clean import answer_text, clean_description, clean_label, is_duplicate, make_distinct, truncate
from .disambiguate import MAX_GROUP, label_similarity, read_renames, similar_groups

DESCRIPTION_TOKENS = 96  # two sentences
ANSWER_TOKENS = 10  # a label, for time estimates
GROUP_DOCS = 3  # documents per topic in a disambiguation prompt
GROUP_KEYWORDS = 8  # keywords per topic in a disambiguation prompt


@dataclass
class LabelStats:
    llm_calls: int = 0
    cached: int = 0
    reasked: int = 0
    fallbacks: int = 0
    skipped: int = 0
    groups: int = 0  # groups of near-identical labels asked to be told apart
    renamed: int = 0  # labels those prompts changed
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        counts = {"llm_calls": self.llm_calls, "cached": self.cached, "reasked": self.reasked,
                  "fallbacks": self.fallbacks, "skipped": self.skipped}
        return {**counts, "groups": self.groups, "renamed": self.renamed} if self.groups else counts


class TopicLabeler:
    """Writes a label for each topic with an LLM (see the module docstring)."""

    def __init__(self, llm: LLM, *, template: str | None = None,
                 examples: Sequence[WorkedExample] | None = None, language: str = "en", max_words: int = 8,
                 doc_tokens: int = 24, params: GenerationParams | None = None, cache: bool | str = True,
                 verbose: bool = True) -> None:
        self.llm = llm
        self.language = language
        self.template = template or (TEMPLATE_ZH if language == "zh" else TEMPLATE)
        self.examples = examples
        self.max_words = max_words
        self.doc_tokens = doc_tokens
        self.params = params or GenerationParams()
        self.cache = cache
        self.verbose = verbose
        count = getattr(llm, "count_tokens", None)
        self._count = count if callable(count) else None  # documents are cut by the model's own tokens

    def _messages(self, topic: TopicEvidence, taken: Sequence[str] = (),
                  remind_language: bool = False) -> list[dict[str, str]]:
        """The label prompt of ``topic`` (``taken``: labels not to repeat; ``remind_language``: ask once more for
        the corpus language, after an answer in another script)."""
        documents = [truncate(d, self.doc_tokens, self._count) for d in topic.documents]
        return label_messages(documents, topic.keywords, self.template, self.language, taken, self.examples,
                              remind_language)

    def _off_language(self, label: str) -> bool:
        """Whether a label is written outside the script of the language asked for (checked only for languages
        told by their script: a Korean corpus's label in English is asked again, once; an English label is
        never questioned)."""
        return bool(label) and self.language in SCRIPTS and not written_in(label, self.language)

    def _open_store(self) -> AnswerCache | None:
        """The on-disk answer cache (None when caching is off)."""
        return AnswerCache(None if self.cache is True else self.cache) if self.cache else None

    def _keys(self, jobs: Sequence[list[dict[str, str]]], generation: GenerationParams | None = None) -> list[str]:
        """Each prompt's cache key. A remote backend's answers are keyed by its address too."""
        params = (generation or self.params).as_dict()
        identity = f"{self.llm.model}@{self.llm.scope}" if getattr(self.llm, "scope", "") else self.llm.model
        return [answer_key(self.llm.backend, identity, m, params) for m in jobs]

    def _ask_all(self, jobs: list[list[dict[str, str]]], store: AnswerCache | None, stats: LabelStats,
                 desc: str, budget: int | None = None, generation: GenerationParams | None = None,
                 unit: str = "topic") -> tuple[list[str | None], set[int]]:
        """Answers for each message list: from the cache, or from the LLM (concurrently if it allows).

        At most ``budget`` LLM calls are made (None: no limit); the prompts past it get None and are
        counted as skipped.
        """
        generation = generation or self.params
        params = generation.as_dict()
        answers: list[str | None] = [None] * len(jobs)
        keys = self._keys(jobs, generation)
        todo = []
        for i, key in enumerate(keys):
            cached = store.get(key) if store is not None else None
            if cached is not None:
                answers[i] = scrub_answer(self.llm, cached)  # one cached before answers were scrubbed, too
                stats.cached += 1
            else:
                todo.append(i)
        skipped: set[int] = set()
        if budget is not None and len(todo) > budget:
            skipped = set(todo[max(budget, 0):])
            todo = todo[: max(budget, 0)]
        stats.llm_calls += len(todo)

        def call(i: int) -> str:
            answer = ask(self.llm, jobs[i], generation)  # the key out before it is cached, cleaned or stored
            if store is not None:
                store.put(keys[i], self.llm.backend, self.llm.model, jobs[i], params, answer)
            return answer

        with progress(total=len(jobs), initial=len(jobs) - len(todo), desc=desc, unit=unit,
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
        return answers, skipped

    @staticmethod
    def _guarded(call, i: int, stats: LabelStats) -> str | None:
        try:
            return call(i)
        except LLMUnavailable:
            raise
        except LLMError as exc:
            stats.errors.append(str(exc))
            return None

    def label(self, topics: Sequence[TopicEvidence], taken: Sequence[str] = (),
              max_calls: int | None = None, similar: float | None = None,
              encode: Callable[[list[str]], np.ndarray] | None = None, step: str = "labeling topics",
              unit: str = "topic") -> tuple[list[str | None], LabelStats]:
        """A distinct, non-empty label for every topic, and what it cost.

        ``taken`` are labels of other topics that the new ones must differ from. With ``max_calls``,
        at most that many LLM calls are made (re-asks included); a topic whose first call would pass
        the limit gets None (it keeps the label it has) and is counted as skipped. With ``similar``,
        labels whose similarity (``encode``: an embedder's, else shared words) reaches it are renamed
        together, one prompt per group (:meth:`disambiguate`). ``step`` and ``unit`` name the work on the
        progress bar (the re-asks: ``re-asking {unit}s``).
        """
        stats = LabelStats()
        fixed = [lab for lab in taken if lab]
        store = self._open_store()
        try:
            answers, skipped = self._ask_all([self._messages(t) for t in topics], store, stats, step,
                                             budget=max_calls, unit=unit)
            stats.skipped = len(skipped)
            labels = [clean_label(a or "", self.max_words, language=self.language) for a in answers]
            # Failed calls were retried already: they go straight to the keyword fallback.
            again = [i for i, lab in enumerate(labels) if answers[i] is not None and (
                not lab or is_duplicate([*fixed, *labels[:i + 1]], len(fixed) + i) or self._off_language(lab))]
            left = None if max_calls is None else max_calls - stats.llm_calls
            if again and (left is None or left > 0):
                used = fixed + [lab for lab in labels if lab]
                retry, not_asked = self._ask_all([self._messages(topics[i], used, self._off_language(labels[i]))
                                                  for i in again], store, stats, f"re-asking {unit}s", budget=left,
                                                 unit=unit)
                stats.reasked = len(again) - len(not_asked)
                for i, answer in zip(again, retry):
                    candidate = clean_label(answer or "", self.max_words, language=self.language)
                    if candidate and candidate.casefold() not in {t.casefold() for t in used} and not (
                            self._off_language(candidate) and labels[i]):
                        labels[i] = candidate
        finally:
            if store is not None:
                store.close()
        for i, lab in enumerate(labels):
            if not lab and i not in skipped:
                labels[i] = topics[i].fallback
                stats.fallbacks += 1
        done = [i for i in range(len(topics)) if i not in skipped]
        left = None if max_calls is None else max_calls - stats.llm_calls
        if similar is not None and len(done) > 1 and (left is None or left > 0):
            renamed = self.disambiguate([topics[i] for i in done], [labels[i] or "" for i in done], similar,
                                        encode, stats, budget=left, taken=fixed)
            for i, lab in zip(done, renamed):
                labels[i] = lab
        distinct = make_distinct([*fixed, *(labels[i] for i in done)],
                                 [[] for _ in fixed] + [topics[i].keywords for i in done])[len(fixed):]
        result: list[str | None] = [None] * len(topics)
        for i, lab in zip(done, distinct):
            result[i] = lab
        if stats.errors:
            warnings.warn(f"{len(stats.errors)} LLM call(s) failed, those topics use keyword labels; first: "
                          f"{stats.errors[0]}", TopicLensWarning, stacklevel=5)
        return result, stats

    def disambiguate(self, topics: Sequence[TopicEvidence], labels: Sequence[str], threshold: float,
                     encode: Callable[[list[str]], np.ndarray] | None, stats: LabelStats,
                     budget: int | None = None, taken: Sequence[str] = ()) -> list[str]:
        """``labels`` with each group of near-identical ones (similarity >= ``threshold``) renamed together:
        one prompt per group shows each topic's keywords and documents (not its old label, which a small
        model copies back) and asks for names that tell them apart. A new name is kept only if it is usable,
        not another topic's label, and not in another script than the label it replaces."""
        groups = similar_groups(label_similarity(labels, encode), threshold)
        if not groups:
            return list(labels)
        jobs = [disambiguate_messages([(topics[i].keywords[:GROUP_KEYWORDS],
                                        [truncate(d, self.doc_tokens, self._count)
                                         for d in topics[i].documents[:GROUP_DOCS]])
                                       for i in group], self.language) for group in groups]
        generation = replace(self.params, max_tokens=(self.params.max_tokens + 4) * MAX_GROUP)
        store = self._open_store()
        try:
            answers, skipped = self._ask_all(jobs, store, stats, "telling labels apart", budget=budget,
                                             generation=generation, unit="group")
        finally:
            if store is not None:
                store.close()
        result = list(labels)
        for number, (group, answer) in enumerate(zip(groups, answers)):
            if number in skipped or answer is None:
                continue
            stats.groups += 1
            renames = read_renames(answer_text(answer), len(group))
            for position, topic in enumerate(group):
                candidate = clean_label(renames.get(position, ""), self.max_words, language=self.language)
                others = {lab.casefold() for j, lab in enumerate(result) if j != topic} | {t.casefold() for t in taken}
                if candidate and candidate.casefold() not in others and candidate != result[topic] and not (
                        self._off_language(candidate) and not self._off_language(result[topic])):
                    result[topic] = candidate
                    stats.renamed += 1
        return result

    def describe(self, topics: Sequence[TopicEvidence], labels: Sequence[str],
                 max_calls: int | None = None) -> tuple[list[str | None], LabelStats]:
        """One or two sentences per labeled topic, cached like labels ('' when an answer held none; None for a
        topic past ``max_calls``)."""
        stats = LabelStats()
        store = self._open_store()
        jobs = [self._describe_messages(t, label) for t, label in zip(topics, labels)]
        try:
            answers, skipped = self._ask_all(jobs, store, stats, "describing topics", budget=max_calls,
                                             generation=self._describe_params())
        finally:
            if store is not None:
                store.close()
        stats.skipped = len(skipped)
        texts: list[str | None] = [None if i in skipped else clean_description(a or "") for i, a in enumerate(answers)]
        stats.fallbacks = sum(text == "" for text in texts)
        if stats.errors:
            warnings.warn(f"{len(stats.errors)} LLM call(s) failed, those topics have no description; first: "
                          f"{stats.errors[0]}", TopicLensWarning, stacklevel=6)
        return texts, stats

    def _describe_messages(self, topic: TopicEvidence, label: str) -> list[dict[str, str]]:
        documents = [truncate(d, self.doc_tokens * 2, self._count) for d in topic.documents]
        return describe_messages(documents, topic.keywords, label, self.language)

    def _describe_params(self) -> GenerationParams:
        return replace(self.params, max_tokens=DESCRIPTION_TOKENS)

    def plan(self, topics: Sequence[TopicEvidence], max_calls: int | None = None) -> dict:
        """What :meth:`label` would do, without calling the LLM: the calls it would make (first answers; a
        repeated or empty answer costs one re-ask more), the answers it would take from the cache, the
        prompt tokens of those calls (counted with the backend's tokenizer when it has one) and, for a
        backend that can time itself, the seconds they would take."""
        jobs = [self._messages(t) for t in topics]
        keys = self._keys(jobs)
        store = self._open_store()
        try:
            todo = [i for i, key in enumerate(keys) if store is None or store.get(key) is None]
        finally:
            if store is not None:
                store.close()
        skipped = 0
        if max_calls is not None and len(todo) > max_calls:
            skipped, todo = len(todo) - max_calls, todo[:max_calls]
        count = getattr(self.llm, "count_tokens", None)
        measure = count if callable(count) else (lambda text: -(-len(text) // 4))
        prompts = [jobs[i] for i in todo]
        tokens = [message_tokens(messages, measure) for messages in prompts]
        return {"calls": len(todo), "cached": len(topics) - len(todo) - skipped, "skipped": skipped,
                "prompt_tokens": sum(tokens), "tokens_counted_by": "the model's tokenizer" if callable(count)
                else "an estimate (4 characters a token)", "seconds_estimate": self._seconds(prompts, tokens)}

    def _seconds(self, prompts: list[list[dict[str, str]]], tokens: list[int]) -> float | None:
        """The time ``prompts`` would take, from a timing probe of a local backend (None if it has none)."""
        measure = getattr(self.llm, "measure_speed", None)
        if not prompts or not callable(measure):
            return None
        read_seconds, per_token = measure(prompts[0], self.params)
        # llama.cpp keeps the previous prompt's tokens: the shared system prompt and example are read once.
        shared = message_tokens(prompts[0][:-1], self.llm.count_tokens)
        to_read = sum(tokens) - shared * (len(prompts) - 1)
        return round(to_read * read_seconds / tokens[0] + ANSWER_TOKENS * len(prompts) * per_token, 1)


def message_tokens(messages: Sequence[dict[str, str]], count) -> int:
    """Tokens of a chat prompt: each message's content by ``count``, plus 4 for its role and markers."""
    return sum(count(m["content"]) + 4 for m in messages)
