"""Input checks on the driver: schema checks, and one aggregation pass over the data.

The pass counts rows per class and, in the same pass, finds null labels and null / NaN /
infinite feature values. Everything raises ``ValueError`` naming the column, class or param,
before any output is produced. Vectors wider than :data:`WIDE_VECTOR` are read as their stored
entries (:mod:`spark_smote.engine.vectors`), never densified, and their non-zeros are counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import Column, DataFrame, Row
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DataType,
    DoubleType,
    FloatType,
    IntegralType,
    NumericType,
    StringType,
    StructType,
)

from spark_smote.engine.columns import PARTS, quote
from spark_smote.engine.vectors import parts_nonzeros, parts_size, vector_parts

#: A label column with more distinct values than this is not a class label.
MAX_CLASSES = 10_000
#: Vectors wider than this are checked through their stored entries, and their non-zeros counted.
WIDE_VECTOR = 256
#: Vectors whose stored entries fill at most this share of their size are sparse.
SPARSE_MAX_FILL = 0.1
#: Samplers that work on dense rows refuse sparse vectors wider than this (64 KiB a dense row).
DENSE_MAX_DIM = 8192


@dataclass(frozen=True)
class FeatureSpec:
    """Where the features and the label live in the input schema."""

    columns: tuple[str, ...]  # inputCols, or (featuresCol,) for a vector column
    vector: bool
    label: str
    types: dict[str, DataType]  # input schema types, by column name
    categorical: tuple[str, ...] = ()  # SMOTE-NC's categorical columns

    @property
    def others(self) -> tuple[str, ...]:
        """Columns that are neither features, categorical columns nor label, in schema order."""
        used = set(self.columns) | set(self.categorical) | {self.label}
        return tuple(c for c in self.types if c not in used)

    def as_array(self) -> Column:
        """The features as one ``array<double>`` column."""
        if self.vector:
            return vector_to_array(F.col(quote(self.columns[0])), "float64")
        return F.array(*[F.col(quote(c)).cast("double") for c in self.columns])


def check_batch(dataset: DataFrame, sampler: str) -> None:
    """Refuse a streaming DataFrame: resampling needs whole classes (counts, neighbours)."""
    if dataset.isStreaming:
        raise ValueError(
            f"{sampler} needs a batch DataFrame, got a streaming one: resample each micro-batch "
            "inside writeStream.foreachBatch(lambda batch, batch_id: ...) instead."
        )


def label_spec(schema: StructType, label_col: str, synthetic_col: str | None = None) -> FeatureSpec:
    """A spec with the label only (samplers that copy or drop whole rows need no features);
    ``synthetic_col``, the flag column to add, must be a new name."""
    types = {f.name: f.dataType for f in schema.fields}
    if synthetic_col is not None and synthetic_col in types:
        raise ValueError(
            f"syntheticCol: column {synthetic_col!r} already exists in the input; pick a new name."
        )
    if label_col not in types:
        raise ValueError(
            f"labelCol: column {label_col!r} is not in the input (columns: {', '.join(types)})."
        )
    if not isinstance(types[label_col], (NumericType, StringType, BooleanType)):
        raise ValueError(
            f"labelCol: column {label_col!r} has type {types[label_col].simpleString()}; "
            "use a numeric or string label."
        )
    return FeatureSpec((), False, label_col, types)


def feature_spec(
    schema: StructType,
    features_col: str,
    input_cols: Sequence[str] | None,
    label_col: str,
    synthetic_col: str | None,
) -> FeatureSpec:
    """Check that the columns exist and have usable types."""
    types = label_spec(schema, label_col, synthetic_col).types
    available = ", ".join(types)

    def need(col: str, param: str) -> DataType:
        if col not in types:
            raise ValueError(f"{param}: column {col!r} is not in the input (columns: {available}).")
        return types[col]

    if input_cols is not None:
        if len(set(input_cols)) != len(input_cols):
            raise ValueError(f"inputCols names a column twice: {list(input_cols)}.")
        for col in input_cols:
            t = need(col, "inputCols")
            if not isinstance(t, NumericType):
                raise ValueError(
                    f"inputCols: column {col!r} has type {t.simpleString()}, not a numeric type. "
                    "Encode it first (e.g. StringIndexer) or leave it out of inputCols."
                )
        if label_col in input_cols:
            raise ValueError(f"inputCols contains the label column {label_col!r}; remove it.")
        columns, vector = tuple(input_cols), False
    else:
        t = need(features_col, "featuresCol")
        if not isinstance(t, VectorUDT):
            raise ValueError(
                f"featuresCol: column {features_col!r} has type {t.simpleString()}, not a Vector. "
                "Assemble it with VectorAssembler, or pass the numeric columns as inputCols."
            )
        if features_col == label_col:
            raise ValueError(f"featuresCol and labelCol are both {label_col!r}.")
        columns, vector = (features_col,), True
    return FeatureSpec(columns, vector, label_col, types)


def with_categorical(spec: FeatureSpec, categorical_cols: Sequence[str] | None) -> FeatureSpec:
    """``spec`` with SMOTE-NC's categorical columns, checked against the schema."""
    if not categorical_cols:
        raise ValueError(
            "categoricalCols is empty: name the categorical columns, or use SMOTE for numeric "
            "features only."
        )
    if len(set(categorical_cols)) != len(categorical_cols):
        raise ValueError(f"categoricalCols names a column twice: {list(categorical_cols)}.")
    available = ", ".join(spec.types)
    for col in categorical_cols:
        if col not in spec.types:
            raise ValueError(
                f"categoricalCols: column {col!r} is not in the input (columns: {available})."
            )
        if col == spec.label:
            raise ValueError(f"categoricalCols contains the label column {col!r}; remove it.")
        if col in spec.columns:
            param = "inputCols" if not spec.vector else "featuresCol"
            raise ValueError(
                f"column {col!r} is in both categoricalCols and {param}; a column is either "
                "continuous or categorical: remove it from one of them."
            )
        t = spec.types[col]
        if not isinstance(t, (StringType, IntegralType, BooleanType)):
            raise ValueError(
                f"categoricalCols: column {col!r} has type {t.simpleString()}; categorical "
                "columns must be string, integer or boolean (cast it, or make it continuous)."
            )
    return FeatureSpec(spec.columns, spec.vector, spec.label, spec.types, tuple(categorical_cols))


