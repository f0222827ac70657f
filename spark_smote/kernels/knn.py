"""Exact k nearest neighbours inside one cell: the search every sampler's kernel runs.

Numpy only. Rows reach a Spark group in no fixed order: :func:`stable_order` sorts them first,
so that everything after it is independent of the partitioning.
"""

from __future__ import annotations

import math

import numpy as np

#: Query rows per block of the distance matrix, at most: small blocks keep the matrix and the
#: selection of the nearest candidates in cache (64 rows: 1.17-1.28x faster than 128 on cells
#: of 17,000-30,000 rows, which were 1.5x faster than 1,024; docs/results/history.md).
BLOCK = 64
#: Float32 values per distance block, at most (128 MiB): a cell of ``m`` rows is searched in
#: blocks of ``min(BLOCK, _BLOCK_VALUES // m)`` queries, so memory stays bounded for any
#: ``maxBucketSize``.
_BLOCK_VALUES = 1 << 25
#: Rows of the largest cell whose distance blocks (16 queries at least) stay within that bound.
MAX_CELL_ROWS = _BLOCK_VALUES // 16
#: Columns probed for the distance threshold in :func:`smallest_per_row`.
_PROBE = 512

#: Values whose magnitude stays within these bounds square and sum without overflow or
#: underflow; others are scaled by a power of two first (:func:`power_of_two_scale`).
SAFE_MIN, SAFE_MAX = 2.0**-400, 2.0**400


def power_of_two_scale(x: np.ndarray) -> float:
    """1.0 when the squares of ``x`` and their sums are safe in float64; otherwise the power of
    two that brings the largest ``|x|`` into ``[0.5, 1)``. Scaling by a power of two is exact, so
    it changes no distance ranking; data of ordinary magnitude is never scaled."""
    top = float(np.max(np.abs(x))) if x.size else 0.0
    if top == 0.0 or SAFE_MIN <= top <= SAFE_MAX:
        return 1.0
    return math.ldexp(1.0, -math.frexp(top)[1])


