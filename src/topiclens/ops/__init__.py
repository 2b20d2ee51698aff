"""Operations on a fitted model: plain functions of a ``Fitted`` (``ops.fitted``); those that change a model return
a new one. ``TopicModel``'s methods are made from them (``ops.delegates``).
"""
