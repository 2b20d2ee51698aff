"""A griffe extension: document the methods a class gets at import time, as they are at run time.

``TopicModel``'s operations (``merge_topics = changing(editing.merge_topics)``, ...) are made by
``topiclens/ops/delegates.py`` when the module is imported; read statically they are plain attributes with no
docstring. For each class named in ``classes``, this extension imports its module, inspects it with griffe
(the same docstring parser and options as the static pass) and puts the inspected method, with the signature
and docstring the delegate gave it, in place of every attribute whose value at run time is a function.
Everything else stays as static analysis read it: inspecting the whole package instead (mkdocstrings'
``force_inspection``) would run ``topiclens/__main__.py`` and miss the names ``topiclens/__init__.py``
loads lazily (``topiclens.TopicModel``, ``topiclens.read_corpus``, ...).
"""

from __future__ import annotations

import inspect
import logging
from importlib import import_module
from typing import Any

import griffe

log = logging.getLogger("mkdocs.plugins.runtime_methods")  # a warning fails a strict build


class RuntimeMethods(griffe.Extension):
    """Replace the statically read attributes of ``classes`` that are functions at run time by those functions."""

    def __init__(self, classes: list[str]) -> None:
        super().__init__()
        self.classes = set(classes)

    def on_class_members(self, *, node: Any, cls: griffe.Class, agent: Any, **kwargs: Any) -> None:
        if cls.path not in self.classes or not isinstance(agent, griffe.Visitor):
            return
        try:
            runtime = getattr(import_module(cls.module.path), cls.name)
        except Exception as error:  # the reference would silently lack the methods: say why
            log.warning("cannot import %s to document its run-time methods: %s: %s", cls.path,
                        type(error).__name__, error)
            return
        made = [name for name, member in cls.members.items()
                if member.is_attribute and inspect.isfunction(inspect.getattr_static(runtime, name, None))]
        if not made:
            return
        inspected = griffe.inspect(cls.module.path, docstring_parser=agent.docstring_parser,
                                   docstring_options=agent.docstring_options)[cls.name]
        for name in made:
            static, method = cls.members[name], inspected.members[name]
            method.lineno, method.endlineno = static.lineno, static.endlineno  # where the method is made
            cls.set_member(name, method)
