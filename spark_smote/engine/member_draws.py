"""The balanced samples of a batch of ensemble members, drawn together: two passes over the
input for the whole batch instead of two per member.

Member ``m``'s sample is chosen as :func:`~spark_smote.engine.draws.drawn` chooses one: in each
class it draws, the rows with the smallest seeded hashes, exactly as many as wanted (with
replacement: as many as the member's draw profile has distinct rows, each repeated its count),
and every row of the other classes. The seeded hash here is ``xxhash64(seed_m, h)`` of a hash
``h`` of the row made once for all members (a vector hashed once per member in one generated
method is too large for the JIT: 40 members took 30 times longer).

- **Cut pass** (:func:`member_cuts`): each row once per member (an ``explode`` of the members'
  keys and hashes, in generated code: no lambda, no array filtered by one, which Spark
  interprets), kept where its hash falls at or below the member's window for its class (one
  lookup in a literal array), counted in one aggregation; the driver settles each member's
  cut from a few thousand values per member and class, as
  :func:`~spark_smote.engine.draws.cuts` does for one draw.
- **Stack pass** (:func:`member_samples`): each row once per member again, kept where its hash
  falls at or below the member's cut, ranked per member and class by its hash (a window over
  the kept rows only; identical rows tied at a cut are cut there to the number needed) and
  repeated as often as its rank's count. The batch's samples come out partitioned by member
  and sorted by it (the window's own sort), so a member's rows, once kept, are a few of the
  cache's column batches.

A member's rows depend on its seed, the class counts and the input only, not on the batch it is
drawn in: drawn alone (a batch of one) they are the same rows, whatever the partitioning.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from spark_smote.engine.columns import (
    CLS,
    COPIES,
    COPY,
    DRAW_STREAM,
    MEMBER,
    ORDER,
    ROW,
    ROW_HASH,
    class_index,
    quote,
)
from spark_smote.engine.draws import (
    ClassDraw,
    class_draws,
    copies_udf,
    cuts,
    row_hash,
    window_counts,
)
from spark_smote.kernels.draws import HASH_MAX, HASH_MIN, Cut, draw_profile

#: rows of one batch's samples (all its members', copies counted), at most
STACK_ROWS = 2_000_000
#: members drawn together, at most (each pass hashes every row once per member)
BATCH_MEMBERS = 32


def batch_size(sample_rows: int, n_members: int) -> int:
    """Members drawn together when each member's sample has ``sample_rows`` rows: batches of
    at most :data:`BATCH_MEMBERS` members and :data:`STACK_ROWS` rows, as even as can be (100
    members: four batches of 25, not three of 32 and one of 4); 0 when a sample is larger than
    half a batch (then each member's draw is a filter of its own,
    :func:`~spark_smote.engine.draws.drawn`, which sorts no rows)."""
    if n_members < 1 or sample_rows > STACK_ROWS // 2:
        return 0
    most = min(BATCH_MEMBERS, STACK_ROWS // max(1, sample_rows), n_members)
    n_batches = -(-n_members // most)
    return -(-n_members // n_batches)


def _member_order(seed: Column) -> Column:
    """A member's seeded hash of a row, from the row's ``ROW_HASH``."""
    return F.xxhash64(seed.cast("long"), F.col(ROW_HASH))


def _keyed(
    draws: Sequence[ClassDraw], seeds: Sequence[int], n_labels: int, profiled: bool
) -> list[ClassDraw]:
    """One draw per member and class, indexed ``member * n_labels + class`` (the key the
    passes group by), of as many rows as the member keeps from the class: its draws, or with
    replacement (``profiled``) the distinct rows of its draw profile."""
    out = []
    for m, seed in enumerate(seeds):
        for d in draws:
            n = len(_profile(d, seed)) if profiled else d.n_draws
            out.append(ClassDraw(m * n_labels + d.index, d.label, d.n_rows, n))
    return out


def _profile(d: ClassDraw, seed: int) -> np.ndarray:
    """The counts of the distinct rows of a member's draw with replacement from class ``d``
    (the key :func:`~spark_smote.engine.draws.drawn` uses for a draw of that seed)."""
    return draw_profile(d.n_rows, d.n_draws, (seed, DRAW_STREAM, d.index))


def _by_key(n_keys: int, values: dict[int, int], other: int) -> Column:
    """The value of a row's key (``CLS`` of :func:`_exploded`) from a literal array of
    ``n_keys`` values: ``values[key]``, else ``other`` (one lookup, whatever the members)."""
    found = [F.lit(values.get(i, other)).cast("long") for i in range(n_keys)]
    return F.element_at(F.array(*found), F.col(CLS) + 1)


def _exploded(rows: DataFrame, seeds: Sequence[int], n_labels: int, *columns: str) -> DataFrame:
    """``rows`` once per member: ``MEMBER``, ``CLS`` made ``member * n_labels + class`` (the
    key of the member's draw from the class) and ``ORDER`` the member's hash of the row.
    An ``explode`` of literal structs (generated code; an array filtered by a lambda is
    interpreted, 4x slower here); the caller filters at once, so only the rows kept are
    copied out."""
    entries = [
        F.struct(
            F.lit(m).alias(MEMBER),
            (F.col(CLS) + m * n_labels).alias(CLS),
            _member_order(F.lit(seed)).alias(ORDER),
        )
        for m, seed in enumerate(seeds)
    ]
    each = F.explode(F.array(*entries)).alias("e")
    kept = [F.col(quote(c)) for c in columns]
    return rows.select(*kept, each).select(*kept, "e.*")


def member_cuts(
    rows: DataFrame, keys: Sequence[ClassDraw], seeds: Sequence[int], n_labels: int
) -> dict[int, Cut]:
    """Each key's :class:`~spark_smote.kernels.draws.Cut` (``rows``: ``CLS`` and
    ``ROW_HASH``): one pass counts each member's hashes below and in its window per class (a
    class whose cut falls outside is looked for again in a wider window, as
    :func:`~spark_smote.engine.draws.cuts` does)."""
    n_keys = len(seeds) * n_labels
    exploded = _exploded(rows, seeds, n_labels)

    def count(todo: Sequence[ClassDraw], bounds: dict[int, tuple[int, int]]) -> Any:
        lo = _by_key(n_keys, {k.index: bounds[k.index][0] for k in todo}, HASH_MIN)
        hi = _by_key(n_keys, {k.index: bounds[k.index][1] for k in todo}, HASH_MIN)
        return window_counts(exploded, todo, bounds, (lo, hi))

    return cuts(exploded, keys, count=count)


def member_samples(
    dataset: DataFrame,
    label_col: str,
    counts: dict[Any, int],
    wanted: dict[Any, int],
    seeds: Sequence[int],
    replacement: bool,
) -> DataFrame:
    """The samples of the members seeded ``seeds``, stacked: ``dataset``'s columns and
    ``MEMBER`` (the member's position in ``seeds``), partitioned by member and sorted by it.

    Each member draws each class of ``wanted`` to exactly its count (without replacement: a
    count not above the class's) and keeps every row of the other classes. Costs the cut pass
    and one pass that sorts the chosen rows (the batch's samples, not the input)."""
    draws = class_draws(counts, wanted)
    n_labels, n_keys = len(counts), len(seeds) * len(counts)
    rows = dataset.withColumn(ROW_HASH, row_hash(dataset, 0)).withColumn(
        CLS, class_index(label_col, class_draws(counts, counts))
    )
    keys = _keyed(draws, seeds, n_labels, replacement) if draws else []
    found = member_cuts(rows, keys, seeds, n_labels) if keys else {}
    cut = _by_key(n_keys, {i: c.value for i, c in found.items()}, HASH_MAX)  # others: all
    rows = _exploded(rows, seeds, n_labels, *dataset.columns).filter(F.col(ORDER) <= cut)
    quotas = {k.index: k.n_draws for k in keys}  # the rows tied at a cut: cut to the quota
    quota = _by_key(n_keys, quotas, HASH_MAX)
    rank = F.row_number().over(Window.partitionBy(MEMBER, CLS).orderBy(ORDER))
    rows = rows.repartition(len(seeds), MEMBER).withColumn(ROW, rank).filter(F.col(ROW) <= quota)
    if replacement and keys:
        of_class = {d.index: d for d in draws}
        by_key = {k.index: of_class[k.index % n_labels] for k in keys}

        def counts_of(cell: tuple[int, int]) -> np.ndarray:
            index = cell[0]
            if index not in by_key:  # a class the member does not draw: each row once
                return np.ones(counts[sorted(counts)[index % n_labels]], dtype=np.int32)
            return _profile(by_key[index], seeds[index // n_labels])

        copies = copies_udf(counts_of)(F.col(CLS), F.lit(0), F.col(ROW))
        rows = rows.withColumn(COPIES, copies).withColumn(
            COPY, F.explode(F.sequence(F.lit(1), F.col(COPIES)))
        )
    return rows.select(*[F.col(quote(c)) for c in dataset.columns], MEMBER)
