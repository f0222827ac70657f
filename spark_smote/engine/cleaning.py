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
    DIST,
    KEY,
    KEY2,
    LINKED,
    NEAR,
    NEAR2,
    NEAR_OCC,
    NEAR_Y,
    NEAREST,
    OCC,
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
    occurrences,
    tomek_candidates,
)
from spark_smote.kernels.knn import knn_in_cell, stable_order

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
    searched: int = 1,
) -> GroupFunction:
    """The ``applyInPandas`` function that runs ``rule(pdf, x, y, queries)`` on a cell whose
    rows are in stable order; ``queries`` are its rows of the ``targeted`` classes whose home
    it is, or (``searched`` > 1) one of their first ``searched - 1`` guest cells."""
    groups = group_index([cells])
    names = feature_names(dim)
    wanted = list(targeted)

    def run(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        arrived_group(groups, key, len(pdf))
        x = stack_features(pdf, names, dim)
        order = stable_order(pdf[KEY].to_numpy(np.int64), x)
        pdf, x = pdf.iloc[order].reset_index(drop=True), x[order]
        y = pdf[Y].to_numpy(np.int64)
        near = pdf[RANK].to_numpy() < searched
        return rule(pdf, x, y, np.flatnonzero(near & np.isin(y, wanted)))

    return run


#: The fields of a near row in :func:`searched_nearest`'s ``NEAREST`` (in the order it sorts by).
NEAR_FIELDS = (DIST, NEAR, NEAR2, NEAR_OCC, NEAR_Y)


def searched_nearest(
    grouped: GroupedData,
    cells: ClassCells,
    dim: int,
    queried: Sequence[int],
    searched: int,
    k: int,
) -> DataFrame:
    """Each row of the ``queried`` classes with its ``k`` nearest rows (itself excluded) among
    the rows of its home cell and its first ``searched - 1`` guest cells that store it:
    ``KEY, KEY2, OCC`` (its identity, :func:`occurrences`), ``Y`` and ``NEAREST``, an array of
    ``k`` structs of :data:`NEAR_FIELDS` (squared distance, identity and class of a near
    row), nearest first, each near row once; at exactly the same distance the smaller
    ``KEY, KEY2``, as a cell's stable order.

    One ``applyInPandas`` pass searches each query in every cell of those (its ``k`` nearest of
    the cell), and an aggregation by the query's identity merges the cells' rows: a Python call
    reads a cell and writes ``k`` rows per query of it.
    """

    def rule(pdf: pd.DataFrame, x: np.ndarray, y: np.ndarray, queries: np.ndarray) -> pd.DataFrame:
        key, key2 = pdf[KEY].to_numpy(np.int64), pdf[KEY2].to_numpy(np.int64)
        occ = occurrences(key, key2)
        none = (np.empty((0, k), dtype=np.int64), np.empty((0, k)))
        idx, dist = knn_in_cell(x, queries, k) if len(queries) else none
        q, n = np.repeat(queries, k), idx.ravel()
        return pd.DataFrame(
            {
                KEY: key[q],
                KEY2: key2[q],
                OCC: occ[q],
                Y: y[q],
                DIST: dist.ravel(),
                NEAR: key[n],
                NEAR2: key2[n],
                NEAR_OCC: occ[n],
                NEAR_Y: y[n],
            }
        )

    types = {OCC: "int", NEAR_OCC: "int", DIST: "double"}
    names = (KEY, KEY2, OCC, Y, DIST, NEAR, NEAR2, NEAR_OCC, NEAR_Y)
    schema = StructType([field(n, types.get(n, "long")) for n in names])
    found = grouped.applyInPandas(_cell_function(cells, dim, queried, rule, searched), schema)
    near = F.struct(*NEAR_FIELDS)
    if k == 1:
        merged = F.array(F.min(near))
    else:  # a near row found in several cells comes once
        merged = F.slice(F.array_sort(F.array_distinct(F.collect_list(near))), 1, k)
    return found.groupBy(KEY, KEY2, OCC, Y).agg(merged.alias(NEAREST))


def edited_searched(nearest: DataFrame, targeted: Sequence[int], kind: KindSel) -> DataFrame:
    """``KEY, KEY2`` of the rows of :func:`searched_nearest` of the ``targeted`` classes that
    Edited Nearest Neighbours removes (the rule of
    :func:`~spark_smote.kernels.cleaning.edited_out`, in SQL on ``NEAREST``)."""
    rows = F.col(NEAREST)
    if kind == "all":
        out = F.exists(rows, lambda s: s[NEAR_Y] != F.col(Y))
    else:  # the most common class, among equally common ones the smallest
        votes = F.transform(
            rows,
            lambda s: F.struct(
                (-F.size(F.filter(rows, lambda t: t[NEAR_Y] == s[NEAR_Y]))).alias("n"),
                s[NEAR_Y].alias("c"),
            ),
        )
        out = F.array_min(votes)["c"] != F.col(Y)
    return nearest.filter(F.col(Y).isin(list(targeted)) & out).select(KEY, KEY2)


def edited_out_rows(
    grouped: GroupedData,
    cells: ClassCells,
    dim: int,
    targeted: Sequence[int],
    k: int,
    kind: KindSel,
    stored: bool = False,
    searched: int = 1,
) -> DataFrame:
    """``KEY, KEY2`` of the rows of the ``targeted`` classes that Edited Nearest Neighbours
    removes: by :func:`~spark_smote.kernels.cleaning.edited_in_cell` in their home cells, or
    with ``searched`` > 1 from their nearest rows in that many cells
    (:func:`searched_nearest`, :func:`edited_searched`).

    ``stored`` (home cells only): with every cell each removed row is stored in (home and
    guests of any rank: ``KEY, KEY2, CELL, RANK``, a row per cell): the cells whose rows a
    repeated pass changes, and their counts without it."""
    if searched > 1 and cells.hash.n_cells > 1:  # one cell: its home search is exact
        assert not stored
        return edited_searched(
            searched_nearest(grouped, cells, dim, targeted, searched, k), targeted, kind
        )

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
    grouped: GroupedData,
    cells: ClassCells,
    dim: int,
    targeted: Sequence[int],
    n_classes: int,
    searched: int = 1,
) -> DataFrame:
    """``KEY, KEY2`` of the rows of the ``targeted`` classes in a Tomek link.

    Each home row whose nearest row is of another class is a candidate, with the identity of
    that row (``NEAR, NEAR2``); a candidate is in a link when its nearest row is a candidate
    whose nearest row is it (both ways of the pair among the candidates, a small fraction of the
    rows). Every row is a query: a link needs the nearest row of rows of any class. The pair
    is found by a window over its two identities (one pass over the candidates, no join).
    With ``searched`` > 1, each row's nearest row is the nearest of that many of its cells
    (:func:`searched_nearest`), and identities tell identical rows apart (``OCC``).
    """
    every = range(n_classes)
    if searched > 1 and cells.hash.n_cells > 1:  # one cell: its home search is exact
        first = F.col(NEAREST)[0]
        nearest = searched_nearest(grouped, cells, dim, every, searched, 1)
        found = nearest.filter(first[NEAR_Y] != F.col(Y)).select(
            KEY, KEY2, OCC, Y, *[first[c].alias(c) for c in (NEAR, NEAR2, NEAR_OCC)]
        )
        return _linked(found, (KEY, KEY2, OCC), (NEAR, NEAR2, NEAR_OCC), targeted)

    def rule(pdf: pd.DataFrame, x: np.ndarray, y: np.ndarray, queries: np.ndarray) -> pd.DataFrame:
        mine, nearest = tomek_candidates(x, y, queries)
        rows = queries[mine]
        near = _identity(pdf, nearest)
        return pd.DataFrame(
            {**_identity(pdf, rows), Y: y[rows], NEAR: near[KEY], NEAR2: near[KEY2]}
        )

    schema = StructType([field(n, "long") for n in (KEY, KEY2, Y, NEAR, NEAR2)])
    candidates = grouped.applyInPandas(_cell_function(cells, dim, every, rule), schema)
    return _linked(candidates, (KEY, KEY2), (NEAR, NEAR2), targeted)


