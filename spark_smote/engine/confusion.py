"""The (weighted) confusion matrix of a DataFrame of predictions: one aggregation pass.

The pass groups by (label, prediction) in Spark and brings back one row per distinct pair, at
most :data:`MAX_PAIRS` (a prediction column that holds scores, not classes, is refused), with
the checks on the columns it reads: null or NaN labels and predictions; null, NaN or negative
weights.
"""

from __future__ import annotations

import math
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, IntegralType, NumericType

from spark_smote.engine.columns import quote
from spark_smote.kernels.metrics import Confusion

#: most distinct (label, prediction) pairs brought to the driver
MAX_PAIRS = 100_000


def _numeric(types: dict[str, DataType], param: str, column: str, who: str) -> DataType:
    if column not in types:
        raise ValueError(
            f"{who}: {param} column {column!r} is not in the DataFrame (columns: "
            f"{', '.join(types)})."
        )
    found = types[column]
    if not isinstance(found, NumericType):
        hint = (
            " Index string labels with pyspark.ml.feature.StringIndexer first."
            if param == "labelCol"
            else ""
        )
        raise ValueError(
            f"{who}: {param} column {column!r} has type {found.simpleString()}; it must be "
            f"numeric (a class index).{hint}"
        )
    return found


def _bad(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def confusion_matrix(
    dataset: DataFrame, label_col: str, prediction_col: str, weight_col: str | None, who: str
) -> Confusion:
    """The confusion matrix of ``dataset`` (counts, or sums of ``weight_col``). The classes are
    named by the label column's type, as scikit-learn names them: ints when it is integral and
    every label and prediction is a whole number (Spark's predictions are doubles), floats
    otherwise. ``ValueError`` naming the column on a
    missing or non-numeric column, a null or NaN label or prediction, a null, NaN or negative
    weight, an empty frame, or more than :data:`MAX_PAIRS` distinct pairs."""
    types = {f.name: f.dataType for f in dataset.schema.fields}
    integral = isinstance(_numeric(types, "labelCol", label_col, who), IntegralType)
    _numeric(types, "predictionCol", prediction_col, who)
    if weight_col is not None:
        _numeric(types, "weightCol", weight_col, who)
    label = F.col(quote(label_col)).cast("double").alias("l")
    prediction = F.col(quote(prediction_col)).cast("double").alias("p")
    if weight_col is None:
        amounts = [F.count(F.lit(1)).alias("n")]
    else:
        w = F.col(quote(weight_col)).cast("double")
        amounts = [
            F.sum(F.when(~F.isnan(w), w)).alias("n"),
            F.count(F.lit(1)).alias("rows"),
            F.sum(F.when(w.isNull() | F.isnan(w), 1).otherwise(0)).alias("missing"),
            F.sum(F.when(w < 0, 1).otherwise(0)).alias("negative"),
        ]
    rows = dataset.groupBy(label, prediction).agg(*amounts).limit(MAX_PAIRS + 1).collect()
    if not rows:
        raise ValueError(f"{who}: the DataFrame is empty; there is nothing to evaluate.")
    if len(rows) > MAX_PAIRS:
        raise ValueError(
            f"{who}: more than {MAX_PAIRS} distinct (labelCol, predictionCol) pairs: "
            f"{prediction_col!r} must hold predicted classes, not scores."
        )
    for row in rows:
        for param, column, value in (
            ("labelCol", label_col, row["l"]),
            ("predictionCol", prediction_col, row["p"]),
        ):
            if _bad(value):
                raise ValueError(
                    f"{who}: {param} column {column!r} has null or NaN values; drop or fill "
                    "them first."
                )
        if weight_col is not None and (row["missing"] or row["negative"]):
            word = "null or NaN" if row["missing"] else "negative"
            raise ValueError(
                f"{who}: weightCol column {weight_col!r} has {word} values; weights must be >= 0."
            )
    pairs = [(r["l"], r["p"], float(r["n"])) for r in rows]
    if integral and all(float(v).is_integer() for pair in pairs for v in pair[:2]):
        pairs = [(int(a), int(b), n) for a, b, n in pairs]
    return Confusion.of(pairs)
