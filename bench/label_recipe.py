"""Label fixed topics with the seed article's recipe, run through BERTopic 0.17 itself.

The recipe ("Topic Modeling with Llama 2", as adopted by BERTopic's docs for LlamaCPP): BERTopic's
``LlamaCPP`` representation model with a system prompt, one worked example (documents and keywords
about the environmental impact of eating meat, answered with a short label), then the topic with
its [DOCUMENTS] (4 representative documents picked by BERTopic) and [KEYWORDS] (c-TF-IDF). The
system prompt, example and template are topiclens's own (``topiclens.llm.prompts``), so both
labelers ask the same question of the same LLM on the same topics.

BERTopic does not cluster here ("manual topic modeling"): the topics come in as ``y``, the
embeddings as given, with empty dimensionality-reduction and cluster models. BERTopic 0.17's
LlamaCPP calls ``create_chat_completion`` with two messages (system, user), so the worked example
is written into the user message as ChatML turns (llama-cpp-python tokenizes chat prompts with
special tokens on); the GGUF's own chat template wraps the rest. Documents are cut with
BERTopic's ``doc_length`` + ``tokenizer`` (BERTopic issue #2339: whole documents overflow 4,096).

usage: python bench/label_recipe.py   (smoke test: 400 Debian records, the 0.5B bundled model)
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from topiclens.llm import prompts as tp

MAX_TOKENS = 24  # as topiclens's GenerationParams
# The seed article's question (topiclens's default prompt before it asked for what most documents share).
RECIPE_TEMPLATE = (
    "This topic contains the following documents:\n[DOCUMENTS]\n"
    "It is described by these keywords: [KEYWORDS].\n"
    "Based on the documents and keywords above, write a short label for this topic. "
    "Answer with the label only, nothing else."
)
RECIPE_TEMPLATE_ZH = (
    "这个主题包含以下文档：\n[DOCUMENTS]\n"
    "描述它的关键词是：[KEYWORDS]。\n"
    "请根据以上文档和关键词，为这个主题写一个简短的中文标签。只回答标签本身，不要写其他内容。"
)
_CHATTER = re.compile(r"^(?:topic\s+label|topic\s+name|label|topic|标签|主题)\s*[:：]\s*", re.IGNORECASE)
_QUOTES = "\"'`*“”‘’「」『』 "


@dataclass
class RecipeResult:
    """The recipe's labels for a set of fixed topics."""

    labels: dict[int, str]
    seconds_per_topic: float
    prompts: dict[int, str]
    doc_cut: str
    raw: dict[int, str] = field(default_factory=dict)  # BERTopic's label before cleaning
    prompt_tokens: dict[int, int] = field(default_factory=dict)


def recipe_prompt(cjk: bool = False) -> str:
    """The user message given to LlamaCPP: the worked example as ChatML turns, then the topic's template."""
    template = RECIPE_TEMPLATE_ZH if cjk else RECIPE_TEMPLATE
    example_docs = (tp.EXAMPLE_DOCUMENTS_ZH if cjk else tp.EXAMPLE_DOCUMENTS).replace("- ", "").split("\n")
    example = tp.fill(template, example_docs, (tp.EXAMPLE_KEYWORDS_ZH if cjk else tp.EXAMPLE_KEYWORDS).split(", "))
    label = tp.EXAMPLE_LABEL_ZH if cjk else tp.EXAMPLE_LABEL
    return f"{example}<|im_end|>\n<|im_start|>assistant\n{label}<|im_end|>\n<|im_start|>user\n{template}"


def clean_label(text: str) -> str:
    """First non-empty line, without surrounding quotes or a 'Label:' prefix."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    line = _CHATTER.sub("", line.strip(_QUOTES))
    return line.strip(_QUOTES)


def _recipe_class() -> type:
    """LlamaCPP, timed, remembering each topic's messages and skipping the LLM call for topic -1."""
    from bertopic.representation import LlamaCPP

    class RecipeLlamaCPP(LlamaCPP):
        def __init__(self, llm: Any, **kwargs: Any) -> None:
            super().__init__(llm, **kwargs)
            self.llm, self.model = llm, self  # BERTopic calls self.model.create_chat_completion
            self.topic: int | None = None
            self.messages: dict[int, list[dict[str, str]]] = {}
            self.seconds = 0.0

        def _create_prompt(self, docs: list[str], topic: int, topics: Any) -> str:
            self.topic = topic
            return super()._create_prompt(docs, topic, topics)

        def create_chat_completion(self, messages: list[dict[str, str]], **kwargs: Any) -> dict:
            if self.topic == -1:  # outliers: BERTopic would label them too; not compared
                return {"choices": [{"message": {"content": ""}}]}
            self.messages[self.topic] = messages
            return self.llm.create_chat_completion(messages=messages, **kwargs)

        def extract_topics(self, topic_model: Any, documents: Any, c_tf_idf: Any, topics: Any) -> Any:
            start = time.perf_counter()
            out = super().extract_topics(topic_model, documents, c_tf_idf, topics)
            self.seconds += time.perf_counter() - start
            return out

    return RecipeLlamaCPP


