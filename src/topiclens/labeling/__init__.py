"""Topic labels: the evidence a labeler sees, the LLM labeler, and the cleaning of its answers."""