def _linked(
    candidates: DataFrame, me: Sequence[str], near: Sequence[str], targeted: Sequence[int]
) -> DataFrame:
    """``KEY, KEY2`` of the ``candidates`` (rows whose nearest row, identity ``near``, is of
    another class) of the ``targeted`` classes whose nearest row is a candidate whose nearest
    row is it (identity ``me``)."""
    mine = F.struct(*[F.col(c).alias(f"k{i}") for i, c in enumerate(me)])
    theirs = F.struct(*[F.col(c).alias(f"k{i}") for i, c in enumerate(near)])
    forward = mine < theirs  # which way the pair is seen from this row
    pair = Window.partitionBy(
        F.when(forward, mine).otherwise(theirs), F.when(forward, theirs).otherwise(mine)
    )
    both_ways = F.max(forward).over(pair) & ~F.min(forward).over(pair)
    linked = candidates.withColumn(LINKED, both_ways)
    return linked.filter(F.col(LINKED) & F.col(Y).isin(list(targeted))).select(KEY, KEY2)


def without(dataset: DataFrame, removed: DataFrame, spec: FeatureSpec) -> DataFrame:
    """The rows of ``dataset`` whose identity is not in ``removed``, untouched (identical rows
    share an identity: they stay or go together)."""
    keyed = dataset.select("*", *row_identity(spec.types))
    return keyed.join(removed, [KEY, KEY2], "left_anti").drop(KEY, KEY2)
