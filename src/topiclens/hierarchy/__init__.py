"""A tree over the topics, cut from one dendrogram of their centroids, named by the LLM at every level."""
