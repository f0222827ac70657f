"""Rows stored in their cells and grouped for one ``applyInPandas`` per generation pass.

:func:`cell_groups` hashes every row in one vectorised pass, stores it in its home cell and
its kept guest cells and groups the copies by ``(CLS, CELL, PART, SLICE)`` (a group whose
output is larger than one Python call may write goes to several calls, its slices);
:func:`home_cells` and :func:`others_in_cells` add the rows of other classes as data
(Borderline-SMOTE, ADASYN);
:func:`arrived_group` checks, inside a Python worker, that a group holds what the plan says.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
from pyspark.sql import DataFrame, GroupedData, Window
from pyspark.sql import functions as F

from spark_smote.engine.columns import (
    CELL,
    CLS,
    GENERATION_STREAM,
    KEY,
    OTHER_RANK,
    PART,
    RANK,
    SLICE,
    WEIGHT,
    per_class,
    uniform,
)
from spark_smote.engine.planning import home_cell, stored_copies
from spark_smote.kernels.cells import ClassCells, Group

#: ``(class index, cell, part)``: a group of the plan
GroupKey = tuple[int, int, int]


def home_cells(others: DataFrame, cells: Sequence[ClassCells], dim: int) -> DataFrame:
    """Rows of :func:`other_rows` with ``CELL``, their nearest cell of their ``CLS`` (the
    learned hash in a pandas UDF; no pass of its own)."""
    return others.withColumn(CELL, home_cell({c.index: c.hash for c in cells}, dim))


def others_in_cells(
    hashed: DataFrame,
    cells: Sequence[ClassCells],
    seed: int,
    cap: int,
    carried: Sequence[str] = (),
) -> tuple[DataFrame, dict[tuple[int, int], float]]:
    """Rows of :func:`home_cells` stored in their cell (``RANK`` = :data:`OTHER_RANK`, in
    every part of a cut cell), at most about ``cap`` per cell.

    Costs one pass that counts them per cell (keep ``hashed`` for the passes that read them:
    :func:`~spark_smote.engine.keeping.held`). A cell with more other-class rows than ``cap``
    keeps each with probability ``cap / count`` (by a seeded row hash); returns the rows and
    the weight (``1 / probability``) of the other-class rows of each ``(class, cell)``.
    """
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
    capped = (
        hashed.filter(uniform(seed + 1) < keep_p)
        .withColumn(RANK, F.lit(OTHER_RANK))
        .withColumn(PART, F.explode(F.sequence(F.lit(0), n_parts - 1)))
    )
    for c in carried:
        capped = capped.withColumn(c, F.lit(None))
    return capped, {key: 1.0 / p for key, p in rate.items()}


def group_slices(cells: Sequence[ClassCells]) -> dict[GroupKey, int]:
    """The groups of the plan whose output comes in more than one slice, and their slices."""
    return {(c.index, g.cell, g.part): g.slices for c in cells for g in c.groups() if g.slices > 1}


def cell_groups(
    rows: DataFrame,
    cells: Sequence[ClassCells],
    dim: int,
    seed: int,
    others: DataFrame | None = None,
    slices: Mapping[GroupKey, int] | None = None,
    weights: DataFrame | None = None,
    searched: Collection[int] | None = None,
) -> GroupedData:
    """Rows stored in their cells (``RANK`` 0 = home), with ``others`` (from
    :func:`others_in_cells`) if given, grouped by ``(CLS, CELL, PART, SLICE)`` and spread over
    several tasks. ``weights`` (the measuring pass's ``CLS, CELL, PART, KEY, WEIGHT``, one row
    per key) are joined to the rows as ``WEIGHT`` (null where a row has none).

    A group of ``slices`` (default: :func:`group_slices` of the plan) goes to that many Python
    calls, each with all the group's rows and its slice number in ``SLICE`` (0 for the others):
    every call reads at most a cell and writes at most a slice.

    ``searched``: only the groups of these cells (of a plan of one class: the cleaners' space
    of all rows), the rows of the others dropped before the shuffle (a repeated pass that
    searches again only the cells that changed).

    Left alone, adaptive execution may coalesce the shuffle, small in bytes but heavy in kNN
    work, into one task; a repartition to an explicit number of partitions never is.
    """
    if slices is None:
        slices = group_slices(cells)
    copies = max(c.hash.copies for c in cells)
    hashes = {c.index: c.hash for c in cells}
    keep = {c.index: c.keep for c in cells}
    stored = stored_copies(rows, hashes, keep, copies, dim)
    n_groups = sum(len(c.groups()) for c in cells) + sum(n - 1 for n in slices.values())
    if searched is not None:
        (only,) = cells  # cell ids are a class's own
        wanted = {int(c) for c in searched}
        stored = stored.filter(F.col(CELL).isin(sorted(wanted)))
        n_groups = sum(1 for g in only.groups() if g.cell in wanted)
    split = [(c, int(cell)) for c in cells for cell in np.flatnonzero(c.parts > 1)]
    if split:  # home rows of oversized cells: cut in equal parts of a seeded hash order
        order = Window.partitionBy(CLS, CELL).orderBy(uniform(seed), KEY)
        rank = F.row_number().over(order) - 1
        part = F.lit(0)
        for c, cell in split:
            h, s = int(c.home[cell]), int(c.parts[cell])
            hit = (F.col(CLS) == c.index) & (F.col(CELL) == cell)
            part = F.when(hit, F.floor(rank * s / h)).otherwise(part)
        stored = stored.withColumn(PART, part.cast("int"))
    else:
        stored = stored.withColumn(PART, F.lit(0))
    if weights is not None:
        on = [CLS, CELL, PART, KEY]
        stored = stored.join(weights.filter(F.col(WEIGHT) > 0).select(*on, WEIGHT), on, "left")
        if others is not None:
            others = others.withColumn(WEIGHT, F.lit(None).cast("double"))
    if others is not None:
        stored = stored.unionByName(others.select(*stored.columns))
    if slices:
        count = None
        for (cls, cell, part), n in slices.items():
            hit = (F.col(CLS) == cls) & (F.col(CELL) == cell) & (F.col(PART) == part)
            count = F.when(hit, n) if count is None else count.when(hit, n)
        assert count is not None
        stored = stored.withColumn(SLICE, F.explode(F.sequence(F.lit(0), count.otherwise(1) - 1)))
    else:
        stored = stored.withColumn(SLICE, F.lit(0))
    limit = int(rows.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200)
    keys = (CLS, CELL, PART, SLICE)
    return stored.repartition(max(1, min(n_groups, limit)), *keys).groupBy(*keys)


def group_index(cells: Sequence[ClassCells]) -> dict[GroupKey, Group]:
    """``{(class index, cell, part): Group}`` for the kernels' lookups."""
    return {(c.index, g.cell, g.part): g for c in cells for g in c.groups()}


