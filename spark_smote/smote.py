"""The SMOTE Transformer: orchestration of validation, bucketing and the pandas-UDF kernel."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pyspark import keyword_only
from pyspark.ml.functions import array_to_vector
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import Column, DataFrame, GroupedData
from pyspark.sql import functions as F
from pyspark.sql.types import IntegralType, StructType

from spark_smote.base import Sampler
from spark_smote.bucketing import (
    BUCKET,
    CLS,
    GENERATION_STREAM,
    KEY,
    ClassPlan,
    X,
    assign_buckets,
    per_class,
    plan_class,
)
from spark_smote.kernel import External, generate_bucket, knn_in_bucket
from spark_smote.params import DEFAULT_SEED, _SmoteParams
from spark_smote.persistence import ParamsWriter
from spark_smote.strategy import SamplingStrategy, check_class_sizes, resolve_sampling_strategy
from spark_smote.validation import DataStats, FeatureSpec, collect_stats, feature_spec

_CAND = "__smote_cand_{}"  # per other hash table: k candidate row keys + their features, packed
#: Up to this many features, the kernel returns one double column per feature: Arrow moves
#: flat columns several times faster than an array column.
FLAT_OUTPUT_MAX_DIM = 256


def _out_names(dim: int) -> list[str]:
    """Feature columns the generation kernel returns: flat when narrow, else one array."""
    return [f"__smote_x{i}" for i in range(dim)] if dim <= FLAT_OUTPUT_MAX_DIM else [X]


class SMOTE(Sampler, _SmoteParams, DefaultParamsReadable, DefaultParamsWritable):
    """SMOTE oversampling on Spark: synthetic minority rows, unioned with the original rows.

    Each class to oversample is cut into LSH buckets of at most ``maxBucketSize`` rows (seeded
    random projections); inside a bucket a pandas UDF finds exact k nearest neighbours and
    draws synthetic rows ``x + u * (x_nn - x)``, ``u ~ U[0, 1)``. A class with at most
    ``maxBucketSize`` rows is one bucket, so its rows are exactly those of SMOTE. Class totals
    are exact; the same seed gives the same rows however the input is partitioned.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from spark_smote import SMOTE
    >>> rows = [(Vectors.dense([float(i), float(i % 3)]), 0) for i in range(20)]
    >>> rows += [(Vectors.dense([float(i), 1.0]), 1) for i in range(6)]
    >>> df = spark.createDataFrame(rows, ["features", "label"])
    >>> smote = SMOTE(kNeighbors=3, syntheticCol="synthetic")
    >>> out = smote.transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 20), (1, 20)]
    >>> out.filter("synthetic").count()
    14
    """

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        kNeighbors: int = 5,
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 10_000,
        numHashTables: int = 3,
        bucketLength: float | None = None,
    ) -> None:
        super().__init__()
        kwargs = self._input_kwargs
        self.setParams(**kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        kNeighbors: int = 5,
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 10_000,
        numHashTables: int = 3,
        bucketLength: float | None = None,
    ) -> SMOTE:
        """Sets params for this SMOTE."""
        kwargs = self._input_kwargs
        return self._set(**kwargs)

    def setFeaturesCol(self, value: str) -> SMOTE:
        """Sets the value of :py:attr:`featuresCol`."""
        return self._set(featuresCol=value)

    def setInputCols(self, value: list[str] | None) -> SMOTE:
        """Sets the value of :py:attr:`inputCols` (None: use featuresCol)."""
        return self._set(inputCols=value)

    def setLabelCol(self, value: str) -> SMOTE:
        """Sets the value of :py:attr:`labelCol`."""
        return self._set(labelCol=value)

    def setKNeighbors(self, value: int) -> SMOTE:
        """Sets the value of :py:attr:`kNeighbors`."""
        return self._set(kNeighbors=value)

    def setSamplingStrategy(self, value: SamplingStrategy) -> SMOTE:
        """Sets the value of :py:attr:`samplingStrategy`."""
        return self._set(samplingStrategy=value)

    def setSeed(self, value: int) -> SMOTE:
        """Sets the value of :py:attr:`seed`."""
        return self._set(seed=value)

    def setSyntheticCol(self, value: str | None) -> SMOTE:
        """Sets the value of :py:attr:`syntheticCol` (None: no flag column)."""
        return self._set(syntheticCol=value)

    def setOtherColumns(self, value: str) -> SMOTE:
        """Sets the value of :py:attr:`otherColumns`: ``"null"`` or ``"copy"``."""
        return self._set(otherColumns=value)

    def setMaxBucketSize(self, value: int) -> SMOTE:
        """Sets the value of :py:attr:`maxBucketSize`."""
        return self._set(maxBucketSize=value)

    def setNumHashTables(self, value: int) -> SMOTE:
        """Sets the value of :py:attr:`numHashTables`."""
        return self._set(numHashTables=value)

    def setBucketLength(self, value: float | None) -> SMOTE:
        """Sets the value of :py:attr:`bucketLength` (None: chosen from the data)."""
        return self._set(bucketLength=value)

    def write(self) -> ParamsWriter:
        """Returns an MLWriter for this SMOTE; ``overwrite()`` also works over Spark Connect."""
        return ParamsWriter(self)

    # ------------------------------------------------------------------ transform

    def _spec(self, dataset: DataFrame) -> FeatureSpec:
        self._validate_params()
        return feature_spec(
            dataset.schema,
            self.getFeaturesCol(),
            self.getInputCols(),
            self.getLabelCol(),
            self.getSyntheticCol(),
        )

    def plan(self, dataset: DataFrame) -> tuple[dict[Any, int], list[ClassPlan]]:
        """Validate ``dataset``; return its class counts and the plan of each class to oversample.

        Runs the one aggregation pass of :meth:`transform` and raises the same ``ValueError``
        on bad input. A :class:`~spark_smote.bucketing.ClassPlan` holds the rows to generate and
        the bucket sizes.
        """
        stats, plans = self._plan(dataset, self._spec(dataset))
        return stats.counts, plans

    def _plan(self, dataset: DataFrame, spec: FeatureSpec) -> tuple[DataStats, list[ClassPlan]]:
        stats = collect_stats(dataset, spec)
        to_generate = resolve_sampling_strategy(self.getSamplingStrategy(), stats.counts)
        check_class_sizes(to_generate, stats.counts, self.getKNeighbors())
        labels = sorted(stats.counts)
        plans = [
            plan_class(
                labels.index(c),
                c,
                stats.counts[c],
                n,
                self.getMaxBucketSize(),
                aligned=self.getBucketLength() is None,
            )
            for c, n in sorted(to_generate.items())
        ]
        return stats, plans

    def _transform(self, dataset: DataFrame) -> DataFrame:
        spec = self._spec(dataset)
        if self.getOtherColumns() == "copy":
            _check_copyable(dataset.schema, spec)
        stats, plans = self._plan(dataset, spec)
        flag = self.getSyntheticCol()
        original = dataset.withColumn(flag, F.lit(False)) if flag else dataset
        if not plans:
            return original
        synthetic = self._synthesize(dataset, spec, plans, stats.dim)
        return original.unionByName(synthetic)

    def _tables(self, plans: Sequence[ClassPlan]) -> int:
        """Hash tables in use: only split classes gain from more than one."""
        return self.getNumHashTables() if any(p.n_buckets > 1 for p in plans) else 1

    def _bucketed(
        self,
        dataset: DataFrame,
        spec: FeatureSpec,
        plans: list[ClassPlan],
        dim: int,
        others: Sequence[str] = (),
    ) -> DataFrame:
        """Rows of the planned classes as ``CLS, X, KEY, BUCKET`` (+ ``others``); with several
        hash tables, also each row's neighbour candidates from the other tables."""
        cls = _per_label(plans, F.col(spec.label))
        hashable = [c for c, t in spec.types.items() if "map<" not in t.simpleString()]
        rows = dataset.filter(cls.isNotNull()).select(
            cls.alias(CLS), spec.as_array().alias(X), F.xxhash64(*hashable).alias(KEY), *others
        )
        if self._tables(plans) > 1:  # one shuffle by class, reused by every table's windows
            rows = rows.repartition(CLS)
        seed, length = self.getSeed(), self.getBucketLength()
        work = assign_buckets(rows, plans, seed, 0, dim, length)
        split = [p for p in plans if p.n_buckets > 1]
        for t in range(1, self._tables(plans)):  # each table from the rows, not from earlier joins
            work = work.join(self._candidates(rows, split, t, dim), [CLS, KEY], "left")
        return work

    def _synthesize(
        self, dataset: DataFrame, spec: FeatureSpec, plans: list[ClassPlan], dim: int
    ) -> DataFrame:
        """Synthetic rows of every planned class, in the input's schema (+ flag column)."""
        copy = self.getOtherColumns() == "copy"
        others = list(spec.others) if copy else []
        work = self._bucketed(dataset, spec, plans, dim, others)
        names = _out_names(dim)
        kernel = _generation_kernel(
            plans, self.getSeed(), self.getKNeighbors(), self._tables(plans), dim, others, names
        )
        types = "double" if names[0] != X else "array<double>"
        out_schema = StructType(
            [_field(CLS, "int")]
            + [_field(n, types) for n in names]
            + [dataset.schema[c] for c in others]
        )
        generated = _by_bucket(work, plans).applyInPandas(kernel, out_schema)
        return generated.select(*self._output_columns(spec, plans, copy, dim))

    def _candidates(
        self, rows: DataFrame, split: list[ClassPlan], table: int, dim: int
    ) -> DataFrame:
        """Each row's ``k`` nearest rows in its bucket of another hash table, one per row key.

        Identical rows share a key; if they fall into different buckets, ``min`` of the packed
        candidates picks one of their lists, the same whatever the partitioning.
        """
        rows = rows.filter(F.col(CLS).isin([p.index for p in split])).select(CLS, KEY, X)
        rows = assign_buckets(rows, split, self.getSeed(), table, dim, self.getBucketLength())
        col = _CAND.format(table)
        schema = StructType([_field(CLS, "int"), _field(KEY, "long"), _field(col, "binary")])
        kernel = _candidate_kernel(self.getKNeighbors(), col)
        found = _by_bucket(rows, split).applyInPandas(kernel, schema)
        return found.groupBy(CLS, KEY).agg(F.min(col).alias(col))

    def _output_columns(
        self, spec: FeatureSpec, plans: list[ClassPlan], copy: bool, dim: int
    ) -> list[Column]:
        types = spec.types
        label_value = per_class(plans, lambda p: F.lit(p.label))
        out: dict[str, Column] = {spec.label: label_value.cast(types[spec.label])}
        names = _out_names(dim)
        features = [F.col(n) for n in names] if names[0] != X else [F.col(X)[i] for i in range(dim)]
        if spec.vector:
            out[spec.columns[0]] = array_to_vector(
                F.array(*features) if names[0] != X else F.col(X)
            )
        else:
            for i, c in enumerate(spec.columns):
                value = features[i]
                if isinstance(types[c], IntegralType):
                    value = F.round(value)
                out[c] = value.cast(types[c])
        for c in spec.others:
            out[c] = F.col(c) if copy else F.lit(None).cast(types[c])
        columns = [out[c].alias(c) for c in types]
        flag = self.getSyntheticCol()
        if flag:
            columns.append(F.lit(True).alias(flag))
        return columns


