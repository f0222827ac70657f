"""The neighbour engine on Spark: bounded cells on skewed data, pruning, determinism."""

import numpy as np
import pytest
from pyspark.ml.linalg import Vectors
from pyspark.sql import functions as F

from spark_smote import (
    SMOTE,
    BorderlineSMOTE,
    KMeansSMOTE,
    OneSidedSelection,
    TomekLinks,
    release,
)
from spark_smote.diagnostics import neighbour_quality
from spark_smote.kernels.cells import n_cells_for
from tests.conftest import blobs, wide_table


def _frame(spark, x, n_majority=None):
    n_majority = len(x) + 50 if n_majority is None else n_majority
    rows = [(Vectors.dense(r.tolist()), 1, i) for i, r in enumerate(x)]
    rows += [(Vectors.dense([0.0] * x.shape[1]), 0, -1 - i) for i in range(n_majority)]
    return spark.createDataFrame(rows, ["features", "label", "id"])


def _skewed(n, kind):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(n, 4))
    if kind == "duplicates":
        x[: n // 2] = 1.0  # half of the rows identical
    else:
        x[: int(n * 0.9)] = 1.0 + 1e-6 * rng.normal(size=(int(n * 0.9), 4))  # one tight cluster
    return x


@pytest.mark.newest  # engine logic, the same on every Spark version
@pytest.mark.parametrize("kind", ["duplicates", "cluster"])
def test_cells_stay_bounded_on_skewed_classes(spark, kind):
    n, max_size = 700, 100
    df = _frame(spark, _skewed(n, kind))
    smote = SMOTE(kNeighbors=5, maxBucketSize=max_size, syntheticCol="s", numHashTables=3)
    (cells,) = smote.plan(df).cells
    groups = cells.groups()
    assert all(6 <= g.rows <= max_size for g in groups)
    assert sum(g.home for g in groups) == n
    out = smote.transform(df)  # the kernel checks every group's size against the plan
    assert out.filter("label = 1").count() == n + 50
    again = smote.transform(df.repartition(3))
    key = ["features"]
    a = sorted(tuple(r.features) for r in out.filter("s").select(*key).collect())
    b = sorted(tuple(r.features) for r in again.filter("s").select(*key).collect())
    assert a == b


def test_cells_too_small_for_k_are_removed(spark):
    rng = np.random.default_rng(7)
    x = np.vstack([rng.normal(size=(300, 3)), [[500.0, 0, 0], [0, 500.0, 0], [0, 0, 500.0]]])
    df = _frame(spark, x)
    smote = SMOTE(
        kNeighbors=3,
        maxBucketSize=60,
        numHashTables=1,
        otherColumns="copy",
        samplingStrategy={1: 303 * 11},
    )
    (cells,) = smote.plan(df).cells
    assert all(g.rows >= 4 for g in cells.groups())
    assert cells.hash.n_cells < n_cells_for(303, 1, 60)  # the outliers' cells were removed
    out = smote.transform(df)
    assert out.filter("label = 1").count() == 303 * 11
    # the outliers still get their share of synthetic rows (about 10 each), in a bigger cell
    assert out.filter("label = 1 AND id >= 300").count() > 3 + 15


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_many_cells_same_rows_whatever_the_partitioning(spark):
    rng = np.random.default_rng(8)
    x = rng.normal(size=(1500, 5))
    df = _frame(spark, x, n_majority=1600)
    smote = SMOTE(kNeighbors=4, maxBucketSize=80, seed=3, syntheticCol="s")
    (cells,) = smote.plan(df).cells
    assert len(cells.groups()) >= 50

    def synthetic(frame):
        out = smote.transform(frame).filter("s")
        return sorted(tuple(r.features) for r in out.select("features").collect())

    a = synthetic(df)
    assert len(a) == 100
    assert a == synthetic(df.repartition(7, "id")) == synthetic(df.orderBy(F.rand(1)).coalesce(1))


def test_wide_inputs_plan_quickly(spark):
    """40 feature columns and other columns: the plan must not grow with 2^columns (Spark's
    constraint propagation rewrites a row hash with every later alias)."""
    rng = np.random.default_rng(9)
    names = [f"f.{i}" for i in range(40)]
    x = rng.normal(size=(400, 40))
    rows = [(*map(float, r), int(i % 4 == 0), i, "a") for i, r in enumerate(x)]
    df = spark.createDataFrame(rows, [*names, "label", "id", "tag"])
    smote = SMOTE(inputCols=names, kNeighbors=3, maxBucketSize=40, otherColumns="copy")
    out = smote.transform(df)
    assert out.filter("label = 1").count() == 300


def test_a_crowded_cell_gets_a_second_level(spark):
    """90% of the class in one tight cluster: k-means on the sample spends its cells on the
    spread-out rest; the crowded cell is split again (not cut at random), so neighbours stay
    good."""
    df = _frame(spark, _skewed(1500, "cluster"))
    smote = SMOTE(kNeighbors=5, maxBucketSize=150, numHashTables=3)
    (q,) = neighbour_quality(smote, df, sample_rows=300)
    assert q.cell_max <= 150 and q.short_of_k == 0.0
    assert q.recall_at_k > 0.8


def test_a_cleaners_planning_keeps_the_rows_and_releases_them(spark, monkeypatch):
    """A cleaner's sampling and counting passes read its rows kept once and released before
    the output is read (its output does not read them); where the session refuses caching
    (serverless), they recompute them and give the same rows. (The oversamplers keep the rows
    of their classes for the output too: tests/test_keeping.py.)"""
    df = blobs(spark, {0: 300, 1: 400}, dim=3, seed=8)
    frame = type(df)  # classic or Connect
    tomek = TomekLinks(maxBucketSize=120, seed=3)
    calls = []
    persist, unpersist = frame.persist, frame.unpersist

    def spy_persist(self, *args, **kwargs):
        calls.append("persist")
        return persist(self, *args, **kwargs)

    def spy_unpersist(self, *args, **kwargs):
        calls.append("unpersist")
        return unpersist(self, *args, **kwargs)

    monkeypatch.setattr(frame, "persist", spy_persist)
    monkeypatch.setattr(frame, "unpersist", spy_unpersist)

    def kept_ids(out):
        return sorted(r.id for r in out.select("id").collect())

    kept = kept_ids(tomek.transform(df))
    assert calls == ["persist", "unpersist"]  # once, released before the output is read

    def refuse(self, *args, **kwargs):
        raise RuntimeError("[NOT_SUPPORTED_WITH_SERVERLESS] PERSIST TABLE is not supported")

    monkeypatch.setattr(frame, "persist", refuse)
    assert 600 < len(kept) < 700 and kept == kept_ids(tomek.transform(df))


def test_classes_above_and_below_max_bucket_size_plan_together(spark):
    """A class above maxBucketSize (cells fitted and counted) beside one below it (one cell):
    the counting pass hashes only the rows of the classes it plans."""
    from spark_smote import SMOTE

    rng = np.random.default_rng(0)
    sizes = {0: 400, 1: 150, 2: 20}
    rows = [
        (float(v[0]), float(v[1]), c) for c, n in sizes.items() for v in rng.normal(size=(n, 2)) + c
    ]
    df = spark.createDataFrame(rows, ["a", "b", "label"])
    stage = SMOTE(inputCols=["a", "b"], kNeighbors=3, maxBucketSize=100, numHashTables=2)
    assert [c.hash.n_cells > 1 for c in stage.plan(df).cells] == [True, False]
    counts = {r.label: r["count"] for r in stage.transform(df).groupBy("label").count().collect()}
    assert counts == {0: 400, 1: 400, 2: 400}


@pytest.mark.newest  # the optimizer's constraint propagation: the same since Spark 2
@pytest.mark.parametrize(
    "make",
    [
        lambda cols: BorderlineSMOTE(inputCols=cols),
        lambda cols: KMeansSMOTE(inputCols=cols, nClusters=2, clusterBalanceThreshold=0.01),
        lambda cols: OneSidedSelection(inputCols=cols),
    ],
    ids=["borderline", "kmeans", "oss"],
)
def test_wide_outputs_renamed_and_filtered_plan_in_bounded_memory(spark, make):
    """20 features: a column computed from every feature (a row's cells, its cluster, its
    identity) used to enter the plan as a constraint that Spark's optimizer copied for every
    feature a later projection renamed (2^n copies): a user's rename and filter of the output,
    or KMeansSMOTE's own steps, ran the driver out of memory. Those columns are opaque to it
    now. The output's kept rows are released first, so that the whole lineage is planned (as
    when the output is dropped after ``out.select(...)``: One-Sided Selection's case)."""
    cols = [f"f.{i}" for i in range(20)]
    y, df = wide_table(spark, 500, cols, seed=6)
    stage = make(cols)
    out = stage.transform(df)
    expected = {r.label: r["count"] for r in out.groupBy("label").count().collect()}
    release(out)
    renamed = out.select(*[F.col(f"`{c}`").alias(f"r{i}") for i, c in enumerate(cols)], "label")
    kept = renamed.filter(F.col("r0").isNotNull() | (F.col("r1") > 0))
    counts = {r.label: r["count"] for r in kept.groupBy("label").count().collect()}
    assert counts == expected
    if not isinstance(stage, OneSidedSelection):
        assert counts == {0: int((y == 0).sum()), 1: int((y == 0).sum())}
    else:
        assert counts[1] == int((y == 1).sum()) and counts[0] < int((y == 0).sum())


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_a_class_held_whole_is_counted_on_the_driver_to_the_same_cells(spark, monkeypatch):
    """A class small enough to reach the driver whole in the sampling pass is fitted on the
    same seeded sample and counted on the driver: the same cells as a counting pass gives, and
    no counting pass (the rows then are the same)."""
    from spark_smote.engine import planning
    from spark_smote.kernels import cells as cells_module

    df = _frame(spark, _skewed(1500, "cluster"))  # a crowded cell: split, then recounted
    smote = SMOTE(kNeighbors=5, maxBucketSize=150, numHashTables=3, seed=4)
    passes = []
    count = planning._count
    monkeypatch.setattr(planning, "_count", lambda *a: passes.append(1) or count(*a))
    (held,) = smote.plan(df).cells
    assert passes == []
    monkeypatch.setattr(cells_module, "HELD_VALUES", 0)
    (counted,) = smote.plan(df).cells
    assert len(passes) >= 2  # counted, split, counted again
    assert held.hash.n_cells == counted.hash.n_cells > 10
    for name in ("home", "guests", "keep", "parts"):
        assert np.array_equal(getattr(held, name), getattr(counted, name)), name
    assert np.array_equal(held.hash.leaves, counted.hash.leaves)
