"""Topics broken down by group: times and classes into groups, and the topic x group table (``ops.breakdown``
makes the tables of a model, ``views.trend_charts`` draws them)."""
