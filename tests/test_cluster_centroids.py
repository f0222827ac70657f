"""ClusterCentroids on Spark: exact counts, inertia close to scikit-learn's KMeans on one cell
and on many, real rows with hard voting, the same rows for any partitioning; the kernel."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml.linalg import Vectors
from sklearn.cluster import KMeans

from spark_smote import ClusterCentroids
from spark_smote.kernels.centroids import kmeans_centres, nearest_rows

COLS = ["a", "b", "c"]


@pytest.fixture(scope="module")
def table(spark):
    """1,500 rows: class 0 (about 1,300 rows in three blobs), class 1 (about 140), ids, a
    string column."""
    rng = np.random.default_rng(8)
    y = (rng.random(1500) < 0.1).astype(int)
    x = rng.normal(size=(1500, 3)) + 4.0 * rng.integers(0, 3, 1500)[:, None] * (y == 0)[:, None]
    rows = [(i, *map(float, x[i]), f"r{i}", int(y[i])) for i in range(len(y))]
    return x, y, spark.createDataFrame(rows, ["id", *COLS, "note", "label"]).cache()


def inertia(x, centres):
    return float((((x[:, None, :] - centres[None]) ** 2).sum(axis=2)).min(axis=1).sum())


def class0(df):
    got = df.filter("label = 0").collect()
    return np.array([[r[c] for c in COLS] for r in got]), got


def test_soft_voting_gives_centroids_as_good_as_scikit_learns_on_one_cell(table):
    x, y, df = table
    out = ClusterCentroids(inputCols=COLS, seed=2).transform(df)
    centres, rows = class0(out)
    n_min = int((y == 1).sum())
    assert len(centres) == n_min
    assert all(r.id is None and r.note is None for r in rows)  # new rows: other columns null
    minority = sorted(r.id for r in out.filter("label = 1").collect())
    assert minority == sorted(np.flatnonzero(y == 1).tolist())  # untouched
    reference = KMeans(n_clusters=n_min, n_init=1, random_state=0).fit(x[y == 0]).inertia_
    assert inertia(x[y == 0], centres) <= 1.05 * reference


def test_hard_voting_keeps_real_rows_and_exact_counts(table):
    x, y, df = table
    out = ClusterCentroids(inputCols=COLS, voting="hard", seed=2).transform(df)
    _, rows = class0(out)
    assert len(rows) == int((y == 1).sum())
    for r in rows:
        assert y[r.id] == 0 and r.note == f"r{r.id}" and r.a == x[r.id, 0]


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_many_cells_give_exact_counts_for_any_partitioning(table):
    x, y, df = table
    stage = ClusterCentroids(inputCols=COLS, seed=2, maxBucketSize=200, samplingStrategy={0: 300})
    assert len(stage.plan(df).cells[0].groups()) > 1
    centres, _ = class0(stage.transform(df))
    again, _ = class0(stage.transform(df.repartition(5, "b")))
    assert len(centres) == 300
    np.testing.assert_array_equal(np.sort(centres, axis=0), np.sort(again, axis=0))
    reference = KMeans(n_clusters=300, n_init=1, random_state=0).fit(x[y == 0]).inertia_
    assert inertia(x[y == 0], centres) <= 1.3 * reference


def test_vector_features_and_persistence(spark, tmp_path):
    rows = [(Vectors.dense([float(i % 7), float(i % 3)]), int(i % 10 == 0)) for i in range(100)]
    df = spark.createDataFrame(rows, ["features", "label"])
    stage = ClusterCentroids(voting="soft", maxIter=5, seed=4)
    stage.save(str(tmp_path / "cc"))
    loaded = ClusterCentroids.load(str(tmp_path / "cc"))
    assert (loaded.getVoting(), loaded.getMaxIter()) == ("soft", 5)
    got = sorted(tuple(r.features) for r in loaded.transform(df).filter("label = 0").collect())
    assert len(got) == 10
    assert got == sorted(
        tuple(r.features) for r in stage.transform(df).filter("label = 0").collect()
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"voting": "majority"}, "voting must be 'auto', 'soft' or 'hard'"),
        ({"maxIter": 0}, "maxIter must be at least 1"),
        ({"samplingStrategy": {0: 5000}}, "5000"),
        ({"inputCols": ["a", "nope"]}, "nope"),
    ],
)
def test_bad_input_is_refused_before_any_output(table, params, message):
    _, _, df = table
    with pytest.raises(ValueError, match=message):
        ClusterCentroids(**{"inputCols": COLS, **params}).plan(df)


def test_kmeans_gives_exactly_q_centres_even_with_few_distinct_rows():
    rng = np.random.default_rng(0)
    x = np.repeat(rng.normal(size=(4, 2)), 5, axis=0)  # 4 distinct rows, 20 rows
    centres = kmeans_centres(x, 6, rng, 50)
    assert centres.shape == (6, 2)
    assert {tuple(c) for c in centres} == {tuple(r) for r in x}  # each centre is a row


def test_kmeans_relocates_empty_clusters_and_finds_separated_blobs():
    rng = np.random.default_rng(1)
    blobs = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    x = np.vstack([b + 0.1 * rng.normal(size=(50, 2)) for b in blobs])
    centres = kmeans_centres(x, 3, np.random.default_rng(3), 100)
    assert sorted(map(tuple, np.round(centres))) == sorted(map(tuple, blobs))
    assert sorted(nearest_rows(x, centres) // 50) == [0, 1, 2]
