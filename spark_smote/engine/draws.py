"""Exact, seeded draws of whole rows per class, without collecting rows to the driver.

Used by the random over- and under-samplers. Every row gets a seeded hash of its content.

- Without replacement (:func:`smallest_rows`), a class keeps its rows with the smallest hashes
  (a uniform choice): one pass settles where they end, then a filter keeps them.
- With replacement (:func:`drawn_rows`), the driver draws how many distinct rows the draw
  holds and their counts; the rows with the smallest hashes, that many, are chosen as above,
  and ranked by the hash (a window over those rows only) to get their counts. When the draws
  are too many for the driver, the rows of a class are spread over blocks of at most
  :data:`BLOCK_ROWS` by the hash, the draws split among the blocks, and each block's rows
  ranked (a window: Spark sorts it in bounded memory, spilling if needed).

Identical rows share a hash, so which of them is drawn cannot change the output: the same seed
gives the same rows whatever the partitioning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    COPY,
    DRAW_STREAM,
    ORDER,
    ROW,
    class_index,
    hashable_columns,
    per_class,
    quote,
)
from spark_smote.kernels.draws import (
    PROFILE_DRAWS,
    Cut,
    block_quotas,
    bootstrap_counts,
    draw_profile,
    hash_cut,
    hash_window,
)

#: Rows per block, at most on average: a block is one window partition.
BLOCK_ROWS = 500_000


@dataclass(frozen=True)
class ClassDraw:
    """Rows to draw from one class: ``n_draws`` of its ``n_rows``."""

    index: int
    label: Any
    n_rows: int
    n_draws: int

    @property
    def n_blocks(self) -> int:
        return max(1, -(-self.n_rows // BLOCK_ROWS))


def class_draws(counts: dict[Any, int], wanted: dict[Any, int]) -> list[ClassDraw]:
    """A :class:`ClassDraw` per class of ``wanted`` (rows to draw), indexed among all labels."""
    labels = sorted(counts)
    return [ClassDraw(labels.index(c), c, counts[c], n) for c, n in sorted(wanted.items())]


def copies_udf(counts_of: Callable[[tuple[int, int]], np.ndarray]) -> Any:
    """``COPIES`` of a row from its ``(CLS, BLOCK)`` key and 1-based ``ROW``:
    ``counts_of(key)[row - 1]`` (each key's counts made once per Python worker)."""
    cache: dict[tuple[int, int], np.ndarray] = {}

    @F.pandas_udf(IntegerType())  # type: ignore[call-overload]
    def copies(cls: pd.Series, block: pd.Series, row: pd.Series) -> pd.Series:
        c, b, r = cls.to_numpy(), block.to_numpy(), row.to_numpy()
        out = np.zeros(len(c), dtype=np.int32)
        for key in set(zip(c.tolist(), b.tolist(), strict=True)):
            if key not in cache:
                cache[key] = counts_of(key)
            hit = (c == key[0]) & (b == key[1])
            out[hit] = cache[key][r[hit] - 1]
        return pd.Series(out)

    return copies


def drawn_rows(
    dataset: DataFrame, label_col: str, draws: Sequence[ClassDraw], seed: int
) -> DataFrame:
    """The rows drawn with replacement from the classes of ``draws``: the input's columns,
    then ``CLS``, ``ORDER``, ``BLOCK``, ``ROW`` and ``COPIES`` (how often the row is drawn,
    > 0).

    Classes whose draws fit :data:`~spark_smote.kernels.draws.PROFILE_DRAWS` (together) are
    drawn by :func:`_profiled_rows` (a cut pass, then only the chosen rows are ranked); the
    others by :func:`_block_rows` (a counting pass, then every row of the class is ranked).
    """
    profiled, total = [], 0
    for d in sorted(draws, key=lambda d: d.n_draws):
        if total + d.n_draws <= PROFILE_DRAWS:
            profiled.append(d)
            total += d.n_draws
    blocked = [d for d in draws if d not in profiled]
    parts = []
    if profiled:
        parts.append(_profiled_rows(dataset, label_col, profiled, seed))
    if blocked:
        parts.append(_block_rows(dataset, label_col, blocked, seed))
    return parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])


def _profiled_rows(
    dataset: DataFrame, label_col: str, draws: Sequence[ClassDraw], seed: int
) -> DataFrame:
    """:func:`drawn_rows` for few draws: the driver makes each class's draw profile
    (:func:`~spark_smote.kernels.draws.draw_profile`: the counts of its distinct rows); the
    rows with the smallest seeded hashes, as many as the profile's counts, are chosen
    (:func:`smallest_rows`: a cut pass and a filter); only they are ranked by the hash, and
    rank ``i`` gets count ``i``. Costs the cut pass, and a sort of the chosen rows only."""
    profiles = {
        d.index: draw_profile(d.n_rows, d.n_draws, (seed, DRAW_STREAM, d.index)) for d in draws
    }
    distinct = [ClassDraw(d.index, d.label, d.n_rows, len(profiles[d.index])) for d in draws]
    mine = dataset.filter(class_index(label_col, draws).isNotNull())
    chosen = hashed(smallest_rows(mine, label_col, distinct, seed), label_col, draws, seed)
    rank = F.row_number().over(Window.partitionBy(CLS).orderBy(ORDER))
    copies = copies_udf(lambda key: profiles[key[0]])
    return (
        chosen.withColumn(BLOCK, F.lit(0))
        .withColumn(ROW, rank)
        .withColumn(COPIES, copies(F.col(CLS), F.col(BLOCK), F.col(ROW)))
    )


