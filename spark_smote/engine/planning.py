"""Fitting and bounding the cells of each class (the Spark side of the cell engine).

1. :func:`sample`: per class, a bounded seeded sample (rows chosen by a hash of their row key,
   identical rows collapsed into one weighted row) reaches the driver, which fits a
   :class:`~spark_smote.kernels.hashing.CellHash`.
2. One counting pass gives each cell's home rows and its guests by rank; the driver bounds every
   cell by ``maxBucketSize`` (:func:`~spark_smote.kernels.cells.bound_cells`): it keeps a cell's
   nearest guest ranks while they fit, and cuts a cell whose home rows alone are too many into
   parts of equal size. Cells too small for ``k`` neighbours are removed and the rows counted
   again (their rows move to their next cells). A class of at most
   :data:`~spark_smote.kernels.cells.HELD_VALUES` values reached the driver whole in the
   sampling pass (the sample it is fitted on marked among them), so the driver counts its
   cells: the same counts, no pass.

A class with at most ``maxBucketSize`` rows is one cell (exact neighbours) and costs no pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StructField, StructType

from spark_smote.engine.columns import (
    CELL,
    CLS,
    HASH_STREAM,
    HASHED,
    KEY,
    RANK,
    X,
    feature_names,
    opaque_udf,
    per_class,
    uniform,
)
from spark_smote.engine.keeping import Keeper
from spark_smote.engine.rows import collected, stack_features
from spark_smote.kernels.cells import (
    MAX_PLAN_ROUNDS,
    SAMPLE_MAX,
    SAMPLE_MIN,
    SAMPLE_PER_CELL,
    SPLIT_ROUNDS,
    ClassCells,
    ClassTask,
    bound_cells,
    count_cells,
    held_whole,
    n_cells_for,
    plan_single,
)
from spark_smote.kernels.hashing import CellHash, fit_cell_hash, split_cells, without_cells


@dataclass(frozen=True)
class ClassSample:
    """What the sampling pass brought of one class: rows (identical rows collapsed into one)
    with their ``weights``; ``picked`` marks the seeded sample the hash is fitted on, and
    ``whole`` says the rows are all of the class (:func:`~spark_smote.kernels.cells.held_whole`),
    so that the driver counts its cells without a pass."""

    rows: np.ndarray
    weights: np.ndarray
    picked: np.ndarray
    whole: bool

    def sampled(self) -> tuple[np.ndarray, np.ndarray]:
        """The seeded sample's rows and weights."""
        return self.rows[self.picked], self.weights[self.picked]


def sample(
    rows: DataFrame, tasks: Sequence[ClassTask], dim: int, seed: int, copies: int, max_size: int
) -> dict[int, ClassSample]:
    """Bounded seeded samples of the classes ``tasks``, in one pass.

    About ``n_cells * SAMPLE_PER_CELL`` (within ``SAMPLE_MIN .. SAMPLE_MAX``) row keys per class
    are picked by hash; identical rows share a key and arrive as one row with a weight. A class
    :func:`~spark_smote.kernels.cells.held_whole` arrives whole, its picked rows marked.
    """

    def rate(t: ClassTask) -> float:
        want = n_cells_for(t.n_rows, copies, max_size) * SAMPLE_PER_CELL
        return min(1.0, min(SAMPLE_MAX, max(SAMPLE_MIN, want)) / t.n_rows)

    names = feature_names(dim)
    x = F.array(*[F.col(n) for n in names]) if names != [X] else F.col(X)
    whole = {t.index for t in tasks if held_whole(t, dim)}
    picked = rows.filter(F.col(CLS).isin([t.index for t in tasks])).filter(
        uniform(seed) < per_class(tasks, lambda t: 1.0 if t.index in whole else rate(t))
    )
    got = collected(
        picked.groupBy(CLS, KEY).agg(
            F.min(x).alias(X), F.count(F.lit(1)).alias("w"), F.min(uniform(seed)).alias("u")
        )
    )
    if not got.num_rows:  # cannot happen for a class above maxBucketSize (rate >= 2% of keys)
        return {}
    cls, keys = got.column(CLS).to_numpy(), got.column(KEY).to_numpy()
    values = got.column(X).combine_chunks().flatten().to_numpy(zero_copy_only=False)
    values = values.astype(np.float64).reshape(got.num_rows, dim)
    weights = got.column("w").to_numpy().astype(np.float64)
    picks = got.column("u").to_numpy()
    out: dict[int, ClassSample] = {}
    for t in tasks:
        mine = np.flatnonzero(cls == t.index)
        if not len(mine):
            continue
        mine = mine[np.argsort(keys[mine], kind="stable")]  # a stable order: by row key
        out[t.index] = ClassSample(
            values[mine], weights[mine], picks[mine] < rate(t), t.index in whole
        )
    return out