# ---------------------------------------------------------------------- helpers


def _field(name: str, type_string: str) -> Any:
    return StructType.fromDDL(f"`{name}` {type_string}").fields[0]


def _by_bucket(df: DataFrame, plans: Sequence[ClassPlan]) -> GroupedData:
    """``df`` grouped by (class, bucket), the buckets spread over several tasks.

    Left alone, Spark would run every bucket of a class in one task: the bucket windows leave
    the rows partitioned by class, which already satisfies the grouping, and adaptive execution
    coalesces a shuffle that is small in bytes (but heavy in kNN work) into one partition. A
    repartition with an explicit number of partitions is never coalesced.
    """
    buckets = sum(p.n_buckets for p in plans)
    limit = int(df.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200)
    return df.repartition(max(1, min(buckets, limit)), CLS, BUCKET).groupBy(CLS, BUCKET)


def _per_label(plans: Sequence[ClassPlan], label: Column) -> Column:
    """Class index of the row's label, null for classes not oversampled."""
    expr = None
    for p in plans:
        cond = label == F.lit(p.label)
        expr = F.when(cond, p.index) if expr is None else expr.when(cond, p.index)
    assert expr is not None
    return expr


def _check_copyable(schema: StructType, spec: FeatureSpec) -> None:
    """``otherColumns='copy'`` carries other columns through Arrow: refuse types it cannot."""
    for name in spec.others:
        t = schema[name].dataType
        if "vector" in t.simpleString():
            raise ValueError(
                f"otherColumns='copy' cannot carry column {name!r} of type {t.simpleString()} "
                "through the pandas UDF; drop the column or use otherColumns='null'."
            )


