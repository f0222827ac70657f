"""The numpy kernels alone: fast, no Spark."""

import numpy as np
import pytest

from spark_smote.kernels import knn as kernel
from spark_smote.kernels import smote as smote_kernel
from spark_smote.kernels.knn import block_rows, knn_in_cell, smallest_per_row
from spark_smote.kernels.smote import generate_cell


def brute_knn(x: np.ndarray, i: int, k: int) -> np.ndarray:
    d = ((x - x[i]) ** 2).sum(1)
    d[i] = np.inf
    return np.sort(d)[:k]


@pytest.mark.parametrize("m", [300, 2500])  # below and above the probe width
def test_knn_matches_brute_force_and_excludes_self(m):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(m, 7))
    idx, dist = knn_in_cell(x, np.arange(0, m, m // 300), 5)
    for row, i in enumerate(range(0, m, m // 300)):
        assert i not in idx[row]
        np.testing.assert_allclose(dist[row], brute_knn(x, i, 5), rtol=1e-9)
        np.testing.assert_allclose(((x[idx[row]] - x[i]) ** 2).sum(1), dist[row], rtol=1e-9)


def test_knn_keeps_duplicates_as_neighbours():
    x = np.array([[0.0, 0.0]] * 4 + [[5.0, 5.0]])
    idx, dist = knn_in_cell(x, np.array([0]), 3)
    assert set(idx[0]) == {1, 2, 3}
    assert np.all(dist[0] == 0)


def test_knn_needs_more_rows_than_k():
    with pytest.raises(ValueError, match="cannot give 3 neighbours"):
        knn_in_cell(np.zeros((3, 2)), np.array([0]), 3)


def test_generated_rows_lie_on_segments_to_k_nearest():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 4))
    new_x, base = generate_cell(x, np.arange(200), np.ones(200, bool), 500, 5, (1, 2, 3))
    assert new_x.shape == (500, 4)
    for row, b in zip(new_x, base, strict=True):
        nn, _ = knn_in_cell(x, np.array([b]), 5)
        # row = x[b] + u (x[n] - x[b]) for one of the 5 neighbours n, with u in [0, 1)
        ok = False
        for n in nn[0]:
            step = x[n] - x[b]
            u = step @ (row - x[b]) / (step @ step)
            if 0 <= u < 1 and np.allclose(x[b] + u * step, row, atol=1e-9):
                ok = True
        assert ok


def test_generation_is_independent_of_row_order():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(100, 3))
    keys = rng.integers(0, 2**62, 100)
    home = rng.random(100) < 0.7
    a, _ = generate_cell(x, keys, home, 50, 5, (9, 0, 0))
    perm = rng.permutation(100)
    b, _ = generate_cell(x[perm], keys[perm], home[perm], 50, 5, (9, 0, 0))
    np.testing.assert_array_equal(a, b)
    c, _ = generate_cell(x, keys, home, 50, 5, (10, 0, 0))
    assert not np.allclose(a, c)


@pytest.mark.parametrize("n_keys", [1, 3, 1000])  # all tied, runs of ties, nearly unique
def test_stable_order_is_the_lexsort_of_keys_then_features(n_keys):
    rng = np.random.default_rng(n_keys)
    x = rng.integers(0, 3, size=(400, 4)).astype(float)
    x[rng.random(400) < 0.2, 1] = -0.0  # equal to 0.0 for the sort, as in lexsort
    keys = rng.integers(0, n_keys, 400).astype(np.int64)
    full = np.lexsort([x[:, j] for j in range(3, -1, -1)] + [keys])
    np.testing.assert_array_equal(kernel.stable_order(keys, x), full)
    perm = rng.permutation(400)  # another arrival order: the same rows in the same order
    again = perm[kernel.stable_order(keys[perm], x[perm])]
    np.testing.assert_array_equal(keys[again], keys[full])
    np.testing.assert_array_equal(x[again], x[full])


def test_only_home_rows_are_bases_and_guests_are_neighbours():
    # home rows on the left, guests right beside them: every step goes to a guest
    x = np.vstack([np.arange(6.0)[:, None] * 100, np.arange(6.0)[:, None] * 100 + 0.5])
    x = np.hstack([x, np.zeros((12, 1))])
    home = np.arange(12) < 6
    new_x, base = generate_cell(x, np.arange(12), home, 300, 1, (0,))
    assert set(base) <= set(range(6)) and len(set(base)) == 6
    step = new_x - x[base]
    assert np.all((step[:, 0] >= 0) & (step[:, 0] < 0.5)) and np.all(step[:, 1] == 0)


def test_no_rows_to_generate():
    x = np.random.default_rng(3).normal(size=(20, 2))
    new_x, base = generate_cell(x, np.arange(20), np.ones(20, bool), 0, 5, (1,))
    assert new_x.shape == (0, 2) and len(base) == 0


def test_distance_blocks_are_bounded_by_memory():
    assert block_rows(10_000) == kernel.BLOCK
    assert block_rows(1_000_000) * 1_000_000 <= kernel._BLOCK_VALUES
    assert block_rows(kernel.MAX_CELL_ROWS) * kernel.MAX_CELL_ROWS <= kernel._BLOCK_VALUES


def test_large_cell_searched_in_smaller_blocks(monkeypatch):
    monkeypatch.setattr(kernel, "_BLOCK_VALUES", 64 * 2000)
    rng = np.random.default_rng(11)
    x = rng.normal(size=(2000, 4))
    idx, dist = knn_in_cell(x, np.arange(0, 2000, 7), 5)
    for row, i in enumerate(range(0, 2000, 7)):
        np.testing.assert_allclose(dist[row], brute_knn(x, i, 5), rtol=1e-9)


@pytest.mark.parametrize("shape", [(50, 3000), (7, 1500), (20, 40)])
def test_smallest_per_row_matches_a_full_sort(shape):
    rng = np.random.default_rng(4)
    d = rng.random(shape)
    d[:, 5] = np.inf
    got = smallest_per_row(d, 6)
    want = np.sort(d, axis=1)[:, :6]
    np.testing.assert_array_equal(np.sort(np.take_along_axis(d, got, 1), axis=1), want)


def test_smallest_per_row_with_heavy_ties():
    d = np.zeros((10, 3000))
    d[:, 2000:] = 1.0
    got = smallest_per_row(d, 4)
    assert got.shape == (10, 4) and np.all(np.take_along_axis(d, got, 1) == 0)
    assert all(len(set(r)) == 4 for r in got)


def test_knn_exact_in_a_tight_cluster_far_from_the_origin():
    """Rows 1e-4 apart around 0.5, beside spread-out rows: float32 distances mix them up, so
    these queries must be redone in float64."""
    rng = np.random.default_rng(6)
    x = np.vstack([0.5 + 1e-4 * rng.normal(size=(1800, 20)), rng.normal(size=(400, 20))])
    idx, dist = knn_in_cell(x, np.arange(0, 1800, 9), 5)
    for row, i in enumerate(range(0, 1800, 9)):
        np.testing.assert_allclose(dist[row], brute_knn(x, i, 5), rtol=1e-9)


def test_one_float32_product_gives_the_ranking_values_within_the_error_bound():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(300, 6)) * 3.0
    _, xc, sq = kernel.centred(x, 5)
    left, right = kernel.augmented(xc, sq)
    assert left.dtype == right.dtype == np.float32 and left.shape == (300, 7)
    want = sq[None, :] - 2.0 * xc @ xc.T  # |x_j|^2 - 2 x_i . x_j, float64
    err = np.abs((left @ right).astype(np.float64) - want)  # the float32 product's error
    assert np.all(err <= kernel.float32_error(xc)[:, None])


