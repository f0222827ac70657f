"""NearMiss's kernel without Spark: nearest and farthest rows against brute force, order keys."""

from __future__ import annotations

import numpy as np
import pytest

from spark_smote.kernels.nearmiss import distance_sums, k_nearest, order_keys


def brute(xq, xr, k, farthest):
    d = np.sqrt(((xq[:, None, :] - xr[None, :, :]) ** 2).sum(axis=2))
    order = np.lexsort((np.broadcast_to(np.arange(len(xr)), d.shape), -d if farthest else d))
    idx = order[:, :k]
    return idx, np.take_along_axis(d, idx, 1)


@pytest.mark.parametrize("farthest", [False, True])
@pytest.mark.parametrize(("n", "m", "k"), [(50, 700, 3), (9, 4, 3), (30, 5, 9), (0, 10, 2)])
def test_k_nearest_matches_brute_force(farthest, n, m, k):
    rng = np.random.default_rng(n + m)
    xq, xr = rng.normal(size=(n, 4)), rng.normal(size=(m, 4))
    idx, dist = k_nearest(xq, xr, k, farthest)
    want_idx, want_dist = brute(xq, xr, min(k, m), farthest)
    assert idx.shape == (n, min(k, m))
    np.testing.assert_array_equal(idx, want_idx)
    np.testing.assert_allclose(dist, want_dist, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(distance_sums(xq, xr, k, farthest), want_dist.sum(axis=1))


def test_ties_rank_by_position_and_a_query_finds_itself():
    xr = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, 0.0]])
    idx, dist = k_nearest(np.array([[0.0, 0.0]]), xr, 4)
    assert idx.tolist() == [[3, 0, 1, 2]] and dist.tolist() == [[0.0, 1.0, 1.0, 1.0]]


def test_values_near_the_float64_limits_keep_their_distances():
    xr = np.array([[1e300, 0.0], [3e300, 0.0], [-2e300, 0.0]])
    idx, dist = k_nearest(np.array([[0.0, 0.0]]), xr, 2, farthest=True)
    assert idx.tolist() == [[1, 2]]
    np.testing.assert_allclose(dist, [[3e300, 2e300]])


def test_order_keys_sort_as_the_floats():
    values = np.array([-np.inf, -3.5, -1e-300, -0.0, 0.0, 1e-300, 2.0, 7.25, np.inf])
    keys = order_keys(values)
    assert np.all(np.diff(keys) > 0)
    rng = np.random.default_rng(0)
    v = rng.normal(size=1000) * 10.0 ** rng.integers(-5, 5, 1000)
    np.testing.assert_array_equal(
        np.argsort(order_keys(v), kind="stable"), np.argsort(v, kind="stable")
    )


@pytest.mark.parametrize("farthest", [False, True])
def test_rows_far_closer_to_each_other_than_to_the_centre_are_ranked_in_float64(farthest):
    """Tight clusters far from the reference rows' mean: float32 distances cannot order the
    rows of a cluster, so those queries are searched again in float64 (the result is exact)."""
    rng = np.random.default_rng(3)
    centres = np.array([[1e3, 0.0, 0.0], [0.0, -1e3, 0.0], [0.0, 0.0, 1e3]])
    xr = np.repeat(centres, 300, axis=0) + rng.normal(scale=1e-4, size=(900, 3))
    xq = np.repeat(centres, 20, axis=0) + rng.normal(scale=1e-4, size=(60, 3))
    idx, dist = k_nearest(xq, xr, 3, farthest)
    want_idx, want_dist = brute(xq, xr, 3, farthest)
    np.testing.assert_array_equal(idx, want_idx)
    np.testing.assert_allclose(dist, want_dist, rtol=1e-9)
