"""The one table of what the suites measure: each sampler, its imbalanced-learn counterpart and
its floor; and the floors themselves.

A floor is the cheapest Spark job that reads the same table and writes an output of the same
kind, with none of the method's work: what no implementation of the method on Spark can beat.

- ``over``: the minority rows drawn with replacement (``DataFrame.sample``) up to the majority
  count, unioned with the input (the output size of an over-sampler);
- ``under``: the class counts, then ``sampleBy`` the larger classes down to the minority count
  (approximate counts, partition-dependent: the floor of an exact under-sampler);
- ``read``: every column read once (a cleaner's output is most of its input).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import noop


@dataclass(frozen=True)
class Entry:
    """A sampler of spark_smote (its class name and params), the statement that makes the same
    sampler of imbalanced-learn as ``s`` (None: none to compare with), and its floor."""

    cls: str
    params: dict[str, Any] = field(default_factory=dict)
    imblearn: str | None = None
    floor: str = "over"
    whole_rows: bool = False  # takes no feature columns (copies or drops whole rows)
    vector: bool = False  # takes the features as one vector column (assembled in the stage)

    def stage(self, features: list[str]) -> Any:
        import spark_smote

        params = {k: v() if callable(v) else v for k, v in self.params.items()}  # made late
        made = getattr(spark_smote, self.cls)(**params)
        if self.vector:
            from pyspark.ml import PipelineModel
            from pyspark.ml.feature import VectorAssembler

            assemble = VectorAssembler(inputCols=features, outputCol=made.getFeaturesCol())
            return PipelineModel(stages=[assemble, made])
        return made if self.whole_rows else made.setInputCols(features)


def _spark_forest() -> Any:
    """The forest both instance-hardness thresholds cross-validate: 10 trees of depth 8."""
    from pyspark.ml.classification import RandomForestClassifier

    return RandomForestClassifier(numTrees=10, maxDepth=8, seed=0)


def _imblearn(module: str, cls: str, args: str = "") -> str:
    sep = ", " if args else ""
    return f"from imblearn.{module} import {cls} as S; s = S({args}{sep}random_state=0)"


def _cleaner(module: str, cls: str, args: str = "") -> str:
    return f"from imblearn.{module} import {cls} as S; s = S({args})"


#: name: what is measured (imbalanced-learn's defaults unless said)
SAMPLERS: dict[str, Entry] = {
    "SMOTE": Entry(
        "SMOTE", {"kNeighbors": 5}, _imblearn("over_sampling", "SMOTE", "k_neighbors=5")
    ),
    "SMOTE-1table": Entry(  # no guests: each row in its home cell only
        "SMOTE",
        {"kNeighbors": 5, "numHashTables": 1},
        _imblearn("over_sampling", "SMOTE", "k_neighbors=5"),
    ),
    "BorderlineSMOTE": Entry(
        "BorderlineSMOTE",
        {"kNeighbors": 5, "mNeighbors": 10},
        _imblearn("over_sampling", "BorderlineSMOTE"),
    ),
    "ADASYN": Entry("ADASYN", {"nNeighbors": 5}, _imblearn("over_sampling", "ADASYN")),
    "KMeansSMOTE": Entry(
        "KMeansSMOTE",
        {"clusterBalanceThreshold": 0.01},
        _imblearn("over_sampling", "KMeansSMOTE", "cluster_balance_threshold=0.01"),
    ),
    "RandomOverSampler": Entry(
        "RandomOverSampler", {}, _imblearn("over_sampling", "RandomOverSampler"), whole_rows=True
    ),
    "RandomUnderSampler": Entry(
        "RandomUnderSampler",
        {},
        _imblearn("under_sampling", "RandomUnderSampler"),
        floor="under",
        whole_rows=True,
    ),
    "TomekLinks": Entry("TomekLinks", {}, _cleaner("under_sampling", "TomekLinks"), "read"),
    "EditedNearestNeighbours": Entry(
        "EditedNearestNeighbours", {}, _cleaner("under_sampling", "EditedNearestNeighbours"), "read"
    ),
    "RepeatedEditedNearestNeighbours": Entry(
        "RepeatedEditedNearestNeighbours",
        {},
        _cleaner("under_sampling", "RepeatedEditedNearestNeighbours"),
        "read",
    ),
    "AllKNN": Entry("AllKNN", {}, _cleaner("under_sampling", "AllKNN"), "read"),
    "NeighbourhoodCleaningRule": Entry(
        "NeighbourhoodCleaningRule",
        {},
        _cleaner("under_sampling", "NeighbourhoodCleaningRule"),
        "read",
    ),
    "NearMiss": Entry(
        "NearMiss", {"version": 1}, _cleaner("under_sampling", "NearMiss", "version=1"), "under"
    ),
    "NearMiss-3": Entry(
        "NearMiss", {"version": 3}, _cleaner("under_sampling", "NearMiss", "version=3"), "under"
    ),
    "CondensedNearestNeighbour": Entry(
        "CondensedNearestNeighbour",
        {},
        _imblearn("under_sampling", "CondensedNearestNeighbour"),
        "read",
    ),
    "OneSidedSelection": Entry(
        "OneSidedSelection", {}, _imblearn("under_sampling", "OneSidedSelection"), "read"
    ),
    "ClusterCentroids": Entry(
        "ClusterCentroids", {}, _imblearn("under_sampling", "ClusterCentroids"), "under"
    ),
    "InstanceHardnessThreshold": Entry(  # both with the same small forest (theirs: 100 trees)
        "InstanceHardnessThreshold",
        {"estimator": _spark_forest, "cv": 5},
        "from imblearn.under_sampling import InstanceHardnessThreshold as S; "
        "from sklearn.ensemble import RandomForestClassifier as F; "
        "s = S(estimator=F(n_estimators=10, max_depth=8, random_state=0), cv=5, random_state=0)",
        "under",
        vector=True,
    ),
    "SMOTEENN": Entry("SMOTEENN", {}, _imblearn("combine", "SMOTEENN")),
    "SMOTETomek": Entry("SMOTETomek", {}, _imblearn("combine", "SMOTETomek")),
}


def label_counts(df) -> dict[Any, int]:
    """Rows per label of ``df`` (its column ``label``)."""
    return {r.label: r["count"] for r in df.groupBy("label").count().collect()}


def over_floor(spark, path: Path) -> float:
    """Seconds of the ``over`` floor on the table at ``path``."""
    from pyspark.sql import functions as F

    df = spark.read.parquet(str(path))
    start = time.perf_counter()
    counts = label_counts(df)
    minority, majority = min(counts, key=counts.get), max(counts, key=counts.get)
    need = counts[majority] - counts[minority]
    extra = df.filter(F.col("label") == minority).sample(True, need / counts[minority], seed=1)
    noop(df.unionByName(extra))
    return time.perf_counter() - start


def under_floor(spark, path: Path) -> float:
    """Seconds of the ``under`` floor on the table at ``path``."""
    df = spark.read.parquet(str(path))
    start = time.perf_counter()
    counts = label_counts(df)
    small = min(counts.values())
    noop(df.sampleBy("label", {c: small / n for c, n in counts.items()}, seed=1))
    return time.perf_counter() - start


def read_floor(spark, path: Path) -> float:
    """Seconds of the ``read`` floor on the table at ``path``."""
    start = time.perf_counter()
    noop(spark.read.parquet(str(path)))
    return time.perf_counter() - start


FLOORS: dict[str, Callable[[Any, Path], float]] = {
    "over": over_floor,
    "under": under_floor,
    "read": read_floor,
}


def run_sampler(spark, path: Path, name: str, features: list[str]) -> float:
    """Seconds of one transform of ``SAMPLERS[name]`` on the table at ``path``, to the sink."""
    df = spark.read.parquet(str(path))
    start = time.perf_counter()
    noop(SAMPLERS[name].stage(features).transform(df))
    return time.perf_counter() - start
