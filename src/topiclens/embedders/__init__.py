"""Fast embedders derived from the bundled all-MiniLM-L6-v2, built once into the cache directory.

- ``minilm-onnx``: the model exported to ONNX (fp32), run by onnxruntime.
- ``minilm-int8``: the same graph with int8 weights (onnxruntime dynamic quantization, per channel).
- ``minilm-static``: a static (model2vec-style) embedding table distilled from the model: one vector
  per word piece, so a document's vector is the mean of its word pieces' vectors.

``make_embedder`` in ``topiclens.embed`` maps these names to the classes below.
"""

from __future__ import annotations

from .common import length_sorted_batches, load_or_build
from .onnx_minilm import OnnxMiniLMEmbedder
from .static import StaticEmbedder

__all__ = ["OnnxMiniLMEmbedder", "StaticEmbedder", "length_sorted_batches", "load_or_build"]
