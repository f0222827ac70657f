"""SMOTEN's work in one cell (numpy only): the value difference metric between categorical rows
and the synthetic rows voted by a seed row's nearest rows.

A row's embedding holds, for each of its ``n_cols`` columns, the probabilities of the
``n_classes`` classes given its value there (fitted on all rows). The value difference metric
(imbalanced-learn's, ``k=1, r=2``) is the sum over columns of the squared L1 distance of those
probability vectors.
"""

from __future__ import annotations

import numpy as np

from spark_smote.kernels.cleaning import most_common

#: distance terms (queries x rows x classes) computed at once, at most
CHUNK_VALUES = 1 << 22


def vdm(xq: np.ndarray, x: np.ndarray, n_cols: int) -> np.ndarray:
    """Value difference metric between the embedded rows ``xq`` and ``x``: ``(len(xq), len(x))``."""
    n_classes = x.shape[1] // n_cols
    out = np.zeros((len(xq), len(x)))
    for f in range(n_cols):
        cols = slice(f * n_classes, (f + 1) * n_classes)
        l1 = np.abs(xq[:, None, cols] - x[None, :, cols]).sum(axis=2)
        out += l1 * l1
    return out


def nearest_vdm(xq: np.ndarray, x: np.ndarray, n_cols: int, k: int) -> np.ndarray:
    """The ``k`` nearest rows of ``x`` to each row of ``xq`` by :func:`vdm` (a row that is also
    in ``x`` finds itself among them), nearest first, ties by position."""
    k = min(k, len(x))
    out = np.empty((len(xq), k), dtype=np.int64)
    step = max(1, CHUNK_VALUES // max(1, len(x) * x.shape[1] // max(1, n_cols)))
    for start in range(0, len(xq), step):
        d = vdm(xq[start : start + step], x, n_cols)
        index = np.broadcast_to(np.arange(len(x)), d.shape)
        out[start : start + len(d)] = np.lexsort((index, d), axis=1)[:, :k]
    return out


def generate_cell_n(
    x: np.ndarray,
    codes: np.ndarray,
    home: np.ndarray,
    n_new: int,
    k: int,
    n_cols: int,
    seed: tuple[int, ...],
    homes: tuple[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """SMOTEN rows of one cell: ``n_new`` seed rows drawn uniformly (with replacement) among
    the home rows (``homes``: among those positions of them only); each synthetic row takes,
    per column, the most common code among the seed's ``k + 1`` nearest rows of the cell by
    :func:`vdm`, the seed included (ties to the smallest code: the first value in sorted
    order). ``x``: the embedding; ``codes``: ``(rows, n_cols)`` value codes. Returns the new
    codes and each new row's seed (positions among the cell's rows)."""
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    mine = np.flatnonzero(home)
    if homes is not None:
        mine = mine[homes[0] : homes[1]]
    base = mine[rng.integers(0, len(mine), n_new)]
    seeds, which = np.unique(base, return_inverse=True)
    near = nearest_vdm(x[seeds], x, n_cols, k + 1)
    voted = np.column_stack([most_common(codes[near, j]) for j in range(codes.shape[1])])
    return voted[which], base
