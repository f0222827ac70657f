"""FunctionSampler (a user's function as a fit-only stage, saved by name) and make_imbalance."""

from __future__ import annotations

from collections import Counter

import pytest
from pyspark.sql import functions as F

from spark_smote import FunctionSampler, RandomUnderSampler
from spark_smote.datasets import make_imbalance
from spark_smote.pipeline import Pipeline
from tests.test_pipeline import FITS, RecordingEstimator


def drop_below(df, column, threshold=0.0):
    """A module-level function: importable by name, so the stage saves."""
    return df.filter(F.col(column) >= threshold)


@pytest.fixture(scope="module")
def table(spark):
    return spark.range(300).select(
        F.col("id"), (F.col("id") - 100).cast("double").alias("x"), (F.col("id") % 3).alias("label")
    )


def counts(df):
    return {r.label: r["count"] for r in df.groupBy("label").count().collect()}


def test_function_sampler_applies_func_with_its_kwargs(table):
    stage = FunctionSampler(func=drop_below, kwArgs={"column": "x", "threshold": 50.0})
    plan = stage.plan(table)
    assert plan.before == {0: 100, 1: 100, 2: 100} and plan.after is None
    assert sorted(r.id for r in stage.transform(table).collect()) == list(range(150, 300))
    assert FunctionSampler().transform(table).count() == 300  # no func: the identity


def test_function_sampler_is_fit_only_in_a_pipeline(table):
    FITS.clear()
    data = table.withColumn("f0", F.col("x"))  # the recording model scores f0
    stage = FunctionSampler(func=drop_below, kwArgs={"column": "x"})
    model = Pipeline(stages=[stage, RecordingEstimator()]).fit(data)
    assert FITS == [counts(table.filter("x >= 0"))]  # fitted on the function's output
    assert model.transform(data).count() == 300  # scoring sees every row


def test_function_sampler_saves_an_importable_function_by_name(table, tmp_path):
    stage = FunctionSampler(func=drop_below, kwArgs={"column": "x", "threshold": 10.0})
    stage.write().overwrite().save(str(tmp_path / "f"))
    loaded = FunctionSampler.load(str(tmp_path / "f"))
    assert loaded.getFunc() is drop_below and loaded.getKwArgs() == stage.getKwArgs()
    assert loaded.transform(table).count() == stage.transform(table).count() == 190
    empty = FunctionSampler()
    empty.save(str(tmp_path / "none"))
    assert FunctionSampler.load(str(tmp_path / "none")).getFunc() is None


def test_function_sampler_refuses_what_it_cannot_save_or_run(table, tmp_path):
    def nested(df):
        return df

    for func in (lambda df: df, nested):
        with pytest.raises(ValueError, match="top level of an importable module"):
            FunctionSampler(func=func).save(str(tmp_path / "bad"))
    assert not (tmp_path / "bad").exists()  # refused before anything is written
    with pytest.raises(ValueError, match="kwArgs"):
        FunctionSampler(func=drop_below, kwArgs={"column": object()}).save(str(tmp_path / "k"))
    with pytest.raises(TypeError, match="not a DataFrame"):
        FunctionSampler(func=lambda df: df.count()).transform(table)
    with pytest.raises(ValueError, match="'y'"):
        FunctionSampler(labelCol="y").plan(table)


def test_make_imbalance_cuts_to_exact_counts_like_random_under_sampling(table):
    out = make_imbalance(table, {1: 10, 2: 40}, labelCol="label", seed=5)
    assert counts(out) == {0: 100, 1: 10, 2: 40}
    rus = RandomUnderSampler(samplingStrategy={1: 10, 2: 40}, seed=5)
    assert Counter(map(tuple, out.collect())) == Counter(map(tuple, rus.transform(table).collect()))
    again = make_imbalance(table.repartition(4, "x"), {1: 10, 2: 40}, labelCol="label", seed=5)
    assert sorted(r.id for r in again.collect()) == sorted(r.id for r in out.collect())
    halved = make_imbalance(table, lambda c: {k: n // 2 for k, n in c.items() if k != 0})
    assert counts(halved) == {0: 100, 1: 50, 2: 50}
    with pytest.raises(ValueError, match="samplingStrategy"):
        make_imbalance(table, {1: 500})
    with pytest.raises(ValueError, match="samplingStrategy"):
        make_imbalance(table, "auto")  # type: ignore[arg-type]