def arrived_group(
    groups: Mapping[GroupKey, Group], key: tuple[Any, ...], rows: int
) -> tuple[int, int, int, int, Group]:
    """``(class index, cell, part, slice, group)`` of an ``applyInPandas`` key, checked against
    the ``rows`` that arrived (a mismatch is a broken invariant, never a user error)."""
    cls, cell, part, slice_ = (int(v) for v in key)
    group = groups[(cls, cell, part)]
    if rows != group.rows:
        raise RuntimeError(f"cell {cell}.{part} of class {cls}: {rows} rows, expected {group.rows}")
    return cls, cell, part, slice_, group


def generation_seed(seed: int, cls: int, cell: int, part: int, slice_: int, slices: int) -> tuple:
    """The entropy of a generation call: ``(seed, stream, class, cell, part)``, and the slice
    when the group's output comes in several (a group of one slice draws as 0.2 did)."""
    entropy = (seed, GENERATION_STREAM, cls, cell, part)
    return entropy if slices == 1 else (*entropy, slice_)


def check_output(rows: int, limit: int, cls: int, cell: int, part: int) -> None:
    """A Python call writes at most ``limit`` rows (a broken invariant otherwise)."""
    if rows > limit:
        raise RuntimeError(
            f"cell {cell}.{part} of class {cls}: {rows} synthetic rows in one call, above the "
            f"bound of {limit}"
        )
