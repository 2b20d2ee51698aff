"""Topics broken down by group: over time periods and per class (tables, charts, the mixin)."""
