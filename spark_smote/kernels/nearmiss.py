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

from spark_smote.kernels.knn import block_rows, float32_candidates, power_of_two_scale

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
    squared distances on rows centred on ``xr``'s mean, in float32 and in one product per
    block of queries (as :func:`~spark_smote.kernels.knn.knn_in_cell`); a query whose ``k``-th
    and last candidate are not further apart than twice the float32 error bound gets its
    candidates again in float64. A few spare candidates are then ranked by directly computed
    float64 distances.
    """
    n, m = len(xq), len(xr)
    k = min(k, m)
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k), dtype=np.float64)
    if n == 0 or k == 0:
        return idx, dist
    scale = power_of_two_scale(np.concatenate([xq, xr]))  # exact: changes no ranking
    if scale != 1.0:
        xq, xr = xq * scale, xr * scale
    sign = -1.0 if farthest else 1.0
    spare = min(m, k + SPARE)
    cand = _candidates(xq, xr, k, spare, sign) if spare < m else None
    for start in range(0, n, block_rows(m)):
        q = xq[start : start + block_rows(m)]
        c = (
            np.broadcast_to(np.arange(m), (len(q), m))
            if cand is None
            else cand[start : start + len(q)]
        )
        diff = xr[c] - q[:, None, :]
        exact = np.einsum("qkd,qkd->qk", diff, diff)
        order = np.lexsort((c, sign * exact), axis=1)[:, :k]
        idx[start : start + len(q)] = np.take_along_axis(c, order, 1)
        dist[start : start + len(q)] = np.sqrt(np.take_along_axis(exact, order, 1))
    return idx, dist / scale


def _candidates(xq: np.ndarray, xr: np.ndarray, k: int, spare: int, sign: float) -> np.ndarray:
    """Per row of ``xq``, ``spare`` rows of ``xr`` (``spare < len(xr)``) among which are its
    ``k`` nearest (``sign = -1``: farthest), on rows centred on ``xr``'s mean."""
    centre = xr.mean(axis=0)
    rc = xr - centre
    sq = np.einsum("ij,ij->i", rc, rc)
    return float32_candidates(xq - centre, rc, sq, k, spare, sign)


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
