"""Borderline-SMOTE and ADASYN kernels without Spark: shares, danger, weighted bases."""

from __future__ import annotations

import numpy as np
import pytest

from spark_smote.kernels.adaptive import (
    generate_cell_adaptive,
    in_danger,
    other_share,
    quotas_by_weight,
)
from spark_smote.kernels.draws import (
    HASH_MAX,
    HASH_MIN,
    Cut,
    block_quotas,
    bootstrap_counts,
    draw_profile,
    hash_cut,
    hash_window,
)


def brute_share(x, other, q, m):
    d = ((x - x[q]) ** 2).sum(axis=1)
    d[q] = np.inf
    nn = np.lexsort((np.arange(len(x)), d))[:m]
    return other[nn].sum() / m


def test_other_share_is_exact_with_unit_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    other = (rng.random(200) < 0.4).astype(float)
    q = np.arange(0, 200, 3)
    got = other_share(x, other, np.ones(200), q, 7)
    assert np.allclose(got, [brute_share(x, other, i, 7) for i in q])


def test_weighted_other_rows_stand_for_several():
    x = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    other = np.array([0.0, 1.0, 0.0, 0.0, 0.0])
    w = np.array([1.0, 3.0, 1.0, 1.0, 1.0])
    # row 0's nearest: row 1 (other, weight 3), then row 2 (weight 1): m = 4 -> 3 of 4
    assert other_share(x, other, w, np.array([0]), 4)[0] == pytest.approx(0.75)
    # m = 2: the other row alone fills the neighbourhood
    assert other_share(x, other, w, np.array([0]), 2)[0] == pytest.approx(1.0)


def test_danger_rule():
    assert list(in_danger(np.array([0.0, 0.4, 0.5, 0.9, 1.0]))) == [False, False, True, True, False]


def test_bases_follow_the_weights_and_order_does_not_matter():
    rng = np.random.default_rng(1)
    n = 120
    x = rng.normal(size=(n, 2))
    own = np.ones(n, dtype=bool)
    keys = rng.integers(0, 2**62, n)
    w = np.zeros(n)
    w[:10] = 1.0
    w[10:20] = 3.0
    new, base = generate_cell_adaptive(x, own, keys, w, 4000, 3, (5,))
    assert set(base) <= set(range(20))
    share_heavy = np.isin(base, np.arange(10, 20)).mean()
    assert share_heavy == pytest.approx(0.75, abs=0.04)
    perm = rng.permutation(n)
    new2, base2 = generate_cell_adaptive(x[perm], own[perm], keys[perm], w[perm], 4000, 3, (5,))
    assert np.array_equal(new, new2) and np.array_equal(perm[base2], base)


def test_borderline_2_steps_at_most_half_way_towards_other_classes():
    rng = np.random.default_rng(2)
    n = 80
    x = rng.normal(size=(n, 2))
    own = np.arange(n) < 40
    keys = rng.integers(0, 2**62, n)
    w = own.astype(float)
    new, base = generate_cell_adaptive(x, own, keys, w, 2000, 3, (7,), towards_others=True)
    # each new row lies on a segment from its base to some row: find the row and the step
    towards_other = 0
    for v, b in zip(new, base, strict=True):
        d = v - x[b]
        if not d.any():
            continue
        steps = [
            (j, np.dot(d, x[j] - x[b]) / np.dot(x[j] - x[b], x[j] - x[b]))
            for j in range(n)
            if j != b
        ]
        j, t = next((j, t) for j, t in steps if np.allclose(d, t * (x[j] - x[b]), atol=1e-9))
        assert 0 <= t < 1
        if not own[j]:
            towards_other += 1
            assert t < 0.5
    assert towards_other > 100  # the coin sends many steps towards other classes
    _, base1 = generate_cell_adaptive(x, own, keys, w, 500, 3, (7,))
    assert own[base1].all()


def test_draw_counts_are_exact():
    c = bootstrap_counts(10, 1000, (1,))
    assert c.sum() == 1000 and len(c) == 10
    q = block_quotas(np.array([5, 50, 500]), 3000, (2,))
    assert q.sum() == 3000 and q[2] > q[1] > q[0]


def _cut_of(hashes: np.ndarray, n_draws: int, round_: int = 0) -> Cut | None:
    lo, hi = hash_window(len(hashes), n_draws, round_)
    near = hashes[(hashes >= lo) & (hashes <= hi)]
    values, counts = np.unique(near, return_counts=True)
    return hash_cut(n_draws, lo, int((hashes < lo).sum()), values, counts)


