"""Documents longer than the embedding model reads: counted at fit, read whole or by their beginning, and said.

Nothing is cut without a word: a fit says how many documents are longer than the model reads and what it does
with them. ``long_documents='auto'`` reads them whole (passage by passage, ``embedders.cache``) once they are at
least :data:`AUTO_SHARE` of the corpus, and by their beginning below that, so a corpus of short documents gets
exactly the topics it got before passages existed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.runtime import note
from ..embedders.cache import DocumentEncoder
from ..embedders.common import limit_words, reads_whole

CHECKED = 50_000  # above this many documents, a random sample of this many is counted and the share estimated
AUTO_SHARE = 0.10  # 'auto' reads long documents whole from this share of the corpus on


def long_documents(texts: Sequence[str], encoder: DocumentEncoder | None, seed: int = 0) -> tuple[int, int] | None:
    """How many of ``texts`` (or of a random sample of :data:`CHECKED`) the encoder's model does not read whole,
    and how many were counted; None when there is no model or it states no limit."""
    whole = reads_whole(encoder.embedder) if encoder is not None else None
    if whole is None or not len(texts):
        return None
    rows: Sequence[int] = range(len(texts))
    if len(texts) > CHECKED:
        rows = np.random.default_rng(seed).choice(len(texts), CHECKED, replace=False).tolist()
    return sum(not whole(texts[i]) for i in rows), len(rows)


def reading_of_long_documents(asked: str, texts: Sequence[str], encoder: DocumentEncoder | None, seed: int = 0,
                              verbose: bool = True, given: bool = False) -> str:
    """'passages' or 'truncate': how the fit embeds documents longer than the model reads (``asked``: the
    ``long_documents`` setting), said in one note when there are any. With embeddings ``given``, 'auto' keeps
    to how the model reads a text by itself (its beginning): nothing says how the given vectors were made."""
    found = long_documents(texts, encoder, seed)
    if not found or not found[0]:
        return "truncate" if asked == "auto" else asked
    longer, counted = found
    share = longer / counted
    chosen = asked if asked != "auto" else ("passages" if share >= AUTO_SHARE and not given else "truncate")
    if verbose:
        count = f"{longer:,} of {counted:,}" if counted == len(texts) else \
            f"about {share * len(texts):,.0f} of {len(texts):,} (counted on {counted:,})"
        how = "read whole, passage by passage (several times the embedding work)" if chosen == "passages" else \
            "their beginning is embedded (long_documents='passages' reads them whole)"
        why = "" if asked != "auto" else " (long_documents='auto': embeddings given)" if given else \
            f" (long_documents='auto': {'at least' if chosen == 'passages' else 'under'} {AUTO_SHARE:.0%})"
        note(f"{count} documents ({share:.1%}) are longer than the embedding model reads "
             f"({limit_words(encoder.embedder)}): {how}{why}; topic mixtures and explain read every passage")
    return chosen
