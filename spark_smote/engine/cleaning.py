"""The cross-class mode of the cell engine: the cleaning samplers' passes.

Cleaning needs the neighbours of rows among the rows of *every* class. All rows go into one
space (``CLS`` = :data:`SPACE` for every row, the class in ``Y``), whose cells are learned and
bounded as a class's are (:func:`plan_space`); every row is a query in its home cell and a guest
in its next cells. One ``applyInPandas`` pass runs a rule of :mod:`spark_smote.kernels.cleaning`
per cell and returns the identities (``KEY, KEY2``: two hashes of the whole row) of the rows to
remove; :func:`without` drops them from the untouched input with an anti-join.

A table of at most ``maxBucketSize`` rows is one cell: exact neighbours.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, GroupedData, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from spark_smote.engine.columns import (
    CELL,
    CLS,
    KEY,
    KEY2,
    LINKED,
    NEAR,
    NEAR2,
    ORDER,
    RANK,
    Y,
    class_index,
    feature_names,
    field,
    row_identity,
)
from spark_smote.engine.draws import row_hash
from spark_smote.engine.grouping import arrived_group, group_index
from spark_smote.engine.keeping import held
from spark_smote.engine.planning import plan_cells, planning_reads
from spark_smote.engine.rows import feature_columns, stack_features
from spark_smote.engine.validation import FeatureSpec
from spark_smote.kernels.cells import ClassCells, ClassTask
from spark_smote.kernels.cleaning import (
    KindSel,
    edited_in_cell,
    misclassified_neighbours,
    tomek_candidates,
)
from spark_smote.kernels.knn import stable_order

#: ``CLS`` of every row in cleaning: all classes share one space of cells.
SPACE = 0

GroupFunction = Callable[[tuple[Any, ...], pd.DataFrame], pd.DataFrame]


def space_rows(
    dataset: DataFrame,
    spec: FeatureSpec,
    labels: Sequence[Any],
    dim: int,
    order_seed: int | None = None,
) -> DataFrame:
    """Every row of ``dataset`` as ``CLS`` (:data:`SPACE`), ``Y`` (the position of its class in
    ``labels``), the features as float64 columns and its identity ``KEY, KEY2`` (last: see
    :func:`~spark_smote.engine.rows.class_rows`); with ``order_seed``, then ``ORDER``, the
    seeded row hash (:func:`~spark_smote.engine.draws.row_hash`), to filter on after this
    projection (a filter on a hash of every column before a projection that renames them
    makes Spark's optimizer copy its constraint ``2^n`` times)."""
    classes = [ClassTask(i, label, 0, 0) for i, label in enumerate(labels)]
    order = [] if order_seed is None else [row_hash(dataset, order_seed).alias(ORDER)]
    return dataset.select(
        F.lit(SPACE).alias(CLS),
        class_index(spec.label, classes).alias(Y),
        *feature_columns(spec, dim),
        *row_identity(spec.types),
        *order,
    )


def plan_space(
    rows: DataFrame,
    n_rows: int,
    dim: int,
    seed: int,
    max_size: int,
    copies: int,
    k: int,
    before: ClassCells | None = None,
    counted: np.ndarray | None = None,
) -> ClassCells:
    """The bounded cells of the space of all rows (from :func:`space_rows`): one cell when
    ``n_rows <= max_size``, else the sampling and counting passes of
    :func:`~spark_smote.engine.planning.plan_cells`, on ``rows`` held for their length.

    With ``before`` (the cells of a plan of a superset of ``rows``: a repeated pass on the
    rows a pass left), those cells bounded again instead (a counting pass, no sampling), so
    that the pass searches the same neighbourhoods, without the rows removed. With ``counted``
    too (their counts per cell and rank on ``rows``, known from the rows removed), no
    counting pass (unless a cell is removed as too small)."""
    task = ClassTask(SPACE, "all classes", n_rows, 0)
    if before is not None:
        fitted = {SPACE: before.hash}
        known = None if counted is None else {SPACE: counted}
        return plan_cells(rows, [task], dim, seed, max_size, copies, k, fitted, known)[0]
    reads = planning_reads([task], max_size)
    with held(rows) if reads else contextlib.nullcontext(rows) as planned:
        return plan_cells(planned, [task], dim, seed, max_size, copies, k)[0]


def _identity(pdf: pd.DataFrame, rows: np.ndarray) -> dict[str, np.ndarray]:
    return {KEY: pdf[KEY].to_numpy(np.int64)[rows], KEY2: pdf[KEY2].to_numpy(np.int64)[rows]}


def _cell_function(
    cells: ClassCells,
    dim: int,
    targeted: Sequence[int],
    rule: Callable[[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray], pd.DataFrame],
) -> GroupFunction:
    """The ``applyInPandas`` function that runs ``rule(pdf, x, y, queries)`` on a cell whose
    rows are in stable order; ``queries`` are its home rows of the ``targeted`` classes."""
    groups = group_index([cells])
    names = feature_names(dim)
    wanted = list(targeted)

    def run(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        arrived_group(groups, key, len(pdf))
        x = stack_features(pdf, names, dim)
        order = stable_order(pdf[KEY].to_numpy(np.int64), x)
        pdf, x = pdf.iloc[order].reset_index(drop=True), x[order]
        y = pdf[Y].to_numpy(np.int64)
        home = pdf[RANK].to_numpy() == 0
        return rule(pdf, x, y, np.flatnonzero(home & np.isin(y, wanted)))

    return run


def edited_out_rows(
    grouped: GroupedData,
    cells: ClassCells,
    dim: int,
    targeted: Sequence[int],
    k: int,
    kind: KindSel,
    stored: bool = False,
) -> DataFrame:
    """``KEY, KEY2`` of the rows of the ``targeted`` classes that Edited Nearest Neighbours
    removes: by :func:`~spark_smote.kernels.cleaning.edited_in_cell` in their home cells.

    ``stored``: with every cell each removed row is stored in (home and guests of any rank:
    ``KEY, KEY2, CELL, RANK``, a row per cell): the cells whose rows a repeated pass changes,
    and their counts without it."""

    def rule(pdf: pd.DataFrame, x: np.ndarray, y: np.ndarray, queries: np.ndarray) -> pd.DataFrame:
        out = queries[edited_in_cell(x, y, queries, k, kind)]
        if not stored:
            return pd.DataFrame(_identity(pdf, out))
        got = cells.hash.assign(x[out])  # (rows, copies), -1 past the hash's cells
        row, rank = np.nonzero(got >= 0)
        ids = _identity(pdf, out)
        cell = got[row, rank]
        return pd.DataFrame({KEY: ids[KEY][row], KEY2: ids[KEY2][row], CELL: cell, RANK: rank})

    names = [(KEY, "long"), (KEY2, "long")] + ([(CELL, "int"), (RANK, "int")] if stored else [])
    schema = StructType([field(n, t) for n, t in names])
    return grouped.applyInPandas(_cell_function(cells, dim, targeted, rule), schema)


def neighbourhood_cleaned_rows(
    grouped: GroupedData,
    cells: ClassCells,
    dim: int,
    targeted: Sequence[int],
    k: int,
    minority: int,
    cleaned: Sequence[int],
) -> DataFrame:
    """``KEY, KEY2`` of the rows the Neighbourhood Cleaning Rule removes, in one pass: the rows
    of the ``targeted`` classes that Edited Nearest Neighbours (``kindSel="mode"``) removes,
    and the rows of the ``cleaned`` classes near a misclassified ``minority`` row
    (:func:`~spark_smote.kernels.cleaning.misclassified_neighbours`); a row may come twice."""
    wanted = np.asarray(cleaned, dtype=np.int64)
    edited = set(targeted)

    def rule(pdf: pd.DataFrame, x: np.ndarray, y: np.ndarray, queries: np.ndarray) -> pd.DataFrame:
        mine = queries[np.isin(y[queries], list(edited))]
        out = mine[edited_in_cell(x, y, mine, k, "mode")]
        near = misclassified_neighbours(x, y, queries, k, minority, wanted)
        return pd.DataFrame(_identity(pdf, np.concatenate([out, near])))

    schema = StructType([field(KEY, "long"), field(KEY2, "long")])
    queried = sorted(edited | {minority})
    return grouped.applyInPandas(_cell_function(cells, dim, queried, rule), schema)


def tomek_out_rows(
    grouped: GroupedData, cells: ClassCells, dim: int, targeted: Sequence[int], n_classes: int
) -> DataFrame:
    """``KEY, KEY2`` of the rows of the ``targeted`` classes in a Tomek link.

    Each home row whose nearest row is of another class is a candidate, with the identity of
    that row (``NEAR, NEAR2``); a candidate is in a link when its nearest row is a candidate
    whose nearest row is it (both ways of the pair among the candidates, a small fraction of the
    rows). Every row is a query: a link needs the nearest row of rows of any class. The pair
    is found by a window over its two identities (one pass over the candidates, no join).
    """

    def rule(pdf: pd.DataFrame, x: np.ndarray, y: np.ndarray, queries: np.ndarray) -> pd.DataFrame:
        mine, nearest = tomek_candidates(x, y, queries)
        rows = queries[mine]
        near = _identity(pdf, nearest)
        return pd.DataFrame(
            {**_identity(pdf, rows), Y: y[rows], NEAR: near[KEY], NEAR2: near[KEY2]}
        )

    schema = StructType([field(n, "long") for n in (KEY, KEY2, Y, NEAR, NEAR2)])
    every = range(n_classes)
    candidates = grouped.applyInPandas(_cell_function(cells, dim, every, rule), schema)
    me = F.struct(F.col(KEY).alias("k"), F.col(KEY2).alias("k2"))
    near = F.struct(F.col(NEAR).alias("k"), F.col(NEAR2).alias("k2"))
    forward = me < near  # which way the pair is seen from this row
    pair = Window.partitionBy(
        F.when(forward, me).otherwise(near), F.when(forward, near).otherwise(me)
    )
    both_ways = F.max(forward).over(pair) & ~F.min(forward).over(pair)
    linked = candidates.withColumn(LINKED, both_ways)
    return linked.filter(F.col(LINKED) & F.col(Y).isin(list(targeted))).select(KEY, KEY2)


def without(dataset: DataFrame, removed: DataFrame, spec: FeatureSpec) -> DataFrame:
    """The rows of ``dataset`` whose identity is not in ``removed``, untouched (identical rows
    share an identity: they stay or go together)."""
    keyed = dataset.select("*", *row_identity(spec.types))
    return keyed.join(removed, [KEY, KEY2], "left_anti").drop(KEY, KEY2)
