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
from collections.abc import Callable, Sequence
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

# RNG streams: one tag per use, so that projections and generation never share draws
GENERATION_STREAM = 0
PROJECTION_STREAM = 1


@dataclass(frozen=True)
class ClassPlan:
    """How one class is oversampled: its size, its quota, its buckets.

    Rows are ordered by (slab along projection 1, position along projection 2, row key). With
    slabs of equal counts (``aligned``), each of the ``n_slabs`` slabs is cut into ``per_slab``
    runs of equal size, so that no bucket straddles two slabs. With slabs of a fixed width
    (``bucketLength``), slab sizes are unknown in advance, and the whole order is cut into
    ``n_buckets`` runs of equal size. Either way the driver knows every bucket's size.
    """

    index: int  # position of the label among all classes, sorted: part of every RNG seed
    label: Any
    n_rows: int
    n_new: int
    n_slabs: int
    per_slab: int
    aligned: bool = True

    @property
    def n_buckets(self) -> int:
        return self.n_slabs * self.per_slab if self.aligned else self.per_slab

    def slab_start(self, s: int) -> int:
        """First row of slab ``s`` in the order: ``ceil(s * n / n_slabs)``."""
        return -(-s * self.n_rows // self.n_slabs)

    def bucket_start(self, b: int) -> int:
        """First row (in the cut order) of bucket ``b``."""
        if not self.aligned:
            return -(-b * self.n_rows // self.n_buckets)
        s, j = divmod(b, self.per_slab)
        start = self.slab_start(s)
        size = self.slab_start(s + 1) - start
        return start + -(-j * size // self.per_slab)

    def bucket_size(self, b: int) -> int:
        return self.bucket_start(b + 1) - self.bucket_start(b)

    def bucket_quota(self, b: int) -> int:
        """Synthetic rows for bucket ``b``, proportional to its size; they sum to ``n_new``."""
        lo, hi = self.bucket_start(b), self.bucket_start(b + 1)
        return self.n_new * hi // self.n_rows - self.n_new * lo // self.n_rows


def plan_class(
    index: int, label: Any, n_rows: int, n_new: int, max_bucket_size: int, aligned: bool = True
) -> ClassPlan:
    """Slabs and buckets for a class of ``n_rows`` rows: each bucket at most ``max_bucket_size``.

    About ``sqrt(L)`` slabs of about ``sqrt(L)`` buckets each, ``L = ceil(n / max)``.
    """
    least = math.ceil(n_rows / max_bucket_size)
    if least <= 1:
        return ClassPlan(index, label, n_rows, n_new, 1, 1, aligned)
    n_slabs = math.ceil(math.sqrt(least))
    if not aligned:
        return ClassPlan(index, label, n_rows, n_new, n_slabs, least, aligned)
    per_slab = math.ceil(math.ceil(n_rows / n_slabs) / max_bucket_size)
    return ClassPlan(index, label, n_rows, n_new, n_slabs, per_slab, aligned)


def directions(seed: int, class_index: int, table: int, dim: int) -> np.ndarray:
    """Two seeded Gaussian directions ``(2, dim)`` for one class and one hash table."""
    rng = np.random.default_rng([seed, PROJECTION_STREAM, class_index, table])
    return rng.standard_normal((2, dim))


def _dot(x: Column, direction: np.ndarray) -> Column:
    weights = F.array(*[F.lit(float(w)) for w in direction])
    return F.aggregate(F.zip_with(x, weights, lambda a, b: a * b), F.lit(0.0), lambda s, v: s + v)


def per_class(plans: Sequence[ClassPlan], value: Callable[[ClassPlan], Any]) -> Column:
    """``CASE class WHEN i THEN value(plan_i) END`` as a Column (``value`` may give a literal)."""
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
) -> DataFrame:
    """Add ``BUCKET`` to rows of ``plans``.

    ``df`` needs the ``CLS``, ``X`` and ``KEY`` columns. Windows are partitioned by class: Spark
    sorts each class in the JVM (spilling to disk if needed), never in a Python worker.
    """
    if all(p.n_buckets == 1 for p in plans):
        return df.withColumn(BUCKET, F.lit(0))
    proj = {p.index: directions(seed, p.index, table, dim) for p in plans}
    p1 = per_class(plans, lambda p: _dot(F.col(X), proj[p.index][0]))
    p2 = per_class(plans, lambda p: _dot(F.col(X), proj[p.index][1]))
    n = per_class(plans, lambda p: p.n_rows)
    by_class = Window.partitionBy(CLS)
    n_slabs = per_class(plans, lambda p: p.n_slabs)
    if bucket_length is None:
        first = F.row_number().over(by_class.orderBy(p1, KEY)) - 1
        slab = F.floor(first * n_slabs / n)
    else:
        slab = F.floor(p1 / F.lit(bucket_length))
    df = df.withColumn("__smote_slab", slab).withColumn("__smote_p2", p2)
    rank = F.row_number().over(by_class.orderBy("__smote_slab", "__smote_p2", KEY)) - 1
    df = df.withColumn("__smote_rank", rank.cast("long"))
    if bucket_length is None:  # aligned: slab s holds rows [ceil(s n / S), ceil((s + 1) n / S))
        s = F.col("__smote_slab")
        start = F.ceil(s * n / n_slabs)
        size = F.ceil((s + 1) * n / n_slabs) - start
        per_slab = per_class(plans, lambda p: p.per_slab)
        bucket = s * per_slab + F.floor((F.col("__smote_rank") - start) * per_slab / size)
    else:
        bucket = F.floor(F.col("__smote_rank") * per_class(plans, lambda p: p.n_buckets) / n)
    return df.withColumn(BUCKET, bucket.cast("int")).drop(
        "__smote_slab", "__smote_p2", "__smote_rank"
    )
