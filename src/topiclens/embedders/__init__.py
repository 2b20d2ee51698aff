"""Embedders: the bundled all-MiniLM-L6-v2 (sentence-transformers, ONNX fp32/int8, a distilled static table, a
table trained on the corpus),
the multilingual Universal Sentence Encoder, and the on-disk embedding cache.

``make_embedder`` (``embedders.registry``) maps the names to these classes.
"""

from .cache import DocumentEncoder, EmbeddingCache, embed_texts, load_embeddings
from .common import bundled_minilm_path
from .learned import LearnedEmbedder
from .onnx_minilm import OnnxMiniLMEmbedder
from .registry import make_embedder, resolve_embedding_model
from .sentence import SentenceTransformerEmbedder
from .static import StaticEmbedder
from .use import UniversalSentenceEncoderEmbedder

__all__ = ["DocumentEncoder", "EmbeddingCache", "LearnedEmbedder", "OnnxMiniLMEmbedder", "SentenceTransformerEmbedder",
           "StaticEmbedder",
           "UniversalSentenceEncoderEmbedder", "bundled_minilm_path", "embed_texts", "load_embeddings",
           "make_embedder", "resolve_embedding_model"]