def _cells_by_class(
    hashes: dict[int, CellHash], names: list[str], dim: int, cls: pd.Series, features: tuple
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """For each class of a pandas batch: its index, its rows' positions in the batch and their
    cells (:meth:`~spark_smote.kernels.hashing.CellHash.assign`)."""
    pdf = pd.concat(features, axis=1)
    pdf.columns = names
    x = stack_features(pdf, names, dim)
    c = cls.to_numpy()
    for idx in np.unique(c):
        rows = np.flatnonzero(c == idx)
        yield int(idx), rows, hashes[int(idx)].assign(x[rows])


def _hash_udf(
    hashes: dict[int, CellHash], keep: dict[int, np.ndarray] | None, copies: int, dim: int
) -> Any:
    """A pandas UDF: ``(CLS, features...) -> struct<c0..c{copies-1}>`` cell ids, ``-1`` where a
    row is not stored. With ``keep``, a guest rank ``r`` is stored only if ``r <= keep[cell]``."""
    schema = StructType([StructField(f"c{r}", IntegerType()) for r in range(copies)])
    names = feature_names(dim)

    def assign(cls: pd.Series, *features: pd.Series) -> pd.DataFrame:
        out = np.full((len(cls), copies), -1, dtype=np.int32)
        for idx, rows, got in _cells_by_class(hashes, names, dim, cls, features):
            if keep is not None:
                limit = keep[idx]
                ranks = np.arange(got.shape[1])[None, :]
                got = np.where((got >= 0) & (ranks <= limit[np.maximum(got, 0)]), got, -1)
            out[rows, : got.shape[1]] = got
        return pd.DataFrame({f"c{r}": out[:, r] for r in range(copies)})

    return opaque_udf(assign, schema)


def home_cell(hashes: dict[int, CellHash], dim: int) -> Column:
    """Each row's home cell of its ``CLS`` (``CELL`` of :func:`stored_copies`' ``RANK`` 0), as
    one int column from a pandas UDF: no copies to return and explode."""
    names = feature_names(dim)

    def assign(cls: pd.Series, *features: pd.Series) -> pd.Series:
        out = np.empty(len(cls), dtype=np.int32)
        for _, rows, got in _cells_by_class(hashes, names, dim, cls, features):
            out[rows] = got[:, 0]
        return pd.Series(out)

    return opaque_udf(assign, IntegerType())(F.col(CLS), *[F.col(n) for n in names])


def stored_copies(
    rows: DataFrame,
    hashes: dict[int, CellHash],
    keep: dict[int, np.ndarray] | None,
    copies: int,
    dim: int,
) -> DataFrame:
    """``rows`` with ``RANK, CELL``: one row per stored copy."""
    udf = _hash_udf(hashes, keep, copies, dim)
    hashed = rows.withColumn(HASHED, udf(F.col(CLS), *[F.col(n) for n in feature_names(dim)]))
    cells = F.array(*[F.col(f"{HASHED}.c{r}") for r in range(copies)])
    return (
        hashed.select("*", F.posexplode(cells).alias(RANK, CELL))
        .drop(HASHED)
        .filter(F.col(CELL) >= 0)
    )


def _count(
    rows: DataFrame, hashes: dict[int, CellHash], copies: int, dim: int
) -> dict[int, np.ndarray]:
    """Rows per (class, cell, rank): ``{index: (cells, copies) counts}``."""
    got = (
        stored_copies(rows.select(CLS, *feature_names(dim)), hashes, None, copies, dim)
        .groupBy(CLS, CELL, RANK)
        .count()
        .collect()
    )
    counts = {i: np.zeros((h.n_cells, copies), dtype=np.int64) for i, h in hashes.items()}
    for r in got:
        counts[r[CLS]][r[CELL], r[RANK]] = r["count"]
    return counts


def _counts(
    rows: DataFrame,
    hashes: dict[int, CellHash],
    samples: dict[int, ClassSample],
    copies: int,
    dim: int,
) -> dict[int, np.ndarray]:
    """:func:`_count`, on the driver for the classes ``samples`` hold whole, by a pass over
    ``rows`` for the others (if any)."""
    held = {i: s for i, s in samples.items() if s.whole and i in hashes}
    counts = {i: count_cells(hashes[i], s.rows, s.weights) for i, s in held.items()}
    rest = {i: h for i, h in hashes.items() if i not in held}
    if rest:
        counts.update(_count(rows.filter(F.col(CLS).isin(sorted(rest))), rest, copies, dim))
    return counts


def planning_reads(tasks: Sequence[ClassTask], max_size: int) -> list[ClassTask]:
    """The classes of ``tasks`` whose rows :func:`plan_cells` reads: those of more than
    ``max_size`` rows (the others are one cell each, planned from their counts alone)."""
    return [t for t in tasks if t.n_rows > max_size]


def kept_for_planning(
    rows: DataFrame, tasks: Sequence[ClassTask], max_size: int, keeper: Keeper
) -> DataFrame:
    """``rows`` (from :func:`class_rows`) as :func:`plan_cells` and the output should read
    them: kept by ``keeper`` where planning reads them (:func:`planning_reads`), stored by
    :func:`plan_cells`' sampling pass, the first to read them (no pass of their own; the
    counting pass and the output then read the kept rows, not the input); as they are where
    every class is one cell."""
    if planning_reads(tasks, max_size):
        return keeper.keep(rows, now=False)
    return rows


def plan_cells(
    rows: DataFrame,
    tasks: Sequence[ClassTask],
    dim: int,
    seed: int,
    max_size: int,
    copies: int,
    k: int,
    fitted: dict[int, CellHash] | None = None,
    counted: dict[int, np.ndarray] | None = None,
) -> list[ClassCells]:
    """Fit and bound the cells of every class of ``tasks`` (rows from :func:`class_rows`).

    Costs one sampling pass and one counting pass over the rows of the classes larger than
    ``max_size`` (:func:`planning_reads`; keep ``rows`` for them: :func:`kept_for_planning`
    or :func:`~spark_smote.engine.keeping.held`),
    nothing for the others; no counting pass when all of them are held whole (:func:`sample`).
    A recount follows when a cell is too small for ``k`` neighbours
    (it is removed) or has more home rows than ``max_size`` (it gets a second level of
    k-means, fitted on its sample rows; identical rows cannot be split so, and are cut into
    parts by :func:`cell_groups`).

    With ``fitted`` (``{index: cell hash}`` planned before on a superset of these rows: a
    repeated pass on the rows a pass left), those cells are bounded again: no sampling pass,
    no fit, one counting pass; no cell is split (none gains home rows). With ``counted`` too
    (the counts that pass would give, known from the rows removed), no counting pass unless a
    cell is removed as too small.
    """
    big = planning_reads(tasks, max_size)
    if not big:
        return [plan_single(t, dim) for t in tasks]
    read = {t.index for t in big}
    small = {t.index: plan_single(t, dim) for t in tasks if t.index not in read}
    rows = rows.filter(F.col(CLS).isin(sorted(read)))  # the small ones: no hash
    if fitted is not None:
        hashes, samples = {t.index: fitted[t.index] for t in big}, {}
    else:
        hashes, samples = _fit(rows, big, dim, seed, max_size, copies)
    planned = _settle(rows, big, hashes, samples, dim, seed, max_size, copies, k, counted)
    return [small.get(t.index) or planned[t.index] for t in tasks]


def _fit(
    rows: DataFrame, big: list[ClassTask], dim: int, seed: int, max_size: int, copies: int
) -> tuple[dict[int, CellHash], dict[int, ClassSample]]:
    """The cell hashes of the classes ``big`` fitted on a seeded sample of their rows (one
    sampling pass), and that sample (for splitting crowded cells)."""
    samples = sample(rows, big, dim, seed, copies, max_size)
    hashes = {}
    for t in big:
        got = samples.get(t.index)
        x, w = got.sampled() if got else (np.zeros((1, dim)), np.ones(1))
        n_cells = n_cells_for(t.n_rows, copies, max_size)
        hashes[t.index] = fit_cell_hash(x, w, n_cells, copies, (seed, HASH_STREAM, t.index))
    return hashes, samples


def _settle(
    rows: DataFrame,
    big: list[ClassTask],
    hashes: dict[int, CellHash],
    samples: dict[int, ClassSample],
    dim: int,
    seed: int,
    max_size: int,
    copies: int,
    k: int,
    counted: dict[int, np.ndarray] | None = None,
) -> dict[int, ClassCells]:
    """Count and bound the cells ``hashes`` of the classes ``big`` until they settle: a cell
    with more home rows than ``max_size`` is split (fitted on the class's rows in
    ``samples``, if there), a cell too small for ``k`` neighbours removed, then a recount.
    The classes ``samples`` hold whole are counted on the driver; the others by a pass
    (the first round's counts are ``counted``, when given)."""
    hashes = dict(hashes)
    splits = dict.fromkeys(hashes, 0)
    for _ in range(MAX_PLAN_ROUNDS):
        if counted is not None:
            counts, counted = counted, None
        else:
            counts = _counts(rows, hashes, samples, copies, dim)
        planned, changed = {}, False
        for t in big:
            h = hashes[t.index]
            cells, tiny = bound_cells(t, h, counts[t.index], max_size, k)
            planned[t.index] = cells
            crowded = np.flatnonzero(cells.home > max_size)
            if len(crowded) and splits[t.index] < SPLIT_ROUNDS and t.index in samples:
                splits[t.index] += 1
                parts = np.array(
                    [n_cells_for(int(cells.home[c]), copies, max_size) for c in crowded]
                )
                seed_ = (seed, HASH_STREAM, t.index, splits[t.index])
                x, w = samples[t.index].sampled()
                hashes[t.index] = split_cells(h, crowded, parts, x, w, seed_)
            if hashes[t.index] is h and len(tiny):  # remove them; their rows go to next cells
                hashes[t.index] = without_cells(h, tiny)
            changed = changed or hashes[t.index] is not h
        if not changed:
            break
    else:  # pragma: no cover - each round removes or splits cells; this bound is a backstop
        raise RuntimeError("the cells of the classes did not settle; please report this")
    return planned
