"""Input and output: reading corpora, saving and loading model directories."""
