"""Exactly ``n`` rows per class with the smallest scores, without sorting a class (NearMiss).

The rows carry ``CLS`` (the class), ``ORDER`` (the score as an order key:
:func:`~spark_smote.kernels.nearmiss.order_keys`) and their identity ``KEY, KEY2``; the order
is ``(ORDER, KEY, KEY2)``. One pass of Spark's ``percentile_approx`` brackets each class's
cut, one pass counts the rows below the bracket and the rows of each score in it
(:func:`~spark_smote.engine.draws.cuts`, as the random samplers' cut of row hashes), and a
filter keeps the rows below the cut; the rows tied at the cut score are ranked by their
identity (a window over just those rows). :func:`kept_rows` finds the kept rows again in the
input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from spark_smote.engine.columns import (
    CLS,
    COPIES,
    KEY,
    KEY2,
    ORDER,
    ROW,
    per_class,
    quote,
    row_identity,
)
from spark_smote.engine.draws import ClassDraw, cuts
from spark_smote.engine.keeping import Keeper
from spark_smote.kernels.draws import HASH_MAX, HASH_MIN, WIDEN

#: ranks of error of ``percentile_approx`` per row, at most: its ``accuracy`` is ``1 / RANK``
#: of a class's rows (at least 10,000), so the bracket holds a few thousand scores
RANK_ERROR = 1e-3
MIN_ACCURACY, MAX_ACCURACY = 10_000, 1_000_000


def _accuracy(n_rows: int) -> int:
    return int(min(MAX_ACCURACY, max(MIN_ACCURACY, n_rows * RANK_ERROR)))


def _brackets(
    rows: DataFrame, todo: Sequence[ClassDraw], round_: int
) -> dict[int, tuple[int, int]]:
    """Per class of ``todo``, ``(lo, hi)`` scores around its ``n_draws``-th smallest: the
    approximate quantiles two guaranteed errors either side (one pass for all classes),
    :data:`~spark_smote.kernels.draws.WIDEN` times wider for each round after the first."""
    out, asked = {}, []
    for d in todo:
        accuracy = _accuracy(d.n_rows)
        p = d.n_draws / d.n_rows
        margin = 2.0 / accuracy * WIDEN**round_ + 1.0 / d.n_rows
        lo, hi = p - margin, p + margin
        out[d.index] = (HASH_MIN, HASH_MAX)
        if lo > 0 or hi < 1:
            probs = [min(1.0, max(0.0, lo)), min(1.0, max(0.0, hi))]
            asked.append((d, lo > 0, hi < 1, probs, accuracy))
    if asked:
        found = rows.agg(
            *[
                F.percentile_approx(
                    F.when(F.col(CLS) == d.index, F.col(ORDER)), probs, accuracy
                ).alias(f"q{d.index}")
                for d, _, _, probs, accuracy in asked
            ]
        ).first()
        assert found is not None
        for d, has_lo, has_hi, _, _ in asked:
            got = found[f"q{d.index}"]
            out[d.index] = (
                int(got[0]) if has_lo else HASH_MIN,
                int(got[1]) if has_hi else HASH_MAX,
            )
    return out


def smallest_scores(rows: DataFrame, draws: Sequence[ClassDraw]) -> DataFrame:
    """``KEY, KEY2`` of the rows (``CLS, ORDER, KEY, KEY2``) with the ``n_draws`` smallest
    ``(ORDER, KEY, KEY2)`` of each class of ``draws``: exactly that many rows per class (a
    class asked for all its rows keeps them all; one asked for none keeps none)."""
    whole = [d.index for d in draws if d.n_draws >= d.n_rows]
    todo = [d for d in draws if 0 < d.n_draws < d.n_rows]
    keep = F.col(CLS).isin(whole) if whole else F.lit(False)
    if not todo:
        return rows.filter(keep).select(KEY, KEY2)
    found = cuts(rows, todo, lambda t, r: _brackets(rows, t, r))
    value = per_class(todo, lambda d: F.lit(found[d.index].value).cast("long"))
    inclusive = per_class(todo, lambda d: F.lit(found[d.index].inclusive))
    order = F.col(ORDER)
    below = (order < value) | (inclusive & (order == value))
    kept = rows.filter(keep | F.coalesce(below, F.lit(False))).select(KEY, KEY2)
    tied = [d for d in todo if found[d.index].ties]
    if not tied:
        return kept
    at_cut = F.coalesce(
        per_class(tied, lambda d: order == F.lit(found[d.index].value).cast("long")),
        F.lit(False),
    )
    quota = per_class(tied, lambda d: F.lit(found[d.index].ties))
    rank = F.row_number().over(Window.partitionBy(CLS).orderBy(KEY, KEY2))
    ties = rows.filter(at_cut).withColumn(ROW, rank).filter(F.col(ROW) <= quota)
    return kept.unionByName(ties.select(KEY, KEY2))


def kept_rows(
    dataset: DataFrame,
    label_col: str,
    reduced: list[Any],
    kept: DataFrame,
    keeper: Keeper,
    repeat: bool = False,
) -> DataFrame:
    """The untouched rows of the classes not ``reduced``, and of the reduced classes' rows those
    whose identity is in ``kept`` (``KEY, KEY2``, a row per kept copy). Identical rows share an
    identity: as many of their copies as were kept stay; with ``repeat``, a row kept ``n``
    times comes ``n`` times even if the input holds it fewer times (a row chosen twice).

    The chosen rows are computed now and kept by ``keeper``, so that the passes after it
    (One-Sided Selection's TomekLinks) read them once chosen. (Their identity is
    :func:`~spark_smote.engine.columns.opaque`: as a plain hash of all their columns, it put a
    constraint in the plan that Spark's optimizer copied for every column a later step
    renamed, ``2^n`` copies for ``n`` columns.)"""
    label = F.col(quote(label_col))
    targeted = label.isin([F.lit(c) for c in reduced])
    quota = kept.groupBy(KEY, KEY2).agg(F.count(F.lit(1)).alias(COPIES))
    types = {f.name: f.dataType for f in dataset.schema.fields}
    keyed = dataset.filter(targeted).select("*", *row_identity(types))
    copy = F.row_number().over(Window.partitionBy(KEY, KEY2).orderBy(KEY))
    joined = keyed.join(quota, [KEY, KEY2]).withColumn(ROW, copy)
    if repeat:
        joined = joined.filter(F.col(ROW) == 1).withColumn(
            ROW, F.explode(F.sequence(F.lit(1), F.col(COPIES)))
        )
    else:
        joined = joined.filter(F.col(ROW) <= F.col(COPIES))
    chosen = keeper.keep(joined.select(*[F.col(quote(c)) for c in dataset.columns]))
    return dataset.filter(~targeted).unionByName(chosen)
