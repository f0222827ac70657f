"""Borderline-SMOTE and ADASYN in one cell: neighbourhood shares and weighted SMOTE (numpy).

A cell of a class holds its rows (home rows and guests) and rows of other classes stored as data;
:func:`other_share` measures each home row's share of other-class rows among its nearest rows,
:func:`generate_cell_adaptive` draws base rows by a weight made from it.
"""

from __future__ import annotations

import numpy as np

from spark_smote.kernels.knn import knn_in_cell, stable_order


def other_share(
    x: np.ndarray, other: np.ndarray, weight: np.ndarray, queries: np.ndarray, m: int
) -> np.ndarray:
    """Per query, the share of other-class rows among its ``m`` nearest rows (itself excluded).

    ``other`` marks rows of other classes; ``weight`` is how many rows each stands for (other-
    class rows of a crowded cell are kept with probability ``1 / weight``; 1 otherwise). The
    nearest rows are taken until their weights add up to ``m`` (the last in part), so with
    weights of 1 the share is exactly ``(other-class rows among the m nearest) / m``.
    """
    if len(queries) == 0:
        return np.zeros(0)
    m_eff = min(m, len(x) - 1)
    nn = knn_in_cell(x, queries, m_eff)[0]
    w = weight[nn]
    before = np.cumsum(w, axis=1) - w  # weight of the nearer neighbours
    taken = np.clip(m - before, 0.0, w)  # what each neighbour adds before the total reaches m
    return (taken * other[nn]).sum(axis=1) / m


def in_danger(share: np.ndarray) -> np.ndarray:
    """Borderline-SMOTE's rule: at least half, but not all, of the neighbours of other classes."""
    return (share >= 0.5) & (share < 1.0)


def generate_cell_adaptive(
    x: np.ndarray,
    own: np.ndarray,
    row_keys: np.ndarray,
    base_weight: np.ndarray,
    n_new: int,
    k: int,
    seed: tuple[int, ...],
    towards_others: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """SMOTE rows from base rows drawn with probability proportional to ``base_weight``.

    ``x`` holds the cell's rows of the class (``own``) and of other classes. A new row is
    ``x_b + u * (x_nn - x_b)`` with ``x_nn`` one of the ``k`` nearest rows of the class and
    ``u ~ U[0, 1)``. With ``towards_others`` (Borderline-SMOTE's borderline-2), half of the new
    rows (each by a fair coin) step instead towards one of the ``k`` nearest rows of any class,
    with ``u ~ U[0, 0.5)``. Returns the new rows and their base rows' positions in ``x``.
    """
    order = stable_order(row_keys, x)
    xs, owns, ws = x[order], np.asarray(own, dtype=bool)[order], base_weight[order]
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    total = ws.sum()
    if n_new == 0:
        return np.empty((0, x.shape[1])), np.empty(0, dtype=np.int64)
    if not total > 0:  # a broken invariant: quotas go to groups with weight only
        raise RuntimeError(f"{n_new} rows to draw from rows of total weight {total}")
    base = rng.choice(len(xs), size=n_new, p=ws / total)
    pick = rng.integers(0, k, n_new)
    gap = rng.random(n_new)
    coin = rng.random(n_new) < 0.5 if towards_others else np.zeros(n_new, dtype=bool)
    own_pos = np.flatnonzero(owns)
    where_in_own = np.full(len(xs), -1)
    where_in_own[own_pos] = np.arange(len(own_pos))
    target = np.empty(n_new, dtype=np.int64)
    same = ~coin
    if same.any():
        bases, inverse = np.unique(where_in_own[base[same]], return_inverse=True)
        nn = knn_in_cell(xs[own_pos], bases, min(k, len(own_pos) - 1))[0]
        target[same] = own_pos[nn[inverse, pick[same] % nn.shape[1]]]
    if coin.any():
        bases, inverse = np.unique(base[coin], return_inverse=True)
        nn = knn_in_cell(xs, bases, min(k, len(xs) - 1))[0]
        target[coin] = nn[inverse, pick[coin] % nn.shape[1]]
        gap[coin] *= 0.5
    start = xs[base]
    return start + gap[:, None] * (xs[target] - start), order[base]


def quotas_by_weight(n_new: int, weights: np.ndarray) -> np.ndarray | None:
    """``n_new`` split among groups in proportion to their (non-negative parts of) ``weights``,
    summing to ``n_new`` exactly, none to a group of weight 0 (it has no row to draw from);
    ``None`` when no group has any weight."""
    w = np.maximum(np.asarray(weights, dtype=np.float64), 0.0)
    total = w.sum()
    if total <= 0:
        return None
    cum = np.floor(n_new * np.cumsum(w) / total).astype(np.int64)
    cum[np.flatnonzero(w)[-1] :] = n_new  # the rounding remainder: never to a weightless group
    return np.diff(np.concatenate([[0], cum]))
