"""CondensedNearestNeighbour and OneSidedSelection on Spark: imbalanced-learn's own code on one
cell, given our seed rows and the order of the rows; per part on many cells; the kernels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.under_sampling import CondensedNearestNeighbour as ImbCNN
from imblearn.under_sampling import OneSidedSelection as ImbOSS
from pyspark.sql import functions as F

from spark_smote import CondensedNearestNeighbour, OneSidedSelection
from spark_smote.engine.columns import KEY, KEY2, Y
from spark_smote.engine.reference import QUERY, class_queries, group_rows
from spark_smote.kernels.condensing import condensed_kept, one_sided_kept
from tests.conftest import wide_table

COLS = ["a", "b"]


class ChosenSeeds(np.random.RandomState):
    """A RandomState whose ``randint`` gives imbalanced-learn the seed rows we chose."""

    def __init__(self, positions: dict[int, list[int]]) -> None:
        super().__init__(0)
        self.positions = positions

    def randint(self, low, high=None, size=None, dtype=int):  # noqa: ARG002
        return np.array(self.positions[high])


@pytest.fixture(scope="module")
def table(spark):
    """Two overlapping classes, 500 and 60 rows, and a third of 200 rows."""
    rng = np.random.default_rng(11)
    y = np.array([0] * 500 + [1] * 60 + [2] * 200)
    x = rng.normal(size=(len(y), 2)) + np.array([[0.0, 0.0], [1.2, 0.8], [-1.0, 1.5]])[y]
    rows = [(i, float(x[i, 0]), float(x[i, 1]), int(y[i])) for i in range(len(y))]
    df = spark.createDataFrame(rows, ["id", *COLS, "label"]).cache()
    cols = [F.col(c) for c in df.columns]
    keys = {
        r.id: (r.key, r.h)
        for r in df.select(
            "id", F.xxhash64(*cols).alias("key"), F.xxhash64(F.lit(3), *cols).alias("h")
        ).collect()
    }
    return x, y, df, keys


def imblearn_kept(reference, x, y, keys, n_seeds=1, classes=(0, 2)) -> list[int]:
    """imbalanced-learn's kept ids of the rows of ``classes`` and the minority, with our seeds
    (smallest seeded hash per class), the rows of each cleaned class in our order (row hash,
    then features) and ahead of the minority's."""
    order = sorted(
        (i for i in range(len(y)) if y[i] in (*classes, 1)),
        key=lambda i: (y[i] == 1, y[i], keys[i][0], *x[i]),
    )
    xs, ys = x[order], y[order]
    positions = {}
    for c in classes:
        mine = [i for i in order if y[i] == c]
        picked = sorted(mine, key=lambda i: keys[i][1])[:n_seeds]
        positions[len(mine)] = [mine.index(i) for i in picked]
    reference.set_params(random_state=ChosenSeeds(positions))
    reference.fit_resample(xs, ys)
    return sorted(int(order[i]) for i in reference.sample_indices_)


def kept_ids(df) -> list[int]:
    return sorted(r.id for r in df.select("id").collect())


@pytest.mark.parametrize(("k", "n_seeds"), [(1, 1), pytest.param(3, 2, marks=pytest.mark.newest)])
def test_condensed_nearest_neighbour_on_one_cell_is_imbalanced_learns(table, k, n_seeds):
    x, y, df, keys = table
    stage = CondensedNearestNeighbour(inputCols=COLS, nNeighbors=k, nSeedsS=n_seeds, seed=3)
    got = kept_ids(stage.transform(df))
    # one class at a time: imbalanced-learn's speed-up mixes a row's place in its class with
    # its place in the table, which agree only for the class whose rows come first
    expected = sorted(
        set().union(
            *[
                imblearn_kept(ImbCNN(n_neighbors=k, n_seeds_S=n_seeds), x, y, keys, n_seeds, [c])
                for c in (0, 2)
            ]
        )
    )
    assert got == expected
    assert 60 < len(got) < 400


