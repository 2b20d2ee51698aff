"""Joint disambiguation: labels that mean nearly the same are renamed together, in one prompt per group.

Pure functions: finding the groups of near-identical labels (by the cosine similarity of their
embeddings, or by shared words when there is no embedder), and reading the numbered answer back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from ..core.knn import normalize
from ..core.lang import CJK

MAX_GROUP = 5  # topics renamed in one prompt; a larger group is split, most similar pairs first
NUMBERED = re.compile(r"^\s*(?:[-*]\s*)?(?:topic|主题)?\s*(\d{1,2})\s*[:.)：、\-–]\s*(.+?)\s*$", re.IGNORECASE)


def label_similarity(labels: Sequence[str], encode: Callable[[list[str]], np.ndarray] | None) -> np.ndarray:
    """Pairwise similarity of labels: cosine of their embeddings, or (no encoder) the Jaccard overlap of
    their words (characters for Chinese)."""
    if encode is not None:
        vectors = normalize(encode(list(labels)))
        return vectors @ vectors.T
    sets = [set(lab) - {" "} if CJK.search(lab) else set(lab.casefold().split()) for lab in labels]
    n = len(sets)
    sims = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            union = sets[i] | sets[j]
            sims[i, j] = sims[j, i] = len(sets[i] & sets[j]) / len(union) if union else 1.0
    return sims


def similar_groups(similarity: np.ndarray, threshold: float, max_size: int = MAX_GROUP) -> list[list[int]]:
    """Groups of two or more items whose similarity reaches ``threshold``, built by joining the most
    similar pairs first (single linkage) without letting a group pass ``max_size``; each group sorted."""
    n = similarity.shape[0]
    parent = list(range(n))
    members = {i: [i] for i in range(n)}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    upper = np.triu_indices(n, k=1)
    values = similarity[upper]
    for index in np.argsort(-values, kind="stable"):
        if values[index] < threshold:
            break
        a, b = root(int(upper[0][index])), root(int(upper[1][index]))
        if a == b or len(members[a]) + len(members[b]) > max_size:
            continue
        parent[b] = a
        members[a] += members.pop(b)
    return sorted(sorted(group) for group in members.values() if len(group) > 1)


def read_renames(answer: str, size: int) -> dict[int, str]:
    """The new labels in a numbered answer ('1: ...' or 'Topic 2: ...' per line), keyed 0..size-1; numbers
    outside 1..size and repeated numbers after the first are ignored."""
    found: dict[int, str] = {}
    for line in answer.splitlines():
        match = NUMBERED.match(line)
        if match:
            number = int(match.group(1))
            if 1 <= number <= size and number - 1 not in found:
                found[number - 1] = match.group(2)
    return found


def spread(similarity: np.ndarray) -> float:
    """How far apart a set of labels is: one minus the mean, over labels, of the similarity to the closest
    other label (0 when every label has an identical twin)."""
    if similarity.shape[0] < 2:
        return 1.0
    masked = similarity - 2 * np.eye(similarity.shape[0])
    return float(1.0 - masked.max(axis=1).mean())
