"""Intermediate results computed once and read by several passes, for one of two lifetimes.

Both keep rows with ``persist``, which keeps their lineage: a block lost with its executor (a
spot node reclaimed, an OOM-killed JVM) is computed again from the input, to the same rows,
since every pass of the engine is deterministic. (Until 0.3 the output's rows were kept with
``localCheckpoint``, which cuts the lineage: after a lost executor the output could not be
read at all, issue 35.) Kept on the executors' disks: kept in memory, SMOTE's rows raised the
peak memory of a 20M-row run from 3.9-4.2 GiB to 4.3-4.8 GiB; on disk 2.85 GiB
(docs/results/history.md).

:func:`held` keeps rows for the length of a ``with`` block of driver code (the cleaners'
planning, Borderline-SMOTE's and ADASYN's measuring pass: what the output does not read) and
releases them at its end.

A :class:`Keeper` keeps rows that the output reads too. A transform's output is lazy: the
stage cannot tell when the user is done with it. The keeper therefore goes with the plan and
with every output made from it (:meth:`Keeper.hold`), and its rows are released when the last
of them is garbage-collected, or at once by :func:`release` (``spark_smote.release(output)``);
so a ``CrossValidator`` fitting the stage many times does not pile up kept data beyond the
outputs it still holds. A DataFrame derived from the output (``output.select(...)``) does not
hold the keeper: once the output itself is gone it reads its rows from the input again (the
same rows, more time); :class:`spark_smote.pipeline.Pipeline` carries the keeper through the
stages it fits and releases it when the fit ends.

Where the session refuses caching (Databricks serverless on older clients:
``NOT_SUPPORTED_WITH_SERVERLESS``, ...), nothing is kept: each pass that reads the rows
computes them again, to the same rows, so only the time differs.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

#: the attribute of an output DataFrame that holds its :class:`Keeper`
_HOLDER = "_spark_smote_keeper"


def persisted_or_none(rows: DataFrame, level: StorageLevel | None) -> DataFrame | None:
    """``rows.persist(level)`` (Spark's default level for None), or None where the session
    refuses caching."""
    try:
        return rows.persist() if level is None else rows.persist(level)
    except Exception:  # any refusal: the same rows, recomputed by each pass
        return None


def own_plan(rows: DataFrame) -> DataFrame:
    """``rows`` under a plan of their own: Spark keeps one cached copy per plan, so two
    keepers of equal rows (the same class rows for two seeds, a ``CrossValidator`` fitting in
    parallel) would share one, and the first released would take the other's rows (a filter
    that keeps every row, by a token that no other plan has, makes the plans differ)."""
    return rows.filter(F.lit(f"spark_smote {uuid.uuid4()}").isNotNull())


def _unpersist(frames: list[DataFrame]) -> None:
    while frames:
        frame = frames.pop()
        try:
            frame.unpersist()
        except Exception:  # the session is gone: so is what it cached
            pass


class Keeper:
    """The rows one plan keeps for its passes and its outputs, released together.

    Released by :meth:`release`, or when the keeper is garbage-collected: when the plan and
    every output that :meth:`hold` s it are gone.
    """

    def __init__(self) -> None:
        self._frames: list[DataFrame] = []
        self._release = weakref.finalize(self, _unpersist, self._frames)

    def keep(self, rows: DataFrame, now: bool = True) -> DataFrame:
        """``rows`` kept on the executors' disks, lineage intact, for the passes that read them
        next; ``rows`` as they are where the session refuses caching (an error in computing
        them then comes back from the pass that reads them).

        ``now``: computed at once (a pass of their own), for rows whose next readers run after
        what they are computed from is released (:func:`held`); else by the first pass that
        reads them, which stores them for the others (one pass fewer)."""
        persisted = persisted_or_none(own_plan(rows), StorageLevel.DISK_ONLY)
        if persisted is None:
            return rows
        self._frames.append(persisted)
        if not now:
            return persisted
        try:
            persisted.count()
        except Exception:
            self.release()
            raise
        return persisted

    def hold(self, output: DataFrame) -> DataFrame:
        """``output``, which now holds this keeper (its rows live while ``output`` does)."""
        if self._frames:
            vars(output)[_HOLDER] = self
        return output

    def release(self) -> None:
        """Unpersist what this keeper keeps (an output still read computes it again)."""
        self._release()


def rebased(keeper: Keeper, rows: DataFrame) -> DataFrame:
    """``rows`` kept by ``keeper`` as the base of the next rounds of an iteration (boosting's
    weights, repeated editing's passes). Classic Spark: persisted, lineage intact. Spark
    Connect sends every plan whole and refuses one over 100 levels deep, which rounds built on
    persisted rounds pass after a few dozen: there each round is a local checkpoint (a shallow
    reference). A lost executor then fails the iteration; where the session refuses, kept as
    on classic Spark."""
    if type(rows).__module__.startswith("pyspark.sql.connect"):
        try:
            return rows.localCheckpoint(eager=True)
        except Exception:  # refused (serverless): kept as on classic Spark
            pass
    return keeper.keep(rows)


def cut(keeper: Keeper, rows: DataFrame) -> DataFrame:
    """``rows`` computed now under a plan of one leaf: a local checkpoint. For an iteration
    whose pass reads the last pass's output twice (repeated editing: the rows, and the rows to
    remove found from them), so that its plan, which doubles with each pass kept with its
    lineage, stays bounded (a classic session ran out of driver memory after about 10 passes).
    The lineage is cut: an executor lost after it fails the reads of these rows, as on Spark
    Connect. Where the session refuses, kept by ``keeper`` (lineage intact)."""
    try:
        return rows.localCheckpoint(eager=True)
    except Exception:  # refused (serverless): kept with the lineage
        return keeper.keep(rows)


def keeper_of(output: DataFrame) -> Keeper | None:
    """The :class:`Keeper` ``output`` holds, if any."""
    found = vars(output).get(_HOLDER)
    return found if isinstance(found, Keeper) else None


def release(output: DataFrame) -> None:
    """Release at once what a sampler kept for ``output`` (the rows of classes larger than
    ``maxBucketSize``, Borderline-SMOTE's and ADASYN's measured weights), instead of when
    ``output`` is garbage-collected. ``output`` stays valid: read again, it computes those rows
    from its input (the same rows). Does nothing for a DataFrame that holds nothing.

    Examples
    --------
    >>> from spark_smote import SMOTE, release
    >>> df = spark.createDataFrame([(float(i), int(i % 4 == 0)) for i in range(40)], ["a", "y"])
    >>> out = SMOTE(inputCols=["a"], labelCol="y", kNeighbors=3).transform(df)
    >>> out.count()
    60
    >>> release(out)
    """
    keeper = keeper_of(output)
    if keeper is not None:
        keeper.release()


@contextmanager
def held(rows: DataFrame, level: StorageLevel | None = None) -> Iterator[DataFrame]:
    """``rows`` kept (``persist``, at ``level`` if given) for the passes run inside the
    ``with`` block and released at its end: the cleaners' planning, so that its sampling and
    counting passes read the rows once projected, not the input again (their output does not
    read these rows); Borderline-SMOTE's and ADASYN's other-class rows, hashed once for their
    counting and measuring passes. Where the session refuses caching, the passes recompute the
    rows instead, as with :class:`Keeper`; so does a pass that reads them after the block."""
    persisted = persisted_or_none(rows, level)
    try:
        yield rows if persisted is None else persisted
    finally:
        if persisted is not None:
            persisted.unpersist()
