"""Training a word-piece table to reproduce a teacher's sentence vectors (for ``embedding_model='learned'``).

The table starts as the teacher's own word pieces (``embedders.static``: each piece's mean-pooled output on its
own, centred and weighted by SIF), mapped into the teacher's sentence space by a ridge fit on the sample (mean
pooling is linear, so the map folds into the table), and is then trained with torch: a text's vector is the sum of
its pieces' rows (``EmbeddingBag``), the loss one minus its cosine to the teacher's vector, Adam, in batches of
texts drawn in a seeded order. A tenth of the sample is held back; training stops when the held-back cosine has
not risen for two epochs and keeps the best table.

Written here rather than taken from tokenlearn, the field's training step: tokenlearn 0.2 pins older releases of
transformers and tokenizers than topiclens runs with, configures logging when imported, takes no seed, and keeps
no linear map; model2vec distils a table (what ``embedders.static`` does) but does not train one.

Each epoch ends with a checkpoint (the table, the best table, Adam's moments, the curve) written atomically
beside the finished table's path: a killed training resumes at the epoch it was in, and gives the table an
uninterrupted run gives.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.runtime import note, progress, thread_limit
from ..io.files import create_beside
from .static import pooled


@dataclass(frozen=True)
class TrainingPlan:
    """How the table is trained (the defaults were chosen on the Debian corpus, ``bench/learned_table_probe.py``)."""

    lr: float = 5e-3
    max_epochs: int = 12
    batch: int = 128
    ridge: float = 1e-2
    held_share: float = 0.1
    seed: int = 42


@dataclass(frozen=True)
class Trained:
    """A trained table, its held-back cosine after each epoch (the first: before training), and the rows held."""

    table: np.ndarray
    curve: list[float]
    held: np.ndarray


def held_rows(count: int, plan: TrainingPlan) -> tuple[np.ndarray, np.ndarray]:
    """The rows held back to stop training, and the rows trained on (a seeded split of ``count`` rows)."""
    order = np.random.default_rng([plan.seed, count]).permutation(count)
    cut = max(1, int(round(count * plan.held_share)))
    return np.sort(order[:cut]), np.sort(order[cut:])


def held_cosine(table: np.ndarray, counts, teacher: np.ndarray) -> float:
    """The mean cosine between the table's vectors of ``counts``'s texts and the teacher's (unit) vectors."""
    return float(np.mean(np.sum(pooled(counts, table) * teacher, axis=1)))


def ridge_start(table: np.ndarray, counts, teacher: np.ndarray, ridge: float) -> np.ndarray:
    """``table`` times the ridge map from its mean vectors of the texts to the teacher's vectors."""
    means = pooled(counts, table).astype(np.float64)
    target = teacher.astype(np.float64)
    mapping = np.linalg.solve(means.T @ means + ridge * np.eye(means.shape[1]), means.T @ target)
    return (table.astype(np.float64) @ mapping).astype(np.float32)


def train_table(start: np.ndarray, counts, teacher: np.ndarray, plan: TrainingPlan, *,
                checkpoint: Path | None = None, threads: int = 1, verbose: bool = True) -> Trained:
    """A table trained from ``start`` so that its vectors of the texts of ``counts`` (a sparse texts x pieces
    count matrix) point where ``teacher``'s unit rows do; resumed from ``checkpoint`` when one is there."""
    import torch

    # torch's and the BLAS's threads both capped (and restored after): the ridge map's sums, and so the table, are
    # the same in every process that trains with this many threads (a resumed training included)
    with thread_limit(max(1, threads)):
        return _train(torch, start, counts.tocsr(), teacher, plan, checkpoint, verbose)


