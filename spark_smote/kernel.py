"""Numpy kernels: exact k nearest neighbours inside one cell and SMOTE interpolation.

No Spark here. :func:`generate_cell` is what each ``applyInPandas`` group runs; it is a plain
function of arrays so that it is tested in milliseconds.
"""

from __future__ import annotations

import numpy as np

#: Query rows per block of the distance matrix, at most: small blocks keep the selection of
#: the nearest candidates in cache (128 rows: 1.5x faster than 1024 on cells of 17,500 rows).
_BLOCK = 128
#: Float32 values per distance block, at most (128 MiB): a cell of ``m`` rows is searched in
#: blocks of ``min(_BLOCK, _BLOCK_VALUES // m)`` queries, so memory stays bounded for any
#: ``maxBucketSize``.
_BLOCK_VALUES = 1 << 25
#: Rows of the largest cell whose distance blocks (16 queries at least) stay within that bound.
MAX_CELL_ROWS = _BLOCK_VALUES // 16
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


def candidates_per_query(m: int, k: int) -> int:
    """Candidates to keep per query in a cell of ``m`` rows: ``k`` and a few spare, ranked
    exactly at the end of every kNN search. Needs more than ``k`` rows."""
    if m <= k:
        raise ValueError(f"a cell of {m} rows cannot give {k} neighbours")
    return min(k + 3, m - 1)


def _centred(x: np.ndarray, k: int) -> tuple[int, np.ndarray, np.ndarray]:
    """:func:`candidates_per_query`, the centred rows and their squared norms: what both dense
    kNN searches start from."""
    spare = candidates_per_query(len(x), k)
    xc = x - x.mean(axis=0)
    return spare, xc, np.einsum("ij,ij->i", xc, xc)


