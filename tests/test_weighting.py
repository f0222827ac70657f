"""ClassWeighter: scikit-learn's balanced class weights (or given ones) as a weight column for
Spark estimators; fit-only in the Pipeline, saved and loaded, on the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import VectorAssembler
from pyspark.sql import functions as F

from spark_smote import ClassWeighter
from spark_smote.app.cli import main
from spark_smote.pipeline import Pipeline
from tests.conftest import blobs

sk_utils = pytest.importorskip("sklearn.utils")


@pytest.fixture(scope="module")
def table(spark):
    return blobs(spark, {"ok": 90, "fraud": 10, "odd": 20}, vector=False, seed=2)


def _weights(df, label="label", weight="weight"):
    return {r[0]: r[1] for r in df.select(label, weight).distinct().collect()}


def test_balanced_is_scikit_learns(table):
    out = ClassWeighter().transform(table)
    labels = np.array([r.label for r in table.collect()])
    classes = np.unique(labels)
    expected = sk_utils.compute_class_weight("balanced", classes=classes, y=labels)
    assert _weights(out) == pytest.approx(dict(zip(classes.tolist(), expected, strict=True)))
    assert out.drop("weight").exceptAll(table).count() == 0 and out.count() == 120
    # every class weighs the same in total
    totals = {r[0]: r[1] for r in out.groupBy("label").agg(F.sum("weight")).collect()}
    assert set(np.round(list(totals.values()), 9)) == {40.0}


def test_given_weights_and_an_input_weight(table):
    df = table.withColumn("w", (F.col("id") % 3 + 1).cast("double"))
    out = ClassWeighter(classWeight={"fraud": 10.0}, inputWeightCol="w", weightCol="cw")
    rows = out.transform(df).collect()
    for r in rows:
        assert r.cw == pytest.approx(r.w * (10.0 if r.label == "fraud" else 1.0))
    replaced = ClassWeighter(classWeight="balanced", inputWeightCol="w", weightCol="w")
    got = replaced.transform(df)
    assert got.columns == df.columns and got.count() == 120
    assert got.filter("label = 'ok'").agg(F.max("w")).first()[0] == pytest.approx(3 * 120 / 270)


def test_bad_input_is_refused_naming_it(table):
    with pytest.raises(ValueError, match="classWeight names \\['eel'\\]"):
        ClassWeighter(classWeight={"eel": 2.0}).transform(table)
    with pytest.raises(ValueError, match="classWeight of class 'ok' is 0.0"):
        ClassWeighter(classWeight={"ok": 0.0}).transform(table)
    with pytest.raises(ValueError, match="classWeight 'even' is unknown"):
        ClassWeighter(classWeight="even").transform(table)
    with pytest.raises(ValueError, match="weightCol column 'id' already exists"):
        ClassWeighter(weightCol="id").transform(table)
    with pytest.raises(ValueError, match="labelCol: column 'y' is not in the input"):
        ClassWeighter(labelCol="y").transform(table)
    with pytest.raises(ValueError, match="inputWeightCol column 'label' must be a numeric"):
        ClassWeighter(inputWeightCol="label").transform(table)
    negative = table.withColumn("w", F.col("f0"))
    with pytest.raises(ValueError, match="inputWeightCol column 'w' has \\d+ null, NaN"):
        ClassWeighter(inputWeightCol="w").transform(negative)


def test_in_a_pipeline_it_weights_training_rows_only(spark):
    df = blobs(spark, {0: 120, 1: 15}, vector=False, seed=4)
    assembler = VectorAssembler(inputCols=["f0", "f1", "f2"], outputCol="features")
    lr = LogisticRegression(weightCol="weight", maxIter=30)
    model = Pipeline(stages=[assembler, ClassWeighter(), lr]).fit(df)
    assert [type(s).__name__ for s in model.stages] == [
        "VectorAssembler",
        "LogisticRegressionModel",
    ]
    scored = model.transform(df)
    assert "weight" not in scored.columns and scored.count() == 135
    by_hand = lr.fit(ClassWeighter().transform(assembler.transform(df)))
    assert model.stages[1].coefficients.toArray() == pytest.approx(by_hand.coefficients.toArray())
    unweighted = LogisticRegression(maxIter=30).fit(assembler.transform(df))
    assert not np.allclose(unweighted.coefficients.toArray(), by_hand.coefficients.toArray())


def test_saved_and_loaded_with_its_weights(spark, table, tmp_path):
    stage = ClassWeighter(classWeight={1: 3.5, "x": 2.0}, inputWeightCol="w", weightCol="cw")
    stage.save(str(tmp_path / "cw"))
    loaded = ClassWeighter.load(str(tmp_path / "cw"))
    assert loaded.uid == stage.uid
    assert loaded.getClassWeight() == {1: 3.5, "x": 2.0}
    assert loaded.getInputWeightCol() == "w" and loaded.getWeightCol() == "cw"
    pipe = Pipeline(stages=[ClassWeighter(), LogisticRegression(weightCol="weight")])
    pipe.save(str(tmp_path / "pipe"))
    assert Pipeline.load(str(tmp_path / "pipe")).getStages()[0].getClassWeight() == "balanced"


def test_from_the_command_line(spark, tmp_path):
    df = blobs(spark, {0: 60, 1: 12}, vector=False, seed=3)
    df.write.parquet(str(tmp_path / "in"))
    out, report = str(tmp_path / "out"), tmp_path / "r.json"
    argv = ["--input", str(tmp_path / "in"), "--output", out, "--report", str(report)]
    assert main([*argv, "--sampler", "class-weights", "--class-weight", '{"1": 4.0}']) == 0
    written = spark.read.parquet(out)
    assert written.columns == [*df.columns, "weight"] and written.count() == 72
    assert _weights(written) == {0: 1.0, 1: 4.0}
    summary = json.loads(report.read_text())
    assert summary["sampler"] == "ClassWeighter"
    assert {c["label"]: c["after"] for c in summary["classes"]} == {0: 60, 1: 12}
