"""Rows of some classes against the cells of one reference class: NearMiss's passes.

NearMiss scores each row of a class to reduce by its distances to the rows of the minority
class. The minority's rows are the *reference*: its bounded cells (one cell when it has at most
``maxBucketSize`` rows), each row stored in its home cell and its guest cells as any class's
rows are. Every row to score (a *query*, ``RANK`` = :data:`QUERY`) goes to its nearest cell of
the reference that holds rows; a cell's queries are cut into parts of at most ``part_rows`` by a
seeded row hash, and every part is a group with all the reference rows of its cell. So each
Python call reads at most a cell and a part, however many rows the classes have.

:func:`nearmiss_scores` is the one ``applyInPandas`` pass: each query's score (the sum of its
distances to its nearest or farthest reference rows), and for version 3 each home reference
row's nearest queries of every class (:func:`candidates`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame, GroupedData, Window
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StructType

from spark_smote.engine.cleaning import SPACE
from spark_smote.engine.columns import (
    CELL,
    CLS,
    KEY,
    KEY2,
    NEAR,
    NEAR2,
    ORDER,
    OTHER_RANK,
    PART,
    RANK,
    ROW,
    Y,
    feature_names,
    field,
    opaque_udf,
    uniform,
)
from spark_smote.engine.planning import stored_copies
from spark_smote.engine.rows import stack_features
from spark_smote.kernels.cells import ClassCells
from spark_smote.kernels.condensing import condensed_kept, one_sided_kept
from spark_smote.kernels.hashing import CellHash
from spark_smote.kernels.knn import stable_order
from spark_smote.kernels.nearmiss import k_nearest, order_keys

#: ``RANK`` of a query row in a group (the reference rows: 0 at home, r > 0 as guests)
QUERY = OTHER_RANK
#: ``KIND`` of an output row: a query's score, or a reference row's near query (version 3)
KIND = "__smote_kind"
SCORE, NEAR_QUERY = 0, 1


def _home_udf(hash_: CellHash, home: np.ndarray, dim: int) -> Any:
    """A pandas UDF: each row's nearest cell of ``hash_`` that has home rows (its first such
    cell among the hash's nearest; else the nearest such centre)."""
    names = feature_names(dim)
    full = np.flatnonzero(home > 0)
    centres = hash_.leaves[full] / hash_.scale

    def assign(*features: pd.Series) -> pd.Series:
        pdf = pd.concat(features, axis=1)
        pdf.columns = names
        x = stack_features(pdf, names, dim)
        ranked = hash_.assign(x)
        held = np.where(ranked >= 0, home[np.maximum(ranked, 0)] > 0, False)
        first = held.argmax(axis=1)
        out = ranked[np.arange(len(x)), first]
        lost = np.flatnonzero(~held.any(axis=1))
        if len(lost):  # no cell of the hash's nearest holds rows: the nearest one that does
            d = ((x[lost, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
            out[lost] = full[d.argmin(axis=1)]
        return pd.Series(out.astype(np.int32))

    return opaque_udf(assign, IntegerType())


def _parts_of(n_parts: dict[int, int]) -> Column:
    """Each cell's number of parts, by ``CELL`` (0 for a cell without queries)."""
    expr = F.lit(0)
    for cell, n in n_parts.items():
        expr = F.when(F.col(CELL) == cell, F.lit(n)).otherwise(expr)
    return expr


def reference_groups(
    rows: DataFrame,
    reference: int,
    queried: Sequence[int],
    n_queries: int,
    cells: ClassCells,
    dim: int,
    seed: int,
    part_rows: int,
) -> GroupedData:
    """The rows of :func:`~spark_smote.engine.cleaning.space_rows` grouped by ``(CELL, PART)``:
    the stored rows of class ``reference`` (``Y``) in its ``cells``, and the ``n_queries`` rows
    of the ``queried`` classes (``RANK`` = :data:`QUERY`) in their nearest cell, cut into
    parts of about ``part_rows`` by a seeded row hash (each part with all its cell's reference
    rows).

    Costs a counting pass over the queries when the reference has more than one cell (keep
    ``rows`` for it).
    """
    ref = rows.filter(F.col(Y) == reference)
    stored = stored_copies(ref, {SPACE: cells.hash}, {SPACE: cells.keep}, cells.hash.copies, dim)
    queries = rows.filter(F.col(Y).isin(list(queried))).withColumn(RANK, F.lit(QUERY))
    if cells.hash.n_cells == 1:
        queries = queries.withColumn(CELL, F.lit(0))
        per_cell = {0: n_queries}
    else:
        home = _home_udf(cells.hash, cells.home, dim)
        queries = queries.withColumn(CELL, home(*[F.col(n) for n in feature_names(dim)]))
        per_cell = {r[CELL]: r["count"] for r in queries.groupBy(CELL).count().collect()}
    n_parts = {c: -(-n // part_rows) for c, n in per_cell.items() if n > 0}
    parts = _parts_of(n_parts)
    queries = queries.withColumn(PART, F.floor(uniform(seed) * parts).cast("int"))
    stored = stored.filter(parts > 0).withColumn(PART, F.explode(F.sequence(F.lit(0), parts - 1)))
    both = stored.unionByName(queries.select(*stored.columns))
    n_groups = sum(n_parts.values())
    limit = int(rows.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200)
    return both.repartition(max(1, min(n_groups, limit)), CELL, PART).groupBy(CELL, PART)


#: ``rule(pdf, x, rank) -> rows``: what a group's Python call returns, from its rows in stable
#: order (``pdf``), their features ``x`` and ``RANK`` (:data:`QUERY` for the rows to score)
Rule = Callable[[pd.DataFrame, np.ndarray, np.ndarray], pd.DataFrame]


class Group(NamedTuple):
    """A group's rows by role (positions in its stable order): its queries ``q``, its reference
    rows ``r``, and every row's identity (``keys``, ``keys2``) and class index ``y``."""

    q: np.ndarray
    r: np.ndarray
    keys: np.ndarray
    keys2: np.ndarray
    y: np.ndarray


def group_rows(pdf: pd.DataFrame, rank: np.ndarray) -> Group:
    """The roles and identities of a group's rows, as a :data:`Rule` receives them."""
    return Group(
        np.flatnonzero(rank == QUERY),
        np.flatnonzero(rank != QUERY),
        pdf[KEY].to_numpy(np.int64),
        pdf[KEY2].to_numpy(np.int64),
        pdf[Y].to_numpy(np.int64),
    )


def reference_pass(grouped: GroupedData, dim: int, rule: Rule, schema: StructType) -> DataFrame:
    """``applyInPandas`` of ``rule`` over the groups of :func:`reference_groups`, their rows in
    stable order (row hash, then features: independent of the partitioning)."""
    names = feature_names(dim)

    def run(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        x = stack_features(pdf, names, dim)
        order = stable_order(pdf[KEY].to_numpy(np.int64), x)
        pdf, x = pdf.iloc[order].reset_index(drop=True), x[order]
        return rule(pdf, x, pdf[RANK].to_numpy())

    return grouped.applyInPandas(run, schema)


def nearmiss_scores(
    grouped: GroupedData,
    dim: int,
    queried: Sequence[int],
    k: int,
    farthest: bool,
    negate: bool,
    k_near: int = 0,
) -> DataFrame:
    """One pass over the groups of :func:`reference_groups`: per query row ``KIND`` =
    :data:`SCORE`, its identity, its class (``CLS``) and the sum of its distances to its ``k``
    nearest (``farthest``: farthest) reference rows as an order key (``ORDER``; of minus the
    sum when ``negate``, so that the largest sums come first); with ``k_near``, per home
    reference row and queried class, ``KIND`` = :data:`NEAR_QUERY` rows for its ``k_near``
    nearest queries of that class in the group (their identity and class, ``ORDER`` of the
    distance, the reference row's identity in ``NEAR, NEAR2``)."""
    classes = list(queried)

    def rule(pdf: pd.DataFrame, x: np.ndarray, rank: np.ndarray) -> pd.DataFrame:
        q, r, keys, keys2, y = group_rows(pdf, rank)
        sums = k_nearest(x[q], x[r], k, farthest)[1].sum(axis=1)
        out = [
            pd.DataFrame(
                {
                    KIND: SCORE,
                    KEY: keys[q],
                    KEY2: keys2[q],
                    CLS: y[q],
                    ORDER: order_keys(-sums if negate else sums),
                    NEAR: 0,
                    NEAR2: 0,
                }
            )
        ]
        home = r[rank[r] == 0]
        for c in classes if k_near else []:
            mine = q[y[q] == c]
            idx, dist = k_nearest(x[home], x[mine], k_near)
            near, n = mine[idx].ravel(), idx.shape[1]
            out.append(
                pd.DataFrame(
                    {
                        KIND: NEAR_QUERY,
                        KEY: keys[near],
                        KEY2: keys2[near],
                        CLS: c,
                        ORDER: order_keys(dist.ravel()),
                        NEAR: np.repeat(keys[home], n),
                        NEAR2: np.repeat(keys2[home], n),
                    }
                )
            )
        return pd.concat(out, ignore_index=True)

    schema = StructType(
        [field(KIND, "int"), *[field(n, "long") for n in (KEY, KEY2, CLS, ORDER, NEAR, NEAR2)]]
    )
    return reference_pass(grouped, dim, rule, schema)


def candidates(near: DataFrame, k_near: int) -> DataFrame:
    """``KEY, KEY2`` (once each) of the queries that are among the ``k_near`` nearest of their
    class to some reference row: NearMiss-3's candidates, from the :data:`NEAR_QUERY` rows of
    :func:`nearmiss_scores` (a reference row's nearest from each part of its cell, ranked by
    distance, then identity, over all parts)."""
    by_reference = Window.partitionBy(NEAR, NEAR2, CLS).orderBy(ORDER, KEY, KEY2)
    ranked = near.withColumn(ROW, F.row_number().over(by_reference))
    return ranked.filter(F.col(ROW) <= k_near).select(KEY, KEY2).distinct()


#: per class index: its seed rows' features ``(n, dim)`` and identities ``(n, 2)``
Seeds = dict[int, tuple[np.ndarray, np.ndarray]]


def _first_seed_copies(keys: np.ndarray, keys2: np.ndarray, seed_ids: np.ndarray) -> np.ndarray:
    """Positions of the rows whose identity is a seed's, the first copy of each."""
    ids = np.stack([keys, keys2], axis=1)
    hit = np.flatnonzero((ids[:, None, :] == seed_ids[None, :, :]).all(axis=2).any(axis=1))
    _, first = np.unique(ids[hit], axis=0, return_index=True)
    return np.sort(hit[first])


def class_queries(group: Group, c: int, seeds: Seeds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class ``c``'s queries in a group (positions), its seed rows' features, and the positions
    among those queries of the first copy of each seed row the group holds."""
    mine = group.q[group.y[group.q] == c]
    x_seeds, seed_ids = seeds[c]
    return mine, x_seeds, _first_seed_copies(group.keys[mine], group.keys2[mine], seed_ids)


def condensed_rows(
    grouped: GroupedData,
    dim: int,
    queried: Sequence[int],
    minority: int,
    seeds: Seeds,
    k: int,
    sequential: bool,
) -> DataFrame:
    """``KEY, KEY2`` of the rows of the ``queried`` classes that a condensing rule keeps, one
    row per kept copy, from the groups of :func:`reference_groups` (reference: the ``minority``
    class): each class's rows against ``C`` = the group's minority rows and the class's
    ``seeds``; Hart's Condensed Nearest Neighbour when ``sequential`` (the rows in stable
    order), else One-Sided Selection's first step. The seed rows are kept. Of the minority
    class itself only its seeds are kept (``C`` is then one class: every row is classified
    well), as imbalanced-learn's."""
    classes = list(queried)

    def rule(pdf: pd.DataFrame, x: np.ndarray, rank: np.ndarray) -> pd.DataFrame:
        g = group_rows(pdf, rank)
        kept = []
        for c in classes:
            mine, x_seeds, at = class_queries(g, c, seeds)
            if c == minority:
                keep = np.zeros(len(mine), dtype=bool)
                keep[at] = True
            elif sequential:
                keep = condensed_kept(x[mine], x[g.r], x_seeds, at, k, minority < c)
            else:
                keep = one_sided_kept(x[mine], x[g.r], x_seeds, k, minority < c)
                keep[at] = True
            kept.append(mine[keep])
        rows = np.concatenate(kept) if kept else np.empty(0, dtype=np.int64)
        return pd.DataFrame({KEY: g.keys[rows], KEY2: g.keys2[rows]})

    schema = StructType([field(KEY, "long"), field(KEY2, "long")])
    return reference_pass(grouped, dim, rule, schema)
