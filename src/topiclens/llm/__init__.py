"""The LLM layer: one protocol for every backend, spec strings, the answer cache, prompts."""
