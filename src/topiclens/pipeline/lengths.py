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
    """'passages', 'split' or 'truncate': how the fit embeds documents longer than the model reads (``asked``: the
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
        how = {"passages": "read whole, passage by passage (several times the embedding work)" + _capped(
                   texts if counted == len(texts) else [], encoder),
               "split": "cut into passages, each a unit of the fit (several times the embedding work)",
               }.get(chosen, "their beginning is embedded (long_documents='passages' reads them whole)")
        why = "" if asked != "auto" else " (long_documents='auto': embeddings given)" if given else \
            f" (long_documents='auto': {'at least' if chosen == 'passages' else 'under'} {AUTO_SHARE:.0%})"
        note(f"{count} documents ({share:.1%}) are longer than the embedding model reads "
             f"({limit_words(encoder.embedder)}): {how}{why}; topic mixtures and explain read every passage")
    return chosen


def _capped(texts: Sequence[str], encoder: DocumentEncoder) -> str:
    """What ``max_passages`` leaves out of ``texts``, for the note ('' without a cap)."""
    cap = encoder.max_passages
    if cap is None:
        return ""
    from ..core.passages import passage_spans
    from ..embedders.common import passage_budget

    budget = passage_budget(encoder.embedder)
    over = sum(len(passage_spans(t, budget)) > cap for t in texts)
    counted = f": {over:,} documents have more, read by their first {cap}" if texts else ""
    return f", at most {cap} passages a document (max_passages){counted}"


PROBE = 32  # texts embedded, without the cache, to time the model for an estimate


def embedding_estimate(texts: Sequence[str], encoder: DocumentEncoder, seed: int = 0, probe: int = PROBE) -> dict:
    """What embedding ``texts`` costs under each reading of long documents, without embedding them.

    For 'truncate' (each text as the model reads it), 'split' (the short documents and every passage of the long
    ones) and 'passages' (the same, but at most the encoder's ``max_passages`` of a document): how many texts are
    embedded, how many of them the embedding cache holds, and the seconds the rest take on this machine, from
    ``probe`` of them embedded and timed (the time per estimated word piece, a text counting at most what the
    model reads). Above :data:`CHECKED` documents the counts come from a random sample of that many, scaled to
    the corpus.
    """
    import time

    from ..core.passages import estimate_pieces, passage_spans
    from ..embedders.cache import EmbeddingCache, embed_texts
    from ..embedders.common import passage_budget
    from ..io.corpus import text_hash

    embedder = encoder.embedder
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(texts), CHECKED, replace=False).tolist() if len(texts) > CHECKED else range(len(texts))
    sample = [texts[i] for i in rows]
    scale = len(texts) / max(1, len(sample))
    whole = reads_whole(embedder)
    budget = passage_budget(embedder) if whole is not None else None
    split: list[str] = []
    capped: list[str] = []
    for text in sample:
        parts = [text] if whole is None or whole(text) else [text[a:b] for a, b in passage_spans(text, budget)]
        split += parts
        capped += parts[:encoder.max_passages]
    store = EmbeddingCache(embedder.name, None if encoder.cache is True else encoder.cache) if encoder.cache else None

    def pieces(batch: list[str]) -> int:
        return sum(min(estimate_pieces(t), budget or 10**9) for t in batch)

    readings = {"truncate": sample, "passages": capped, "split": split}
    held = set(store.get([text_hash(t) for t in sample + split])) if store is not None else set()
    if store is not None:
        store.close()
    timed = [split[i] for i in rng.choice(len(split), min(probe, len(split)), replace=False)] if split else []
    per_piece = None
    if timed:
        embed_texts(timed[:1], embedder, cache=False, verbose=False)  # the model loaded and warm
        clock = time.perf_counter()
        embed_texts(timed, embedder, cache=False, verbose=False)
        per_piece = (time.perf_counter() - clock) / max(1, pieces(timed))
    report = {"documents": len(texts), "counted": len(sample),
              "long": round(scale * sum(whole is not None and not whole(t) for t in sample)),
              "probe_texts": len(timed), "readings": {}}
    for name, batch in readings.items():
        todo = [t for t in batch if text_hash(t) not in held]
        report["readings"][name] = {
            "texts": round(scale * len(batch)), "cached": round(scale * (len(batch) - len(todo))),
            "seconds": None if per_piece is None else round(scale * pieces(todo) * per_piece, 1),
            "seconds_uncached": None if per_piece is None else round(scale * pieces(batch) * per_piece, 1)}
    return report