def _stack(values: Iterable[Any], dim: int) -> np.ndarray:
    arr = np.array(list(values), dtype=np.float64)
    return arr.reshape(-1, dim)


def _to_bytes(rows: np.ndarray) -> list[bytes]:
    """One ``bytes`` per row: Arrow moves binary values much faster than arrays of numbers."""
    flat = np.ascontiguousarray(rows).reshape(len(rows), -1)
    return [r.tobytes() for r in flat]


def _candidate_kernel(k: int, col: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def kernel(pdf: pd.DataFrame) -> pd.DataFrame:
        x = _stack(pdf[X], len(pdf[X].iat[0]))
        keys = pdf[KEY].to_numpy(np.int64)
        _, first = np.unique(keys, return_index=True)  # identical rows: one list is enough
        idx, _ = knn_in_bucket(x, first, k)
        packed = [a + b for a, b in zip(_to_bytes(keys[idx]), _to_bytes(x[idx]), strict=True)]
        return pd.DataFrame({CLS: pdf[CLS].to_numpy()[first], KEY: keys[first], col: packed})

    return kernel


def _external(pdf: pd.DataFrame, k: int, dim: int, tables: int) -> External | None:
    """Neighbour candidates of the other hash tables, as joined onto the bucket's rows."""
    if tables == 1:
        return None
    m, ids, feats = len(pdf), [], []
    for t in range(1, tables):
        raw = np.frombuffer(b"".join(pdf[_CAND.format(t)]), dtype=np.uint8).reshape(m, -1)
        ids.append(raw[:, : 8 * k].copy().view(np.int64))
        feats.append(raw[:, 8 * k :].copy().view(np.float64).reshape(m, k, dim))
    return External(pdf[KEY].to_numpy(np.int64), np.concatenate(ids, 1), np.concatenate(feats, 1))


def _generation_kernel(
    plans: Sequence[ClassPlan],
    seed: int,
    k: int,
    tables: int,
    dim: int,
    others: Sequence[str],
    names: Sequence[str],
) -> Callable[[tuple[Any, ...], pd.DataFrame], pd.DataFrame]:
    by_index = {p.index: p for p in plans}

    def kernel(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        cls, bucket = int(key[0]), int(key[1])
        plan = by_index[cls]
        expected = plan.bucket_size(bucket)
        if len(pdf) != expected:  # a broken invariant, never a user error
            raise RuntimeError(
                f"bucket {bucket} of class {plan.label!r}: {len(pdf)} rows, expected {expected}"
            )
        n_new = plan.bucket_quota(bucket)
        x = _stack(pdf[X], dim)
        external = _external(pdf, k, dim, tables) if plan.n_buckets > 1 else None
        new_x, base = generate_bucket(
            x,
            pdf[KEY].to_numpy(np.int64),
            n_new,
            k,
            (seed, GENERATION_STREAM, cls, bucket),
            external,
        )
        if names[0] == X:
            out = pd.DataFrame({CLS: np.full(n_new, cls, dtype=np.int32), X: list(new_x)})
        else:
            out = pd.DataFrame(new_x, columns=names)
            out.insert(0, CLS, np.full(n_new, cls, dtype=np.int32))
        for c in others:
            out[c] = pdf[c].iloc[base].reset_index(drop=True)
        return out

    return kernel
