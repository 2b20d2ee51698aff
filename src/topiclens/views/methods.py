"""The figure and report methods of TopicModel: each only delegates to a view module."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


class ViewMethods:
    """Mixed into TopicModel: the result tables, document map, static map, charts and the HTML explorer."""

    def topic_info(self) -> pd.DataFrame:
        """The topics as a table.

        Returns
        -------
        DataFrame
            One row per topic, outliers first as topic -1 when there are any: ``topic``, ``size``,
            ``label`` (the one in use: ``labels_``), ``confidence`` (of the label), ``tightness`` (how
            closely the documents gather, :meth:`topic_tightness`), ``mixed`` (tightness below 0.5: likely a
            grab-bag), ``keywords``, ``keybert``, ``mmr``, ``llm`` (the labeler's label, or '') and
            ``representative_docs`` (their texts).
        """
        from .tables import topic_table

        return topic_table(self._state(), self._tightness())

    def topic_tightness(self) -> dict[int, float | None]:
        """How closely each topic's documents gather: the mean cosine of their embeddings to their mean direction.

        Blind judges called most topics below 0.5 grab-bags (no theme shared by most documents); such a
        topic is *mixed* (``topic_info()["mixed"]``; ``mixed_topics="split"`` splits them at fit). See
        :mod:`topiclens.pipeline.coherence`.

        Returns
        -------
        dict
            Topic id -> tightness between 0 and 1 (None for a topic without documents).
        """
        return dict(zip(self.topic_ids_, self._tightness()))

    def document_info(self) -> pd.DataFrame:
        """The documents as a table.

        Returns
        -------
        DataFrame
            One row per input document, in input order: ``id``, ``text``, ``topic``, ``probability``
            (of its topic), ``topic_label``, then the input's own fields (``input_X`` on a name clash).
        """
        from .tables import document_table

        return document_table(self._state())

    def document_map(self, **options: Any):
        """Interactive plotly map of the documents by topic (``.write_html(path)`` to save it)."""
        from . import document_map

        return document_map(self, **options)

    def static_map(self, path: str | Path = "map.png", dpi: int = 300, **options: Any) -> Path:
        """A PNG (or PDF/SVG) map with each topic's label at its centre; returns the path."""
        from . import static_map

        return static_map(self, path, dpi=dpi, **options)

    def barchart(self, **options: Any):
        """Plotly bar charts of the topics' best keywords and their c-TF-IDF scores."""
        from . import barchart

        return barchart(self, **options)

    def hierarchy(self, **options: Any):
        """Plotly dendrogram of the topics from the cosine distances between their centroids."""
        from . import hierarchy

        return hierarchy(self, **options)

    def heatmap(self, **options: Any):
        """Plotly heatmap of the cosine similarity between topic centroids."""
        from . import heatmap

        return heatmap(self, **options)

    def report(self, path: str | Path = "report.html", **options: Any) -> Path:
        """Write the self-contained HTML explorer (map, topics, documents, search); returns the path."""
        from . import write_report

        return write_report(self, path, **options)
