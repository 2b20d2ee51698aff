"""Shaping a fitted model: merge, delete, split, reduce, outliers; stable topic ids; a history to undo."""
