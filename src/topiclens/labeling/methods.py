"""The labeling methods of TopicModel: asking a labeler for every topic's label, or setting labels by hand."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..params import check_param
from ..stages import adapt
from ..stages.protocols import LabelContext
from .labeler import topic_evidence


class LabelMethods:
    """Mixed into TopicModel: ``label_topics`` and ``set_labels`` (the new labels go through ``_assign``)."""

    def label_topics(self, labeler: Any = None) -> dict[str, int]:
        """Write each topic's label: one labeler call per topic, every LLM answer cached on disk.

        Parameters
        ----------
        labeler : str, LLMLabeler or labeler object, optional
            What writes the labels; None uses the model's ``labeler`` parameter. Neither is changed.

        Returns
        -------
        dict
            The call counts (``llm_calls``, ``cached``, ``reasked``, ``fallbacks``).
        """
        self._check_fitted()
        chosen = labeler if labeler is not None else self.labeler
        check_param(type(self).__name__, "labeler", chosen, self._constraints["labeler"])
        resolved = adapt.as_labeler(chosen)
        if resolved is None:
            raise ConfigError("no labeler given: pass labeler='qwen2.5-coder-1.5b' (bundled), "
                              "'llama-cpp:PATH.gguf', 'hf:DIR', 'openai:MODEL@URL' or an LLMLabeler")
        evidence = topic_evidence(self.corpus_.texts, self.representative_docs_, self.keywords_)
        cache = self.cache if isinstance(self.cache, bool) else str(Path(self.cache) / "llm-answers.sqlite")
        context = LabelContext(language=self.language_, threads=self.threads, cache=cache, verbose=self.verbose)
        result = resolved.label(evidence, context)
        self._assign(replace(self._state(), labels=list(result.labels), llm_labels=list(result.labels),
                             llm_name=result.source, label_stats=dict(result.stats)))
        return dict(result.stats)

    def set_labels(self, labels: dict[int, str]) -> LabelMethods:
        """Set topic labels by hand; they stay until the next ``fit`` or ``label_topics``.

        Parameters
        ----------
        labels : dict of int to str
            ``{topic: label}``.

        Returns
        -------
        self
        """
        self._check_fitted()
        updated = list(self.labels_)
        for topic, label in labels.items():
            if topic not in self.topic_ids_:
                raise ConfigError(f"no topic {topic}: topics are 0..{len(self.topic_ids_) - 1}")
            updated[topic] = str(label)
        self._assign(replace(self._state(), labels=updated))
        return self