def _kept(hashes: np.ndarray, cut: Cut) -> int:
    at = int((hashes == cut.value).sum())
    return int((hashes < cut.value).sum()) + (at if cut.inclusive else cut.ties)


@pytest.mark.parametrize("n_draws", [0, 1, 37, 5000, 9999, 10000])
def test_hash_cut_keeps_exactly_the_smallest_hashes(n_draws):
    rng = np.random.default_rng(n_draws)
    hashes = rng.integers(HASH_MIN, HASH_MAX, 10000, dtype=np.int64, endpoint=True)
    cut = _cut_of(hashes, n_draws)
    assert cut is not None and _kept(hashes, cut) == n_draws
    assert cut.ties == 0  # distinct hashes: the cut falls between two of them
    assert (hashes < cut.value).sum() + cut.inclusive * (hashes == cut.value).sum() == n_draws


def test_hash_cut_among_identical_rows_and_outside_the_window():
    # 3,000 identical rows (one hash) among 1,000 distinct ones, all far above where uniform
    # hashes would put the cut: the first window misses it, a wider one holds it
    rng = np.random.default_rng(5)
    top = 1 << 62
    hashes = np.concatenate([np.full(3000, top + 5), rng.integers(top, top + (1 << 40), 1000)])
    for n_draws in (1000, 2000, 3999):
        assert _cut_of(hashes, n_draws, 0) is None
        round_, cut = 1, None
        while cut is None:
            cut, round_ = _cut_of(hashes, n_draws, round_), round_ + 1
        assert _kept(hashes, cut) == n_draws
    lo, hi = hash_window(100, 50, 30)
    assert (lo, hi) == (HASH_MIN, HASH_MAX)  # the widest window is the whole range


def test_quotas_by_weight_split_exactly_in_proportion():
    q = quotas_by_weight(100, np.array([1.0, 3.0, 0.0, -2.0, 1.0]))
    assert q.sum() == 100 and list(q) == [20, 60, 0, 0, 20]
    assert quotas_by_weight(7, np.array([1.0, 1.0, 1.0])).sum() == 7
    assert quotas_by_weight(5, np.array([0.0, -1.0])) is None
    assert quotas_by_weight(5, np.array([])) is None


def test_the_rounding_remainder_never_goes_to_a_group_without_weight():
    """Measured totals (ADASYN, 30 cells) whose running sum rounds below the total at the
    last weighted group: the remainder went to the weightless last group, which had no row to
    draw from, and the class came out a row short."""
    w = [8.3, 0, 9.700000000000001, 1.2, 0, 2.2, 3.8, 8.0, 5.0, 4.6, 8.0, 0, 2.8, 0, 0, 4.4]
    w += [0, 4.5, 1.0, 2.6, 11.600000000000001, 3.8, 6.0, 5.0, 0, 7.7, 0, 6.3999999999999995]
    w += [1.9, 0.0]
    q = quotas_by_weight(1200, np.array(w))
    assert q.sum() == 1200 and not q[np.array(w) == 0].any()


@pytest.mark.parametrize(("n_rows", "n_draws"), [(1600, 1000), (50, 5000), (10**9, 300)])
def test_draw_profile_is_a_draw_with_replacement(n_rows, n_draws):
    profiles = [draw_profile(n_rows, n_draws, (s,)) for s in range(200)]
    assert all(p.sum() == n_draws and (p >= 1).all() for p in profiles)
    # distinct rows in n_draws draws: n_rows (1 - (1 - 1/n_rows)^n_draws) expected
    expected = n_rows * -np.expm1(n_draws * np.log1p(-1.0 / n_rows))
    mean = np.mean([len(p) for p in profiles])
    assert abs(mean - expected) < 0.01 * expected + 1, (mean, expected)
    # counts in a random order: the first and the last count have the same mean
    first, last = np.mean([p[0] for p in profiles]), np.mean([p[-1] for p in profiles])
    assert abs(first - last) < 0.3 * max(first, last) + 0.2
    np.testing.assert_array_equal(draw_profile(n_rows, n_draws, (3,)), profiles[3])


def test_bootstrap_counts_in_chunks_are_the_one_call_counts(monkeypatch):
    import spark_smote.kernels.draws as draws

    whole = bootstrap_counts(700, 50_000, (4, 2))
    monkeypatch.setattr(draws, "DRAW_CHUNK", 999)  # 51 chunks, the last one short
    np.testing.assert_array_equal(bootstrap_counts(700, 50_000, (4, 2)), whole)
    assert whole.sum() == 50_000 and bootstrap_counts(5, 0, (1,)).sum() == 0
