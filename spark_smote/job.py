"""The batch job behind ``spark-smote``: demo data, reading, oversampling, writing."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_smote.smote import SMOTE

_FLAG = "__smote_synthetic"


def demo_data(spark: SparkSession, rows: int, seed: int = 7, features: int = 5) -> DataFrame:
    """A seeded imbalanced example: 5% of rows in class 1, Gaussian clusters per class."""
    label = (F.rand(seed) < 0.05).cast("int")
    df = spark.range(rows).withColumn("label", label)
    cols = [
        (F.randn(seed + j + 1) + F.col("label") * F.lit(1.5 + 0.5 * j)).alias(f"f{j}")
        for j in range(features)
    ]
    return df.select(F.col("id"), *cols, "label")


def read_input(spark: SparkSession, path: str, fmt: str) -> DataFrame:
    reader = spark.read.format(fmt)
    if fmt == "csv":
        reader = reader.option("header", "true").option("inferSchema", "true")
    return reader.load(path)


def build_smote(settings: dict[str, Any], flag: str) -> SMOTE:
    return SMOTE(
        featuresCol=settings["features_col"],
        inputCols=settings["input_cols"],
        labelCol=settings["label"],
        kNeighbors=settings["k"],
        samplingStrategy=settings["strategy"],
        seed=settings["seed"],
        syntheticCol=flag,
        otherColumns=settings["other_columns"],
        maxBucketSize=settings["max_bucket_size"],
        numHashTables=settings["num_hash_tables"],
        bucketLength=settings["bucket_length"],
    )


def oversample_job(spark: SparkSession, settings: dict[str, Any]) -> dict[str, Any]:
    """Read (or make) the input, oversample it, write it; return the summary."""
    from spark_smote.cli import UserError, guess_format

    if settings["plot"]:
        try:
            import matplotlib  # noqa: F401
        except ImportError as e:
            raise UserError("--plot needs matplotlib: pip install 'spark-smote[plot]'") from e
    if settings["demo"] and not settings["input"]:
        df = demo_data(spark, settings["demo_rows"])
        settings = {**settings, "input_cols": [c for c in df.columns if c.startswith("f")]}
        source = f"built-in demo data ({settings['demo_rows']} rows)"
    else:
        fmt = settings["format"] or guess_format(settings["input"])
        df = read_input(spark, settings["input"], fmt)
        source = settings["input"]
    flag = settings["synthetic_col"] or _FLAG
    smote = build_smote(settings, flag)
    counts, plans = smote.plan(df)  # validates before anything is written
    out = smote.transform(df)
    written = out if settings["synthetic_col"] else out.drop(_FLAG)
    mode = "overwrite" if settings["mode"] == "overwrite" else "error"  # Connect knows "error"
    writer = written.write.format(settings["output_format"] or "parquet").mode(mode)
    if settings["partition_by"]:
        writer = writer.partitionBy(*settings["partition_by"])
    writer.save(settings["output"])

    new = {p.label: p for p in plans}
    classes = []
    for label in sorted(counts):
        p = new.get(label)
        sizes = [g.rows for g in p.groups()] if p else []
        classes.append(
            {
                "label": label,
                "before": counts[label],
                "after": counts[label] + (p.n_new if p else 0),
                "cells": len(sizes),
                "cell_min": min(sizes, default=0),
                "cell_max": max(sizes, default=0),
            }
        )
    summary = {
        "input": source,
        "output": settings["output"],
        "rows_read": sum(counts.values()),
        "rows_written": sum(c["after"] for c in classes),
        "classes": classes,
        "params": {p.name: v for p, v in smote.extractParamMap().items()},
    }
    if settings["plot"]:
        from spark_smote.plot import plot_summary

        plot_summary(out, smote, summary, settings["plot"])
    return summary
