"""The sparse numpy kernels alone: fast, no Spark."""

import numpy as np
import pytest

from spark_smote.kernels import sparse as sparse_kernel
from spark_smote.kernels.knn import knn_in_cell
from spark_smote.kernels.smote import generate_cell
from spark_smote.kernels.sparse import (
    Csr,
    csr_from_lists,
    generate_cell_sparse,
    interpolate,
    knn_sparse,
    sketch,
)


def random_csr(m: int, dim: int, nnz: int, seed: int) -> Csr:
    """``m`` rows of ``nnz`` distinct sorted columns below ``dim`` (values never 0)."""
    rng = np.random.default_rng(seed)
    indices = [np.sort(rng.choice(dim, nnz, replace=False)) for _ in range(m)]
    values = [rng.normal(size=nnz) + np.sign(rng.normal(size=nnz)) * 0.1 for _ in range(m)]
    return csr_from_lists(indices, values)


def test_csr_round_trip_and_take():
    rows = random_csr(20, 50, 4, 0)
    dense = rows.to_dense(50)
    assert (dense != 0).sum() == 80
    order = np.array([3, 0, 19, 3])
    np.testing.assert_array_equal(rows.take(order).to_dense(50), dense[order])
    np.testing.assert_allclose(rows.squared_norms(), (dense**2).sum(1))


def test_empty_rows_are_kept():
    rows = csr_from_lists(
        [np.array([2]), np.array([], dtype=int), np.array([0, 1])],
        [np.array([1.0]), np.array([]), np.array([3.0, 4.0])],
    )
    np.testing.assert_array_equal(rows.to_dense(3), [[0, 0, 1], [0, 0, 0], [3, 4, 0]])
    np.testing.assert_array_equal(rows.squared_norms(), [1, 0, 25])
    assert np.all(sketch(rows, 1)[1] == 0)


def test_sketch_is_a_linear_projection_fixed_by_the_seed():
    rows = random_csr(200, 1 << 18, 20, 1)
    s = sketch(rows, 7)
    assert s.shape == (200, sparse_kernel.SKETCH_DIM)
    # a row's sketch does not depend on the rows beside it
    np.testing.assert_array_equal(sketch(rows.take(np.array([5, 9])), 7), s[[5, 9]])
    # linear: the sketch of a sum of two rows with disjoint columns is the sum of sketches
    both = csr_from_lists(
        [np.concatenate([np.array([3]), np.array([1000])])], [np.array([2.0, -1.5])]
    )
    one = csr_from_lists([np.array([3]), np.array([1000])], [np.array([2.0]), np.array([-1.5])])
    np.testing.assert_allclose(sketch(both, 7)[0], sketch(one, 7).sum(0))
    assert not np.allclose(sketch(rows, 8), s)
    # distances kept in expectation: the ratio of sketch to true distance is near 1 on average
    dense_pairs = rows.take(np.arange(100)).to_dense(1 << 18) - rows.take(
        np.arange(100, 200)
    ).to_dense(1 << 18)
    ratio = ((s[:100] - s[100:]) ** 2).sum(1) / (dense_pairs**2).sum(1)
    assert 0.85 < ratio.mean() < 1.15


@pytest.mark.parametrize("m", [300, 1500])
def test_knn_sparse_matches_dense_brute_force(m):
    rows = random_csr(m, 60, 6, 2)  # few columns: rows share many of them
    dense = rows.to_dense(60)
    queries = np.arange(0, m, 7)
    idx, dist = knn_sparse(rows, queries, 5)
    ref_idx, ref_dist = knn_in_cell(dense, queries, 5)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(idx, ref_idx)
    assert not np.any(idx == queries[:, None])


def test_knn_sparse_in_small_pair_chunks(monkeypatch):
    rows = random_csr(400, 30, 8, 3)
    want = knn_sparse(rows, np.arange(400), 4)
    monkeypatch.setattr(sparse_kernel, "_PAIRS", 50)  # many chunks per block
    got = knn_sparse(rows, np.arange(400), 4)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12)


def test_knn_sparse_rows_without_shared_columns():
    # no shared column: the distance is |x_q|^2 + |x_j|^2, so the nearest are the smallest rows
    rows = csr_from_lists(
        [np.array([i]) for i in range(6)], [np.array([float(i + 1)]) for i in range(6)]
    )
    idx, dist = knn_sparse(rows, np.array([5]), 2)
    np.testing.assert_array_equal(idx[0], [0, 1])
    np.testing.assert_allclose(dist[0], [37.0, 40.0])


def test_knn_sparse_needs_more_rows_than_k():
    with pytest.raises(ValueError, match="cannot give 3 neighbours"):
        knn_sparse(random_csr(3, 10, 2, 0), np.array([0]), 3)


def test_interpolate_on_the_union_of_supports():
    rows = csr_from_lists(
        [np.array([1, 4]), np.array([4, 7])], [np.array([2.0, 1.0]), np.array([3.0, 5.0])]
    )
    new = interpolate(rows, np.array([0, 0, 1]), np.array([1, 1, 0]), np.array([0.5, 0.0, 0.25]))
    np.testing.assert_array_equal(new.indptr, [0, 3, 5, 8])
    np.testing.assert_array_equal(new.indices, [1, 4, 7, 1, 4, 1, 4, 7])
    np.testing.assert_allclose(new.values, [1.0, 2.0, 2.5, 2.0, 1.0, 0.5, 2.5, 3.75])


def test_sparse_generation_equals_dense_generation():
    # same rows, same keys: same bases, neighbours and steps, so the same synthetic rows
    rows = random_csr(500, 40, 5, 4)
    dense = rows.to_dense(40)
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 2**62, 500)
    home = rng.random(500) < 0.8
    new, base = generate_cell_sparse(rows, sketch(rows, 1), keys, home, 700, 5, (3, 0, 1))
    want, want_base = generate_cell(dense, keys, home, 700, 5, (3, 0, 1))
    np.testing.assert_array_equal(base, want_base)
    np.testing.assert_allclose(new.to_dense(40), want, rtol=1e-12, atol=1e-12)
    # sparse: at most the union of the two rows' columns
    assert np.all(np.diff(new.indptr) <= 10)


def test_sparse_generation_is_independent_of_row_order():
    rows = random_csr(300, 1 << 18, 20, 6)
    keys = np.random.default_rng(7).integers(0, 2**62, 300)
    home = np.ones(300, bool)
    a, _ = generate_cell_sparse(rows, sketch(rows, 1), keys, home, 100, 5, (1,))
    perm = np.random.default_rng(8).permutation(300)
    shuffled = rows.take(perm)
    b, _ = generate_cell_sparse(shuffled, sketch(shuffled, 1), keys[perm], home, 100, 5, (1,))
    for f in ("indptr", "indices", "values"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


def test_no_rows_to_generate_sparse():
    rows = random_csr(10, 100, 3, 0)
    new, base = generate_cell_sparse(
        rows, sketch(rows, 1), np.arange(10), np.ones(10, bool), 0, 3, (1,)
    )
    assert new.n_rows == 0 and len(base) == 0
