"""How good are the cell neighbours? Compare them with exact neighbours on a sample.

:func:`neighbour_quality` plans and groups cells exactly as :meth:`SMOTE.transform` does and,
for a bounded sample of rows per class, compares the ``k`` neighbours found in each row's home
cell (home rows and guests) with the exact ``k`` nearest rows of the whole class.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from spark_smote.engine.columns import (
    CANDIDATES,
    CLS,
    DIST,
    KEY,
    RANK,
    SAMPLED,
    X,
    feature_names,
    field,
    per_class,
)
from spark_smote.engine.grouping import cell_groups
from spark_smote.engine.rows import class_rows, stack_features
from spark_smote.kernels.knn import knn_in_cell
from spark_smote.over_sampling.base import BaseSMOTE


@dataclass(frozen=True)
class NeighbourQuality:
    """Neighbour quality of one class.

    ``recall_at_k``: mean share of the found neighbours that are among the exact ``k`` nearest
    (ties count as hits). ``distance_ratio``: mean ratio of the found ``k``-th neighbour
    distance to the exact one (1.0 is exact). ``short_of_k``: share of rows with fewer than
    ``k`` candidates (must be 0). ``cells`` and ``cell_*``: groups of the class and their rows
    (home rows and guests), as :meth:`SMOTE.transform` holds them in the Python workers.
    """

    label: Any
    rows: int
    rows_sampled: int
    cells: int
    cell_min: int
    cell_median: float
    cell_max: int
    recall_at_k: float
    distance_ratio: float
    short_of_k: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    # 0.1 named the cells buckets: its field names keep working, with a warning
    def _deprecated(self, old: str, new: str) -> Any:
        warnings.warn(
            f"NeighbourQuality.{old} is deprecated since 0.2; use {new}",
            DeprecationWarning,
            stacklevel=3,
        )
        return getattr(self, new)

    @property
    def buckets(self) -> int:
        """Deprecated alias of :attr:`cells`."""
        return self._deprecated("buckets", "cells")

    @property
    def bucket_min(self) -> int:
        """Deprecated alias of :attr:`cell_min`."""
        return self._deprecated("bucket_min", "cell_min")

    @property
    def bucket_median(self) -> float:
        """Deprecated alias of :attr:`cell_median`."""
        return self._deprecated("bucket_median", "cell_median")

    @property
    def bucket_max(self) -> int:
        """Deprecated alias of :attr:`cell_max`."""
        return self._deprecated("bucket_max", "cell_max")


def neighbour_quality(
    smote: BaseSMOTE, dataset: DataFrame, sample_rows: int = 1000
) -> list[NeighbourQuality]:
    """Neighbour quality per class to oversample, for ``smote``'s params on ``dataset`` (any
    sampler of the SMOTE family).

    About ``sample_rows`` rows per class (chosen by their row hash, so the same each run) are
    compared; only that bounded sample reaches the driver.
    """
    plan = smote.plan(dataset)
    cells = plan.cells
    if not cells:
        return []
    assert plan.spec is not None and plan.stats is not None
    spec, k, dim = plan.spec, smote._neighbours()[1], plan.stats.dim
    if plan.sparse:
        raise ValueError(
            f"featuresCol: column {spec.columns[0]!r} takes SMOTE's sparse path (cells hashed by "
            "a sketch); neighbour_quality measures dense features only."
        )
    modulus = per_class(cells, lambda c: F.lit(max(1, c.n_rows // sample_rows)))
    rows = class_rows(dataset, spec, [c.task for c in cells], dim).withColumn(
        SAMPLED, F.pmod(F.col(KEY), modulus) == 0
    )

    names = feature_names(dim)

    def found_kernel(pdf: pd.DataFrame) -> pd.DataFrame:
        x = stack_features(pdf, names, dim)
        queries = np.flatnonzero(pdf[SAMPLED].to_numpy() & (pdf[RANK].to_numpy() == 0))
        _, dist = knn_in_cell(x, queries, k)
        return pd.DataFrame(
            {
                CLS: pdf[CLS].iloc[queries].to_numpy(),
                KEY: pdf[KEY].iloc[queries].to_numpy(),
                DIST: pd.Series(list(np.sqrt(dist)), dtype=object),
                CANDIDATES: np.full(len(queries), len(x) - 1, dtype=np.int64),
            }
        )

    schema = StructType(
        [
            field(CLS, "int"),
            field(KEY, "long"),
            field(DIST, "array<double>"),
            field(CANDIDATES, "long"),
        ]
    )
    grouped = cell_groups(rows, cells, dim, smote.getSeed(), slices={})  # each query once
    found = grouped.applyInPandas(found_kernel, schema).collect()
    x = F.array(*[F.col(n) for n in names]) if names != [X] else F.col(X)
    sample = {
        (r[CLS], r[KEY]): np.asarray(r[X])
        for r in rows.filter(SAMPLED).select(CLS, KEY, x.alias(X)).collect()
    }
    exact = _exact_kth(rows.select(CLS, *names), sample, k, names)

    results = []
    for c in cells:
        got_rows = [r for r in found if r[CLS] == c.index]
        recall, ratio = [], []
        for r in got_rows:
            kth = exact[(c.index, r[KEY])]
            got = np.asarray(r[DIST])
            recall.append(float(np.mean(got <= kth * (1 + 1e-6) + 1e-9)))  # float slack
            ratio.append(1.0 if kth == 0 else float(got[-1] / kth))
        sizes = sorted(g.rows for g in c.groups())
        results.append(
            NeighbourQuality(
                label=c.label,
                rows=c.n_rows,
                rows_sampled=len(got_rows),
                cells=len(sizes),
                cell_min=sizes[0],
                cell_median=float(np.median(sizes)),
                cell_max=sizes[-1],
                recall_at_k=float(np.mean(recall)),
                distance_ratio=float(np.mean(ratio)),
                short_of_k=float(np.mean([r[CANDIDATES] < k for r in got_rows])),
            )
        )
    return results


def _exact_kth(
    rows: DataFrame, sample: dict[tuple[int, int], np.ndarray], k: int, names: list[str]
) -> dict[tuple[int, int], float]:
    """Exact distance to the ``k``-th nearest other row of the class, per sampled row.

    Each partition keeps the ``k + 1`` smallest distances per sampled row (the row itself is
    one of them, at distance 0); Spark merges the partial lists.
    """
    queries: dict[int, tuple[list[int], np.ndarray]] = {}
    for c in {c for c, _ in sample}:
        keys = [key for cc, key in sample if cc == c]
        queries[c] = (keys, np.vstack([sample[(c, key)] for key in keys]))

    def partial(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            for c, group in pdf.groupby(CLS):
                if c not in queries:
                    continue
                keys, q = queries[c]
                x = stack_features(group, names, q.shape[1])
                d = ((q**2).sum(1)[:, None] + (x**2).sum(1)[None, :] - 2 * q @ x.T).clip(0)
                keep = min(k + 1, d.shape[1])
                part = np.sort(np.partition(d, keep - 1, axis=1)[:, :keep], axis=1)
                yield pd.DataFrame({CLS: [c] * len(keys), KEY: keys, DIST: list(part)})

    schema = StructType([field(CLS, "int"), field(KEY, "long"), field(DIST, "array<double>")])
    merged = (
        rows.mapInPandas(partial, schema)
        .groupBy(CLS, KEY)
        .agg(F.slice(F.array_sort(F.flatten(F.collect_list(DIST))), 1, k + 1).alias(DIST))
        .collect()
    )
    return {(r[CLS], r[KEY]): float(np.sqrt(r[DIST][k])) for r in merged}
