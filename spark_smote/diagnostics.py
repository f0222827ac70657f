"""How good are the bucket neighbours? Compare them with exact neighbours on a sample.

:func:`neighbour_quality` runs the same bucketing as :meth:`SMOTE.transform` and, for a bounded
sample of rows per class, compares the ``k`` neighbours the buckets give (merged over the hash
tables) with the exact ``k`` nearest rows of the whole class.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from spark_smote.bucketing import BUCKET, CLS, KEY, X, per_class
from spark_smote.kernel import bucket_neighbours
from spark_smote.smote import SMOTE, _by_bucket, _external, _field, _stack

_SAMPLED = "__smote_sampled"
_DIST = "__smote_dist"
_CANDIDATES = "__smote_candidates"


@dataclass(frozen=True)
class NeighbourQuality:
    """Neighbour quality of one class.

    ``recall_at_k``: mean share of the found neighbours that are among the exact ``k`` nearest
    (ties count as hits). ``distance_ratio``: mean ratio of the found ``k``-th neighbour
    distance to the exact one (1.0 is exact). ``short_of_k``: share of rows with fewer than
    ``k`` candidates (must be 0).
    """

    label: Any
    rows: int
    rows_sampled: int
    buckets: int
    bucket_min: int
    bucket_median: float
    bucket_max: int
    recall_at_k: float
    distance_ratio: float
    short_of_k: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def neighbour_quality(
    smote: SMOTE, dataset: DataFrame, sample_rows: int = 1000
) -> list[NeighbourQuality]:
    """Neighbour quality per class to oversample, for ``smote``'s params on ``dataset``.

    About ``sample_rows`` rows per class (chosen by their row hash, so the same each run) are
    compared; only that bounded sample reaches the driver.
    """
    spec = smote._spec(dataset)
    stats, plans = smote._plan(dataset, spec)
    if not plans:
        return []
    k, dim, tables = smote.getKNeighbors(), stats.dim, smote._tables(plans)
    modulus = per_class(plans, lambda p: F.lit(max(1, p.n_rows // sample_rows)))
    work = smote._bucketed(dataset, spec, plans, dim).withColumn(
        _SAMPLED, F.pmod(F.col(KEY), modulus) == 0
    )
    sizes: dict[int, list[int]] = {}
    for r in work.groupBy(CLS, BUCKET).count().collect():
        sizes.setdefault(r[CLS], []).append(r["count"])

    def found_kernel(pdf: pd.DataFrame) -> pd.DataFrame:
        x = _stack(pdf[X], dim)
        queries = np.flatnonzero(pdf[_SAMPLED].to_numpy())
        external = _external(pdf, k, dim, tables) if len(sizes[pdf[CLS].iat[0]]) > 1 else None
        _, dist = bucket_neighbours(x, queries, k, external)
        n_cand = len(x) - 1 + (external.ids.shape[1] if external is not None else 0)
        return pd.DataFrame(
            {
                CLS: pdf[CLS].iloc[queries].to_numpy(),
                KEY: pdf[KEY].iloc[queries].to_numpy(),
                _DIST: list(np.sqrt(dist)),
                _CANDIDATES: np.full(len(queries), n_cand, dtype=np.int64),
            }
        )

    schema = StructType(
        [
            _field(CLS, "int"),
            _field(KEY, "long"),
            _field(_DIST, "array<double>"),
            _field(_CANDIDATES, "long"),
        ]
    )
    found = _by_bucket(work, plans).applyInPandas(found_kernel, schema).collect()
    sample = {
        (r[CLS], r[KEY]): np.asarray(r[X])
        for r in work.filter(_SAMPLED).select(CLS, KEY, X).collect()
    }
    exact = _exact_kth(work.select(CLS, X), sample, k)

    results = []
    for p in plans:
        rows = [r for r in found if r[CLS] == p.index]
        recall, ratio = [], []
        for r in rows:
            kth = exact[(p.index, r[KEY])]
            got = np.asarray(r[_DIST])
            recall.append(float(np.mean(got <= kth * (1 + 1e-6) + 1e-9)))  # float slack
            ratio.append(1.0 if kth == 0 else float(got[-1] / kth))
        s = sorted(sizes[p.index])
        results.append(
            NeighbourQuality(
                label=p.label,
                rows=p.n_rows,
                rows_sampled=len(rows),
                buckets=len(s),
                bucket_min=s[0],
                bucket_median=float(np.median(s)),
                bucket_max=s[-1],
                recall_at_k=float(np.mean(recall)),
                distance_ratio=float(np.mean(ratio)),
                short_of_k=float(np.mean([r[_CANDIDATES] < k for r in rows])),
            )
        )
    return results


def _exact_kth(
    rows: DataFrame, sample: dict[tuple[int, int], np.ndarray], k: int
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
                x = _stack(group[X], q.shape[1])
                d = ((q**2).sum(1)[:, None] + (x**2).sum(1)[None, :] - 2 * q @ x.T).clip(0)
                keep = min(k + 1, d.shape[1])
                part = np.sort(np.partition(d, keep - 1, axis=1)[:, :keep], axis=1)
                yield pd.DataFrame({CLS: [c] * len(keys), KEY: keys, _DIST: list(part)})

    schema = StructType([_field(CLS, "int"), _field(KEY, "long"), _field(_DIST, "array<double>")])
    merged = (
        rows.mapInPandas(partial, schema)
        .groupBy(CLS, KEY)
        .agg(F.slice(F.array_sort(F.flatten(F.collect_list(_DIST))), 1, k + 1).alias(_DIST))
        .collect()
    )
    return {(r[CLS], r[KEY]): float(np.sqrt(r[_DIST][k])) for r in merged}
