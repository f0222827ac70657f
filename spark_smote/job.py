"""The batch job behind ``spark-smote``: demo data, reading, oversampling, writing."""

from __future__ import annotations

from typing import Any

from pyspark.ml import Transformer
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_smote.adasyn import ADASYN
from spark_smote.borderline import BorderlineSMOTE
from spark_smote.random_sampling import RandomOverSampler, RandomUnderSampler
from spark_smote.smote import SMOTE
from spark_smote.smotenc import SMOTENC
from spark_smote.strategy import resolve_sampling_strategy, resolve_under_sampling
from spark_smote.validation import collect_stats, label_spec

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


def build_sampler(settings: dict[str, Any], flag: str) -> Transformer:
    """The sampler the settings name (``sampler``; ``categorical_cols`` selects SMOTE-NC)."""
    common = {
        "labelCol": settings["label"],
        "samplingStrategy": settings["strategy"],
        "seed": settings["seed"],
    }
    if settings["sampler"] == "random-under":
        return RandomUnderSampler(**common, replacement=bool(settings["replacement"]))
    features = {
        "featuresCol": settings["features_col"],
        "inputCols": settings["input_cols"],
        "syntheticCol": flag,
    }
    if settings["sampler"] == "random-over":
        return RandomOverSampler(**common, **features, shrinkage=settings["shrinkage"])
    engine = {
        "otherColumns": settings["other_columns"],
        "maxBucketSize": settings["max_bucket_size"],
        "numHashTables": settings["num_hash_tables"],
    }
    k = settings["k"]
    if settings["sampler"] == "adasyn":
        return ADASYN(**common, **features, **engine, nNeighbors=k)
    if settings["sampler"] == "borderline":
        return BorderlineSMOTE(
            **common,
            **features,
            **engine,
            kNeighbors=k,
            mNeighbors=settings["m_neighbors"],
            kind=settings["kind"],
        )
    if settings["sampler"] == "smotenc":
        return SMOTENC(
            **common,
            **features,
            **engine,
            kNeighbors=k,
            categoricalCols=settings["categorical_cols"] or [],
        )
    return SMOTE(
        **common, **features, **engine, kNeighbors=k, bucketLength=settings["bucket_length"]
    )


def plan_summary(sampler: Transformer, df: DataFrame) -> tuple[dict[Any, int], dict[Any, Any]]:
    """Class counts before, and per class the rows after and the cell sizes (validates)."""
    if isinstance(sampler, SMOTE):
        counts, plans = sampler.plan(df)
        return counts, {
            p.label: (counts[p.label] + p.n_new, [g.rows for g in p.groups()]) for p in plans
        }
    sampler._validate_params()  # type: ignore[attr-defined]
    counts = collect_stats(df, label_spec(df.schema, sampler.getLabelCol())).counts  # type: ignore[attr-defined]
    strategy = sampler.getSamplingStrategy()  # type: ignore[attr-defined]
    if isinstance(sampler, RandomUnderSampler):
        after = resolve_under_sampling(strategy, counts)
    else:
        after = {c: counts[c] + n for c, n in resolve_sampling_strategy(strategy, counts).items()}
    return counts, {c: (n, []) for c, n in after.items()}


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
    sampler = build_sampler(settings, flag)
    if settings["plot"] and isinstance(sampler, RandomUnderSampler):
        raise UserError("--plot shows synthetic rows: random-under makes none; leave --plot out")
    counts, new = plan_summary(sampler, df)  # validates before anything is written
    out = sampler.transform(df)
    written = out.drop(_FLAG) if _FLAG in out.columns else out
    mode = "overwrite" if settings["mode"] == "overwrite" else "error"  # Connect knows "error"
    writer = written.write.format(settings["output_format"] or "parquet").mode(mode)
    if settings["partition_by"]:
        writer = writer.partitionBy(*settings["partition_by"])
    writer.save(settings["output"])

    classes = []
    for label in sorted(counts):
        after, sizes = new.get(label, (counts[label], []))
        classes.append(
            {
                "label": label,
                "before": counts[label],
                "after": after,
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
        "sampler": type(sampler).__name__,
        "params": {p.name: v for p, v in sampler.extractParamMap().items()},
    }
    if settings["plot"]:
        from spark_smote.plot import plot_summary

        plot_summary(out, sampler, summary, settings["plot"])
    return summary
