"""SMOTEN on Spark: every synthetic row is the vote of a seed row's nearest rows by
imbalanced-learn's value difference metric; exact totals; errors; the kernel."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from imblearn.metrics.pairwise import ValueDifferenceMetric
from pyspark.sql import functions as F
from sklearn.preprocessing import OrdinalEncoder

from spark_smote import SMOTEN
from spark_smote.kernels.smoten import vdm


@pytest.fixture(scope="module")
def table(spark):
    rng = np.random.default_rng(0)
    n = 500
    y = (rng.random(n) < 0.15).astype(int)
    a = np.where(y == 1, rng.choice(list("xyz"), n, p=[0.6, 0.3, 0.1]), rng.choice(list("xyz"), n))
    b = np.where(y == 1, rng.integers(0, 4, n), rng.integers(2, 6, n))
    rows = [(i, str(a[i]), int(b[i]), f"n{i}", int(y[i])) for i in range(n)]
    df = spark.createDataFrame(rows, ["id", "a", "b", "note", "label"]).cache()
    cols = [F.col(c) for c in df.columns]
    keys = {r.id: r.key for r in df.select("id", F.xxhash64(*cols).alias("key")).collect()}
    return np.column_stack([a, b.astype(str)]), y, df, keys


def votes(x, y, keys, k):
    """The row each class-1 row votes as a seed: imbalanced-learn's metric on the encoded rows,
    its k + 1 nearest class rows (ties in our order: row hash), the most common value per
    column (ties to the first in sorted order)."""
    encoded = OrdinalEncoder(dtype=np.int32).fit_transform(x)
    metric = ValueDifferenceMetric().fit(encoded, y)
    mine = sorted(np.flatnonzero(y == 1), key=lambda i: keys[i])
    d = metric.pairwise(encoded[mine])
    out = set()
    for row in range(len(mine)):
        near = np.lexsort((np.arange(len(mine)), d[row]))[: k + 1]
        picked = x[mine][near]
        out.add(
            tuple(
                sorted(Counter(picked[:, j]).items(), key=lambda t: (-t[1], t[0]))[0][0]
                for j in range(2)
            )
        )
    return out


def test_synthetic_rows_are_votes_of_seed_rows_by_the_value_difference_metric(table):
    x, y, df, keys = table
    out = SMOTEN(inputCols=["a", "b"], kNeighbors=3, syntheticCol="new", seed=1).transform(df)
    new = out.filter("new").collect()
    assert len(new) == int((y == 0).sum() - (y == 1).sum())
    assert {(r.a, str(r.b)) for r in new} <= votes(x, y, keys, 3)
    assert all(r.note is None and r.id is None and r.label == 1 for r in new)


def test_other_columns_copied_from_the_seed(table):
    _, y, df, _ = table
    out = SMOTEN(inputCols=["a", "b"], otherColumns="copy", syntheticCol="new").transform(df)
    notes = {r.note for r in out.filter("new").collect()}
    assert notes <= {f"n{i}" for i in np.flatnonzero(y == 1)}


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_many_cells_give_exact_totals_for_any_partitioning(table):
    _, y, df, _ = table
    stage = SMOTEN(inputCols=["a", "b"], kNeighbors=2, maxBucketSize=30, numHashTables=2)
    assert stage.plan(df).cells[0].hash.n_cells > 1
    got = sorted(tuple(r) for r in stage.transform(df).filter("id is null").collect())
    again = stage.transform(df.repartition(3, "a")).filter("id is null").collect()
    assert got == sorted(tuple(r) for r in again)
    assert len(got) == int((y == 0).sum() - (y == 1).sum())


def test_saved_and_loaded(tmp_path):
    stage = SMOTEN(inputCols=["a", "b"], kNeighbors=4, seed=9)
    stage.save(str(tmp_path / "sn"))
    loaded = SMOTEN.load(str(tmp_path / "sn"))
    assert loaded.getInputCols() == ["a", "b"] and loaded.getKNeighbors() == 4


def test_bad_input_is_refused_before_any_output(spark):
    rows = [("x", 1.5, 0)] * 4 + [("y", 2.5, 1), ("x", 2.5, 1), (None, 0.5, 1)]
    df = spark.createDataFrame(rows, ["a", "f", "label"])
    with pytest.raises(ValueError, match="column 'f' has type double"):
        SMOTEN(inputCols=["a", "f"], kNeighbors=1).plan(df)
    with pytest.raises(ValueError, match="inputCols must name the categorical columns"):
        SMOTEN(kNeighbors=1).plan(df)
    with pytest.raises(ValueError, match="'a' has null values"):
        SMOTEN(inputCols=["a"], kNeighbors=1).plan(df)


def test_value_difference_metric_is_imbalanced_learns():
    rng = np.random.default_rng(1)
    encoded = rng.integers(0, 4, (60, 3))
    y = rng.integers(0, 3, 60)
    metric = ValueDifferenceMetric().fit(encoded, y)
    embedding = np.column_stack([metric.proba_per_class_[f][encoded[:, f]] for f in range(3)])
    np.testing.assert_allclose(vdm(embedding, embedding, 3), metric.pairwise(encoded), atol=1e-12)
