"""The batch job behind ``spark-smote``: demo data, reading, oversampling, writing."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_smote.app.io import UserError, guess_format
from spark_smote.base import Sampler
from spark_smote.combine import SMOTEENN, SMOTETomek
from spark_smote.engine.columns import FLAG, quote
from spark_smote.over_sampling import (
    ADASYN,
    SMOTE,
    SMOTEN,
    SMOTENC,
    BorderlineSMOTE,
    KMeansSMOTE,
    RandomOverSampler,
)
from spark_smote.params import to_auto_or_float
from spark_smote.under_sampling import (
    AllKNN,
    ClusterCentroids,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    NearMiss,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    TomekLinks,
)
from spark_smote.weighting import ClassWeighter


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


def _neighbours(settings: dict[str, Any], default: int) -> int:
    """``--n-neighbors``, or the sampler's default when not given."""
    given = settings["n_neighbors"]
    return default if given is None else int(given)


def _auto_or_number(value: Any) -> Any:
    """``"auto"`` or a float, from the command line or the config file."""
    try:
        return to_auto_or_float(value)
    except TypeError as e:
        raise UserError(str(e)) from e


def build_sampler(settings: dict[str, Any], flag: str) -> Sampler:
    """The sampler the settings name (``sampler``; ``categorical_cols`` selects SMOTE-NC)."""
    if settings["sampler"] == "class-weights":
        return ClassWeighter(
            labelCol=settings["label"],
            weightCol=settings["weight_col"],
            classWeight=settings["class_weight"],
            inputWeightCol=settings["input_weight_col"],
        )
    common = {
        "labelCol": settings["label"],
        "samplingStrategy": settings["strategy"],
        "seed": settings["seed"],
    }
    if settings["sampler"] == "random-under":
        return RandomUnderSampler(**common, replacement=bool(settings["replacement"]))
    read = {"featuresCol": settings["features_col"], "inputCols": settings["input_cols"]}
    engine = {"maxBucketSize": settings["max_bucket_size"]}
    if settings["num_hash_tables"] is not None:  # else the sampler's default
        engine["numHashTables"] = settings["num_hash_tables"]
    edited = {"nNeighbors": _neighbours(settings, 3), "kindSel": settings["kind_sel"]}
    if settings["sampler"] == "tomek":
        return TomekLinks(**common, **read, **engine)
    if settings["sampler"] == "enn":
        return EditedNearestNeighbours(**common, **read, **engine, **edited)
    if settings["sampler"] == "renn":
        return RepeatedEditedNearestNeighbours(
            **common, **read, **engine, **edited, maxIter=settings["max_iter"]
        )
    if settings["sampler"] == "allknn":
        allow = bool(settings["allow_minority"])
        return AllKNN(**common, **read, **engine, **edited, allowMinority=allow)
    if settings["sampler"] == "ncr":
        return NeighbourhoodCleaningRule(
            **common,
            **read,
            **engine,
            nNeighbors=_neighbours(settings, 3),
            thresholdCleaning=settings["threshold_cleaning"],
        )
    if settings["sampler"] == "nearmiss":
        return NearMiss(
            **common,
            **read,
            **engine,
            version=settings["near_miss_version"],
            nNeighbors=_neighbours(settings, 3),
            nNeighborsVer3=settings["n_neighbors_ver3"],
        )
    if settings["sampler"] in ("cnn", "oss"):
        condensing = (
            CondensedNearestNeighbour if settings["sampler"] == "cnn" else OneSidedSelection
        )
        return condensing(
            **common,
            **read,
            **engine,
            nNeighbors=_neighbours(settings, 1),
            nSeedsS=settings["n_seeds_s"],
        )
    if settings["sampler"] == "cluster-centroids":
        return ClusterCentroids(
            **common,
            **read,
            maxBucketSize=settings["max_bucket_size"],
            voting=settings["voting"],
            maxIter=settings["max_iter"],
        )
    features = {**read, "syntheticCol": flag}
    if settings["sampler"] == "random-over":
        return RandomOverSampler(**common, **features, shrinkage=settings["shrinkage"])
    engine = {**engine, "otherColumns": settings["other_columns"]}
    k = 5 if settings["k"] is None else settings["k"]
    if settings["sampler"] == "smoten":
        return SMOTEN(
            **common,
            inputCols=settings["input_cols"],
            syntheticCol=flag,
            **engine,
            kNeighbors=k,
        )
    if settings["sampler"] == "kmeans-smote":
        return KMeansSMOTE(
            **common,
            **features,
            **engine,
            kNeighbors=2 if settings["k"] is None else settings["k"],
            nClusters=settings["n_clusters"],
            clusterBalanceThreshold=_auto_or_number(settings["cluster_balance_threshold"]),
            densityExponent=_auto_or_number(settings["density_exponent"]),
        )
    if settings["sampler"] == "smote-tomek":
        return SMOTETomek(**common, **features, **engine, kNeighbors=k)
    if settings["sampler"] == "smote-enn":
        return SMOTEENN(**common, **features, **engine, **edited, kNeighbors=k)
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


def written_counts(spark: SparkSession, settings: dict[str, Any]) -> dict[Any, int]:
    """Rows per class of the written output (read back: its label column)."""
    fmt = settings["output_format"] or "parquet"
    written = read_input(spark, settings["output"], fmt)
    column = F.col(quote(settings["label"]))
    return {r[0]: r[1] for r in written.groupBy(column).count().collect()}


def oversample_job(spark: SparkSession, settings: dict[str, Any]) -> dict[str, Any]:
    """Read (or make) the input, oversample it, write it; return the summary."""
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
    flag = settings["synthetic_col"] or FLAG
    sampler = build_sampler(settings, flag)
    if settings["plot"] and not hasattr(sampler, "getSyntheticCol"):  # makes no flagged rows
        raise UserError(
            f"--plot shows flagged synthetic rows: {settings['sampler']} flags none; "
            "leave --plot out"
        )
    plan = sampler.plan(df)  # validates before anything is written; planned once
    out = sampler.resample(df, plan)
    written = out.drop(FLAG) if FLAG in out.columns else out
    mode = "overwrite" if settings["mode"] == "overwrite" else "error"  # Connect knows "error"
    writer = written.write.format(settings["output_format"] or "parquet").mode(mode)
    if settings["partition_by"]:
        writer = writer.partitionBy(*settings["partition_by"])
    writer.save(settings["output"])
    after = plan.after
    if after is None:  # a cleaner (or SMOTE and a cleaner): count what was written
        after = written_counts(spark, settings)

    sizes = {c.label: [g.rows for g in c.groups()] for c in plan.cells}
    classes = []
    for label in sorted(plan.before):
        cells = sizes.get(label, [])
        classes.append(
            {
                "label": label,
                "before": plan.before[label],
                "after": after.get(label, after.get(str(label), 0)),
                "cells": len(cells),
                "cell_min": min(cells, default=0),
                "cell_max": max(cells, default=0),
            }
        )
    summary = {
        "input": source,
        "output": settings["output"],
        "rows_read": sum(plan.before.values()),
        "rows_written": sum(c["after"] for c in classes),
        "classes": classes,
        "sampler": type(sampler).__name__,
        "params": {p.name: v for p, v in sampler.extractParamMap().items()},
    }
    if settings["plot"]:
        from spark_smote.app.plot import plot_summary

        plot_summary(out, sampler, summary, settings["plot"])
    return summary
