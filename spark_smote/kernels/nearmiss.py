"""NearMiss's distances, on the rows of one group (numpy only).

A group holds the reference rows (a cell of the minority class, its guests included) and a
part of the query rows (rows of the classes to reduce homed in that cell). NearMiss ranks a
query row by the sum of its Euclidean distances to its ``k`` nearest reference rows (versions
1 and 3) or to its ``k`` farthest (version 2); version 3 first needs each reference row's
nearest query rows of every class (:func:`k_nearest` the other way round).

Distances are not squared: imbalanced-learn sums Euclidean distances. Rows at exactly the same
distance rank by position (the rows arrive in stable order).
"""

from __future__ import annotations

import numpy as np

from spark_smote.kernels.knn import _BLOCK_VALUES, power_of_two_scale, smallest_per_row

#: candidates ranked by directly computed distances beyond the ``k`` asked for: absorbs the
#: rounding of the matrix form of the distances
SPARE = 3


def k_nearest(
    xq: np.ndarray, xr: np.ndarray, k: int, farthest: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest (or farthest) rows of ``xr`` to each row of ``xq`` (no row excluded:
    a query that is also a reference row finds itself at 0).

    Returns ``(indices, distances)``, both ``(len(xq), min(k, len(xr)))``, nearest (farthest)
    first, ties by index; distances Euclidean. Candidates come from the matrix form of the
    squared distances in blocks of queries (at most 2**25 values at once), a few spare ones
    ranked again by directly computed distances.
    """
    n, m = len(xq), len(xr)
    k = min(k, m)
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k), dtype=np.float64)
    if n == 0 or k == 0:
        return idx, dist
    scale = power_of_two_scale(np.concatenate([xq, xr]))  # exact: changes no ranking
    xq, xr = xq * scale, xr * scale
    centre = xr.mean(axis=0)
    rc = xr - centre
    minus_2rt = -2.0 * rc.T
    sq = np.einsum("ij,ij->i", rc, rc)
    spare = min(m, k + SPARE)
    block = max(1, _BLOCK_VALUES // m)
    sign = -1.0 if farthest else 1.0
    for start in range(0, n, block):
        q = xq[start : start + block]
        if spare < m:
            d = (q - centre) @ minus_2rt
            d += sq[None, :]
            cand = smallest_per_row(sign * d, spare)
        else:
            cand = np.broadcast_to(np.arange(m), (len(q), m))
        diff = xr[cand] - q[:, None, :]
        exact = np.einsum("qkd,qkd->qk", diff, diff)
        order = np.lexsort((cand, sign * exact), axis=1)[:, :k]
        idx[start : start + len(q)] = np.take_along_axis(cand, order, 1)
        dist[start : start + len(q)] = np.sqrt(np.take_along_axis(exact, order, 1))
    return idx, dist / scale


def distance_sums(xq: np.ndarray, xr: np.ndarray, k: int, farthest: bool = False) -> np.ndarray:
    """Per row of ``xq``, the sum of its Euclidean distances to its ``k`` nearest (or farthest)
    rows of ``xr``: the score NearMiss ranks a row by."""
    return k_nearest(xq, xr, k, farthest)[1].sum(axis=1)


def order_keys(values: np.ndarray) -> np.ndarray:
    """Int64 keys in the order of the float64 ``values`` (NaN excluded): the bits of a
    non-negative float, and of a negative one with all but the sign bit flipped. Spark then
    selects by them exactly as by integers."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    return np.where(bits < 0, bits ^ np.int64(0x7FFFFFFFFFFFFFFF), bits)
