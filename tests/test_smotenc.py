"""SMOTE-NC on Spark: types, counts, the vote of exact neighbours, nulls, cardinality, errors."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import VectorAssembler
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from spark_smote import SMOTE, SMOTENC
from spark_smote.kernels.smote import median_std_penalty
from spark_smote.pipeline import Pipeline

SCHEMA = StructType(
    [
        StructField("id", LongType()),
        StructField("a", DoubleType()),
        StructField("b.x", DoubleType()),
        StructField("colour", StringType()),
        StructField("size", IntegerType()),
        StructField("flag", BooleanType()),
        StructField("label", IntegerType()),
    ]
)
CATS = ["colour", "size", "flag"]


def mixed_rows(n_major: int, n_minor: int, seed: int = 0) -> list[tuple]:
    rng = np.random.default_rng(seed)
    rows = []
    for label, n, shift in ((0, n_major, 0.0), (1, n_minor, 2.0)):
        for _ in range(n):
            a, b = rng.normal(shift, 1.0, 2)
            colour = rng.choice(["red", "green", "blue", None], p=[0.4, 0.3, 0.2, 0.1])
            size = None if rng.random() < 0.1 else int(rng.integers(0, 5))
            flag = bool(rng.random() < 0.3 + 0.4 * label)
            rows.append((len(rows), float(a), float(b), colour, size, flag, label))
    return rows


@pytest.fixture(scope="module")
def mixed(spark):
    return spark.createDataFrame(mixed_rows(150, 30), SCHEMA).cache()


def nc(**kw):
    params = dict(inputCols=["a", "b.x"], categoricalCols=CATS, kNeighbors=4, syntheticCol="s")
    return SMOTENC(**{**params, **kw})


def test_counts_types_and_originals(mixed):
    out = nc().transform(mixed)
    assert out.schema == StructType(SCHEMA.fields + [StructField("s", BooleanType(), False)])
    counts = {r.label: r["count"] for r in out.groupBy("label").count().collect()}
    assert counts == {0: 150, 1: 150}
    assert sorted(out.filter(~F.col("s")).drop("s").collect()) == sorted(mixed.collect())


def brute_expected(rows: list[tuple], k: int) -> dict[int, dict[str, object]]:
    """Per minority row id: the voted categorical values under exact SMOTE-NC neighbours."""
    minority = [r for r in rows if r[6] == 1]
    x = np.array([[r[1], r[2]] for r in minority])
    penalty = median_std_penalty(float(np.median(x.std(axis=0))))
    values = [[r[3], r[4], r[5]] for r in minority]
    codes = np.array([[hash(("v", v)) for v in vs] for vs in values])
    expected = {}
    for i, r in enumerate(minority):
        d = ((x - x[i]) ** 2).sum(1) + penalty * (codes != codes[i]).sum(1)
        d[i] = np.inf
        nn = np.argsort(d, kind="stable")[:k]
        assert d[nn[-1]] < np.sort(d)[k]  # no tie at the k-th neighbour: exact set is unique
        voted = {}
        for j, name in enumerate(CATS):
            vals = [values[t][j] for t in nn]
            counts = [vals.count(v) for v in vals]
            voted[name] = vals[int(np.argmax(counts))]  # first maximum: nearest of the tied
        expected[r[0]] = voted
    return expected


def test_categories_are_the_vote_of_the_exact_neighbours(spark):
    rows = mixed_rows(120, 40, seed=3)
    df = spark.createDataFrame(rows, SCHEMA)
    out = nc(otherColumns="copy").transform(df).filter("s").collect()
    expected = brute_expected(rows, 4)
    assert len(out) == 80
    for r in out:  # the base row's id travels with otherColumns="copy"
        assert {c: r[c] for c in CATS} == expected[r.id], r.id
    by_id = {row[0]: row for row in rows}
    for r in out:  # continuous features on a segment from the base row
        base = np.array(by_id[r.id][1:3])
        assert np.linalg.norm(np.array([r.a, r["b.x"]]) - base) < 5.0


def test_categorical_values_come_from_the_class_nulls_included(spark):
    rows = mixed_rows(200, 25, seed=5)
    rows = [(*r[:3], None if r[6] == 1 and r[0] % 2 else r[3], *r[4:]) for r in rows]
    df = spark.createDataFrame(rows, SCHEMA)
    out = nc(kNeighbors=3).transform(df).filter("s").collect()
    minority = [r for r in rows if r[6] == 1]
    for j, name in enumerate(CATS):
        allowed = {r[3 + j] for r in minority}
        got = {r[name] for r in out}
        assert got <= allowed, name
    assert None in {r.colour for r in out}  # null is a category (half the class has it)


def test_same_seed_same_rows_whatever_the_partitioning(mixed):
    a = nc().transform(mixed).filter("s").collect()
    b = nc().transform(mixed.repartition(5, "id")).filter("s").collect()
    assert sorted(map(tuple, a), key=repr) == sorted(map(tuple, b), key=repr)


def test_vector_features_and_many_cells(spark):
    rng = np.random.default_rng(7)
    n = 1500
    rows = [
        (float(v[0]), float(v[1]), f"c{int(rng.integers(0, 40))}", int(i < 600))
        for i, v in enumerate(rng.normal(size=(n, 2)))
    ]
    df = spark.createDataFrame(rows, ["p", "q", "cat", "label"])
    df = VectorAssembler(inputCols=["p", "q"], outputCol="features").transform(df).drop("p", "q")
    sm = SMOTENC(categoricalCols=["cat"], kNeighbors=3, maxBucketSize=200, syntheticCol="s")
    cells = sm.plan(df).cells
    assert len(cells) == 1 and len(cells[0].groups()) > 3
    out = sm.transform(df)
    syn = out.filter("s").collect()
    assert len(syn) == 300 and {r.cat for r in syn} <= {r[2] for r in rows if r[3] == 1}
    assert all(len(r.features) == 2 for r in syn)


def test_fifty_thousand_categories(spark):
    n = 60_000
    df = spark.range(n).select(
        (F.col("id") % 50_000).cast("string").alias("code"),
        F.sin(F.col("id")).alias("u"),
        F.cos(F.col("id") * 7).alias("v"),
        (F.col("id") % 6 == 0).cast("int").alias("label"),
    )
    out = SMOTENC(inputCols=["u", "v"], categoricalCols=["code"], syntheticCol="s").transform(df)
    minority_codes = {str(i % 50_000) for i in range(0, n, 6)}
    syn = out.filter("s").select("code").collect()
    assert len(syn) == n - 2 * 10_000
    assert {r.code for r in syn} <= minority_codes


def test_persistence_and_pipeline(spark, mixed, tmp_path):
    s = nc(seed=3, samplingStrategy={1: 100})
    path = str(tmp_path / "nc")
    s.save(path)
    loaded = SMOTENC.load(path)
    assert type(loaded) is SMOTENC and loaded.getCategoricalCols() == CATS
    a = sorted(map(tuple, s.transform(mixed).filter("s").collect()), key=repr)
    b = sorted(map(tuple, loaded.transform(mixed).filter("s").collect()), key=repr)
    assert a == b and len(a) == 70
    with pytest.raises(ValueError, match="SMOTENC"):
        SMOTE.load(path)
    pipe = Pipeline(
        stages=[
            nc(),
            VectorAssembler(inputCols=["a", "size"], outputCol="features").setHandleInvalid("skip"),
            LogisticRegression(maxIter=5),
        ]
    )
    model = pipe.fit(mixed)
    assert [type(t).__name__ for t in model.stages] == [
        "VectorAssembler",
        "LogisticRegressionModel",
    ]
    pipe.save(str(tmp_path / "pipe"))
    assert type(Pipeline.load(str(tmp_path / "pipe")).getStages()[0]) is SMOTENC


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"categoricalCols": ["colour", "a"]}, "'a' is in both categoricalCols and inputCols"),
        ({"categoricalCols": ["nope"]}, "categoricalCols: column 'nope' is not in the input"),
        ({"categoricalCols": []}, "categoricalCols is empty"),
        ({"categoricalCols": ["label"]}, "label column 'label'"),
        ({"categoricalCols": ["b.x"], "inputCols": ["a"]}, "'b.x' has type double"),
        ({"inputCols": ["a", "colour"], "categoricalCols": ["size"]}, "'colour' has type string"),
        ({"inputCols": [], "categoricalCols": ["size"]}, "at least one continuous feature"),
    ],
)
def test_errors(mixed, params, match):
    with pytest.raises(ValueError, match=match):
        nc(**params).transform(mixed)
