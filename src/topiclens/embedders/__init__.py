"""Embedders: the bundled all-MiniLM-L6-v2 (sentence-transformers, ONNX fp32/int8, a distilled static table),
the multilingual Universal Sentence Encoder, and the on-disk embedding cache.

``make_embedder`` (``embedders.registry``) maps the names to these classes.
"""

from .cache import DocumentEncoder, EmbeddingCache, embed_texts, load_embeddings
from .common import bundled_minilm_path
from .onnx_minilm import OnnxMiniLMEmbedder
from .registry import make_embedder, resolve_embedding_model
from .sentence import SentenceTransformerEmbedder
from .static import StaticEmbedder
from .use import UniversalSentenceEncoderEmbedder

__all__ = ["DocumentEncoder", "EmbeddingCache", "OnnxMiniLMEmbedder", "SentenceTransformerEmbedder", "StaticEmbedder",
           "UniversalSentenceEncoderEmbedder", "bundled_minilm_path", "embed_texts", "load_embeddings",
           "make_embedder", "resolve_embedding_model"]
