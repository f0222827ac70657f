"""The neighbour engine: rows of each class grouped into bounded cells of a learned hash.

Used by every sampler and by :mod:`spark_smote.diagnostics`; nothing here is sampler-specific.

1. :func:`class_rows`: the rows of the classes to work on, as ``CLS, KEY`` and float64 feature
   columns (flat columns up to :data:`FLAT_MAX_DIM` features: Arrow moves them fastest).
2. :func:`plan_cells`: per class, a bounded seeded sample (rows chosen by a hash of their row key,
   identical rows collapsed into one weighted row) reaches the driver, which fits a
   :class:`~spark_smote.hashing.CellHash`. One counting pass gives each cell's home rows and its
   guests by rank; the driver then bounds every cell by ``maxBucketSize``: it keeps a cell's
   nearest guest ranks while they fit, and cuts a cell whose home rows alone are too many into
   parts of equal size. Cells too small for ``k`` neighbours are removed and the rows counted
   again (their rows move to their next cells).
3. :func:`cell_groups`: every row hashed in one vectorised pass, stored in its home cell and its
   kept guest cells, and grouped by ``(CLS, CELL, PART)`` for one ``applyInPandas``.

A class with at most ``maxBucketSize`` rows is one cell: exact neighbours.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame, GroupedData, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DataType,
    DoubleType,
    IntegerType,
    LongType,
    StructField,
    StructType,
)

from spark_smote.hashing import (
    CellHash,
    fit_cell_hash,
    single_cell,
    split_cells,
    without_cells,
)
from spark_smote.validation import FeatureSpec, quote

# internal column names (prefixed so they never clash with a user's)
CLS = "__smote_class"
KEY = "__smote_key"
CELL = "__smote_cell"
PART = "__smote_part"
RANK = "__smote_rank"  # 0: the row's home cell; r > 0: its r-th guest cell
OTHER_RANK = -1  # RANK of a row of another class, stored as data in a class's cell
X = "__smote_x"  # features as one array column, when there are too many for flat columns
_HASHED = "__smote_cells"

#: Up to this many features, they travel as flat double columns; above, as one array column.
FLAT_MAX_DIM = 256
#: Average rows (home + guests) of a cell, as a share of ``maxBucketSize``.
CELL_FILL = 0.6
#: Sample rows per cell for fitting the hash, and the bounds of a class's sample.
SAMPLE_PER_CELL = 300
SAMPLE_MIN, SAMPLE_MAX = 20_000, 200_000

#: Counting passes at most: a cell too crowded (more home rows than ``maxBucketSize``) gets a
#: second level of k-means and a recount, up to ``SPLIT_ROUNDS`` times; cells too small for
#: ``k`` are removed and the rows recounted.
SPLIT_ROUNDS = 2
MAX_PLAN_ROUNDS = 12

# RNG streams: one tag per use, so that sampling, fitting and generation never share draws
GENERATION_STREAM = 0
HASH_STREAM = 2


@dataclass(frozen=True)
class ClassTask:
    """A class to work on: its position among all labels (part of every seed), its rows and
    the synthetic rows it needs."""

    index: int
    label: Any
    n_rows: int
    n_new: int


@dataclass(frozen=True)
class Group:
    """One ``applyInPandas`` group: a cell, or a part of a cell cut for its size."""

    cell: int
    part: int
    home: int  # rows whose home is this group (queries, base rows)
    rows: int  # home rows + guest rows
    quota: int  # synthetic rows to generate


@dataclass(frozen=True)
class ClassCells:
    """The cells of one class and how each is bounded.

    ``home[c]``: rows whose home is cell ``c``; ``guests[c, r - 1]``: rows with cell ``c`` as
    their ``r``-th guest cell; ``keep[c]``: guest ranks stored in ``c`` (``-1``: the cell has
    no home rows, so nothing is stored); ``parts[c]``: groups the home rows of ``c`` are cut
    into (more than one only when they alone exceed ``maxBucketSize``; then no guests).
    """

    task: ClassTask
    hash: CellHash
    home: np.ndarray
    guests: np.ndarray
    keep: np.ndarray
    parts: np.ndarray

    @property
    def index(self) -> int:
        return self.task.index

    @property
    def label(self) -> Any:
        return self.task.label

    @property
    def n_rows(self) -> int:
        return self.task.n_rows

    @property
    def n_new(self) -> int:
        return self.task.n_new

    def groups(self) -> list[Group]:
        """Every group of the class, with quotas proportional to home rows that sum to
        ``n_new`` exactly."""
        out, done = [], 0
        n, n_new = self.n_rows, self.n_new
        for c in np.flatnonzero(self.home > 0):
            h, s = int(self.home[c]), int(self.parts[c])
            guests = int(self.guests[c, : max(0, int(self.keep[c]))].sum())
            for p in range(s):
                size = -(-(p + 1) * h // s) - -(-p * h // s)
                quota = n_new * (done + size) // n - n_new * done // n
                out.append(Group(int(c), p, size, size + guests, quota))
                done += size
        return out


def plan_single(task: ClassTask, dim: int) -> ClassCells:
    """A class of at most ``maxBucketSize`` rows: one cell, exact neighbours."""
    return ClassCells(
        task,
        single_cell(dim),
        np.array([task.n_rows]),
        np.zeros((1, 0), dtype=np.int64),
        np.zeros(1, dtype=np.int64),
        np.ones(1, dtype=np.int64),
    )


def bound_cells(
    task: ClassTask, hash_: CellHash, counts: np.ndarray, max_size: int, k: int
) -> tuple[ClassCells, np.ndarray]:
    """Bound each cell from its counts ``(cells, copies)`` (column ``r``: rows with the cell
    as their rank-``r`` cell). Returns the bounded cells and the cells too small for ``k``
    neighbours (to remove)."""
    home, guests = counts[:, 0], counts[:, 1:]
    fill = home[:, None] + np.cumsum(guests, axis=1)  # rows stored with guest ranks 1..r
    keep = (fill <= max_size).sum(axis=1)  # fill grows with r: ranks that fit
    keep = np.where(home > max_size, 0, keep)
    keep = np.where(home == 0, -1, keep)
    parts = np.where(home > max_size, -(-home // max_size), 1)
    stored = home + np.array([guests[c, : max(0, keep[c])].sum() for c in range(len(home))])
    tiny = np.flatnonzero((home > 0) & (stored <= k))
    return ClassCells(task, hash_, home, guests, keep, parts), tiny


# ------------------------------------------------------------------------------ Spark side


def feature_names(dim: int) -> list[str]:
    """Names of the feature columns the engine carries: flat when narrow, else one array."""
    return [f"{X}{i}" for i in range(dim)] if dim <= FLAT_MAX_DIM else [X]


def feature_columns(spec: FeatureSpec, dim: int) -> list[Column]:
    """The features as float64 columns named by :func:`feature_names`."""
    arr = spec.as_array()
    names = feature_names(dim)
    if names == [X]:
        return [arr.alias(X)]
    if spec.vector:
        return [arr[i].alias(n) for i, n in enumerate(names)]
    pairs = zip(spec.columns, names, strict=True)
    return [F.col(quote(c)).cast("double").alias(n) for c, n in pairs]


def stack_features(pdf: pd.DataFrame, names: Sequence[str], dim: int) -> np.ndarray:
    """The feature columns ``names`` (from :func:`feature_names`, called on the driver) of a
    pandas batch as one ``(rows, dim)`` float64 array."""
    if list(names) == [X]:
        values = list(pdf[X])
        return np.array(values, dtype=np.float64).reshape(len(values), dim)
    return pdf[list(names)].to_numpy(np.float64).reshape(len(pdf), dim)


def other_names(others: Sequence[str]) -> list[str]:
    """Internal names of the user's other columns carried through the engine."""
    return [f"__smote_o{i}" for i in range(len(others))]


