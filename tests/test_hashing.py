"""The learned hash and the cell bounds alone: numpy, no Spark."""

import numpy as np
import pytest

from spark_smote.kernels.cells import ClassTask, bound_cells, count_cells, n_cells_for
from spark_smote.kernels.hashing import (
    FLAT_MAX_CELLS,
    TREE_PROBE,
    fit_cell_hash,
    kmeans,
    single_cell,
    split_cells,
    without_cells,
)


def blobs(n, centres, scale=0.3, seed=0):
    rng = np.random.default_rng(seed)
    c = np.asarray(centres, dtype=float)
    return c[rng.integers(0, len(c), n)] + scale * rng.normal(size=(n, c.shape[1]))


def test_kmeans_finds_separated_blobs():
    centres = [[0, 0], [10, 0], [0, 10], [10, 10]]
    x = blobs(2000, centres)
    got = kmeans(x, np.ones(len(x)), 4, np.random.default_rng(1))
    assert got.shape == (4, 2)
    assert sorted(map(tuple, np.round(got))) == sorted(map(tuple, np.asarray(centres, float)))


def test_weights_count_as_repeated_rows():
    x = np.array([[0.0], [1.0], [10.0]])
    got = kmeans(x, np.array([1.0, 3.0, 1.0]), 2, np.random.default_rng(0))
    np.testing.assert_allclose(sorted(got[:, 0]), [0.75, 10.0])


def test_fewer_distinct_rows_than_clusters():
    x = np.array([[1.0, 1.0]] * 5 + [[2.0, 2.0]] * 5)
    got = kmeans(x, np.ones(10), 6, np.random.default_rng(0))
    assert len(got) == 2


@pytest.mark.parametrize("n_cells", [12, FLAT_MAX_CELLS + 40])  # flat, then a two-level tree
def test_assign_gives_the_nearest_cells_in_order(n_cells):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(6000, 5))
    h = fit_cell_hash(x, np.ones(len(x)), n_cells, 3, (1, 2))
    assert (h.tops is h.leaves) == (n_cells <= FLAT_MAX_CELLS)
    assert abs(h.n_cells - n_cells) <= n_cells // 10
    got = h.assign(x[:500])
    d = ((x[:500, None, :] - h.leaves[None]) ** 2).sum(-1)
    exact = np.argsort(d, axis=1, kind="stable")[:, :3]
    if h.tops is h.leaves:
        np.testing.assert_array_equal(got, exact)
    else:  # a tree searches the leaves of the nearest top cells only: nearly always exact
        assert np.mean(got[:, 0] == exact[:, 0]) > 0.97
        assert np.all(np.diff(np.take_along_axis(d, got, 1), axis=1) >= 0)


def test_a_tree_ranks_the_leaves_of_its_nearest_top_cells_exactly():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(8000, 20))
    h = fit_cell_hash(x, np.ones(len(x)), 4 * FLAT_MAX_CELLS, 6, (3,))
    assert h.tops is not h.leaves
    got = h.assign(x[:400])
    probe = max(h.copies, TREE_PROBE)
    for row, cells in zip(x[:400], got, strict=True):
        tops = np.argsort(((row - h.tops) ** 2).sum(-1))[:probe]
        leaves = np.concatenate([c[c >= 0] for c in h.children[tops]])
        d = ((row - h.leaves[leaves]) ** 2).sum(-1)
        np.testing.assert_array_equal(cells, leaves[np.lexsort((leaves, d))][: h.copies])


@pytest.mark.parametrize("n_cells", [30, FLAT_MAX_CELLS + 40])  # flat, then a two-level tree
def test_assign_does_not_depend_on_the_batch(n_cells):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3000, 6))
    h = fit_cell_hash(x, np.ones(len(x)), n_cells, 4, (5,))
    whole = h.assign(x)
    pieces = np.vstack([h.assign(x[i : i + 7]) for i in range(0, 3000, 7)])
    np.testing.assert_array_equal(whole, pieces)
    np.testing.assert_array_equal(h.assign(x[::-1])[::-1], whole)


def test_same_seed_same_hash():
    x = np.random.default_rng(4).normal(size=(2000, 3))
    a, b = (fit_cell_hash(x, np.ones(2000), 10, 2, (7, 1)) for _ in range(2))
    np.testing.assert_array_equal(a.leaves, b.leaves)
    assert not np.array_equal(a.leaves, fit_cell_hash(x, np.ones(2000), 10, 2, (8, 1)).leaves)


def test_fewer_cells_than_copies_pads_with_minus_one():
    x = np.random.default_rng(5).normal(size=(100, 2))
    h = fit_cell_hash(x, np.ones(100), 2, 4, (0,))
    got = h.assign(x)
    assert np.all(got[:, 2:] == -1) and set(np.unique(got[:, :2])) == {0, 1}
    one = single_cell(2)
    assert np.all(one.assign(np.full((3, 2), 1e308)) == 0)


@pytest.mark.parametrize("n_cells", [8, FLAT_MAX_CELLS + 30])
def test_removed_cells_send_their_rows_to_their_next_cells(n_cells):
    x = np.random.default_rng(6).normal(size=(4000, 4))
    h = fit_cell_hash(x, np.ones(len(x)), n_cells, 2, (3,))
    before = h.assign(x)
    dead = np.array([0, 3])
    after = without_cells(h, dead).assign(x)
    assert after.max() == h.n_cells - 3
    moved = np.isin(before[:, 0], dead)
    # rows of live cells keep their home (renumbered); rows of dead cells move away
    renumber = np.cumsum(~np.isin(np.arange(h.n_cells), dead)) - 1
    assert np.mean(after[~moved, 0] == renumber[before[~moved, 0]]) > 0.97
    assert moved.any()