def _train(torch, start: np.ndarray, counts, teacher: np.ndarray, plan: TrainingPlan, checkpoint: Path | None,
           verbose: bool) -> Trained:
    held, train = held_rows(counts.shape[0], plan)
    held_counts, held_teacher = counts[held], teacher[held]  # sliced once, scored after every epoch
    state = _resume(checkpoint, start.shape)
    if state is None:
        start = ridge_start(start, counts[train], teacher[train], plan.ridge)
        best, curve, epoch = start, [held_cosine(start, held_counts, held_teacher)], 0
    else:
        best, curve, epoch = state["best"], [float(c) for c in state["curve"]], int(state["epoch"])
    # Built from the table itself: no random initialisation, so the caller's torch generator is left alone.
    bag = torch.nn.EmbeddingBag.from_pretrained(torch.from_numpy(np.array(start if state is None else state["table"],
                                                                          dtype=np.float32)),
                                                freeze=False, mode="sum")
    optimizer = torch.optim.Adam(bag.parameters(), lr=plan.lr)
    if state is not None:
        optimizer.state[bag.weight] = {"step": torch.tensor(float(state["step"])),
                                       "exp_avg": torch.from_numpy(state["exp_avg"]),
                                       "exp_avg_sq": torch.from_numpy(state["exp_avg_sq"])}
        if verbose:
            note(f"resuming the table's training at epoch {epoch + 1} (kept in {checkpoint})")
    target = torch.from_numpy(np.ascontiguousarray(teacher, dtype=np.float32))
    batches = -(-len(train) // plan.batch)
    with progress(total=plan.max_epochs * batches, initial=epoch * batches, desc="training the learned table",
                  unit="batch", disable=not verbose) as bar:
        while epoch < plan.max_epochs and not _stalled(curve):
            order = np.random.default_rng([plan.seed, epoch]).permutation(train)
            for first in range(0, len(order), plan.batch):
                rows = order[first:first + plan.batch]
                part = counts[rows]
                vectors = bag(torch.from_numpy(part.indices.astype(np.int64)),
                              torch.from_numpy(part.indptr[:-1].astype(np.int64)),
                              per_sample_weights=torch.from_numpy(part.data.astype(np.float32)))
                loss = (1 - (torch.nn.functional.normalize(vectors, dim=1) * target[rows]).sum(dim=1)).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                bar.update(1)
            epoch += 1
            table = bag.weight.data.numpy()
            curve.append(held_cosine(table, held_counts, held_teacher))
            if curve[-1] > max(curve[:-1]):
                best = table.copy()
            bar.set_postfix_str(f"held-back cosine {curve[-1]:.3f}")
            moments = optimizer.state[bag.weight]
            _save_checkpoint(checkpoint, table=table, best=best, curve=np.array(curve), epoch=epoch,
                             step=float(moments["step"]), exp_avg=moments["exp_avg"].numpy(),
                             exp_avg_sq=moments["exp_avg_sq"].numpy())
        bar.total = bar.n  # stopped early: the bar ends full
        bar.refresh()
    return Trained(table=np.asarray(best, dtype=np.float32), curve=curve, held=held)


def _stalled(curve: list[float]) -> bool:
    """Two epochs in a row without a gain over the best held-back cosine before them."""
    return len(curve) > 2 and max(curve[-2:]) <= max(curve[:-2]) + 1e-4


def _resume(checkpoint: Path | None, shape: tuple[int, ...]) -> dict | None:
    """The checkpoint's arrays, or None (none there, or one that cannot be read: training starts again)."""
    if checkpoint is None or not checkpoint.is_file():
        return None
    try:
        with np.load(checkpoint, allow_pickle=False) as saved:
            state = {name: saved[name] for name in ("table", "best", "curve", "epoch", "step", "exp_avg",
                                                    "exp_avg_sq")}
    except (OSError, ValueError, KeyError, EOFError):
        note(f"the training checkpoint {checkpoint} cannot be read: training starts again")
        return None
    if any(state[name].shape != shape for name in ("table", "best", "exp_avg", "exp_avg_sq")):
        return None
    return state


def _save_checkpoint(path: Path | None, **arrays) -> None:
    """``arrays`` into ``path`` as one .npz, replaced atomically (a kill leaves the previous checkpoint)."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = create_beside(path)
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)
