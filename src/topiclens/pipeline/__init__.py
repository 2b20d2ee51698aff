"""The computations behind a fit: kNN topics, c-TF-IDF, big-corpus chunks, assignment of new documents."""
