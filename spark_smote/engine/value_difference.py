"""SMOTEN's passes: the value difference metric fitted on all rows (one aggregation: rows per
column, value and class), and each row's embedding by it as feature columns of the engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from spark_smote.engine.columns import X, feature_names, quote

#: distinct values of one categorical column, at most (their probabilities travel in the plan)
MAX_CATEGORIES = 10_000

#: ``{column: {value as text: P(class | value) per class, in the order of the labels}}``
Probabilities = dict[str, dict[str, np.ndarray]]


def class_probabilities(
    dataset: DataFrame, columns: Sequence[str], label_col: str, labels: list[Any], sampler: str
) -> Probabilities:
    """P(class | value) of every value of every column (values compared as text), from one
    aggregation pass. A null value or a column of more than :data:`MAX_CATEGORIES` values is a
    ``ValueError`` naming the column."""
    pairs = F.array(
        *[
            F.struct(F.lit(i).alias("f"), F.col(quote(c)).cast("string").alias("v"))
            for i, c in enumerate(columns)
        ]
    )
    got = (
        dataset.select(F.col(quote(label_col)).alias("y"), F.explode(pairs).alias("p"))
        .groupBy("p.f", "p.v", "y")
        .count()
        .collect()
    )
    found: Probabilities = {c: {} for c in columns}
    for r in got:
        column = columns[r["f"]]
        if r["v"] is None:
            raise ValueError(
                f"{sampler}: inputCols column {column!r} has null values; fill them (e.g. with "
                "a value of their own) first."
            )
        counts = found[column].setdefault(r["v"], np.zeros(len(labels)))
        counts[labels.index(r["y"])] += r["count"]
    for column, values in found.items():
        if len(values) > MAX_CATEGORIES:
            raise ValueError(
                f"{sampler}: inputCols column {column!r} has {len(values)} distinct values, "
                f"more than {MAX_CATEGORIES}: SMOTEN is for categorical columns."
            )
        for value, counts in values.items():
            values[value] = counts / counts.sum()
    return found


def embedding_columns(
    columns: Sequence[str], probabilities: Probabilities, n_classes: int
) -> list[Column]:
    """Each row's embedding as the engine's feature columns (:func:`feature_names` of
    ``len(columns) * n_classes``): per column, the probabilities of its value, looked up in a
    map of the plan."""
    parts = []
    for c in columns:
        pairs = []
        for value, p in sorted(probabilities[c].items()):
            pairs += [F.lit(value), F.array(*[F.lit(float(v)) for v in p])]
        lookup = F.create_map(*pairs)[F.col(quote(c)).cast("string")]
        parts += [lookup[j] for j in range(n_classes)]
    names = feature_names(len(parts))
    if names == [X]:
        return [F.array(*parts).alias(X)]
    return [p.alias(n) for p, n in zip(parts, names, strict=True)]
