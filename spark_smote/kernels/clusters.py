"""KMeansSMOTE's choices on the driver (numpy only): which clusters a class oversamples, how
sparse each is, and how its synthetic rows are shared out among them exactly."""

from __future__ import annotations

import math

import numpy as np


def mean_distance(x: np.ndarray) -> float:
    """Mean Euclidean distance between two distinct rows of ``x`` (two rows at least)."""
    n = len(x)
    sq = np.einsum("ij,ij->i", x, x)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * x @ x.T, 0.0)
    np.fill_diagonal(d2, 0.0)
    return float(np.sqrt(d2).sum() / (n * n - n))


def density_exponent(n_rows: int, given: float | None) -> float:
    """imbalanced-learn's ``"auto"`` exponent ``log_1.6(n)^1.8 * 0.16`` of a cluster's ``n``
    rows of the class, or the ``given`` one."""
    return math.log(n_rows, 1.6) ** 1.8 * 0.16 if given is None else given


def sparsity(mean: float, n_rows: int, exponent: float) -> float:
    """A cluster's sparsity: its class rows' mean distance to the ``exponent``, per row."""
    return mean**exponent / n_rows


def cluster_weights(sparsities: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Shares of the synthetic rows per valid cluster: their sparsities normalised; when every
    sparsity is 0 (each cluster's class rows coincide), their class rows' counts instead (no
    NaN, unlike imbalanced-learn's issue 1186)."""
    s = np.asarray(sparsities, dtype=np.float64)
    total = s.sum()
    if not np.isfinite(total) or total <= 0:
        s = np.asarray(counts, dtype=np.float64)
        total = s.sum()
    return s / total


def exact_shares(n: int, weights: np.ndarray) -> np.ndarray:
    """``n`` split by ``weights`` into integers that sum to ``n`` exactly: the floors, then one
    more to the largest remainders (ties to the first). imbalanced-learn takes the ceiling of
    each share and so makes more rows than asked."""
    raw = n * np.asarray(weights, dtype=np.float64)
    shares = np.floor(raw).astype(np.int64)
    left = n - int(shares.sum())
    order = np.argsort(-(raw - shares), kind="stable")
    shares[order[:left]] += 1
    return shares


def valid_clusters(
    class_counts: np.ndarray, sizes: np.ndarray, threshold: float, k: int
) -> np.ndarray:
    """Clusters a class oversamples: its share of the cluster's rows at least ``threshold``
    and at least ``k + 1`` of its rows (imbalanced-learn's rule)."""
    share = np.divide(class_counts, sizes, out=np.zeros(len(sizes)), where=sizes > 0)
    return np.flatnonzero((sizes > 0) & (share >= threshold) & (class_counts >= k + 1))