def test_float32_candidates_redone_in_float64_only_when_unsure(monkeypatch):
    calls = []
    block = kernel._block_candidates

    def spy(xq, xt, sq, queries, spare):
        calls.append((xq.dtype, len(queries)))
        return block(xq, xt, sq, queries, spare)

    monkeypatch.setattr(kernel, "_block_candidates", spy)
    rng = np.random.default_rng(8)
    spread = rng.normal(size=(3000, 20))
    knn_in_cell(spread, np.arange(3000), 5)
    assert {dtype for dtype, _ in calls} == {np.dtype(np.float32)}  # spread out: float32 is enough
    calls.clear()
    tight = np.vstack([0.5 + 1e-4 * rng.normal(size=(1800, 20)), spread[:400]])
    knn_in_cell(tight, np.arange(1800), 5)
    redone = sum(n for dtype, n in calls if dtype == np.float64)
    assert redone >= 1700  # the tight cluster's rows are redone ...
    assert redone <= 1800  # ... each at most once


def test_identical_rows_share_one_knn_query(monkeypatch):
    queries = []
    knn = kernel.knn_in_cell

    def spy(x, q, k):
        queries.append(len(q))
        return knn(x, q, k)

    monkeypatch.setattr(smote_kernel, "knn_in_cell", spy)
    rng = np.random.default_rng(9)
    x = np.vstack([np.full((2000, 3), 0.5), rng.normal(size=(300, 3))])
    keys = np.zeros(len(x), dtype=np.int64)  # identical rows share their row key
    new_x, base = generate_cell(x, keys, np.ones(len(x), bool), 20000, 5, (1, 2))
    assert queries == [301]  # one query for the 2000 copies, one per other row
    # every new row lies between its base row and one of that row's exact 5 nearest rows
    for row, b in zip(new_x[::97], base[::97], strict=True):
        d = ((x - x[b]) ** 2).sum(1)
        d[b] = np.inf
        near = x[np.argsort(d, kind="stable")[:5]]
        assert any(np.allclose(np.cross(row - x[b], n - x[b]), 0, atol=1e-9) for n in near)


