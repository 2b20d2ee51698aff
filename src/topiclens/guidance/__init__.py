"""Guided fits: seed words, zero-shot topic names and known classes, checked (``spec``); ``pipeline.guides`` turns
them into nudges and pinned documents."""