def block_rows(m: int) -> int:
    """Queries per distance block for a cell of ``m`` rows."""
    return max(16, min(_BLOCK, _BLOCK_VALUES // max(m, 1)))


def knn_in_cell(x: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``k`` nearest rows of ``x`` to the rows ``x[queries]``, each query itself excluded.

    Returns ``(indices, squared_distances)``, both ``(len(queries), k)``, nearest first (ties by
    index). Needs ``len(x) > k``. Candidates come from the matrix form of the distances on
    centred data, in float32 (twice as fast); a query whose ``k``-th and last candidate are not
    farther apart than twice the float32 error bound (rows much closer to each other than to the
    cell's centre) gets its candidates again in float64. A few spare candidates are then
    ranked by directly computed float64 distances.
    """
    m = len(x)
    spare, xc, sq = _centred(x, k)
    x32 = xc.astype(np.float32)
    minus_2xt32 = np.ascontiguousarray(-2.0 * x32.T)
    sq32 = sq.astype(np.float32)
    error = _float32_error(xc)
    cand = np.empty((len(queries), spare), dtype=np.int64)
    unsure = []
    block = block_rows(m)
    for start in range(0, len(queries), block):
        q = queries[start : start + block]
        c, v = _block_candidates(x32[q], minus_2xt32, sq32, q, spare)
        cand[start : start + len(q)] = c
        if spare < m - 1:  # else every row is a candidate: nothing can be missed
            v = v.astype(np.float64)
            kth = np.partition(v, k - 1, axis=1)[:, k - 1]
            unsure.append(start + np.flatnonzero(v.max(axis=1) - kth <= 2.0 * error[q]))
    redo = np.concatenate(unsure) if unsure else np.empty(0, dtype=np.int64)
    if len(redo):
        minus_2xt = np.ascontiguousarray(-2.0 * xc.T)
        for start in range(0, len(redo), block):
            r = redo[start : start + block]
            q = queries[r]
            cand[r] = _block_candidates(xc[q], minus_2xt, sq, q, spare)[0]
    diff = x[cand] - x[queries][:, None, :]
    dist = np.einsum("qkd,qkd->qk", diff, diff)
    order = np.lexsort((cand, dist), axis=1)[:, :k]
    return np.take_along_axis(cand, order, 1), np.take_along_axis(dist, order, 1)


def _draw(
    x: np.ndarray, row_keys: np.ndarray, home: np.ndarray, n_new: int, k: int, seed: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The random part of a cell's generation, in :func:`stable_order`.

    Returns ``(order, base, pick, gap, copy_of)``: the sorting permutation, each new row's base
    (a home row, as a position in sorted order), which of its ``k`` neighbours it steps towards,
    the step ``u ~ U[0, 1)``, and the first identical row of each sorted row.
    """
    order = stable_order(row_keys, x)
    copy_of = first_copies(row_keys[order], x[order])
    homes = np.flatnonzero(np.asarray(home, dtype=bool)[order])
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    base = homes[rng.integers(0, len(homes), n_new)] if n_new else np.empty(0, dtype=np.int64)
    return order, base, rng.integers(0, k, n_new), rng.random(n_new), copy_of


def generate_cell(
    x: np.ndarray,
    row_keys: np.ndarray,
    home: np.ndarray,
    n_new: int,
    k: int,
    seed: tuple[int, ...],
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

    Returns
    -------
    (new_x, base) : the ``(n_new, d)`` synthetic rows and, per new row, the position in ``x`` of
    the row it was made from.
    """
    order, base, pick, gap, copy_of = _draw(x, row_keys, home, n_new, k, seed)
    xs = x[order]
    # identical rows have the same neighbours: one kNN query per distinct row
    bases, inverse = np.unique(copy_of[base], return_inverse=True)
    neighbours = xs[knn_in_cell(xs, bases, k)[0]] if len(bases) else np.empty((0, k, x.shape[1]))
    start = xs[base]
    new_x = start + gap[:, None] * (neighbours[inverse, pick] - start)
    return new_x, order[base]


# ---------------------------------------------------------------------- SMOTE-NC


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
    m = len(x)
    spare, xc, sq = _centred(x, k)
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
    for start in range(0, len(neighbours), _BLOCK * _BLOCK):  # bounds the (b, k, k, c) block
        nn = neighbours[start : start + _BLOCK * _BLOCK]
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SMOTE-NC rows for one cell.

    As :func:`generate_cell`, with neighbours under the :func:`knn_mixed` distance; each
    categorical column of a new row takes the :func:`vote` of its base row's ``k`` neighbours.

    Returns
    -------
    (new_x, base, voted) : the continuous features, the base row's position in ``x`` and an
    ``(n_new, c)`` array of positions in ``x``: column ``j`` of new row ``i`` takes the value
    of row ``voted[i, j]`` (so values and their types come from real rows).
    """
    codes = np.asarray(codes, dtype=np.int64).reshape(len(x), -1)
    keyed = np.hstack([x, codes.astype(np.float64)])  # identical = same features and categories
    order, base, pick, gap, copy_of = _draw(keyed, row_keys, home, n_new, k, seed)
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


# ---------------------------------------------------------------------- random draws


def bootstrap_counts(n_rows: int, n_draws: int, seed: tuple[int, ...]) -> np.ndarray:
    """How often each of ``n_rows`` rows is drawn in ``n_draws`` uniform draws with replacement
    (a seeded multinomial: the counts sum to ``n_draws``)."""
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    return np.bincount(rng.integers(0, n_rows, n_draws), minlength=n_rows)


def block_quotas(
    block_rows: np.ndarray, n_draws: int, replace: bool, seed: tuple[int, ...]
) -> np.ndarray:
    """Draws per block so that ``n_draws`` rows drawn from all blocks are uniform over rows.

    With replacement a multinomial over the blocks' sizes; without, a multivariate
    hypergeometric (never more than a block's rows). Either way the quotas sum to ``n_draws``.
    """
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    rows = np.asarray(block_rows, dtype=np.int64)
    if replace:
        return rng.multinomial(n_draws, rows / rows.sum())
    if n_draws > rows.sum():
        raise ValueError(f"cannot draw {n_draws} of {rows.sum()} rows without replacement")
    return rng.multivariate_hypergeometric(rows, n_draws)


# ---------------------------------------------------------------------- Borderline-SMOTE, ADASYN


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
    if n_new == 0 or total <= 0:
        return np.empty((0, x.shape[1])), np.empty(0, dtype=np.int64)
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
