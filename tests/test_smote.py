"""SMOTE on Spark: counts, types, originals, segment property, determinism, errors."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml.linalg import SparseVector, Vectors
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from spark_smote import SMOTE
from tests.conftest import blobs


def class_counts(df, label="label"):
    return {r[label]: r["count"] for r in df.groupBy(label).count().collect()}


def synthetic_features(df, flag="s"):
    rows = df.filter(F.col(flag)).select("features", "label").collect()
    return sorted((r.label, tuple(r.features.toArray())) for r in rows)


@pytest.fixture(scope="module")
def three(spark):
    return blobs(spark, {0: 120, 1: 20, 2: 45}).cache()


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("auto", {0: 120, 1: 120, 2: 120}),
        ("minority", {0: 120, 1: 120, 2: 45}),
        ("not minority", {0: 120, 1: 20, 2: 120}),
        ("all", {0: 120, 1: 120, 2: 120}),
        ({1: 50, 2: 300}, {0: 120, 1: 50, 2: 300}),
    ],
)
def test_exact_counts_for_each_strategy(three, strategy, expected):
    out = SMOTE(samplingStrategy=strategy, syntheticCol="s").transform(three)
    assert class_counts(out) == expected
    assert out.filter(~F.col("s")).count() == 185


def test_float_strategy_on_binary(spark):
    df = blobs(spark, {0.0: 100, 1.0: 12})
    out = SMOTE(samplingStrategy=0.55).transform(df)
    assert class_counts(out) == {0.0: 100, 1.0: 55}


def test_string_labels_and_dict_with_string_keys(spark):
    df = blobs(spark, {"fraud": 15, "ok": 90, "odd": 30})
    out = SMOTE(samplingStrategy={"fraud": 60}).transform(df)
    assert class_counts(out) == {"fraud": 60, "ok": 90, "odd": 30}
    assert out.schema["label"].dataType == StringType()


def test_schema_kept_and_originals_unchanged(three):
    out = SMOTE(syntheticCol="s", otherColumns="null").transform(three)
    assert out.columns == three.columns + ["s"]
    assert [f.dataType for f in out.schema.fields[:-1]] == [f.dataType for f in three.schema]
    originals = out.filter(~F.col("s")).drop("s")
    assert originals.exceptAll(three).count() == 0 and three.exceptAll(originals).count() == 0
    assert out.filter("s AND id IS NOT NULL").count() == 0  # other columns null


def test_without_synthetic_col_the_schema_is_the_input_schema(three):
    out = SMOTE().transform(three)
    assert out.schema == three.schema
    assert out.count() == 360


def test_copy_other_columns_from_the_base_row(three):
    out = SMOTE(syntheticCol="s", otherColumns="copy").transform(three)
    copied = out.filter("s").select("label", "id").collect()
    labels = {r.id: r.label for r in three.collect()}
    assert all(labels[r.id] == r.label for r in copied)  # an id of a same-class row


def _nearest(x, i, k):
    d = ((x - x[i]) ** 2).sum(1)
    d[i] = np.inf
    return np.argsort(d, kind="stable")[:k], np.sort(d)[k - 1]


def test_every_synthetic_row_lies_on_a_segment_to_an_exact_neighbour(spark):
    k = 4
    df = blobs(spark, {0: 80, 1: 25}, dim=3, seed=7)
    out = SMOTE(kNeighbors=k, syntheticCol="s").transform(df)
    x = np.array([r.features.toArray() for r in df.filter("label = 1").collect()])
    new = np.array([r.features.toArray() for r in out.filter("s").collect()])
    assert len(new) == 55
    for row in new:
        found = False
        for i in range(len(x)):
            nn, _ = _nearest(x, i, k)
            for j in nn:
                step = x[j] - x[i]
                u = step @ (row - x[i]) / (step @ step)
                if 0 <= u < 1 and np.allclose(x[i] + u * step, row, atol=1e-9):
                    found = True
                    break
            if found:
                break
        assert found, row


def test_same_seed_same_rows_whatever_the_partitioning(three):
    smote = SMOTE(syntheticCol="s", seed=11)
    a = synthetic_features(smote.transform(three))
    b = synthetic_features(smote.transform(three.repartition(7)))
    c = synthetic_features(smote.transform(three.coalesce(1).orderBy(F.desc("id"))))
    assert a == b == c
    assert a != synthetic_features(SMOTE(syntheticCol="s", seed=12).transform(three))


@pytest.mark.newest  # engine logic, the same on every Spark version
@pytest.mark.parametrize(
    "params",
    [
        {"numHashTables": 1},
        {"numHashTables": 3},
        {"numHashTables": 6, "bucketLength": 0.5},  # bucketLength: accepted, ignored
    ],
)
def test_split_classes_exact_counts_and_deterministic(spark, params):
    df = blobs(spark, {0: 400, 1: 130}, dim=4, seed=3)
    smote = SMOTE(kNeighbors=3, maxBucketSize=40, syntheticCol="s", **params)
    groups = smote.plan(df).cells[0].groups()
    assert len(groups) >= 4 and all(4 <= g.rows <= 40 for g in groups)
    assert sum(g.home for g in groups) == 130 and sum(g.quota for g in groups) == 270
    out = smote.transform(df)
    assert class_counts(out) == {0: 400, 1: 400}
    assert synthetic_features(out) == synthetic_features(smote.transform(df.repartition(5)))


@pytest.mark.parametrize("tables", [1, 3])
def test_cells_of_one_class_are_generated_by_several_tasks(spark, tables):
    """Not one task per class: the generation is spread over the shuffle partitions."""
    df = blobs(spark, {0: 400, 1: 130}, dim=4, seed=3)
    out = SMOTE(kNeighbors=3, maxBucketSize=40, numHashTables=tables, syntheticCol="s")
    tasks = out.transform(df).filter("s").select(F.spark_partition_id()).distinct().count()
    assert tasks == 2  # the session's spark.sql.shuffle.partitions


def test_guest_cells_give_nearer_neighbours(spark):
    """Synthetic rows step towards neighbours; guest copies find nearer ones on average."""
    df = blobs(spark, {0: 1000, 1: 400}, dim=6, seed=4)
    x = np.array([r.features.toArray() for r in df.filter("label = 1").collect()])

    def mean_step(tables):
        out = SMOTE(
            kNeighbors=3,
            maxBucketSize=50,
            numHashTables=tables,
            otherColumns="copy",
            syntheticCol="s",
        ).transform(df)
        ids = {r.id: i for i, r in enumerate(df.filter("label = 1").collect())}
        rows = out.filter("s").collect()
        steps = [np.linalg.norm(r.features.toArray() - x[ids[r.id]]) for r in rows]
        return float(np.mean(steps))

    assert mean_step(6) < mean_step(1)


def test_column_inputs_keep_types(spark):
    rng = np.random.default_rng(2)
    schema = StructType(
        [
            StructField("a", IntegerType()),
            StructField("b", FloatType()),
            StructField("c", DoubleType()),
            StructField("d", LongType()),
            StructField("y", StringType()),
            StructField("note", StringType()),
        ]
    )
    rows = [
        (
            int(rng.integers(0, 50)),
            float(rng.random()),
            float(rng.normal()),
            int(rng.integers(0, 9)),
            "min" if i < 20 else "maj",
            f"n{i}",
        )
        for i in range(90)
    ]
    df = spark.createDataFrame(rows, schema)
    out = SMOTE(inputCols=["a", "b", "c", "d"], labelCol="y", syntheticCol="s").transform(df)
    assert [f.dataType for f in out.schema][:-1] == [f.dataType for f in df.schema]
    assert class_counts(out, "y") == {"min": 70, "maj": 70}
    new = out.filter("s").collect()
    assert all(isinstance(r.a, int) and isinstance(r.d, int) for r in new)
    a_min = min(r[0] for r in rows[:20])
    a_max = max(r[0] for r in rows[:20])
    assert all(a_min <= r.a <= a_max for r in new)  # rounded interpolation stays in range
    assert all(r.note is None for r in new)


def test_sparse_vectors(spark):
    rng = np.random.default_rng(3)
    rows = []
    for i in range(60):
        label = 1 if i < 12 else 0
        idx = sorted(rng.choice(10, 3, replace=False).tolist())
        rows.append((Vectors.sparse(10, idx, rng.random(3).tolist()), label))
    df = spark.createDataFrame(rows, ["features", "label"])
    out = SMOTE(kNeighbors=3, syntheticCol="s").transform(df)
    assert class_counts(out) == {0: 48, 1: 48}
    new = out.filter("s").collect()
    assert all(r.features.size == 10 for r in new)
    kept = out.filter("NOT s").collect()
    assert all(isinstance(r.features, SparseVector) for r in kept)


# ------------------------------------------------------------------ errors


def _err(df, match, **params):
    with pytest.raises(ValueError, match=match):
        SMOTE(**params).transform(df)


def test_error_class_too_small(spark):
    _err(blobs(spark, {0: 50, 1: 3}), "SMOTE: class 1 has 3 rows, but kNeighbors=5", kNeighbors=5)


def test_error_one_class(spark):
    _err(blobs(spark, {0: 30}), "at least two classes")


def _vector_type():
    from pyspark.ml.linalg import VectorUDT

    return VectorUDT()


def test_error_null_label(spark):
    schema = StructType(
        [StructField("features", _vector_type()), StructField("target", DoubleType())]
    )
    rows = [(Vectors.dense([float(i)]), float(i % 2) if i else None) for i in range(30)]
    _err(spark.createDataFrame(rows, schema), "column 'target' has 1 null", labelCol="target")


@pytest.mark.parametrize(
    ("bad", "word"), [(None, "null"), (float("nan"), "NaN"), (float("inf"), "infinite")]
)
def test_error_bad_feature_values_in_columns(spark, bad, word):
    rows = [(float(i), float(i % 2), i % 3 == 0) for i in range(30)]
    rows[4] = (bad, 1.0, True)
    df = spark.createDataFrame(rows, "x double, z double, label boolean")
    _err(df, f"'x' has 1 {word} value", inputCols=["x", "z"], kNeighbors=2)


@pytest.mark.parametrize(("bad", "word"), [(float("nan"), "NaN"), (float("-inf"), "infinite")])
def test_error_bad_feature_values_in_vectors(spark, bad, word):
    rows = [(Vectors.dense([float(i), 1.0]), i % 2) for i in range(30)]
    rows[3] = (Vectors.dense([bad, 1.0]), 1)
    df = spark.createDataFrame(rows, ["features", "label"])
    _err(df, f"'features' has 1 {word}")


def test_error_null_vector(spark):
    schema = StructType([StructField("features", _vector_type()), StructField("label", LongType())])
    rows = [(Vectors.dense([float(i)]), i % 2) for i in range(30)] + [(None, 1)]
    _err(spark.createDataFrame(rows, schema), "'features' has 1 null")


def test_error_missing_and_non_numeric_columns(three):
    _err(three, "featuresCol: column 'feats' is not in the input", featuresCol="feats")
    _err(three, "labelCol: column 'y' is not in the input", labelCol="y")
    _err(three, "featuresCol: column 'id' has type bigint, not a Vector", featuresCol="id")
    df = three.withColumn("word", F.lit("a"))
    _err(df, "inputCols: column 'word' has type string", inputCols=["id", "word"])
    _err(three, "syntheticCol: column 'id' already exists", syntheticCol="id")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"kNeighbors": 0}, "kNeighbors must be at least 1"),
        ({"samplingStrategy": "majority"}, "'majority' is not known"),
        ({"samplingStrategy": 1.5}, r"float must be in \(0, 1\]"),
        ({"samplingStrategy": 0.0}, r"float must be in \(0, 1\]"),
        ({"maxBucketSize": 5}, "maxBucketSize=5 is too small for kNeighbors=5"),
        ({"numHashTables": 0}, "numHashTables must be at least 1"),
        ({"bucketLength": -1.0}, "bucketLength must be a positive number"),
        ({"otherColumns": "keep"}, "otherColumns must be 'null' or 'copy'"),
    ],
)
def test_error_bad_params(three, params, match):
    _err(three, match, **params)


def test_error_strategy_against_data(three):
    _err(three, "needs exactly two classes", samplingStrategy=0.5)
    _err(three, "asks for 10 rows of class 1, which already has 20", samplingStrategy={1: 10})
    _err(three, "names class 9, which is not in the label column", samplingStrategy={9: 100})


def test_float_that_adds_nothing(spark):
    _err(blobs(spark, {0: 100, 1: 30}), "no rows would be added", samplingStrategy=0.2)


def test_huge_finite_values_are_not_called_infinite(spark):
    rows = [(1e308, 1e308 * (i % 2), i % 3 == 0) for i in range(30)]
    df = spark.createDataFrame(rows, "x double, z double, label boolean")
    out = SMOTE(inputCols=["x", "z"], kNeighbors=2).transform(df)
    assert out.filter("label").count() == out.filter("NOT label").count() == 20


@pytest.mark.parametrize("limit", [0, 256])
def test_wide_and_narrow_output_paths_agree(three, monkeypatch, limit):
    """Above FLAT_MAX_DIM features the engine carries one array column instead."""
    import spark_smote.engine.columns as module

    expected = synthetic_features(SMOTE(syntheticCol="s", seed=3).transform(three))
    monkeypatch.setattr(module, "FLAT_MAX_DIM", limit)
    assert module.feature_names(3)[0] == ("__smote_x" if limit == 0 else "__smote_x0")
    assert synthetic_features(SMOTE(syntheticCol="s", seed=3).transform(three)) == expected


def test_plan_then_resample_is_transform(three):
    smote = SMOTE(syntheticCol="s", samplingStrategy={1: 40})
    plan = smote.plan(three)
    assert plan.sampler == "SMOTE" and plan.changed == {1: 40}
    assert plan.after == {**plan.before, 1: 40} and len(plan.cells) == 1
    assert plan.cells[0].n_new == 40 - plan.before[1]
    resampled = smote.resample(three, plan)
    assert synthetic_features(resampled) == synthetic_features(smote.transform(three))


def test_plan_unpacks_as_0_2_did_with_a_warning(three):
    plan = SMOTE().plan(three)
    with pytest.warns(DeprecationWarning, match="plan.before and plan.cells"):
        counts, cells = plan
    with pytest.warns(DeprecationWarning):
        assert plan[1] is plan.cells
    assert counts == plan.before and cells == plan.cells


def test_resample_refuses_another_samplers_plan(three):
    from spark_smote import SMOTENC

    with pytest.raises(ValueError, match="SMOTENC.resample got a plan made by SMOTE"):
        SMOTENC(categoricalCols=["c"]).resample(three, SMOTE().plan(three))
