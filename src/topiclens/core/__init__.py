"""The bottom layer: what every other part uses and that needs none of them.

The error family and its one-line messages (``errors``), the declared parameter rules (``params``),
thread and cache settings (``runtime``), every allowed name (``choices``), untrusted text (``untrusted``),
the SQLite cache (``cachedb``), word segmentation and language detection (``segment``, ``lang``),
nearest neighbours (``knn``, ``ann``), and the topic table (``topic_table``). Nothing here imports from
another part of topiclens.
"""