def stable_order(row_keys: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Permutation that sorts rows by ``row_keys``, ties broken by the feature values (in column
    order), then by position: ``np.lexsort`` of the keys and every column.

    Rows reach a Spark group in no fixed order; sorting first makes everything after it
    independent of partitioning. Keys are nearly unique (a hash of the whole row), so only the
    runs of equal keys are sorted by their features: one sort instead of one per column.
    """
    order = np.argsort(row_keys, kind="stable")
    sorted_keys = row_keys[order]
    tied = np.zeros(len(order), dtype=bool)
    same = sorted_keys[1:] == sorted_keys[:-1]
    tied[1:] |= same
    tied[:-1] |= same
    if not tied.any():
        return order
    rows = order[tied]  # each run of equal keys, in its rows' positions (a stable sort)
    keys = [x[rows, j] for j in range(x.shape[1] - 1, -1, -1)]
    keys.append(row_keys[rows])  # np.lexsort: the last key is the primary one
    order[tied] = rows[np.lexsort(keys)]
    return order


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


def float32_error(xc: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Per row ``i`` of ``xc``, a bound on the float32 error of ``|r_j|^2 - 2 x_i . r_j`` over
    all rows ``r_j`` of ``reference`` (default: ``xc`` itself), both centred alike.

    Rounding the inputs (``x``, ``r`` and ``|r_j|^2``) and summing the ``d + 1`` terms of the
    product in float32 errs by at most about ``(d + 3) u (|x_i| + R)^2`` (``u = 2^-24``, ``R``
    the largest norm of ``reference``); twice that is used.
    """
    norm = np.sqrt(np.einsum("ij,ij->i", xc, xc))
    ref = norm if reference is None else np.sqrt(np.einsum("ij,ij->i", reference, reference))
    u = float(np.finfo(np.float32).eps) / 2
    return 2.0 * (xc.shape[1] + 3) * u * (norm + (ref.max() if len(ref) else 0.0)) ** 2


def _block_candidates(
    xq: np.ndarray,
    xt: np.ndarray,
    sq: np.ndarray | None,
    queries: np.ndarray | None,
    spare: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the ``spare`` smallest ``|x_j|^2 - 2 x_q . x_j`` per query (``queries``: each
    query's own column, excluded; None: none excluded), and those values, in the dtype of the
    inputs. ``sq`` is ``|x_j|^2``, or ``None`` when the product already adds it
    (:func:`augmented`)."""
    d = xq @ xt
    if sq is not None:
        d += sq[None, :]  # + |q|^2 is the same for a whole row: it does not change the ranking
    if queries is not None:
        d[np.arange(len(queries)), queries] = np.inf
    cand = smallest_per_row(d, spare)
    return cand, np.take_along_axis(d, cand, 1)


def float32_candidates(
    qc: np.ndarray,
    rc: np.ndarray,
    sq: np.ndarray,
    k: int,
    spare: int,
    sign: float = 1.0,
    own: np.ndarray | None = None,
) -> np.ndarray:
    """Per query row ``qc``, ``spare`` rows of ``rc`` among which are its ``k`` nearest
    (``sign = -1``: farthest); both centred alike, ``sq`` the squared norms of ``rc``; ``own``:
    each query's own row of ``rc``, excluded. Candidates from one float32 product per block of
    queries (:func:`augmented`); a query whose ``k``-th and last candidate are not further apart
    than twice the float32 error bound (rows much closer to each other than to the centre) gets
    its candidates again in float64."""
    left32, right32 = augmented(rc, sq, qc, sign)
    error = float32_error(qc, rc)
    cand = np.empty((len(qc), spare), dtype=np.int64)
    every = spare >= len(rc) - (own is not None)  # every row a candidate: nothing missed
    unsure = []
    block = block_rows(len(rc))
    for start in range(0, len(qc), block):
        b = slice(start, start + block)
        c, v = _block_candidates(left32[b], right32, None, None if own is None else own[b], spare)
        cand[b] = c
        if not every:
            v = v.astype(np.float64)
            kth = np.partition(v, k - 1, axis=1)[:, k - 1]
            unsure.append(start + np.flatnonzero(v.max(axis=1) - kth <= 2.0 * error[b]))
    redo = np.concatenate(unsure) if unsure else np.empty(0, dtype=np.int64)
    if len(redo):
        right64, sq64 = np.ascontiguousarray((-2.0 * sign) * rc.T), sign * sq
        for start in range(0, len(redo), block):
            r = redo[start : start + block]
            mine = None if own is None else own[r]
            cand[r] = _block_candidates(qc[r], right64, sq64, mine, spare)[0]
    return cand


def augmented(
    xc: np.ndarray, sq: np.ndarray, queries: np.ndarray | None = None, sign: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Float32 ``[q, 1]`` and ``sign * [-2 x^T; |x|^2]`` (``q`` the rows of ``queries``,
    default ``xc`` itself): their product is ``sign * (|x_j|^2 - 2 q_i . x_j)`` in one matrix
    product, with no second pass over each distance block to add ``|x_j|^2`` (the kNN
    1.08-1.09x faster on one quiet core, more when both cores share the memory bandwidth;
    docs/results/history.md). ``sign = -1`` ranks the farthest rows first."""
    q = xc if queries is None else queries
    dim = xc.shape[1]
    left = np.ones((len(q), dim + 1), dtype=np.float32)
    left[:, :dim] = q
    right = np.empty((dim + 1, len(xc)), dtype=np.float32)
    right[:dim] = (-2.0 * sign) * xc.T
    right[dim] = sign * sq
    return left, right


def candidates_per_query(m: int, k: int) -> int:
    """Candidates to keep per query in a cell of ``m`` rows: ``k`` and a few spare, ranked
    exactly at the end of every kNN search. Needs more than ``k`` rows."""
    if m <= k:
        raise ValueError(f"a cell of {m} rows cannot give {k} neighbours")
    return min(k + 3, m - 1)


def centred(x: np.ndarray, k: int) -> tuple[int, np.ndarray, np.ndarray]:
    """:func:`candidates_per_query`, the centred rows and their squared norms: what both dense
    kNN searches start from."""
    spare = candidates_per_query(len(x), k)
    xc = x - x.mean(axis=0)
    return spare, xc, np.einsum("ij,ij->i", xc, xc)


def block_rows(m: int) -> int:
    """Queries per distance block for a cell of ``m`` rows."""
    return max(16, min(BLOCK, _BLOCK_VALUES // max(m, 1)))


def knn_in_cell(x: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``k`` nearest rows of ``x`` to the rows ``x[queries]``, each query itself excluded.

    Returns ``(indices, squared_distances)``, both ``(len(queries), k)``, nearest first (ties by
    index). Needs ``len(x) > k``. Candidates come from the matrix form of the distances on
    centred data, in float32 (twice as fast) and in one product (:func:`augmented`); a query
    whose ``k``-th and last candidate are not farther apart than twice the float32 error bound
    (rows much closer to each other than to the cell's centre) gets its candidates again in
    float64. A few spare candidates are then ranked by directly computed float64 distances.
    """
    scale = power_of_two_scale(x)
    if scale != 1.0:  # values near the float64 limits: distances on exactly scaled rows
        idx, dist = knn_in_cell(x * scale, queries, k)
        with np.errstate(over="ignore"):  # true squared distances beyond float64: inf
            return idx, dist / scale / scale
    spare, xc, sq = centred(x, k)
    cand = float32_candidates(xc[queries], xc, sq, k, spare, own=queries)
    diff = x[cand] - x[queries][:, None, :]
    dist = np.einsum("qkd,qkd->qk", diff, diff)
    order = np.lexsort((cand, dist), axis=1)[:, :k]
    return np.take_along_axis(cand, order, 1), np.take_along_axis(dist, order, 1)
