"""The rows a pass works on: a class's rows in the engine's columns, other classes' rows, stats.

:func:`class_rows` projects the input once into ``CLS``, the features as float64 columns (flat up
to :data:`~spark_smote.engine.columns.FLAT_MAX_DIM` features: Arrow moves them fastest), the
carried columns under internal names and ``KEY``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from spark_smote.engine.columns import (
    CLS,
    KEY,
    LabelledClass,
    X,
    class_index,
    feature_names,
    hashable_columns,
    other_names,
    quote,
    row_identity,
)
from spark_smote.engine.validation import FeatureSpec
from spark_smote.kernels.cells import ClassTask


def feature_columns(spec: FeatureSpec, dim: int) -> list[Column]:
    """The features as float64 columns named by :func:`feature_names`."""
    arr = spec.as_array()
    names = feature_names(dim)
    if names == [X]:
        return [arr.alias(X)]
    if spec.vector:
        return [arr[i].alias(n) for i, n in enumerate(names)]
    pairs = zip(spec.columns, names, strict=True)
    return [F.col(quote(c)).cast("double").alias(n) for c, n in pairs]


def stack_features(pdf: pd.DataFrame, names: Sequence[str], dim: int) -> np.ndarray:
    """The feature columns ``names`` (from :func:`feature_names`, called on the driver) of a
    pandas batch as one ``(rows, dim)`` float64 array."""
    if list(names) == [X]:
        values = list(pdf[X])
        return np.array(values, dtype=np.float64).reshape(len(values), dim)
    return pdf[list(names)].to_numpy(np.float64).reshape(len(pdf), dim)


def collected(frame: DataFrame) -> pa.Table:
    """``frame``'s rows on the driver (a bounded result) as an Arrow table: by
    ``DataFrame.toArrow`` where the API has it (pyspark 4, Spark Connect), a few times faster
    than ``collect`` for array columns; else from ``collect``."""
    to_arrow = getattr(frame, "toArrow", None)
    if to_arrow is not None:
        return to_arrow()
    names = frame.columns
    rows = frame.collect()
    return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})


def features_of(rows: Sequence[Any], dim: int) -> np.ndarray:
    """The features of collected rows of :func:`class_rows` (collected to the driver: a bounded
    sample) as one ``(rows, dim)`` float64 array."""
    names = feature_names(dim)
    if names == [X]:
        return np.array([list(r[X]) for r in rows], dtype=np.float64).reshape(len(rows), dim)
    return np.array([[r[n] for n in names] for r in rows], dtype=np.float64).reshape(len(rows), dim)


def class_rows(
    dataset: DataFrame,
    spec: FeatureSpec,
    tasks: Sequence[LabelledClass],
    dim: int,
    others: Sequence[str] = (),
    identity: bool = False,
) -> DataFrame:
    """Rows of the classes of ``tasks`` as ``CLS, KEY``, the features and ``others`` (renamed
    by :func:`other_names`: pyspark resolves a dotted name in ``applyInPandas`` as a path);
    with ``identity``, ``KEY2`` too (:func:`~spark_smote.engine.columns.row_identity`).

    ``KEY`` is a hash of the whole row: identical rows share it, and with the features it gives
    a stable order to every group whatever the partitioning.
    """
    expr = class_index(spec.label, tasks)
    hashable = hashable_columns(spec.types)
    # KEY comes last: Spark's constraint propagation rewrites earlier constraints with every
    # later alias, and a hash of n aliased columns before them would grow 2^n constraints.
    return dataset.filter(expr.isNotNull()).select(
        expr.alias(CLS),
        *feature_columns(spec, dim),
        *[F.col(quote(c)).alias(n) for c, n in zip(others, other_names(others), strict=True)],
        *(row_identity(spec.types) if identity else [F.xxhash64(*hashable).alias(KEY)]),
    )


def other_rows(
    dataset: DataFrame, spec: FeatureSpec, tasks: Sequence[ClassTask], dim: int
) -> DataFrame:
    """Every row once for each class of ``tasks`` it is not of (``CLS`` = that class): the rows
    of other classes that enter a class's cells as data, never as queries."""
    own = class_index(spec.label, tasks)
    targets = F.filter(
        F.array(*[F.lit(t.index) for t in tasks]), lambda i: own.isNull() | (i != own)
    )
    return dataset.select(
        F.explode(targets).alias(CLS),
        *feature_columns(spec, dim),
        F.xxhash64(*hashable_columns(spec.types)).alias(KEY),
    )


def feature_stds(rows: DataFrame, dim: int) -> dict[int, list[float]]:
    """Population standard deviation of each feature, per class index (one aggregation)."""
    names = feature_names(dim)
    cols = [F.col(n) for n in names] if names != [X] else [F.col(X)[i] for i in range(dim)]
    stds = [F.stddev_pop(c).alias(f"s{i}") for i, c in enumerate(cols)]
    found = rows.groupBy(CLS).agg(*stds).collect()
    return {r[CLS]: [float(r[f"s{i}"]) for i in range(dim)] for r in found}