def _block_rows(
    dataset: DataFrame, label_col: str, draws: Sequence[ClassDraw], seed: int
) -> DataFrame:
    """:func:`drawn_rows` for many draws: each class's rows are spread over blocks of at most
    :data:`BLOCK_ROWS` by the hash (one counting pass gives every block's size); the driver
    splits the draws among the blocks (a multinomial: uniform over rows); inside a block, every
    row is ranked by the hash (a window) and each rank gets its number of copies. Costs the
    counting pass and a sort of every row of those classes."""
    blocks = per_class(draws, lambda d: d.n_blocks)
    rows = hashed(dataset, label_col, draws, seed).withColumn(BLOCK, F.pmod(F.col(ORDER), blocks))
    sizes = {(r[CLS], r[BLOCK]): r["count"] for r in rows.groupBy(CLS, BLOCK).count().collect()}
    quotas: dict[tuple[int, int], tuple[int, int]] = {}
    for d in draws:
        n = np.array([sizes.get((d.index, b), 0) for b in range(d.n_blocks)])
        q = block_quotas(n, d.n_draws, (seed, DRAW_STREAM, d.index))
        quotas.update({(d.index, b): (int(n[b]), int(q[b])) for b in range(d.n_blocks)})
    rank = F.row_number().over(Window.partitionBy(CLS, BLOCK).orderBy(ORDER))

    def counts_of(key: tuple[int, int]) -> np.ndarray:
        return bootstrap_counts(*quotas[key], (seed, DRAW_STREAM, *key))

    copies = copies_udf(counts_of)(F.col(CLS), F.col(BLOCK), F.col(ROW))
    return rows.withColumn(ROW, rank).withColumn(COPIES, copies).filter(F.col(COPIES) > 0)


def row_hash(dataset: DataFrame, seed: int) -> Column:
    """The seeded hash of a row's content (every column a hash can take): identical rows
    share it, whatever the partitioning."""
    types = {f.name: f.dataType for f in dataset.schema.fields}
    return F.xxhash64(F.lit(seed), *hashable_columns(types))


def hashed(dataset: DataFrame, label_col: str, draws: Sequence[ClassDraw], seed: int) -> DataFrame:
    """The rows of the classes of ``draws``, with ``CLS`` and ``ORDER`` (:func:`row_hash`)."""
    return (
        dataset.withColumn(CLS, class_index(label_col, draws))
        .filter(F.col(CLS).isNotNull())
        .withColumn(ORDER, row_hash(dataset, seed))
    )


def window_counts(
    rows: DataFrame,
    todo: Sequence[ClassDraw],
    windows: dict[int, tuple[int, int]],
    bounds: tuple[Column, Column] | None = None,
) -> dict[int, tuple[int, np.ndarray, np.ndarray]]:
    """Per class of ``todo``: its rows (``CLS``) ordered (``ORDER``) below its window, and the
    distinct ``ORDER`` values in it with their rows (identical rows share a hash: what reaches
    the driver stays small). ``bounds``: a row's window ``(lo, hi)`` as columns, when a
    ``CASE`` over many classes would cost more (default: that ``CASE``)."""
    if bounds is None:
        lo = per_class(todo, lambda d: F.lit(windows[d.index][0]).cast("long"))
        hi = per_class(todo, lambda d: F.lit(windows[d.index][1]).cast("long"))
    else:
        lo, hi = bounds
    order = F.col(ORDER)
    got = (
        rows.filter(F.col(CLS).isin([d.index for d in todo]) & (order <= hi))
        .groupBy(CLS, F.when(order >= lo, order).alias(ROW))  # null: below the window
        .count()
        .collect()
    )
    below = dict.fromkeys((d.index for d in todo), 0)
    near: dict[int, tuple[list[int], list[int]]] = {d.index: ([], []) for d in todo}
    for cls, value, count in got:  # one look at each (a batch of members: 50,000 of them)
        if value is None:
            below[cls] += count
        else:
            near[cls][0].append(value)
            near[cls][1].append(count)
    return {
        i: (below[i], np.array(v, dtype=np.int64), np.array(c, dtype=np.int64))
        for i, (v, c) in near.items()
    }


#: ``windows(todo, round_) -> {class index: (lo, hi)}``: where to look for each class's cut
Windows = Callable[[Sequence[ClassDraw], int], dict[int, tuple[int, int]]]