_TYPES: dict[str, DataType] = {
    "int": IntegerType(),
    "long": LongType(),
    "double": DoubleType(),
    "array<double>": ArrayType(DoubleType()),
}


def field(name: str, type_string: str) -> StructField:
    """A schema field named by a type string, e.g. ``field(CLS, "int")``."""
    return StructField(name, _TYPES[type_string])


def per_class(tasks: Sequence[Any], value: Callable[[Any], Any]) -> Column:
    """``CASE CLS WHEN i THEN value(task_i) END`` (``tasks`` have an ``index``)."""
    expr = None
    for t in tasks:
        v = value(t)
        v = v if isinstance(v, Column) else F.lit(v)
        cond = F.col(CLS) == t.index
        expr = F.when(cond, v) if expr is None else expr.when(cond, v)
    assert expr is not None
    return expr


class LabelledClass(Protocol):
    """A class the engine works on: its position among all labels and its label."""

    index: int
    label: Any


def class_index(label_col: str, classes: Sequence[LabelledClass]) -> Column:
    """``CASE label WHEN label_i THEN index_i END``: null for rows of other classes."""
    label = F.col(quote(label_col))
    expr = None
    for c in classes:
        cond = label == F.lit(c.label)
        expr = F.when(cond, c.index) if expr is None else expr.when(cond, c.index)
    assert expr is not None
    return expr


