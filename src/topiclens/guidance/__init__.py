"""Guided fits: seed words, zero-shot topic names and known classes, turned into nudges and pinned documents."""
