"""SMOTE-NC kernels without Spark: mixed distances, the vote, ties, generation."""

from __future__ import annotations

import numpy as np
import pytest

from spark_smote.kernels.knn import knn_in_cell
from spark_smote.kernels.smote import generate_cell_nc, knn_mixed, median_std_penalty, vote


def brute_mixed(x, codes, q, k, penalty):
    d = ((x - x[q]) ** 2).sum(axis=1) + penalty * (codes != codes[q]).sum(axis=1)
    d[q] = np.inf
    return np.lexsort((np.arange(len(x)), d))[:k]


def test_penalty_is_imbalanced_learns_one_hot_distance():
    m = 0.8
    # one-hot at m / 2: rows differing in one column differ in two entries
    a, b = np.array([m / 2, 0.0]), np.array([0.0, m / 2])
    assert median_std_penalty(m) == pytest.approx(((a - b) ** 2).sum())


@pytest.mark.parametrize("penalty", [0.0, 0.5, 4.0])
def test_knn_mixed_is_exact(penalty):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 4))
    codes = rng.integers(0, 3, size=(300, 2))
    queries = np.arange(0, 300, 7)
    got = knn_mixed(x, codes, queries, 5, penalty)
    for row, q in zip(got, queries, strict=True):
        assert list(row) == list(brute_mixed(x, codes, q, 5, penalty))


def test_without_penalty_it_is_plain_knn():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 3))
    codes = rng.integers(0, 50, size=(200, 3))
    q = np.arange(200)
    assert (knn_mixed(x, codes, q, 4, 0.0) == knn_in_cell(x, q, 4)[0]).all()


def test_a_differing_category_pushes_a_row_away():
    x = np.array([[0.0], [1.0], [-1.0], [5.0]])
    codes = np.array([[7], [8], [7], [7]])
    # rows 1 and 2 are equally far in x; row 1's category differs
    assert list(knn_mixed(x, codes, np.array([0]), 2, 0.1)[0]) == [2, 1]
    assert list(knn_mixed(x, codes, np.array([0]), 2, 100.0)[0]) == [2, 3]


def test_vote_majority_and_ties_go_to_the_nearest():
    codes = np.array([[5, 1], [6, 1], [6, 2], [7, 2], [5, 3]])
    # neighbours nearest first: values col0 = 5, 6, 6, 7 -> 6 (row 1, the nearer 6);
    # col1 = 1, 1, 2, 2 -> tie 1 vs 2 -> the nearest neighbour's value: 1 (row 0)
    got = vote(codes, np.array([[0, 1, 2, 3]]))
    assert codes[got[0, 0], 0] == 6 and got[0, 0] == 1
    assert codes[got[0, 1], 1] == 1 and got[0, 1] == 0
    # all different: the nearest neighbour's value
    assert list(vote(codes, np.array([[4, 3, 1]]))[0]) == [4, 4]


def test_generate_cell_nc_continuous_on_segment_and_categories_voted():
    rng = np.random.default_rng(3)
    n, k = 80, 5
    x = rng.normal(size=(n, 3))
    codes = rng.integers(0, 4, size=(n, 2))
    keys = rng.integers(0, 2**62, n)
    home = np.ones(n, dtype=bool)
    penalty = 0.3
    new_x, base, voted = generate_cell_nc(x, codes, keys, home, 200, k, penalty, (1, 2, 3))
    assert new_x.shape == (200, 3) and voted.shape == (200, 2)
    for i in range(200):
        nn = brute_mixed(x, codes, base[i], k, penalty)
        # on a segment from the base towards one of its neighbours
        steps = [x[j] - x[base[i]] for j in nn]
        d = new_x[i] - x[base[i]]
        assert any(np.allclose(d, t * s) for s in steps for t in [np.dot(d, s) / np.dot(s, s)])
        expected = vote(codes, nn[None, :])[0]
        assert (codes[voted[i], [0, 1]] == codes[expected, [0, 1]]).all()


def test_generate_cell_nc_ignores_row_order():
    rng = np.random.default_rng(4)
    n = 60
    x = rng.normal(size=(n, 2))
    codes = rng.integers(0, 3, size=(n, 1))
    keys = rng.integers(0, 2**62, n)
    home = rng.random(n) < 0.7
    a = generate_cell_nc(x, codes, keys, home, 50, 3, 0.5, (9,))
    perm = rng.permutation(n)
    b = generate_cell_nc(x[perm], codes[perm], keys[perm], home[perm], 50, 3, 0.5, (9,))
    assert np.array_equal(a[0], b[0])
    assert np.array_equal(perm[b[1]], a[1]) and np.array_equal(perm[b[2]], a[2])
    assert home[a[1]].all()


def test_many_categories_cost_no_one_hot_memory():
    rng = np.random.default_rng(5)
    n = 2000
    x = rng.normal(size=(n, 2))
    codes = rng.integers(0, 100_000, size=(n, 1))  # nearly every row its own category
    got = knn_mixed(x, codes, np.arange(10), 3, 1.0)
    for row, q in zip(got, range(10), strict=True):
        assert list(row) == list(brute_mixed(x, codes, q, 3, 1.0))