def test_knn_of_values_near_the_float64_limits_is_exact():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(400, 4))
    q = np.arange(0, 400, 7)
    idx, dist = knn_in_cell(x, q, 5)
    for magnitude in (1e300 / 8, 1e-300):
        got, got_dist = knn_in_cell(x * magnitude, q, 5)
        np.testing.assert_array_equal(got, idx)
        if magnitude > 1:
            assert np.isinf(got_dist).all()  # the true squared distances overflow float64
        else:
            np.testing.assert_allclose(got_dist, dist * magnitude * magnitude, rtol=1e-9)
    new_x, base = generate_cell(x * 1e300, np.arange(400), np.ones(400, bool), 50, 5, (3,))
    assert np.isfinite(new_x).all() and len(new_x) == 50


@pytest.mark.parametrize(
    ("home", "quota", "max_out"),
    [(50, 199_950, 1000), (3000, 20_000, 1000), (7, 10, 3), (10, 300, 100), (1, 5, 2)],
)
def test_slices_bound_every_call_and_sum_to_the_quota(home, quota, max_out):
    from spark_smote.kernels.cells import Group, n_slices

    n = n_slices(home, quota, max_out)
    group = Group(0, 0, home, home + 5, quota, max_out, n)
    pieces = [group.piece(s) for s in range(n)]
    assert sum(q for _, _, q in pieces) == quota and max(q for _, _, q in pieces) <= max_out
    assert n == -(-quota // max_out) or not group.shared  # shared: as few slices as can be
    if not group.shared:  # runs of home rows, one per slice, covering them all once
        assert [p[0] for p in pieces[1:]] == [p[1] for p in pieces[:-1]]
        assert pieces[0][0] == 0 and pieces[-1][1] == home and all(a < b for a, b, _ in pieces)
    assert n_slices(home, min(quota, max_out), max_out) == 1


def test_one_slice_draws_as_the_whole_group_and_slices_draw_from_their_runs():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(300, 3))
    keys = np.arange(300, dtype=np.int64)
    home = np.arange(300) < 200
    whole = generate_cell(x, keys, home, 500, 4, (1, 2))
    np.testing.assert_array_equal(
        generate_cell(x, keys, home, 500, 4, (1, 2), (0, 200))[0], whole[0]
    )
    order = kernel.stable_order(keys, x)
    homes_sorted = order[np.flatnonzero(home[order])]
    _, base = generate_cell(x, keys, home, 400, 4, (1, 2, 7), (50, 120))
    assert set(base) <= set(homes_sorted[50:120]) and len(base) == 400
