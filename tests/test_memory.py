"""Bounded Python memory: a group's output comes in slices; values near the float64 limits."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.sql import functions as F

import spark_smote.kernels.cells as cells_module
from spark_smote import ADASYN, SMOTE, SMOTENC
from tests.conftest import blobs

# The slicing is plain DataFrame API and numpy, the same on every Spark version and over
# Connect: these heavier tests run on the newest pyspark only (CI's other runs leave them out).
pytestmark = pytest.mark.newest

BOUND = 1000  # rows one Python call may write, lowered from 100,000 for the tests


@pytest.fixture
def low_bound(monkeypatch):
    """The driver plans slices of at most BOUND rows (the workers get the plan, not the
    constant)."""
    monkeypatch.setattr(cells_module, "OUTPUT_ROWS", BOUND)


def synthetic(df, flag="s"):
    return sorted(tuple(r.features) for r in df.filter(F.col(flag)).select("features").collect())


def test_a_class_raised_4000_fold_comes_in_bounded_slices(spark, low_bound):
    df = blobs(spark, {0: 200_000, 1: 50}, dim=3, seed=2).drop("id")
    smote = SMOTE(kNeighbors=3, syntheticCol="s", seed=5)
    (cells,) = smote.plan(df).cells
    (group,) = cells.groups()
    assert group.home == 50 and group.quota == 199_950 and group.shared
    assert group.slices == 200 and max(group.piece(s)[2] for s in range(200)) <= BOUND
    out = smote.transform(df)
    counts = (
        dict(out.groupBy("label", "s").count().rdd.map(tuple).collect())
        if False
        else {(r["label"], r["s"]): r["count"] for r in out.groupBy("label", "s").count().collect()}
    )
    assert counts == {(0, False): 200_000, (1, False): 50, (1, True): 199_950}
    # every call wrote at most BOUND rows: the kernel refuses more (see the next test)
    x = np.array([r.features.toArray() for r in df.filter("label = 1").collect()])
    lo, hi = x.min(axis=0), x.max(axis=0)
    got = np.array(synthetic(out)[::997])
    assert ((got >= lo - 1e-9) & (got <= hi + 1e-9)).all()  # inside the class's bounding box


def test_without_slices_a_call_over_the_bound_is_refused(spark, low_bound, monkeypatch):
    df = blobs(spark, {0: 3000, 1: 20}, dim=3, seed=2)
    monkeypatch.setattr(cells_module, "n_slices", lambda home, quota, max_out: 1)
    with pytest.raises(Exception, match="above the bound of 1000"):
        SMOTE(kNeighbors=3, syntheticCol="s").transform(df).count()


def test_sliced_output_is_exact_and_the_same_for_any_partitioning(spark, low_bound):
    df = blobs(spark, {0: 9000, 1: 3000}, dim=3, seed=4)
    smote = SMOTE(kNeighbors=3, maxBucketSize=1500, numHashTables=1, syntheticCol="s", seed=1)
    groups = [g for c in smote.plan(df).cells for g in c.groups()]
    assert any(g.slices > 1 and not g.shared for g in groups)  # runs of home rows
    a = smote.transform(df)
    assert a.filter("s").count() == 6000
    assert synthetic(a) == synthetic(smote.transform(df.repartition(7)))


def test_smotenc_and_adasyn_slice_their_output(spark, low_bound):
    df = blobs(spark, {0: 3000, 1: 40}, dim=2, seed=6, vector=False)
    df = df.withColumn("c", (F.col("id") % 3).cast("string"))
    nc = SMOTENC(inputCols=["f0", "f1"], categoricalCols=["c"], kNeighbors=3, syntheticCol="s")
    assert nc.plan(df).cells[0].groups()[0].slices == 4  # runs of 13 home rows: 962 rows each
    out = nc.transform(df)
    assert out.filter("s").count() == 2960 and out.filter("s AND c IS NULL").count() == 0
    ad = ADASYN(inputCols=["f0", "f1"], nNeighbors=3, syntheticCol="s", seed=2)
    a = ad.transform(df).filter("s").select("f0", "f1").collect()
    b = ad.transform(df.repartition(3)).filter("s").select("f0", "f1").collect()
    assert len(a) == 2960 and sorted(a) == sorted(b)


def test_features_near_the_float64_limits(spark):
    """Several cells of values around 1e300: their squares overflow float64."""
    rng = np.random.default_rng(3)
    x = np.vstack([rng.normal(c, 1.0, size=(4500, 4)) for c in (0.0, 8.0)]) * 1e300
    rows = [(*map(float, r), int(i % 10 == 0)) for i, r in enumerate(x)]  # 900 of class 1
    df = spark.createDataFrame(rows, ["a", "b", "c", "d", "label"])
    smote = SMOTE(inputCols=["a", "b", "c", "d"], maxBucketSize=500, kNeighbors=3, syntheticCol="s")
    assert len(smote.plan(df).cells[0].groups()) > 1
    out = smote.transform(df).filter("s").collect()
    assert len(out) == 8100 - 900
    got = np.array([[r.a, r.b, r.c, r.d] for r in out])
    assert np.isfinite(got).all() and np.abs(got).max() > 1e299


def test_sparse_rows_slice_their_output(spark, low_bound):
    from tests.test_sparse import sparse_rows

    df = sparse_rows(spark, {0: 2500, 1: 30}, nnz=6, dim=5000, minority_cols=300, seed=3)
    smote = SMOTE(featuresCol="f.v", syntheticCol="s", seed=2)
    assert smote.plan(df).sparse and smote.plan(df).cells[0].groups()[0].slices == 3
    out = smote.transform(df).filter("s")
    vectors = [r[0] for r in out.select("`f.v`").collect()]
    assert len(vectors) == 2470 and all(type(v).__name__ == "SparseVector" for v in vectors)
