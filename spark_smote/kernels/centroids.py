"""k-means with exactly ``q`` centroids, and the rows nearest to them (numpy only):
ClusterCentroids' work on the home rows of one cell.

Memory is bounded whatever ``q``: distances are computed in chunks of at most
:data:`CHUNK_VALUES` values.
"""

from __future__ import annotations

import numpy as np

#: distances computed at once, at most (32 MiB of float64)
CHUNK_VALUES = 1 << 22


def nearest_centres(x: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``x``, its nearest centre (the first among equals) and the squared distance."""
    c_sq = np.einsum("ij,ij->i", centres, centres)
    labels = np.empty(len(x), dtype=np.int64)
    dist = np.empty(len(x), dtype=np.float64)
    step = max(1, CHUNK_VALUES // max(1, len(centres)))
    for start in range(0, len(x), step):
        xs = x[start : start + step]
        d = c_sq[None, :] - 2.0 * xs @ centres.T
        best = np.argmin(d, axis=1)
        labels[start : start + len(xs)] = best
        diff = xs - centres[best]
        dist[start : start + len(xs)] = np.einsum("ij,ij->i", diff, diff)
    return labels, dist


def plus_plus(x: np.ndarray, q: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++ seeding of ``q`` centres from the rows ``x``, as scikit-learn's: each
    next centre is the best (the smallest sum of squared distances to the nearest centre) of
    ``2 + log(q)`` rows drawn with chance proportional to their squared distance to the
    nearest centre so far (uniformly once every row is a centre). Costs ``q`` passes of
    ``2 + log(q)`` distances per row."""
    trials = 2 + int(np.log(q))
    chosen = np.empty(q, dtype=np.int64)
    chosen[0] = rng.integers(len(x))
    closest = _squared_to(x, x[chosen[0] : chosen[0] + 1])[:, 0]
    for i in range(1, q):
        total = closest.sum()
        if total <= 0:
            chosen[i] = rng.integers(len(x))
            continue
        cumulative = np.cumsum(closest)
        picks = np.searchsorted(cumulative, rng.random(trials) * total, side="right")
        picks = np.minimum(picks, len(x) - 1)
        candidates = np.minimum(closest[:, None], _squared_to(x, x[picks]))
        best = int(np.argmin(candidates.sum(axis=0)))
        chosen[i] = picks[best]
        closest = candidates[:, best].copy()
    return x[chosen].copy()


def _squared_to(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Squared distances ``(len(x), len(rows))`` from each row of ``x`` to each of ``rows``."""
    out = np.empty((len(x), len(rows)))
    for j, r in enumerate(rows):  # a few rows: one (len(x),) difference at a time
        diff = x - r
        out[:, j] = np.einsum("ij,ij->i", diff, diff)
    return out


def kmeans_centres(x: np.ndarray, q: int, rng: np.random.Generator, max_iter: int) -> np.ndarray:
    """Exactly ``q`` (at most ``len(x)``) k-means centroids of the rows ``x``: k-means++ seeds,
    then at most ``max_iter`` Lloyd iterations, stopping when no row changes cluster. A cluster
    left empty takes the row farthest from its centre (as scikit-learn relocates them), so no
    centroid is lost; with fewer distinct rows than ``q`` some centroids coincide."""
    q = min(q, len(x))
    centres = plus_plus(x, q, rng)
    labels = np.full(len(x), -1)
    for _ in range(max_iter):
        new, dist = nearest_centres(x, centres)
        counts = np.bincount(new, minlength=q)
        empty = np.flatnonzero(counts == 0)
        if len(empty):
            far = np.argsort(-dist, kind="stable")[: len(empty)]
            new[far] = empty
            counts = np.bincount(new, minlength=q)
        if np.array_equal(new, labels):
            break
        labels = new
        sums = np.zeros_like(centres)
        np.add.at(sums, labels, x)
        centres = sums / np.maximum(counts, 1)[:, None]
    return centres


def nearest_rows(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Per centre, the row of ``x`` nearest to it (the first among equals): ``"hard"`` voting."""
    return nearest_centres(centres, x)[0]
