"""Input and output: reading corpora and writing tables and files (model directories are in ``topiclens.store``)."""
