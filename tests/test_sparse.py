"""Wide sparse vectors on Spark: checked without densifying, generated sparse."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml.linalg import DenseVector, SparseVector, Vectors
from pyspark.sql import functions as F

from spark_smote import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE, RandomOverSampler
from spark_smote.engine.validation import collect_stats, feature_spec

DIM = 1 << 18


def sparse_rows(spark, sizes, nnz=20, dim=DIM, seed=0, minority_cols=3000, dense_every=0):
    """Rows of ``nnz`` non-zeros: class 0 anywhere in ``dim``, the others within the first
    ``minority_cols`` columns (so they share columns and have real neighbours). With
    ``dense_every``, every such row is stored as a DenseVector (as VectorAssembler may)."""
    rng = np.random.default_rng(seed)
    rows = []
    for label, n in sizes.items():
        width = dim if label == 0 else minority_cols
        for _ in range(n):
            idx = np.sort(rng.choice(width, nnz, replace=False))
            v = SparseVector(dim, idx.tolist(), (rng.random(nnz) + 0.5).tolist())
            if dense_every and len(rows) % dense_every == 0:
                v = DenseVector(v.toArray())
            rows.append((v, label, len(rows)))
    return spark.createDataFrame(rows, ["f.v", "label", "id"])


@pytest.fixture(scope="module")
def wide(spark):
    return sparse_rows(spark, {0: 1500, 1: 150}).cache()


def as_dict(v) -> dict[int, float]:
    return dict(zip(v.indices.tolist(), v.values.tolist(), strict=True))


def test_stats_count_nonzeros_without_densifying(spark, wide):
    spec = feature_spec(wide.schema, "f.v", None, "label", None)
    stats = collect_stats(wide, spec, "SMOTE")
    assert stats.counts == {0: 1500, 1: 150} and stats.dim == DIM
    assert stats.nnz == {0: 1500 * 20, 1: 150 * 20}


def test_synthetic_rows_are_sparse_and_on_segments_to_neighbours(spark, wide):
    k = 4
    smote = SMOTE(featuresCol="f.v", kNeighbors=k, syntheticCol="s", otherColumns="copy")
    out = smote.transform(wide)
    assert {r.label: r["count"] for r in out.groupBy("label").count().collect()} == {
        0: 1500,
        1: 1500,
    }
    minority = {r.id: r["f.v"] for r in wide.filter("label = 1").collect()}
    ids = sorted(minority)
    # exact neighbours (a class of 150 rows is one cell): brute force on the used columns
    cols = sorted({c for v in minority.values() for c in v.indices})
    where = {c: j for j, c in enumerate(cols)}
    x = np.zeros((len(ids), len(cols)))
    for i, id_ in enumerate(ids):
        for c, val in as_dict(minority[id_]).items():
            x[i, where[c]] = val
    d = ((x[:, None, :] - x[None, :, :]) ** 2).sum(2)
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1, kind="stable")[:, :k]
    synthetic = out.filter("s").collect()
    assert len(synthetic) == 1350
    for r in synthetic:
        new = r["f.v"]
        assert isinstance(new, SparseVector) and new.size == DIM
        b = ids.index(r.id)  # otherColumns="copy": the base row's id
        base = as_dict(minority[r.id])
        assert set(new.indices) <= set(base) | {c for j in nearest[b] for c in x_cols(x[j], cols)}
        y = np.zeros(len(cols))
        for c, val in as_dict(new).items():
            y[where[c]] = val
        ok = False
        for j in nearest[b]:
            step = x[j] - x[b]
            u = step @ (y - x[b]) / (step @ step)
            ok = ok or (0 <= u < 1 and np.allclose(x[b] + u * step, y, atol=1e-9))
        assert ok


def x_cols(row: np.ndarray, cols: list[int]) -> set[int]:
    return {cols[j] for j in np.flatnonzero(row)}


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_many_cells_exact_counts_and_partitioning_independent(spark):
    df = sparse_rows(spark, {0: 400, 1: 900}, nnz=8, dim=5000, minority_cols=500, seed=1)
    smote = SMOTE(featuresCol="f.v", maxBucketSize=150, numHashTables=3, syntheticCol="s", seed=4)
    plan = smote.plan(df)
    assert plan.before == {0: 400, 1: 900} and len(plan.cells[0].groups()) > 4

    def synthetic(frame):
        rows = smote.transform(frame).filter("s").collect()
        return sorted((r.label, tuple(r["f.v"].indices), tuple(r["f.v"].values)) for r in rows)

    a = synthetic(df.repartition(3))
    assert len(a) == 500 and all(lab == 0 for lab, _, _ in a)
    assert a == synthetic(df.coalesce(1))
    assert all(len(idx) <= 16 for _, idx, _ in a)  # at most the union of two rows' supports


def test_dense_stored_rows_of_a_sparse_column(spark):
    # VectorAssembler stores a row dense when that is smaller: such rows join the sparse path
    df = sparse_rows(spark, {0: 300, 1: 40}, nnz=5, dim=400, minority_cols=60, dense_every=3)
    out = SMOTE(featuresCol="f.v", syntheticCol="s", kNeighbors=3).transform(df)
    new = out.filter("s").collect()
    assert len(new) == 260
    assert all(isinstance(r["f.v"], SparseVector) and r["f.v"].size == 400 for r in new)
    assert all(0 < r["f.v"].numNonzeros() <= 10 and max(r["f.v"].indices) < 60 for r in new)
    # the originals are untouched, dense ones included
    kept = out.filter(~F.col("s")).orderBy("id").collect()
    assert [type(r["f.v"]) for r in kept] == [type(r["f.v"]) for r in df.orderBy("id").collect()]


def test_wide_dense_vectors_stay_dense(spark):
    rng = np.random.default_rng(3)
    rows = [(Vectors.dense(rng.normal(size=300).tolist()), int(i < 12)) for i in range(80)]
    df = spark.createDataFrame(rows, ["features", "label"])
    spec = feature_spec(df.schema, "features", None, "label", None)
    stats = collect_stats(df, spec, "SMOTE")
    assert stats.dim == 300 and stats.nnz == {0: 68 * 300, 1: 12 * 300}
    new = SMOTE(syntheticCol="s", kNeighbors=3).transform(df).filter("s").collect()
    assert len(new) == 56 and all(isinstance(r.features, DenseVector) for r in new)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (SparseVector(DIM, [3, 9], [1.0, float("nan")]), r"'f.v' has 1 NaN value\(s\)"),
        (SparseVector(DIM, [3], [float("-inf")]), r"'f.v' has 1 infinite value\(s\)"),
        (SparseVector(DIM - 1, [3], [1.0]), "vectors of different sizes"),
        (None, r"'f.v' has 1 null value\(s\)"),
    ],
)
def test_bad_sparse_values_are_named(spark, bad, message):
    good = sparse_rows(spark, {0: 30, 1: 10}, nnz=3)
    extra = spark.createDataFrame([(bad, 1, 99)], good.schema)
    with pytest.raises(ValueError, match=message):
        SMOTE(featuresCol="f.v", kNeighbors=3).transform(good.unionByName(extra))


@pytest.mark.parametrize(
    "sampler",
    [
        BorderlineSMOTE(featuresCol="f.v", kNeighbors=3),
        ADASYN(featuresCol="f.v", nNeighbors=3),
        SMOTENC(featuresCol="f.v", categoricalCols=["id"], kNeighbors=3),
        RandomOverSampler(featuresCol="f.v", shrinkage=1.0),
    ],
    ids=lambda s: type(s).__name__,
)
def test_samplers_that_densify_refuse_wide_sparse_vectors(spark, sampler):
    df = sparse_rows(spark, {0: 30, 1: 10}, nnz=3)
    name = type(sampler).__name__
    with pytest.raises(ValueError, match=rf"'f.v' holds sparse vectors of 262,144 .*{name}"):
        sampler.transform(df)
    # below the bound they densify, as before
    narrow = sparse_rows(spark, {0: 30, 1: 10}, nnz=3, dim=300, minority_cols=200)
    assert sampler.transform(narrow).filter("label = 1").count() == 30


def test_other_columns_copied_through_the_arrow_pass(spark):
    df = sparse_rows(spark, {0: 60, 1: 12}, nnz=4, dim=1000, minority_cols=80).select(
        "*",
        F.concat(F.lit("row "), F.col("id")).alias("name"),
        F.timestamp_seconds(F.col("id") * 3600).alias("at"),
        (F.col("id") / 7).cast("decimal(10,3)").alias("amount"),
        F.when(F.col("id") % 2 == 0, F.col("id")).alias("maybe"),
    )
    smote = SMOTE(featuresCol="f.v", kNeighbors=3, syntheticCol="s", otherColumns="copy")
    got = smote.transform(df)
    assert got.dtypes == [*df.dtypes, ("s", "boolean")]
    original = {r.id: r for r in df.collect()}
    new = got.filter("s").collect()
    assert len(new) == 48
    for r in new:
        base = original[r.id]
        assert (r.name, r.at, r.amount, r.maybe) == (base.name, base.at, base.amount, base.maybe)
        assert base.label == 1 and (r.maybe is None) == (r.id % 2 == 1)


def test_diagnostics_refuse_the_sparse_path(spark, wide):
    from spark_smote.diagnostics import neighbour_quality

    with pytest.raises(ValueError, match="'f.v' takes SMOTE's sparse path"):
        neighbour_quality(SMOTE(featuresCol="f.v"), wide)