@pytest.mark.parametrize(("k", "n_seeds"), [(1, 1), pytest.param(3, 4, marks=pytest.mark.newest)])
def test_one_sided_selection_on_one_cell_is_imbalanced_learns(table, k, n_seeds):
    x, y, df, keys = table
    stage = OneSidedSelection(inputCols=COLS, nNeighbors=k, nSeedsS=n_seeds, seed=3)
    got = kept_ids(stage.transform(df))
    expected = imblearn_kept(ImbOSS(n_neighbors=k, n_seeds_S=n_seeds), x, y, keys, n_seeds)
    assert got == expected
    assert 60 < len(got) < 700


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_many_cells_keep_more_rows_than_one_process_but_the_same_for_any_partitioning(table):
    x, y, df, keys = table
    stage = CondensedNearestNeighbour(inputCols=COLS, seed=3, maxBucketSize=24, numHashTables=2)
    assert stage.plan(df).cells[0].hash.n_cells > 1
    got = kept_ids(stage.transform(df))
    assert kept_ids(stage.transform(df.repartition(4, "b"))) == got
    one_cell = kept_ids(CondensedNearestNeighbour(inputCols=COLS, seed=3).transform(df))
    assert set(np.flatnonzero(y == 1)) <= set(got)  # the minority untouched
    assert len(one_cell) < len(got) < len(y)  # per part: each part adds its own rows


def test_saved_and_loaded(table, tmp_path):
    _, _, df, _ = table
    stage = OneSidedSelection(inputCols=COLS, nNeighbors=3, nSeedsS=2, seed=5)
    stage.save(str(tmp_path / "oss"))
    loaded = OneSidedSelection.load(str(tmp_path / "oss"))
    assert (loaded.getNNeighbors(), loaded.getNSeedsS(), loaded.getSeed()) == (3, 2, 5)
    assert kept_ids(loaded.transform(df)) == kept_ids(stage.transform(df))


@pytest.mark.newest  # the checks run before any Spark work: the same on every version
@pytest.mark.parametrize("cls", [CondensedNearestNeighbour, OneSidedSelection])
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"nSeedsS": 0}, "nSeedsS must be at least 1"),
        ({"nNeighbors": 70}, "minority class 1 has 60 rows, fewer than nNeighbors=70"),
        ({"samplingStrategy": [7]}, "7"),
        ({"inputCols": ["a", "nope"]}, "nope"),
    ],
)
def test_bad_input_is_refused_before_any_output(table, cls, params, message):
    _, _, df, _ = table
    with pytest.raises(ValueError, match=message):
        cls(**{"inputCols": COLS, **params}).plan(df)


def naive_condensed(xs, x_min, x_seeds, seed_rows, k, tie_to_minority):
    """Hart's rule with imbalanced-learn's speed-up, every vote by brute force."""

    def wrong(i, c_own):
        d = np.concatenate(
            [np.linalg.norm(x_min - xs[i], axis=1), np.linalg.norm(c_own - xs[i], axis=1)]
        )
        near = np.argsort(d, kind="stable")[:k]
        own = int((near >= len(x_min)).sum())
        return k - own > own or (k - own == own and tie_to_minority)

    in_c = np.zeros(len(xs), dtype=bool)
    in_c[seed_rows] = True
    added = []
    skip = in_c.copy()
    for i in range(len(xs)):
        if skip[i] or not wrong(i, np.vstack([x_seeds, *added]) if added else x_seeds):
            continue
        in_c[i] = True
        added.append(xs[i : i + 1])
        c_own = np.vstack([x_seeds, *added])
        skip = in_c | np.array([not wrong(j, c_own) for j in range(len(xs))])
    return in_c


@pytest.mark.parametrize(("k", "tie"), [(1, False), (2, True), (2, False), (3, True)])
def test_condensed_kernel_matches_the_rule_by_brute_force(k, tie):
    rng = np.random.default_rng(k)
    xs = rng.normal(size=(150, 3))
    x_min = rng.normal(size=(20, 3)) + 0.7
    seeds = np.array([4, 90])
    got = condensed_kept(xs, x_min, xs[seeds], seeds, k, tie)
    assert np.array_equal(got, naive_condensed(xs, x_min, xs[seeds], seeds, k, tie))
    assert got[seeds].all() and 2 < got.sum() < 150