def hashable_columns(types: Mapping[str, DataType]) -> list[str]:
    """The (quoted) columns a row hash can take: all but maps."""
    return [quote(c) for c, t in types.items() if "map<" not in t.simpleString()]


def class_rows(
    dataset: DataFrame,
    spec: FeatureSpec,
    tasks: Sequence[LabelledClass],
    dim: int,
    others: Sequence[str] = (),
) -> DataFrame:
    """Rows of the classes of ``tasks`` as ``CLS, KEY``, the features and ``others`` (renamed
    by :func:`other_names`: pyspark resolves a dotted name in ``applyInPandas`` as a path).

    ``KEY`` is a hash of the whole row: identical rows share it, and with the features it gives
    a stable order to every group whatever the partitioning.
    """
    expr = class_index(spec.label, tasks)
    # KEY comes last: Spark's constraint propagation rewrites earlier constraints with every
    # later alias, and a hash of n aliased columns before them would grow 2^n constraints.
    return dataset.filter(expr.isNotNull()).select(
        expr.alias(CLS),
        *feature_columns(spec, dim),
        *[F.col(quote(c)).alias(n) for c, n in zip(others, other_names(others), strict=True)],
        F.xxhash64(*hashable_columns(spec.types)).alias(KEY),
    )


def feature_stds(rows: DataFrame, dim: int) -> dict[int, list[float]]:
    """Population standard deviation of each feature, per class index (one aggregation)."""
    names = feature_names(dim)
    cols = [F.col(n) for n in names] if names != [X] else [F.col(X)[i] for i in range(dim)]
    stds = [F.stddev_pop(c).alias(f"s{i}") for i, c in enumerate(cols)]
    found = rows.groupBy(CLS).agg(*stds).collect()
    return {r[CLS]: [float(r[f"s{i}"]) for i in range(dim)] for r in found}


def _uniform(seed: int) -> Column:
    """A number in [0, 1) from the row key and the seed: the same for a row on every run."""
    bits = F.xxhash64(F.col(KEY), F.lit(seed)).bitwiseAND(F.lit((1 << 53) - 1))
    return bits.cast("double") / float(1 << 53)


def n_cells_for(n_rows: int, copies: int, max_size: int) -> int:
    """Cells of a class: on average ``CELL_FILL * max_size`` rows with the guests."""
    return max(copies, math.ceil(n_rows * copies / (CELL_FILL * max_size)))


