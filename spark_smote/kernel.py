"""Numpy kernels: exact k nearest neighbours inside one bucket and SMOTE interpolation.

No Spark here. :func:`generate_bucket` is what each ``applyInPandas`` group runs; it is a plain
function of arrays so that it is tested in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Query rows per block of the distance matrix: bounds kNN memory to ``_BLOCK * bucket rows``.
_BLOCK = 1024
#: Columns probed for the distance threshold in :func:`smallest_per_row`.
_PROBE = 512


def stable_order(row_keys: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Permutation that sorts rows by ``row_keys``, ties broken by the feature values.

    Rows reach a Spark group in no fixed order; sorting first makes everything after it
    independent of partitioning.
    """
    keys = [x[:, j] for j in range(x.shape[1] - 1, -1, -1)]
    keys.append(row_keys)  # np.lexsort: the last key is the primary one
    return np.lexsort(keys)


def first_copies(sorted_keys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """For rows in :func:`stable_order`, the position of the first row identical to each."""
    new = np.ones(len(xs), dtype=bool)
    new[1:] = (sorted_keys[1:] != sorted_keys[:-1]) | np.any(xs[1:] != xs[:-1], axis=1)
    first = np.flatnonzero(new)
    return first[np.cumsum(new) - 1]


def smallest_per_row(d: np.ndarray, s: int) -> np.ndarray:
    """Column indices of the ``s`` smallest values of each row of ``d`` (any order among ties).

    Faster than ``argpartition`` on wide rows: the ``s``-th smallest value of the first
    ``_PROBE`` columns bounds the row's ``s``-th smallest from above, so only the few values
    under that bound are sorted. Heavy ties (many duplicate rows) fall back to ``argpartition``.
    """
    n_rows, n_cols = d.shape
    probe = min(n_cols, max(s + 1, _PROBE))
    if probe == n_cols:
        return np.argpartition(d, s - 1, axis=1)[:, :s]
    bound = np.partition(d[:, :probe], s - 1, axis=1)[:, s - 1 : s]
    flat = np.flatnonzero(d <= bound)  # 1-D: cheaper than a 2-D nonzero
    rows, cols = np.divmod(flat, n_cols)
    if len(rows) > 4 * s * n_rows * n_cols // probe:  # 4x the count expected without ties
        return np.argpartition(d, s - 1, axis=1)[:, :s]
    # the few candidates of each row, padded with +inf into a narrow matrix
    counts = np.bincount(rows, minlength=n_rows)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(len(flat)) - starts[rows]
    values = np.full((n_rows, counts.max()), np.inf, dtype=d.dtype)
    index = np.zeros((n_rows, counts.max()), dtype=np.int64)
    values[rows, pos] = d.ravel()[flat]
    index[rows, pos] = cols
    best = np.argpartition(values, s - 1, axis=1)[:, :s]
    return np.take_along_axis(index, best, 1)


def _float32_error(xc: np.ndarray) -> np.ndarray:
    """Per row ``i``, a bound on the float32 error of ``|x_j|^2 - 2 x_i . x_j`` over all ``j``.

    Rounding the inputs and summing ``d`` products in float32 errs by at most about
    ``(d + 2) u (|x_i| + R)^2`` (``u = 2^-24``, ``R`` the largest norm); twice that is used.
    """
    norm = np.sqrt(np.einsum("ij,ij->i", xc, xc))
    u = float(np.finfo(np.float32).eps) / 2
    return 2.0 * (xc.shape[1] + 2) * u * (norm + norm.max()) ** 2


def _block_candidates(
    xq: np.ndarray, xt: np.ndarray, sq: np.ndarray, queries: np.ndarray, spare: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the ``spare`` smallest ``|x_j|^2 - 2 x_q . x_j`` per query (self excluded),
    and those values, in the dtype of the inputs."""
    d = xq @ xt
    d += sq[None, :]  # + |q|^2 is the same for a whole row: it does not change the ranking
    d[np.arange(len(queries)), queries] = np.inf
    cand = smallest_per_row(d, spare)
    return cand, np.take_along_axis(d, cand, 1)


def knn_in_bucket(x: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``k`` nearest rows of ``x`` to the rows ``x[queries]``, each query itself excluded.

    Returns ``(indices, squared_distances)``, both ``(len(queries), k)``, nearest first (ties by
    index). Needs ``len(x) > k``. Candidates come from the matrix form of the distances on
    centred data, in float32 (twice as fast); a query whose ``k``-th and last candidate are not
    farther apart than twice the float32 error bound (rows much closer to each other than to the
    bucket's centre) gets its candidates again in float64. A few spare candidates are then
    ranked by directly computed float64 distances.
    """
    m = len(x)
    if m <= k:
        raise ValueError(f"a bucket of {m} rows cannot give {k} neighbours")
    spare = min(k + 3, m - 1)
    xc = x - x.mean(axis=0)
    sq = np.einsum("ij,ij->i", xc, xc)
    x32 = xc.astype(np.float32)
    minus_2xt32 = np.ascontiguousarray(-2.0 * x32.T)
    sq32 = sq.astype(np.float32)
    error = _float32_error(xc)
    cand = np.empty((len(queries), spare), dtype=np.int64)
    unsure = []
    for start in range(0, len(queries), _BLOCK):
        q = queries[start : start + _BLOCK]
        c, v = _block_candidates(x32[q], minus_2xt32, sq32, q, spare)
        cand[start : start + len(q)] = c
        if spare < m - 1:  # else every row is a candidate: nothing can be missed
            v = v.astype(np.float64)
            kth = np.partition(v, k - 1, axis=1)[:, k - 1]
            unsure.append(start + np.flatnonzero(v.max(axis=1) - kth <= 2.0 * error[q]))
    redo = np.concatenate(unsure) if unsure else np.empty(0, dtype=np.int64)
    if len(redo):
        minus_2xt = np.ascontiguousarray(-2.0 * xc.T)
        for start in range(0, len(redo), _BLOCK):
            r = redo[start : start + _BLOCK]
            q = queries[r]
            cand[r] = _block_candidates(xc[q], minus_2xt, sq, q, spare)[0]
    diff = x[cand] - x[queries][:, None, :]
    dist = np.einsum("qkd,qkd->qk", diff, diff)
    order = np.lexsort((cand, dist), axis=1)[:, :k]
    return np.take_along_axis(cand, order, 1), np.take_along_axis(dist, order, 1)


def merge_candidates(ids: np.ndarray, dist: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` nearest distinct candidates per row.

    ``ids`` and ``dist`` are ``(q, c)``: candidate ids (several hash tables may propose the same
    one) and their distances. Returns ``(q, k)`` column positions, nearest first.
    """
    by_id = np.argsort(ids, axis=1, kind="stable")
    sorted_ids = np.take_along_axis(ids, by_id, 1)
    repeat = np.zeros_like(sorted_ids, dtype=bool)
    repeat[:, 1:] = sorted_ids[:, 1:] == sorted_ids[:, :-1]
    d = dist.astype(np.float64, copy=True)
    np.put_along_axis(d, by_id, np.where(repeat, np.inf, np.take_along_axis(d, by_id, 1)), 1)
    order = np.lexsort((ids, d), axis=1)
    return order[:, :k]


@dataclass(frozen=True)
class External:
    """Neighbour candidates found for each bucket row in other hash tables.

    ``ids``: ``(m, c)`` candidate ids; ``x``: ``(m, c, d)`` their features; ``row_ids``: ``(m,)``
    the bucket rows' own ids in the same id space.
    """

    row_ids: np.ndarray
    ids: np.ndarray
    x: np.ndarray


def bucket_neighbours(
    xs: np.ndarray, queries: np.ndarray, k: int, external: External | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest neighbours of ``xs[queries]``: their features and squared distances.

    Neighbours come from the bucket itself and, when given, from ``external`` candidates of
    other hash tables (rows aligned with ``xs``); the ``k`` nearest distinct ones are kept.
    Returns ``(features (q, k, d), squared distances (q, k))``, nearest first.
    """
    nn_idx, nn_dist = knn_in_bucket(xs, queries, k)
    if external is None:
        return xs[nn_idx], nn_dist
    ext_x = external.x[queries]
    diff = ext_x - xs[queries][:, None, :]
    cand_ids = np.concatenate([external.row_ids[nn_idx], external.ids[queries]], axis=1)
    cand_dist = np.concatenate([nn_dist, np.einsum("qcd,qcd->qc", diff, diff)], axis=1)
    cand_x = np.concatenate([xs[nn_idx], ext_x], axis=1)
    chosen = merge_candidates(cand_ids, cand_dist, k)
    return np.take_along_axis(cand_x, chosen[:, :, None], 1), np.take_along_axis(
        cand_dist, chosen, 1
    )


def generate_bucket(
    x: np.ndarray,
    row_keys: np.ndarray,
    n_new: int,
    k: int,
    seed: tuple[int, ...],
    external: External | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """SMOTE rows for one bucket: ``x[i] + u * (x_nn - x[i])``.

    Parameters
    ----------
    x : (m, d) float64 array
        The bucket's rows, in any order.
    row_keys : (m,) int64 array
        A stable key per row; with the feature values it fixes the order used by the RNG.
    n_new : int
        Rows to generate.
    k : int
        Neighbours per row; ``x_nn`` is one of them, chosen uniformly.
    seed : tuple of int
        Entropy for :class:`numpy.random.SeedSequence`, e.g. ``(seed, class, bucket)``.
    external : External, optional
        Candidates from other hash tables (rows aligned with ``x``), merged with the bucket's
        own neighbours.

    Returns
    -------
    (new_x, base) : the ``(n_new, d)`` synthetic rows and, per new row, the position in ``x`` of
    the row it was made from.
    """
    order = stable_order(row_keys, x)
    xs = x[order]
    copy_of = first_copies(row_keys[order], xs)
    if external is not None:
        external = External(external.row_ids[order], external.ids[order], external.x[order])
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    base = rng.integers(0, len(xs), n_new)
    pick = rng.integers(0, k, n_new)
    gap = rng.random(n_new)
    # identical rows have the same neighbours: one kNN query per distinct row
    bases, inverse = np.unique(copy_of[base], return_inverse=True)
    neighbours, _ = bucket_neighbours(xs, bases, k, external)
    start = xs[base]
    new_x = start + gap[:, None] * (neighbours[inverse, pick] - start)
    return new_x, order[base]
