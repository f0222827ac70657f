"""LSH buckets: seeded random projections, cut into bounded buckets of one class each.

A class with at most ``maxBucketSize`` rows is one bucket (exact neighbours). A larger class is
cut in ``L = ceil(n / maxBucketSize)`` buckets of equal size (+-1 row): rows are ordered by a
locality-preserving key, the slab along a first random projection, then the position along a
second one, and the order is cut into ``L`` runs. Equal cuts of a total order bound every bucket
whatever the data (duplicates and tight clusters included): sizes lie in
``[floor(n / L), ceil(n / L)]``, which is at least ``maxBucketSize / 2 >= k + 1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

# internal column names (prefixed so they never clash with a user's)
CLS = "__smote_class"
X = "__smote_x"
KEY = "__smote_key"
BUCKET = "__smote_bucket"
UID = "__smote_uid"

# RNG streams: one tag per use, so that projections and generation never share draws
GENERATION_STREAM = 0
PROJECTION_STREAM = 1


@dataclass(frozen=True)
class ClassPlan:
    """How one class is oversampled: its size, its quota, its buckets."""

    index: int  # position of the label among all classes, sorted: part of every RNG seed
    label: Any
    n_rows: int
    n_new: int
    n_buckets: int
    n_slabs: int

    def bucket_start(self, b: int) -> int:
        """First row (in the cut order) of bucket ``b``: ``ceil(b * n / L)``."""
        return -(-b * self.n_rows // self.n_buckets)

    def bucket_size(self, b: int) -> int:
        return self.bucket_start(b + 1) - self.bucket_start(b)

    def bucket_quota(self, b: int) -> int:
        """Synthetic rows for bucket ``b``, proportional to its size; they sum to ``n_new``."""
        lo, hi = self.bucket_start(b), self.bucket_start(b + 1)
        return self.n_new * hi // self.n_rows - self.n_new * lo // self.n_rows


def plan_class(index: int, label: Any, n_rows: int, n_new: int, max_bucket_size: int) -> ClassPlan:
    """Number of buckets and of first-level slabs for a class of ``n_rows`` rows."""
    n_buckets = max(1, math.ceil(n_rows / max_bucket_size))
    n_slabs = math.ceil(math.sqrt(n_buckets))
    return ClassPlan(index, label, n_rows, n_new, n_buckets, n_slabs)


def directions(seed: int, class_index: int, table: int, dim: int) -> np.ndarray:
    """Two seeded Gaussian directions ``(2, dim)`` for one class and one hash table."""
    rng = np.random.default_rng([seed, PROJECTION_STREAM, class_index, table])
    return rng.standard_normal((2, dim))


def _dot(x: Column, direction: np.ndarray) -> Column:
    weights = F.array(*[F.lit(float(w)) for w in direction])
    return F.aggregate(F.zip_with(x, weights, lambda a, b: a * b), F.lit(0.0), lambda s, v: s + v)


def _per_class(plans: Sequence[ClassPlan], value: Any) -> Column:
    """``CASE class WHEN i THEN value(plan_i) END`` as a Column."""
    expr = None
    for p in plans:
        v = value(p)
        v = v if isinstance(v, Column) else F.lit(v)
        expr = (
            F.when(F.col(CLS) == p.index, v)
            if expr is None
            else expr.when(F.col(CLS) == p.index, v)
        )
    assert expr is not None
    return expr


def assign_buckets(
    df: DataFrame,
    plans: Sequence[ClassPlan],
    seed: int,
    table: int,
    dim: int,
    bucket_length: float | None,
    with_uid: bool = False,
) -> DataFrame:
    """Add ``BUCKET`` (and ``UID``, the row's place in the cut order) to rows of ``plans``.

    ``df`` needs the ``CLS``, ``X`` and ``KEY`` columns. Windows are partitioned by class: Spark
    sorts each class in the JVM (spilling to disk if needed), never in a Python worker.
    """
    if all(p.n_buckets == 1 for p in plans) and not with_uid:
        return df.withColumn(BUCKET, F.lit(0))
    proj = {p.index: directions(seed, p.index, table, dim) for p in plans}
    p1 = _per_class(plans, lambda p: _dot(F.col(X), proj[p.index][0]))
    p2 = _per_class(plans, lambda p: _dot(F.col(X), proj[p.index][1]))
    n = _per_class(plans, lambda p: p.n_rows)
    by_class = Window.partitionBy(CLS)
    if bucket_length is None:
        first = F.row_number().over(by_class.orderBy(p1, KEY)) - 1
        slab = F.floor(first * _per_class(plans, lambda p: p.n_slabs) / n)
    else:
        slab = F.floor(p1 / F.lit(bucket_length))
    df = df.withColumn("__smote_slab", slab).withColumn("__smote_p2", p2)
    rank = F.row_number().over(by_class.orderBy("__smote_slab", "__smote_p2", KEY)) - 1
    df = df.withColumn("__smote_rank", rank.cast("long"))
    bucket = F.floor(F.col("__smote_rank") * _per_class(plans, lambda p: p.n_buckets) / n)
    df = df.withColumn(BUCKET, bucket.cast("int")).drop("__smote_slab", "__smote_p2")
    if with_uid:
        return df.withColumnRenamed("__smote_rank", UID)
    return df.drop("__smote_rank")