def check_copyable(schema: StructType, spec: FeatureSpec) -> None:
    """``otherColumns='copy'`` carries other columns through Arrow: refuse types it cannot."""
    for name in spec.others:
        t = schema[name].dataType
        if "vector" in t.simpleString():
            raise ValueError(
                f"otherColumns='copy' cannot carry column {name!r} of type {t.simpleString()} "
                "through the pandas UDF; drop the column or use otherColumns='null'."
            )


def _count_if(cond: Column) -> Column:
    return F.sum(F.when(cond, 1).otherwise(0))


def _row_sum(spec: FeatureSpec, values: Column | None) -> Column:
    """Sum of a row's features (``values``: a vector's as an array): null, NaN or infinite when
    any feature is (or on overflow)."""
    if values is not None:
        return F.aggregate(values, F.lit(0.0), lambda s, v: s + v)
    total = F.lit(0.0)
    for c in spec.columns:
        total = total + F.col(quote(c)).cast("double")
    return total


def stat_columns(spec: FeatureSpec, detailed: bool = False, wide: bool = False) -> list[Column]:
    """Aggregations for ``groupBy(label)``: rows, and rows with a non-finite feature.

    The fast form checks one sum per row; ``detailed`` counts null / NaN / infinite values per
    column (run only when the fast form found something, to name the culprit). For a vector
    column, the smallest and largest size; ``wide`` reads the vectors' stored entries instead of
    densifying them, and counts their non-zeros (``nnz``).
    """
    cols = [F.count(F.lit(1)).alias("n")]
    arr = None
    if spec.vector:
        vec = F.col(quote(spec.columns[0]))
        if wide:
            parts = F.col(PARTS)  # from collect_stats' projection: parsed once per row
            arr, size = parts["values"], parts_size(parts)
            nnz = F.size(parts_nonzeros(parts)[0])
            cols.append(F.sum(F.when(vec.isNotNull(), nnz)).alias("nnz"))
        else:
            arr = F.when(vec.isNotNull(), spec.as_array())  # vector_to_array rejects null input
            size = F.size(arr)
        size = F.when(vec.isNotNull(), size)
        cols += [F.min(size).alias("dim_min"), F.max(size).alias("dim_max")]
    if not detailed:
        total = _row_sum(spec, arr)
        bad = total.isNull() | F.isnan(total) | (F.abs(total) == float("inf"))
        return [*cols, _count_if(bad).alias("bad")]
    if arr is not None:
        return cols + [
            _count_if(vec.isNull()).alias("null_0"),
            _count_if(F.exists(arr, lambda v: F.isnan(v))).alias("nan_0"),
            _count_if(F.exists(arr, lambda v: F.abs(v) == float("inf"))).alias("inf_0"),
        ]
    for i, name in enumerate(spec.columns):
        c = F.col(quote(name))
        cols.append(_count_if(c.isNull()).alias(f"null_{i}"))
        if isinstance(spec.types[name], (FloatType, DoubleType)):
            cols.append(_count_if(F.isnan(c)).alias(f"nan_{i}"))
            cols.append(_count_if(F.abs(c) == float("inf")).alias(f"inf_{i}"))
    return cols