def test_bound_cells_keeps_the_nearest_guest_ranks_that_fit():
    task = ClassTask(0, "a", 1000, 500)
    counts = np.array(
        [
            [40, 30, 20, 11],  # 40 + 30 + 20 = 90 <= 100 < 101: ranks 1 and 2 kept
            [100, 5, 5, 5],  # home alone fills it: no guest
            [250, 10, 0, 0],  # home alone too big: cut in ceil(250 / 100) = 3 parts
            [0, 50, 0, 0],  # no home row: nothing stored
            [3, 2, 200, 0],  # 3 + 2 = 5 <= k: too small for 5 neighbours
        ]
    )
    cells, tiny = bound_cells(task, single_cell(2), counts, 100, 5)
    assert list(cells.keep) == [2, 0, 0, -1, 1]
    assert list(cells.parts) == [1, 1, 3, 1, 1]
    assert list(tiny) == [4]


def test_groups_bound_rows_and_quotas_are_exact():
    task = ClassTask(0, "a", 393, 1001)
    counts = np.array([[40, 30, 20], [100, 5, 5], [250, 10, 0], [3, 40, 0]])
    cells, _ = bound_cells(task, single_cell(2), counts, 100, 2)
    groups = cells.groups()
    assert [(g.cell, g.part, g.home, g.rows) for g in groups] == [
        (0, 0, 40, 90),
        (1, 0, 100, 100),
        (2, 0, 84, 84),
        (2, 1, 83, 83),
        (2, 2, 83, 83),
        (3, 0, 3, 43),
    ]
    assert sum(g.quota for g in groups) == 1001
    assert all(abs(g.quota - 1001 * g.home / 393) < 1 for g in groups)


def test_cells_per_class():
    assert n_cells_for(200_000, 6, 30_000) == 67
    assert n_cells_for(30_001, 6, 30_000) == 11
    assert n_cells_for(100, 6, 1000) == 6  # never fewer cells than copies


@pytest.mark.parametrize("n_cells", [6, FLAT_MAX_CELLS + 20])
def test_split_cells_gives_a_crowded_cell_a_second_level(n_cells):
    rng = np.random.default_rng(12)
    spread = rng.normal(size=(3000, 4))
    tight = 0.5 + 1e-4 * rng.normal(size=(6000, 4))  # most rows in one tiny region
    x = np.vstack([spread, tight])
    h = fit_cell_hash(spread, np.ones(len(spread)), n_cells, 2, (1,))
    crowded = np.bincount(h.assign(x)[:, 0]).argmax()
    refined = split_cells(h, np.array([crowded]), np.array([8]), x, np.ones(len(x)), (2,))
    assert refined.n_cells >= h.n_cells + 7
    homes = refined.assign(tight)[:, 0]
    assert len(np.unique(homes)) >= 6 and np.bincount(homes).max() < 2000
    # a row that changes home moves into the split cell's new cells, never between others
    before, after = h.assign(spread)[:, 0], refined.assign(spread)[:, 0]
    new_ids = {crowded, *range(h.n_cells, refined.n_cells)}
    assert set(after[before != after]) <= new_ids


def test_split_cells_leaves_identical_rows_alone():
    x = np.vstack([np.zeros((50, 2)), np.ones((500, 2))])
    h = fit_cell_hash(x, np.ones(len(x)), 2, 1, (1,))
    cell = h.assign(np.ones((1, 2)))[0, 0]
    assert split_cells(h, np.array([cell]), np.array([4]), x, np.ones(len(x)), (3,)) is h


@pytest.mark.parametrize("magnitude", [2.0**900, 2.0**-900])
def test_any_finite_magnitude_fits_and_assigns_the_same_cells(magnitude):
    rng = np.random.default_rng(4)
    x = np.vstack([rng.normal(c, 1.0, size=(300, 4)) for c in (0.0, 10.0, 20.0)])
    w = np.ones(len(x))
    plain = fit_cell_hash(x, w, 6, 2, (1, 2))
    huge = fit_cell_hash(x * magnitude, w, 6, 2, (1, 2))  # 2^900: squares overflow float64
    assert plain.scale == 1.0 and huge.scale != 1.0
    np.testing.assert_array_equal(huge.assign(x * magnitude), plain.assign(x))
    split = split_cells(huge, np.array([0]), np.array([3]), x * magnitude, w, (1, 3))
    assert split.n_cells > huge.n_cells and split.scale == huge.scale
    assert without_cells(split, np.array([1])).scale == huge.scale


def test_count_cells_counts_each_rank_of_the_weighted_rows():
    """The driver's count of a class it holds whole equals counting every row's cells one by
    one (a weight standing for identical rows)."""
    x = blobs(500, [[0, 0], [5, 5], [0, 5], [5, 0]], seed=3)
    w = np.random.default_rng(4).integers(1, 4, len(x)).astype(float)
    h = fit_cell_hash(x, w, 6, 3, (1, 2))
    counts = count_cells(h, x, w)
    expected = np.zeros((h.n_cells, 3), dtype=np.int64)
    for cells, weight in zip(h.assign(x), w, strict=True):
        for rank, cell in enumerate(cells):
            if cell >= 0:
                expected[cell, rank] += int(weight)
    assert counts.shape == (h.n_cells, 3) and np.array_equal(counts, expected)
    assert counts[:, 0].sum() == w.sum()  # every row has one home cell
