"""Inputs real tables have: dotted / spaced / backticked names, NaN labels, streaming frames."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.sql import functions as F

from spark_smote import SMOTE
from tests.conftest import blobs

ODD = ["amount.log", "a b", "x`y"]


@pytest.mark.parametrize("max_size", [30_000, 40])  # one cell (exact) and many cells
@pytest.mark.parametrize("copy", [False, True])
def test_odd_column_names_everywhere(spark, max_size, copy):
    df = blobs(spark, {0: 200, 1: 60}, dim=3, seed=2, vector=False)
    df = df.select(
        *[F.col(f"f{i}").alias(n) for i, n in enumerate(ODD)],
        F.col("label").alias("lab.el"),
        F.col("id").alias("row id.x"),
    )
    smote = SMOTE(
        inputCols=ODD,
        labelCol="lab.el",
        syntheticCol="is.synthetic `s`",
        otherColumns="copy" if copy else "null",
        kNeighbors=3,
        maxBucketSize=max_size,
    )
    out = smote.transform(df)
    assert out.columns == [*df.columns, "is.synthetic `s`"]
    counts = {r[0]: r[1] for r in out.groupBy("`lab.el`").count().collect()}
    assert counts == {0: 200, 1: 200}
    synthetic = out.filter(F.col("`is.synthetic ``s```"))
    assert synthetic.count() == 140
    ids = synthetic.filter(F.col("`row id.x`").isNotNull()).count()
    assert ids == (140 if copy else 0)


@pytest.mark.parametrize("kind", ["double", "float"])
def test_nan_labels_are_refused(spark, kind):
    rows = [
        (float(i), float(i % 3), float("nan") if i % 10 == 0 else float(i % 2)) for i in range(60)
    ]
    df = spark.createDataFrame(rows, f"x double, y double, label {kind}")
    with pytest.raises(ValueError, match=r"labelCol: column 'label' has 6 NaN values"):
        SMOTE(inputCols=["x", "y"], kNeighbors=2).transform(df)


def test_streaming_frames_are_refused(spark):
    stream = spark.readStream.format("rate").load()
    with pytest.raises(ValueError, match="needs a batch DataFrame.*foreachBatch"):
        SMOTE(inputCols=["value"], labelCol="value").transform(stream)


def test_smote_inside_foreach_batch(spark, tmp_path):
    """The pattern README shows for streams: oversample each micro-batch."""
    src, out = tmp_path / "in", tmp_path / "out"
    df = blobs(spark, {0: 150, 1: 30}, dim=2, seed=4, vector=False)
    df.write.parquet(str(src))
    stream = spark.readStream.schema(df.schema).parquet(str(src))
    smote = SMOTE(inputCols=["f0", "f1"], kNeighbors=3, syntheticCol="synthetic")

    def oversample(batch, batch_id):
        smote.transform(batch).write.mode("append").parquet(str(out))

    query = stream.writeStream.foreachBatch(oversample).trigger(availableNow=True).start()
    query.awaitTermination(120)
    written = spark.read.parquet(str(out))
    counts = {r.label: r["count"] for r in written.groupBy("label").count().collect()}
    assert counts == {0: 150, 1: 150}
    assert written.filter("synthetic").count() == 120
    got = np.array([r.f0 for r in written.filter("NOT synthetic").collect()])
    assert len(got) == 180