def hash_windows(todo: Sequence[ClassDraw], round_: int) -> dict[int, tuple[int, int]]:
    """The windows of uniform row hashes (:func:`~spark_smote.kernels.draws.hash_window`)."""
    return {d.index: hash_window(d.n_rows, d.n_draws, round_) for d in todo}


#: ``count(todo, windows) -> window_counts(...)``: a pass counting rows below and in windows
Count = Callable[
    [Sequence[ClassDraw], dict[int, tuple[int, int]]], dict[int, tuple[int, np.ndarray, np.ndarray]]
]


def cuts(
    rows: DataFrame,
    draws: Sequence[ClassDraw],
    windows: Windows = hash_windows,
    count: Count | None = None,
) -> dict[int, Cut]:
    """Each class's :class:`~spark_smote.kernels.draws.Cut`: where its ``n_draws`` smallest
    ``ORDER`` values end. One pass counts its rows below a window around the expected cut
    (for row hashes: 8 standard deviations of that count wide) and the rows of each value in
    it (a few thousand); the driver settles the cut. A class whose cut falls outside (for row
    hashes a chance below 1e-14) is looked for again in a wider window. ``count``: that pass
    (default: :func:`window_counts` of ``rows``)."""
    found_cuts: dict[int, Cut] = {}
    todo, round_ = list(draws), 0
    while todo:
        bounds = windows(todo, round_)
        found = window_counts(rows, todo, bounds) if count is None else count(todo, bounds)
        missed = []
        for d in todo:
            cut = hash_cut(d.n_draws, bounds[d.index][0], *found[d.index])
            if cut is None:
                missed.append(d)
            else:
                found_cuts[d.index] = cut
        todo, round_ = missed, round_ + 1
    return found_cuts


def smallest_rows(
    dataset: DataFrame, label_col: str, draws: Sequence[ClassDraw], seed: int
) -> DataFrame:
    """``dataset`` with each class of ``draws`` cut to exactly ``n_draws`` rows, without
    replacement: those with the smallest seeded row hashes. The rows are untouched.

    Costs one pass to find where each class's draws end (:func:`cuts`); then one filter of
    the input keeps them and every row of the other classes: no sort and no shuffle of rows.
    Identical rows share a hash: when a cut falls among them, a window over just those rows
    keeps the number needed (which of them cannot change the output).
    """
    found = cuts(hashed(dataset, label_col, draws, seed), draws)
    order = row_hash(dataset, seed)
    cls = class_index(label_col, draws)  # null for the other classes

    def by_class(value: Callable[[ClassDraw], Column], others: Column) -> Column:
        return F.coalesce(per_class(draws, value, key=cls), others)

    def below_cut(d: ClassDraw) -> Column:
        cut = found[d.index]
        value = F.lit(cut.value).cast("long")
        return (order <= value) if cut.inclusive else (order < value)

    kept = dataset.filter(by_class(below_cut, F.lit(True)))  # one pass, rows untouched
    tied = [d for d in draws if found[d.index].ties]
    if not tied:
        return kept
    at_cut = by_class(lambda d: order == F.lit(found[d.index].value).cast("long"), F.lit(False))
    quota = by_class(lambda d: F.lit(found[d.index].ties), F.lit(0))
    rank = F.row_number().over(Window.partitionBy(cls).orderBy(order))
    ties = dataset.filter(at_cut).withColumn(ROW, rank).filter(F.col(ROW) <= quota).drop(ROW)
    return kept.unionByName(ties)


def normal(*parts: Column) -> Column:
    """A standard normal number from a hash of ``parts`` (Box-Muller): the same on every run."""
    scale = float(1 << 53)
    bits1 = F.xxhash64(*parts, F.lit(1)).bitwiseAND(F.lit((1 << 53) - 1))
    bits2 = F.xxhash64(*parts, F.lit(2)).bitwiseAND(F.lit((1 << 53) - 1))
    u1 = (bits1.cast("double") + 0.5) / scale
    u2 = bits2.cast("double") / scale
    return F.sqrt(F.log(u1) * -2.0) * F.cos(u2 * (2.0 * np.pi))


def drawn(
    dataset: DataFrame,
    label_col: str,
    counts: dict[Any, int],
    wanted: dict[Any, int],
    seed: int,
    replacement: bool,
) -> DataFrame:
    """``dataset`` with each class of ``wanted`` drawn to exactly its count (without
    replacement: :func:`smallest_rows`, a count not above the class's; with replacement:
    :func:`drawn_rows`, each drawn row repeated as often as drawn); the other classes' rows
    untouched. The input's columns."""
    if not wanted:
        return dataset
    draws = class_draws(counts, wanted)
    if not replacement:
        return smallest_rows(dataset, label_col, draws, seed)
    rows = drawn_rows(dataset, label_col, draws, seed)
    rows = rows.withColumn(COPY, F.explode(F.sequence(F.lit(1), F.col(COPIES))))
    chosen = rows.select(*[F.col(quote(c)) for c in dataset.columns])
    label = F.col(quote(label_col))
    untouched = dataset.filter(~label.isin([F.lit(d.label) for d in draws]))
    return untouched.unionByName(chosen)
