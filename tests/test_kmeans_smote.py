"""KMeansSMOTE on Spark: imbalanced-learn's choice of clusters and sparsity weights on our
clusters, exact totals, synthetic rows inside their cluster, no NaN, errors; the kernels."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spark_smote import KMeansSMOTE
from spark_smote.kernels.centroids import nearest_centres
from spark_smote.kernels.clusters import (
    cluster_weights,
    exact_shares,
    mean_distance,
    valid_clusters,
)

COLS = ["a", "b", "c"]


@pytest.fixture(scope="module")
def table(spark):
    """2,000 rows in three blobs; class 1 (about 160 rows) dense in the middle blob."""
    rng = np.random.default_rng(3)
    y = (rng.random(2000) < 0.08).astype(int)
    x = rng.normal(size=(2000, 3)) + 3.0 * rng.integers(0, 3, 2000)[:, None]
    x[y == 1] = rng.normal(size=(int(y.sum()), 3)) * 0.5 + 3.0
    rows = [(i, *map(float, x[i]), int(y[i])) for i in range(len(y))]
    return x, y, spark.createDataFrame(rows, ["id", *COLS, "label"]).cache()


def imblearn_shares(x, y, centres, n_new, threshold, k):
    """imbalanced-learn's rule step by step on our clusters (its weights; our exact rounding)."""
    cluster = nearest_centres(x, centres)[0]
    sizes = np.bincount(cluster, minlength=len(centres))
    counts = np.bincount(cluster[y == 1], minlength=len(centres))
    out = {}
    weights = []
    found = [j for j in range(len(centres)) if sizes[j] and counts[j] / sizes[j] >= threshold]
    found = [j for j in found if counts[j] >= k + 1]
    for j in found:
        xc = x[(y == 1) & (cluster == j)]
        d = np.sqrt(((xc[:, None] - xc[None]) ** 2).sum(2))
        mean = d.sum() / (len(xc) ** 2 - len(xc))
        exponent = math.log(len(xc), 1.6) ** 1.8 * 0.16
        weights.append(mean**exponent / len(xc))
    shares = exact_shares(n_new, np.array(weights) / sum(weights))
    for j, n in zip(found, shares, strict=True):
        out[j] = int(n)
    return out


def test_clusters_and_shares_are_imbalanced_learns_rule_and_totals_exact(table):
    x, y, df = table
    stage = KMeansSMOTE(inputCols=COLS, clusterBalanceThreshold=0.1, syntheticCol="new", seed=5)
    plan = stage.plan(df)
    n_new = int((y == 0).sum() - (y == 1).sum())
    expected = imblearn_shares(x, y, plan.found["centres"], n_new, 0.1, 2)
    got = {
        j: c.n_new for (_, j), i in plan.found["index"].items() for c in plan.cells if c.index == i
    }
    assert got == {j: n for j, n in expected.items() if n > 0} and len(got) >= 2
    out = stage.transform(df)
    new = np.array([[r[c] for c in COLS] for r in out.filter("new").collect()])
    assert len(new) == n_new and out.filter("label = 1").count() == int((y == 0).sum())
    where = nearest_centres(new, plan.found["centres"])[0]
    for j, n in expected.items():  # each synthetic row in its cluster's box of class rows
        mine = x[(y == 1) & (nearest_centres(x, plan.found["centres"])[0] == j)]
        inside = new[where == j]
        assert len(inside) <= n + n_new // 20  # a row on a segment may cross a border
        assert (inside >= mine.min(0) - 1e-9).all() and (inside <= mine.max(0) + 1e-9).all()


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_many_cells_and_any_partitioning_give_the_same_rows(table):
    _, _, df = table
    stage = KMeansSMOTE(inputCols=COLS, clusterBalanceThreshold=0.1, maxBucketSize=60, seed=5)
    assert any(c.hash.n_cells > 1 for c in stage.plan(df).cells)
    rows = sorted(tuple(r) for r in stage.transform(df).filter("id is null").collect())
    again = stage.transform(df.repartition(4, "b")).filter("id is null").collect()
    assert rows == sorted(tuple(r) for r in again)


def test_coincident_rows_give_no_nan_and_exact_totals(spark):
    rows = [(float(i % 10), float(i // 10), 0) for i in range(100)]
    rows += [(2.0, 2.0, 1)] * 6 + [(7.0, 7.0, 1)] * 4  # each cluster's rows coincide
    df = spark.createDataFrame(rows, ["a", "b", "label"])
    stage = KMeansSMOTE(inputCols=["a", "b"], nClusters=2, clusterBalanceThreshold=0.0)
    out = stage.transform(df).filter("label = 1").collect()
    assert len(out) == 100 and all(not math.isnan(r.a) for r in out)


def test_no_cluster_that_qualifies_is_an_error_naming_the_class(table):
    _, _, df = table
    with pytest.raises(ValueError, match="no cluster has enough rows of class 1"):
        KMeansSMOTE(inputCols=COLS, clusterBalanceThreshold=0.99).plan(df)
    with pytest.raises(ValueError, match="nClusters must be at least 1"):
        KMeansSMOTE(inputCols=COLS, nClusters=0).plan(df)
    with pytest.raises(TypeError, match="'auto' or a number"):
        KMeansSMOTE(inputCols=COLS, densityExponent="dense")


def test_saved_and_loaded(tmp_path):
    stage = KMeansSMOTE(nClusters=5, clusterBalanceThreshold=0.2, densityExponent="auto")
    stage.save(str(tmp_path / "km"))
    loaded = KMeansSMOTE.load(str(tmp_path / "km"))
    assert loaded.getNClusters() == 5 and loaded.getClusterBalanceThreshold() == 0.2
    assert loaded.getDensityExponent() == "auto" and loaded.getKNeighbors() == 2


def test_kernels():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(2))
    assert mean_distance(x) == pytest.approx(d.sum() / (40 * 39))
    shares = exact_shares(101, np.array([0.5, 0.3, 0.2]))
    assert shares.sum() == 101 and shares.tolist() == [51, 30, 20]
    assert cluster_weights(np.zeros(2), np.array([3, 1])).tolist() == [0.75, 0.25]
    sizes, counts = np.array([10, 10, 0, 10]), np.array([5, 2, 0, 9])
    assert valid_clusters(counts, sizes, 0.3, 2).tolist() == [0, 3]