@dataclass(frozen=True)
class DataStats:
    """What the driver learns from the one aggregation pass."""

    counts: dict[Any, int]
    dim: int
    nnz: dict[Any, int] | None = None  # non-zeros per class, for vectors wider than WIDE_VECTOR


def first_vector_size(dataset: DataFrame, column: str) -> int:
    """The size of the first non-null vector of ``column`` (0 if there is none): one row."""
    vec = F.col(quote(column))
    first = dataset.select(vec).filter(vec.isNotNull()).limit(1).collect()
    return len(first[0][0]) if first else 0


def collect_stats(dataset: DataFrame, spec: FeatureSpec, sampler: str) -> DataStats:
    """Run the aggregation (one pass, one row per class) and check what it found."""
    wide = spec.vector and first_vector_size(dataset, spec.columns[0]) > WIDE_VECTOR
    if wide:
        vec = F.col(quote(spec.columns[0]))
        dataset = dataset.select(F.col(quote(spec.label)), vec, vector_parts(vec).alias(PARTS))
    label = F.col(quote(spec.label)).alias(spec.label)
    stats = stat_columns(spec, wide=wide)
    rows = dataset.groupBy(label).agg(*stats).limit(MAX_CLASSES + 1).collect()
    if len(rows) <= MAX_CLASSES and any(r["bad"] for r in rows):  # name the column and the kind
        rows = dataset.groupBy(label).agg(*stat_columns(spec, True, wide)).collect()
    return check_stats(rows, spec, sampler)


def label_counts(dataset: DataFrame, label_col: str, sampler: str) -> dict[Any, int]:
    """Rows per class of a batch ``dataset`` whose ``label_col`` is checked (one pass)."""
    check_batch(dataset, sampler)
    return collect_stats(dataset, label_spec(dataset.schema, label_col), sampler).counts


def class_counts_of(rows: DataFrame, label_col: str) -> dict[Any, int]:
    """Rows per class of ``rows`` already checked, e.g. a sampler's output (one pass)."""
    label = rows[quote(label_col)]
    return {r[0]: r[1] for r in rows.groupBy(label).count().collect()}


def check_stats(rows: Sequence[Row], spec: FeatureSpec, sampler: str) -> DataStats:
    """Raise on null labels and bad feature values; return class counts and dimension."""
    if len(rows) > MAX_CLASSES:
        raise ValueError(
            f"labelCol: column {spec.label!r} has more than {MAX_CLASSES} distinct values; "
            f"{sampler} needs a class label, not a continuous target."
        )
    counts: dict[Any, int] = {}
    for row in rows:
        label = row[spec.label]
        if label is None or (isinstance(label, float) and math.isnan(label)):
            word = "null" if label is None else "NaN"
            raise ValueError(
                f"labelCol: column {spec.label!r} has {row['n']} {word} values; drop or fill "
                f"them before {sampler}."
            )
        for i, name in enumerate(spec.columns):
            for kind, word in (("null", "null"), ("nan", "NaN"), ("inf", "infinite")):
                bad = row[f"{kind}_{i}"] if f"{kind}_{i}" in row else 0
                if bad:
                    raise ValueError(
                        f"Feature column {name!r} has {bad} {word} value(s) in rows of class "
                        f"{label!r}; {sampler} cannot use them. Drop, fill or impute them "
                        "first."
                    )
        counts[label] = row["n"]
    if spec.vector:
        dims = {row["dim_min"] for row in rows} | {row["dim_max"] for row in rows}
        if len(dims) > 1:
            raise ValueError(
                f"featuresCol: column {spec.columns[0]!r} holds vectors of different sizes "
                f"({sorted(dims)}); all rows need the same size."
            )
        dim = dims.pop() if dims else 0
    else:
        dim = len(spec.columns)
    if rows and "nnz" in rows[0]:
        return DataStats(counts, dim, {row[spec.label]: row["nnz"] for row in rows})
    return DataStats(counts, dim)


def check_densifiable(spec: FeatureSpec, stats: DataStats, sampler: str) -> None:
    """For samplers that work on dense rows: refuse sparse vectors wider than
    :data:`DENSE_MAX_DIM` (densifying them would multiply their size many times over)."""
    if stats.nnz is None or stats.dim <= DENSE_MAX_DIM:
        return
    mean = sum(stats.nnz.values()) / max(1, sum(stats.counts.values()))
    if mean > SPARSE_MAX_FILL * stats.dim:
        return
    raise ValueError(
        f"featuresCol: column {spec.columns[0]!r} holds sparse vectors of {stats.dim:,} "
        f"dimensions ({mean:.1f} non-zeros a row on average); {sampler} works on dense rows "
        f"and would densify each to {stats.dim * 8 // 1024:,} KiB. Only SMOTE keeps sparse "
        "vectors sparse: use SMOTE, or reduce the dimension first (e.g. a smaller numFeatures, "
        "ChiSqSelector or PCA)."
    )