def _sample(
    rows: DataFrame, tasks: Sequence[ClassTask], dim: int, seed: int, copies: int, max_size: int
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Bounded seeded samples of the classes ``tasks``: ``{index: (rows, weights)}``.

    About ``n_cells * SAMPLE_PER_CELL`` (within ``SAMPLE_MIN .. SAMPLE_MAX``) row keys per class
    are chosen by hash; identical rows share a key and arrive as one row with a weight.
    """

    def rate(t: ClassTask) -> float:
        want = n_cells_for(t.n_rows, copies, max_size) * SAMPLE_PER_CELL
        return min(1.0, min(SAMPLE_MAX, max(SAMPLE_MIN, want)) / t.n_rows)

    names = feature_names(dim)
    x = F.array(*[F.col(n) for n in names]) if names != [X] else F.col(X)
    picked = rows.filter(F.col(CLS).isin([t.index for t in tasks])).filter(
        _uniform(seed) < per_class(tasks, rate)
    )
    got = picked.groupBy(CLS, KEY).agg(F.min(x).alias(X), F.count(F.lit(1)).alias("w")).collect()
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for t in tasks:
        mine = sorted((r[KEY], r[X], r["w"]) for r in got if r[CLS] == t.index)
        if not mine:  # cannot happen for a class above maxBucketSize (rate >= 2% of its keys)
            continue
        out[t.index] = (
            np.array([m[1] for m in mine], dtype=np.float64).reshape(len(mine), dim),
            np.array([m[2] for m in mine], dtype=np.float64),
        )
    return out


def _hash_udf(
    hashes: dict[int, CellHash], keep: dict[int, np.ndarray] | None, copies: int, dim: int
) -> Any:
    """A pandas UDF: ``(CLS, features...) -> struct<c0..c{copies-1}>`` cell ids, ``-1`` where a
    row is not stored. With ``keep``, a guest rank ``r`` is stored only if ``r <= keep[cell]``."""
    schema = StructType([StructField(f"c{r}", IntegerType()) for r in range(copies)])
    names = feature_names(dim)

    def assign(cls: pd.Series, *features: pd.Series) -> pd.DataFrame:
        pdf = pd.concat(features, axis=1)
        pdf.columns = names
        x = stack_features(pdf, names, dim)
        c = cls.to_numpy()
        out = np.full((len(x), copies), -1, dtype=np.int32)
        for idx in np.unique(c):
            rows = np.flatnonzero(c == idx)
            got = hashes[int(idx)].assign(x[rows])
            if keep is not None:
                limit = keep[int(idx)]
                ranks = np.arange(got.shape[1])[None, :]
                got = np.where((got >= 0) & (ranks <= limit[np.maximum(got, 0)]), got, -1)
            out[rows, : got.shape[1]] = got
        return pd.DataFrame({f"c{r}": out[:, r] for r in range(copies)})

    return F.pandas_udf(assign, schema)  # type: ignore[call-overload]


def _hashed(
    rows: DataFrame,
    hashes: dict[int, CellHash],
    keep: dict[int, np.ndarray] | None,
    copies: int,
    dim: int,
) -> DataFrame:
    """``rows`` with ``RANK, CELL``: one row per stored copy."""
    udf = _hash_udf(hashes, keep, copies, dim)
    hashed = rows.withColumn(_HASHED, udf(F.col(CLS), *[F.col(n) for n in feature_names(dim)]))
    cells = F.array(*[F.col(f"{_HASHED}.c{r}") for r in range(copies)])
    return (
        hashed.select("*", F.posexplode(cells).alias(RANK, CELL))
        .drop(_HASHED)
        .filter(F.col(CELL) >= 0)
    )


def _count(
    rows: DataFrame, hashes: dict[int, CellHash], copies: int, dim: int
) -> dict[int, np.ndarray]:
    """Rows per (class, cell, rank): ``{index: (cells, copies) counts}``."""
    got = (
        _hashed(rows.select(CLS, *feature_names(dim)), hashes, None, copies, dim)
        .groupBy(CLS, CELL, RANK)
        .count()
        .collect()
    )
    counts = {i: np.zeros((h.n_cells, copies), dtype=np.int64) for i, h in hashes.items()}
    for r in got:
        counts[r[CLS]][r[CELL], r[RANK]] = r["count"]
    return counts


def plan_cells(
    rows: DataFrame,
    tasks: Sequence[ClassTask],
    dim: int,
    seed: int,
    max_size: int,
    copies: int,
    k: int,
) -> list[ClassCells]:
    """Fit and bound the cells of every class of ``tasks`` (rows from :func:`class_rows`).

    Costs one sampling pass and one counting pass over the rows of the classes larger than
    ``max_size``, nothing for the others. A recount follows when a cell is too small for ``k``
    neighbours (it is removed) or has more home rows than ``max_size`` (it gets a second level
    of k-means, fitted on its sample rows; identical rows cannot be split so, and are cut into
    parts by :func:`cell_groups`).
    """
    small = {t.index: plan_single(t, dim) for t in tasks if t.n_rows <= max_size}
    big = [t for t in tasks if t.n_rows > max_size]
    if not big:
        return [small[t.index] for t in tasks]
    samples = _sample(rows, big, dim, seed, copies, max_size)
    hashes = {}
    for t in big:
        x, w = samples.get(t.index, (np.zeros((1, dim)), np.ones(1)))
        n_cells = n_cells_for(t.n_rows, copies, max_size)
        hashes[t.index] = fit_cell_hash(x, w, n_cells, copies, (seed, HASH_STREAM, t.index))
    splits = dict.fromkeys(hashes, 0)
    for _ in range(MAX_PLAN_ROUNDS):
        counts = _count(rows, hashes, copies, dim)
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
                hashes[t.index] = split_cells(h, crowded, parts, *samples[t.index], seed_)
            if hashes[t.index] is h and len(tiny):  # remove them; their rows go to next cells
                hashes[t.index] = without_cells(h, tiny)
            changed = changed or hashes[t.index] is not h
        if not changed:
            break
    else:  # pragma: no cover - each round removes or splits cells; this bound is a backstop
        raise RuntimeError("the cells of the classes did not settle; please report this")
    return [small.get(t.index) or planned[t.index] for t in tasks]


def other_rows(
    dataset: DataFrame, spec: FeatureSpec, tasks: Sequence[ClassTask], dim: int
) -> DataFrame:
    """Every row once for each class of ``tasks`` it is not of (``CLS`` = that class): the rows
    of other classes that enter a class's cells as data, never as queries."""
    own = class_index(spec.label, tasks)
    targets = F.filter(
        F.array(*[F.lit(t.index) for t in tasks]), lambda i: own.isNull() | (i != own)
    )
    return dataset.select(
        F.explode(targets).alias(CLS),
        *feature_columns(spec, dim),
        F.xxhash64(*hashable_columns(spec.types)).alias(KEY),
    )


def others_in_cells(
    others: DataFrame,
    cells: Sequence[ClassCells],
    dim: int,
    seed: int,
    cap: int,
    carried: Sequence[str] = (),
) -> tuple[DataFrame, dict[tuple[int, int], float]]:
    """Rows of :func:`other_rows` stored in their nearest cell of each class (``RANK`` =
    :data:`OTHER_RANK`, in every part of a cut cell), at most about ``cap`` per cell.

    Costs one counting pass. A cell with more other-class rows than ``cap`` keeps each with
    probability ``cap / count`` (by a seeded row hash); returns the rows and the weight
    (``1 / probability``) of the other-class rows of each ``(class, cell)``.
    """
    hashes = {c.index: c.hash for c in cells}
    copies = max(c.hash.copies for c in cells)
    home_only = {c.index: np.zeros(c.hash.n_cells, dtype=np.int64) for c in cells}
    hashed = _hashed(others, hashes, home_only, copies, dim).drop(RANK)
    got = hashed.groupBy(CLS, CELL).count().collect()
    rate = {(r[CLS], r[CELL]): min(1.0, cap / r["count"]) for r in got}
    keep_p = per_class(
        cells,
        lambda c: F.element_at(
            F.array(*[F.lit(rate.get((c.index, j), 1.0)) for j in range(c.hash.n_cells)]),
            F.col(CELL) + 1,
        ),
    )
    n_parts = per_class(
        cells,
        lambda c: F.element_at(F.array(*[F.lit(int(s)) for s in c.parts]), F.col(CELL) + 1),
    )
    kept = (
        hashed.filter(_uniform(seed + 1) < keep_p)
        .withColumn(RANK, F.lit(OTHER_RANK))
        .withColumn(PART, F.explode(F.sequence(F.lit(0), n_parts - 1)))
    )
    for c in carried:
        kept = kept.withColumn(c, F.lit(None))
    return kept, {key: 1.0 / p for key, p in rate.items()}


def cell_groups(
    rows: DataFrame,
    cells: Sequence[ClassCells],
    dim: int,
    seed: int,
    others: DataFrame | None = None,
) -> GroupedData:
    """Rows stored in their cells (``RANK`` 0 = home), with ``others`` (from
    :func:`others_in_cells`) if given, grouped by ``(CLS, CELL, PART)`` and spread over several
    tasks.

    Left alone, adaptive execution may coalesce the shuffle, small in bytes but heavy in kNN
    work, into one task; a repartition to an explicit number of partitions never is.
    """
    copies = max(c.hash.copies for c in cells)
    hashes = {c.index: c.hash for c in cells}
    keep = {c.index: c.keep for c in cells}
    stored = _hashed(rows, hashes, keep, copies, dim)
    split = [(c, int(cell)) for c in cells for cell in np.flatnonzero(c.parts > 1)]
    if split:  # home rows of oversized cells: cut in equal parts of a seeded hash order
        order = Window.partitionBy(CLS, CELL).orderBy(_uniform(seed), KEY)
        rank = F.row_number().over(order) - 1
        part = F.lit(0)
        for c, cell in split:
            h, s = int(c.home[cell]), int(c.parts[cell])
            hit = (F.col(CLS) == c.index) & (F.col(CELL) == cell)
            part = F.when(hit, F.floor(rank * s / h)).otherwise(part)
        stored = stored.withColumn(PART, part.cast("int"))
    else:
        stored = stored.withColumn(PART, F.lit(0))
    if others is not None:
        stored = stored.unionByName(others.select(*stored.columns))
    n_groups = sum(len(c.groups()) for c in cells)
    limit = int(rows.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200)
    return stored.repartition(max(1, min(n_groups, limit)), CLS, CELL, PART).groupBy(
        CLS, CELL, PART
    )


def group_index(cells: Sequence[ClassCells]) -> dict[tuple[int, int, int], Group]:
    """``{(class index, cell, part): Group}`` for the kernels' lookups."""
    return {(c.index, g.cell, g.part): g for c in cells for g in c.groups()}


def arrived_group(
    groups: Mapping[tuple[int, int, int], Group], key: tuple[Any, ...], rows: int
) -> tuple[int, int, int, Group]:
    """``(class index, cell, part, group)`` of an ``applyInPandas`` key, checked against the
    ``rows`` that arrived (a mismatch is a broken invariant, never a user error)."""
    cls, cell, part = (int(v) for v in key)
    group = groups[(cls, cell, part)]
    if rows != group.rows:
        raise RuntimeError(f"cell {cell}.{part} of class {cls}: {rows} rows, expected {group.rows}")
    return cls, cell, part, group