def _default_vectorizer(cjk: bool) -> Any:
    from sklearn.feature_extraction.text import CountVectorizer

    if cjk:
        import jieba

        return CountVectorizer(tokenizer=jieba.lcut, token_pattern=None)
    return CountVectorizer(stop_words="english")


def recipe_labels(docs: list[str], topics: list[int], embeddings: np.ndarray, gguf: str | Path, *,
                  threads: int = 2, nr_docs: int = 4, doc_words: int = 300, vectorizer_model: Any = None,
                  cjk: bool = False, chinese_prompt: bool = False) -> RecipeResult:
    """Label the given topics (all but -1) with BERTopic's LlamaCPP and the article's prompt.

    The article's prompt is English; ``chinese_prompt`` uses topiclens's Chinese translation instead.

    ``docs``, ``topics`` and ``embeddings`` are aligned rows. Each representative document is cut to
    its first ``doc_words`` whitespace words, or ``2 * doc_words`` characters with ``cjk`` (no spaces
    to split on; about as many tokens). ``vectorizer_model`` defaults to English stop words removed
    (jieba words with ``cjk``).
    """
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    topics = [int(t) for t in topics]
    if not len(docs) == len(topics) == len(embeddings):
        raise ValueError(f"{len(docs)} docs, {len(topics)} topics, {len(embeddings)} embeddings: must be aligned")
    llm = Llama(model_path=str(gguf), n_ctx=4096, n_threads=threads, n_threads_batch=threads, verbose=False, seed=0)
    template = llm.metadata.get("tokenizer.chat_template", "")
    if "<|im_start|>" not in template:
        raise ValueError(f"{gguf}: the recipe prompt is written for a ChatML model (Qwen2.5), not this chat template")
    doc_length, tokenizer = (2 * doc_words, "char") if cjk else (doc_words, "whitespace")
    doc_cut = f"first {doc_length} {'characters' if cjk else 'words'}"
    representation = _recipe_class()(
        llm, prompt=recipe_prompt(chinese_prompt), system_prompt=tp.SYSTEM_PROMPT, nr_docs=nr_docs, diversity=None,
        doc_length=doc_length, tokenizer=tokenizer,
        pipeline_kwargs={"max_tokens": MAX_TOKENS, "temperature": 0.0, "top_k": 1, "seed": 0})
    model = BERTopic(embedding_model=None, umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster(),
                     vectorizer_model=vectorizer_model or _default_vectorizer(cjk),
                     representation_model=representation, verbose=False)
    model.fit(list(docs), embeddings=np.asarray(embeddings), y=np.asarray(topics))

    ours = dict(zip(model.topics_, topics))  # BERTopic renumbers topics by size
    if len(set(ours.values())) != len(ours):
        raise RuntimeError("BERTopic's topic ids do not map one-to-one onto the given ones")
    raw = {ours[t]: words[0][0] for t, words in model.topic_representations_.items() if ours[t] != -1}
    formatter = Jinja2ChatFormatter(template=template, eos_token=llm.detokenize([llm.token_eos()], special=True)
                                    .decode(errors="replace"), bos_token="")
    prompts, n_tokens = {}, {}
    for t, messages in representation.messages.items():
        prompts[ours[t]] = text = formatter(messages=messages).prompt
        n_tokens[ours[t]] = len(llm.tokenize(text.encode(), add_bos=False, special=True))
    labeled = sorted(raw)
    return RecipeResult(labels={t: clean_label(raw[t]) for t in labeled},
                        seconds_per_topic=representation.seconds / max(len(labeled), 1),
                        prompts={t: prompts[t] for t in labeled}, doc_cut=f"{doc_cut} ({nr_docs} docs per topic)",
                        raw={t: raw[t] for t in labeled}, prompt_tokens={t: n_tokens[t] for t in labeled})


def main() -> None:
    """Smoke test: 400 Debian records, topiclens's topics, the 0.5B bundled model on 2 threads."""
    import gzip
    import json
    from collections import Counter

    from topiclens import TopicModel
    from topiclens.llm.bundled import assemble

    with gzip.open(Path(__file__).resolve().parents[1] / "data" / "debian_sample.jsonl.gz", "rt") as fh:
        texts = [json.loads(line)["text"] for _, line in zip(range(400), fh)]
    tm = TopicModel(layout="none", threads=2, verbose=False).fit(texts)
    usable = np.asarray(tm.usable_)
    docs = [t for t, ok in zip(texts, usable) if ok]
    topics = np.asarray(tm.topics_)[usable].tolist()
    result = recipe_labels(docs, topics, tm.embeddings_, assemble("qwen2.5-coder-0.5b"), threads=2)
    sizes = Counter(topics)
    print(f"{len(docs)} docs, {len(result.labels)} topics ({sizes.get(-1, 0)} outliers), cut: {result.doc_cut}")
    for t, label in result.labels.items():
        print(f"topic {t:3d}  size {sizes[t]:4d}  prompt tokens {result.prompt_tokens[t]:5d}  {label!r}"
              + ("" if label == result.raw[t] else f"  (raw {result.raw[t]!r})"))
    print(f"seconds per topic: {result.seconds_per_topic:.2f}")
    first = next(iter(result.prompts))
    print(f"\n--- prompt of topic {first} ---\n{result.prompts[first]}")


if __name__ == "__main__":
    main()
