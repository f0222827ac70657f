"""SMOTE and SMOTE-NC in one cell: draws, neighbours, interpolation (numpy only).

:func:`generate_cell` and :func:`generate_cell_nc` are what each ``applyInPandas`` group of a
generation pass runs; they are plain functions of arrays so that they are tested in
milliseconds.
"""

from __future__ import annotations

import numpy as np

from spark_smote.kernels.knn import (
    block_rows,
    centred,
    first_copies,
    knn_in_cell,
    power_of_two_scale,
    smallest_per_row,
    stable_order,
)

#: Queries whose neighbours' categorical values are voted at once, at most.
VOTE_ROWS = 1 << 14


def draw(
    x: np.ndarray,
    row_keys: np.ndarray,
    home: np.ndarray,
    n_new: int,
    k: int,
    seed: tuple[int, ...],
    homes: tuple[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The random part of a cell's generation, in :func:`stable_order`.

    Returns ``(order, base, pick, gap, copy_of)``: the sorting permutation, each new row's base
    (a home row, as a position in sorted order), which of its ``k`` neighbours it steps towards,
    the step ``u ~ U[0, 1)``, and the first identical row of each sorted row. ``homes =
    (first, last)`` draws the bases among the home rows ``first .. last - 1`` only (in sorted
    order): a slice of a group's output (:meth:`~spark_smote.kernels.cells.Group.piece`).
    """
    order = stable_order(row_keys, x)
    copy_of = first_copies(row_keys[order], x[order])
    candidates = np.flatnonzero(np.asarray(home, dtype=bool)[order])
    if homes is not None:
        candidates = candidates[homes[0] : homes[1]]
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    if n_new:
        base = candidates[rng.integers(0, len(candidates), n_new)]
    else:
        base = np.empty(0, dtype=np.int64)
    return order, base, rng.integers(0, k, n_new), rng.random(n_new), copy_of


def generate_cell(
    x: np.ndarray,
    row_keys: np.ndarray,
    home: np.ndarray,
    n_new: int,
    k: int,
    seed: tuple[int, ...],
    homes: tuple[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """SMOTE rows for one cell: ``x[i] + u * (x_nn - x[i])`` for home rows ``i``.

    Parameters
    ----------
    x : (m, d) float64 array
        The cell's rows (home rows and guests), in any order.
    row_keys : (m,) int64 array
        A stable key per row; with the feature values it fixes the order used by the RNG.
    home : (m,) bool array
        Rows whose home is this cell: only they are base rows; guests are only neighbours.
    n_new : int
        Rows to generate.
    k : int
        Neighbours per row, searched among all the cell's rows; ``x_nn`` is one of them,
        chosen uniformly.
    seed : tuple of int
        Entropy for :class:`numpy.random.SeedSequence`, e.g. ``(seed, stream, class, cell)``.
    homes : (first, last), optional
        Draw base rows among these home rows only (positions among the home rows in stable
        order): one slice of a group's output. Only those rows are searched for neighbours.

    Returns
    -------
    (new_x, base) : the ``(n_new, d)`` synthetic rows and, per new row, the position in ``x`` of
    the row it was made from.
    """
    order, base, pick, gap, copy_of = draw(x, row_keys, home, n_new, k, seed, homes)
    xs = x[order]
    # identical rows have the same neighbours: one kNN query per distinct row
    bases, inverse = np.unique(copy_of[base], return_inverse=True)
    neighbours = xs[knn_in_cell(xs, bases, k)[0]] if len(bases) else np.empty((0, k, x.shape[1]))
    start = xs[base]
    new_x = start + gap[:, None] * (neighbours[inverse, pick] - start)
    return new_x, order[base]


def median_std_penalty(median_std: float) -> float:
    """Squared distance added per categorical column whose values differ: ``median_std^2 / 2``.

    The same as imbalanced-learn's SMOTENC, which one-hot encodes each categorical column with
    the value ``median_std / 2``: two rows that differ in a column differ in two one-hot
    entries, ``2 * (median_std / 2)^2``.
    """
    return median_std * median_std / 2.0


def knn_mixed(
    x: np.ndarray, codes: np.ndarray, queries: np.ndarray, k: int, penalty: float
) -> np.ndarray:
    """Exact ``k`` nearest rows to ``x[queries]`` under the SMOTE-NC distance, self excluded.

    The squared distance is ``|x_i - x_j|^2 + penalty * (number of columns where codes differ)``
    with ``codes`` an ``(m, c)`` integer array of category codes (no one-hot: memory does not
    grow with the number of categories). Returns ``(len(queries), k)`` indices, nearest first,
    ties by index.
    """
    scale = power_of_two_scale(x)
    if scale != 1.0:  # values near the float64 limits: the same ranking on scaled rows
        return knn_mixed(x * scale, codes, queries, k, penalty * scale * scale)
    m = len(x)
    spare, xc, sq = centred(x, k)
    minus_2xt = np.ascontiguousarray(-2.0 * xc.T)
    cand = np.empty((len(queries), spare), dtype=np.int64)
    block = block_rows(m * max(1, codes.shape[1]))
    for start in range(0, len(queries), block):
        q = queries[start : start + block]
        d = xc[q] @ minus_2xt
        d += sq[None, :] + sq[q][:, None]
        for j in range(codes.shape[1]):
            d += penalty * (codes[q, j][:, None] != codes[None, :, j])
        d[np.arange(len(q)), q] = np.inf
        cand[start : start + len(q)] = smallest_per_row(d, spare)
    diff = x[cand] - x[queries][:, None, :]
    dist = np.einsum("qkd,qkd->qk", diff, diff)
    dist += penalty * (codes[cand] != codes[queries][:, None, :]).sum(axis=2)
    order = np.lexsort((cand, dist), axis=1)[:, :k]
    return np.take_along_axis(cand, order, 1)


def vote(codes: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Per query and categorical column, the neighbour holding the most frequent value.

    ``neighbours`` is ``(b, k)``, nearest first; ``codes`` is ``(m, c)``. Returns ``(b, c)``
    positions in ``codes``: for column ``j`` of query ``q``, a neighbour whose value is the most
    frequent among the ``k`` neighbours' values; among tied values, the one the nearest
    neighbour holds.
    """
    out = np.empty((len(neighbours), codes.shape[1]), dtype=np.int64)
    for start in range(0, len(neighbours), VOTE_ROWS):  # bounds the (b, k, k, c) block
        nn = neighbours[start : start + VOTE_ROWS]
        values = codes[nn]  # (b, k, c)
        same = values[:, :, None, :] == values[:, None, :, :]  # (b, k, k, c)
        count = same.sum(axis=2)  # (b, k, c): how many neighbours share neighbour t's value
        winner = count.argmax(axis=1)  # first maximum: the nearest of the tied values
        out[start : start + len(nn)] = np.take_along_axis(nn, winner, 1)
    return out


def generate_cell_nc(
    x: np.ndarray,
    codes: np.ndarray,
    row_keys: np.ndarray,
    home: np.ndarray,
    n_new: int,
    k: int,
    penalty: float,
    seed: tuple[int, ...],
    homes: tuple[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SMOTE-NC rows for one cell.

    As :func:`generate_cell` (``homes``: one slice), with neighbours under the
    :func:`knn_mixed` distance; each categorical column of a new row takes the :func:`vote`
    of its base row's ``k`` neighbours.

    Returns
    -------
    (new_x, base, voted) : the continuous features, the base row's position in ``x`` and an
    ``(n_new, c)`` array of positions in ``x``: column ``j`` of new row ``i`` takes the value
    of row ``voted[i, j]`` (so values and their types come from real rows).
    """
    codes = np.asarray(codes, dtype=np.int64).reshape(len(x), -1)
    keyed = np.hstack([x, codes.astype(np.float64)])  # identical = same features and categories
    order, base, pick, gap, copy_of = draw(keyed, row_keys, home, n_new, k, seed, homes)
    xs, cs = x[order], codes[order]
    bases, inverse = np.unique(copy_of[base], return_inverse=True)
    if len(bases):
        nn = knn_mixed(xs, cs, bases, k, penalty)
    else:
        nn = np.empty((0, k), dtype=np.int64)
    start = xs[base]
    new_x = start + gap[:, None] * (xs[nn[inverse, pick]] - start)
    voted = vote(cs, nn)[inverse]
    return new_x, order[base], order[voted]
