"""Exact, seeded draws of whole rows per class, without collecting rows to the driver.

Used by the random over- and under-samplers. The rows of a class are spread over blocks of at
most :data:`BLOCK_ROWS` by a seeded row hash (one counting pass gives every block's size);
the driver splits the class's draws among the blocks (multinomial with replacement,
multivariate hypergeometric without: uniform over rows either way); inside a block, rows are
ranked by the seeded hash (a window: Spark sorts it in bounded memory, spilling if needed) and
each rank gets its number of copies. Identical rows share a hash, so which of them is drawn
cannot change the output: the same seed gives the same rows whatever the partitioning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType

from spark_smote.engine.columns import (
    BLOCK,
    CLS,
    COPIES,
    DRAW_STREAM,
    ORDER,
    ROW,
    class_index,
    hashable_columns,
    per_class,
)
from spark_smote.kernels.draws import block_quotas, bootstrap_counts

#: Rows per block, at most on average: a block is one window partition.
BLOCK_ROWS = 500_000


@dataclass(frozen=True)
class ClassDraw:
    """Rows to draw from one class: ``n_draws`` of its ``n_rows`` (with replacement or not)."""

    index: int
    label: Any
    n_rows: int
    n_draws: int
    replace: bool

    @property
    def n_blocks(self) -> int:
        return max(1, -(-self.n_rows // BLOCK_ROWS))


def class_draws(counts: dict[Any, int], wanted: dict[Any, int], replace: bool) -> list[ClassDraw]:
    """A :class:`ClassDraw` per class of ``wanted`` (rows to draw), indexed among all labels."""
    labels = sorted(counts)
    return [ClassDraw(labels.index(c), c, counts[c], n, replace) for c, n in sorted(wanted.items())]


def _copies_udf(quotas: dict[tuple[int, int], tuple[int, int]], seed: int) -> Any:
    cache: dict[tuple[int, int], np.ndarray] = {}

    @F.pandas_udf(IntegerType())  # type: ignore[call-overload]
    def copies(cls: pd.Series, block: pd.Series, row: pd.Series) -> pd.Series:
        c, b, r = cls.to_numpy(), block.to_numpy(), row.to_numpy()
        out = np.zeros(len(c), dtype=np.int32)
        for key in set(zip(c.tolist(), b.tolist(), strict=True)):
            if key not in cache:
                n_rows, n_draws = quotas[key]
                cache[key] = bootstrap_counts(n_rows, n_draws, (seed, DRAW_STREAM, *key))
            hit = (c == key[0]) & (b == key[1])
            out[hit] = cache[key][r[hit] - 1]
        return pd.Series(out)

    return copies


def drawn_rows(
    dataset: DataFrame, label_col: str, draws: Sequence[ClassDraw], seed: int
) -> DataFrame:
    """The rows drawn from the classes of ``draws``: the input's columns, then ``CLS``,
    ``ORDER``, ``ROW`` and ``COPIES`` (> 0; always 1 without replacement).

    Costs one counting pass over those classes and one sorting shuffle.
    """
    types = {f.name: f.dataType for f in dataset.schema.fields}
    rows = (
        dataset.withColumn(CLS, class_index(label_col, draws))
        .filter(F.col(CLS).isNotNull())
        .withColumn(
            ORDER,
            F.xxhash64(F.lit(seed), *hashable_columns(types)),
        )
    )
    rows = rows.withColumn(BLOCK, F.pmod(F.col(ORDER), per_class(draws, lambda d: d.n_blocks)))
    sizes = {(r[CLS], r[BLOCK]): r["count"] for r in rows.groupBy(CLS, BLOCK).count().collect()}
    quotas: dict[tuple[int, int], tuple[int, int]] = {}
    for d in draws:
        n = np.array([sizes.get((d.index, b), 0) for b in range(d.n_blocks)])
        q = block_quotas(n, d.n_draws, d.replace, (seed, DRAW_STREAM, d.index))
        quotas.update({(d.index, b): (int(n[b]), int(q[b])) for b in range(d.n_blocks)})
    rank = F.row_number().over(Window.partitionBy(CLS, BLOCK).orderBy(ORDER))
    ranked = rows.withColumn(ROW, rank)
    if all(not d.replace for d in draws):
        limit = F.lit(0)
        for (c, b), (_, q) in quotas.items():
            limit = F.when((F.col(CLS) == c) & (F.col(BLOCK) == b), q).otherwise(limit)
        copies = (F.col(ROW) <= limit).cast("int")
    else:
        copies = _copies_udf(quotas, seed)(F.col(CLS), F.col(BLOCK), F.col(ROW))
    return ranked.withColumn(COPIES, copies).filter(F.col(COPIES) > 0)


def normal(*parts: Column) -> Column:
    """A standard normal number from a hash of ``parts`` (Box-Muller): the same on every run."""
    scale = float(1 << 53)
    bits1 = F.xxhash64(*parts, F.lit(1)).bitwiseAND(F.lit((1 << 53) - 1))
    bits2 = F.xxhash64(*parts, F.lit(2)).bitwiseAND(F.lit((1 << 53) - 1))
    u1 = (bits1.cast("double") + 0.5) / scale
    u2 = bits2.cast("double") / scale
    return F.sqrt(F.log(u1) * -2.0) * F.cos(u2 * (2.0 * np.pi))