@pytest.mark.parametrize("k", [1, 2, 3])
def test_condensed_kernel_matches_the_rule_at_equal_distances(k):
    """Rows on a grid of few values, some repeated and some on minority rows: many votes are
    decided by the order among equal distances (a minority row first, then C's rows in the
    order they joined)."""
    rng = np.random.default_rng(10 + k)
    xs = rng.integers(0, 4, size=(120, 2)).astype(float)
    x_min = rng.integers(0, 4, size=(15, 2)).astype(float) + 0.5 * (rng.random((15, 1)) < 0.5)
    seeds = np.array([0, 7, 7 + k])
    for tie in (False, True):
        got = condensed_kept(xs, x_min, xs[seeds], seeds, k, tie)
        assert np.array_equal(got, naive_condensed(xs, x_min, xs[seeds], seeds, k, tie))


def test_one_sided_kernel_keeps_the_rows_the_vote_misclassifies():
    xs = np.array([[0.0], [0.9], [2.0], [2.9], [5.0]])
    x_min = np.array([[1.0], [3.0]])
    x_seeds = np.array([[5.0]])
    assert one_sided_kept(xs, x_min, x_seeds, 1, False).tolist() == [True, True, True, True, False]
    # two nearest: one of each class at [4.0]-like spots ties to the smaller label
    got = one_sided_kept(np.array([[4.0]]), x_min, x_seeds, 2, tie_to_minority=True)
    assert got.tolist() == [True]
    got = one_sided_kept(np.array([[4.0]]), x_min, x_seeds, 2, tie_to_minority=False)
    assert got.tolist() == [False]


def test_a_group_gives_each_class_its_queries_and_the_first_copy_of_each_seed_it_holds():
    """Queries of classes 0 and 2 and reference rows (ranks 0, 1) in one group; identical rows
    share an identity, so a seed may come twice (its first copy counts) or not at all."""
    rank = np.array([QUERY, 0, QUERY, QUERY, 1, QUERY, QUERY, QUERY])
    y = np.array([0, 1, 2, 0, 1, 0, 0, 2])
    ids = np.array([[7, 1], [8, 1], [9, 1], [5, 2], [6, 2], [7, 1], [5, 3], [4, 4]])
    pdf = pd.DataFrame({KEY: ids[:, 0], KEY2: ids[:, 1], Y: y})
    g = group_rows(pdf, rank)
    assert g.q.tolist() == [0, 2, 3, 5, 6, 7] and g.r.tolist() == [1, 4]
    seeds = {
        0: (np.ones((3, 2)), np.array([[5, 3], [7, 1], [1, 1]])),
        2: (np.zeros((1, 2)), np.array([[3, 3]])),
    }
    mine, x_seeds, at = class_queries(g, 0, seeds)
    assert mine.tolist() == [0, 3, 5, 6] and x_seeds is seeds[0][0]
    # positions in `mine`: seed (7, 1) is rows 0 and 5 (the first counts), (5, 3) is row 6
    assert at.tolist() == [0, 3]
    mine, _, at = class_queries(g, 2, seeds)
    assert mine.tolist() == [2, 7] and at.tolist() == []


def test_wide_rows_plan_in_bounded_memory(spark):
    """18 features: One-Sided Selection's seeds filtered on a hash of every column, and its
    kept rows joined on one, used to make Spark's optimizer copy that constraint for every
    renamed column (2^n copies: out of driver memory at 16 features); both now leave plans
    that stay small."""
    cols = [f"f{i}" for i in range(18)]
    y, df = wide_table(spark, 400, cols, seed=4)
    out = OneSidedSelection(inputCols=cols).transform(df)
    counts = {r.label: r["count"] for r in out.groupBy("label").count().collect()}
    assert counts[1] == int(y.sum()) and 0 < counts[0] < int((y == 0).sum())
