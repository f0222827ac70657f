"""KMeansSMOTE's passes: clusters fitted on a bounded sample of all rows, every row's cluster
(a pandas UDF), rows per (cluster, class), bounded samples of a class's rows per cluster, and a
class's rows in one cluster as a task of the cell engine."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType

from spark_smote.engine.columns import CLS, KEY, feature_names, opaque_udf, uniform
from spark_smote.engine.rows import features_of, stack_features
from spark_smote.kernels.centroids import nearest_centres

#: the cluster of a row (internal column)
CLUSTER = "__smote_cluster"


def sampled_features(rows: DataFrame, n_rows: int, dim: int, seed: int, most: int) -> np.ndarray:
    """About ``most`` of the ``n_rows`` rows (all of them when fewer), chosen by a seeded row
    hash: their features, in the order of their row hash (the same for any partitioning)."""
    rate = min(1.0, most / max(1, n_rows))
    picked = rows.filter(uniform(seed) < rate) if rate < 1.0 else rows
    got = sorted(picked.collect(), key=lambda r: (r[KEY], *features_of([r], dim)[0]))
    return features_of(got, dim)


def cluster_of(centres: np.ndarray, dim: int) -> Column:
    """Each row's nearest of ``centres`` (a pandas UDF on the feature columns)."""
    names = feature_names(dim)

    def assign(*features: pd.Series) -> pd.Series:
        pdf = pd.concat(features, axis=1)
        pdf.columns = names
        return pd.Series(nearest_centres(stack_features(pdf, names, dim), centres)[0])

    return opaque_udf(assign, IntegerType())(*[F.col(n) for n in names])


def as_tasks(rows: DataFrame, tasks: Mapping[tuple[int, int], int]) -> DataFrame:
    """Rows with ``CLS`` (class index) and :data:`CLUSTER` as rows of the engine's tasks:
    ``CLS`` set to the task of their ``(class, cluster)`` (rows of no task dropped)."""
    task = None
    for (cls, cluster), index in tasks.items():
        hit = (F.col(CLS) == cls) & (F.col(CLUSTER) == cluster)
        task = F.when(hit, index) if task is None else task.when(hit, index)
    assert task is not None
    return rows.withColumn(CLS, task).filter(F.col(CLS).isNotNull()).drop(CLUSTER)
