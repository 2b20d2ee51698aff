"""The allowed values of every named setting, declared once.

``TopicModel`` and the stage objects validate against these tuples, and the command line offers
them as ``choices=``. This module imports nothing heavy, so ``topiclens --help`` stays fast.
"""

from __future__ import annotations

from typing import Literal, get_args

ModelName = Literal["embedding", "lda", "nmf"]
ReductionName = Literal["pca", "none", "umap"]
ClusteringName = Literal["leiden", "hdbscan", "kmeans"]
LayoutName = Literal["umap", "pca", "none"]
LanguageName = Literal["auto", "en", "zh"]
KeywordWeighting = Literal["docshare", "classic"]
ChatFormat = Literal["llama-2", "mistral", "zephyr", "chatml", "few-shot"]
CoherenceMeasure = Literal["c_npmi", "c_v", "u_mass"]
DecodeErrors = Literal["strict", "replace"]
EvidenceName = Literal["nearest", "diverse"]  # the documents an LLM labeler is shown
KeywordSource = Literal["ctfidf", "keybert", "both"]  # the keywords it is shown
BundledLLM = Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m"]

MODELS: tuple[str, ...] = get_args(ModelName)
REDUCTIONS: tuple[str, ...] = get_args(ReductionName)
CLUSTERINGS: tuple[str, ...] = get_args(ClusteringName)
LAYOUTS: tuple[str, ...] = get_args(LayoutName)
LANGUAGES: tuple[str, ...] = get_args(LanguageName)
KEYWORD_WEIGHTINGS: tuple[str, ...] = get_args(KeywordWeighting)
CHAT_FORMATS: tuple[str, ...] = get_args(ChatFormat)
COHERENCE_MEASURES: tuple[str, ...] = get_args(CoherenceMeasure)
DECODE_ERRORS: tuple[str, ...] = get_args(DecodeErrors)
BUNDLED_LLMS: tuple[str, ...] = get_args(BundledLLM)
EVIDENCE: tuple[str, ...] = get_args(EvidenceName)
KEYWORD_SOURCES: tuple[str, ...] = get_args(KeywordSource)
DEFAULT_LLM = "qwen2.5-coder-1.5b"
# Labels at least this similar (cosine of the model's embeddings) are renamed together; picked by bench/bench_labels.py.
DISAMBIGUATE_SIMILARITY = 0.5
