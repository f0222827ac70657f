"""Intermediate results computed once and read by several passes, for one of two lifetimes.

:func:`held` keeps rows for the length of a ``with`` block of driver code (the cleaners'
planning, Borderline-SMOTE's and ADASYN's measuring pass: what the output does not read) and
releases them at its end: on pyspark 3.5, whose ``localCheckpoint`` cannot keep on disk, a
``persist`` on disk released by the stage itself keeps the peak memory down.

:func:`kept` keeps rows that the output reads too. A transform's output is lazy: the stage
cannot tell when the user is done with it, so it cannot release what it keeps. :func:`kept`
therefore uses ``localCheckpoint``, whose data Spark releases with the last DataFrame that
reads it (over Spark Connect when the client drops it; on classic Spark when the JVM collects
it), so a ``CrossValidator`` fitting the stage many times does not pile up kept data beyond the
outputs it still holds. On disk where pyspark allows (4.x): kept in memory, SMOTE's rows raised
the peak memory of a 20M-row run from 3.9-4.2 GiB to 4.3-4.8 GiB; on disk it was 2.85 GiB
(docs/benchmarks.md).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager

from pyspark import StorageLevel
from pyspark.sql import DataFrame

#: pyspark 4.x lets ``localCheckpoint`` keep on disk: nothing then stays on the JVM heap while
#: the output lives (3.5 keeps ``MEMORY_AND_DISK``)
_ON_DISK = (
    {"storageLevel": StorageLevel.DISK_ONLY}
    if "storageLevel" in inspect.signature(DataFrame.localCheckpoint).parameters
    else {}
)


def kept(rows: DataFrame) -> DataFrame:
    """``rows`` computed now and kept, on the executors' disks where pyspark allows, for the
    passes that read them next.

    Where the session refuses (Databricks serverless on older clients:
    ``NOT_SUPPORTED_WITH_SERVERLESS``, ...; Spark Connect before 4.0), returns ``rows`` as they
    are: each pass that reads them computes them again, to the same rows (every pass of the
    engine is deterministic), so only the time differs. An error in computing ``rows`` comes
    back from the pass that reads them.
    """
    try:
        return rows.localCheckpoint(eager=True, **_ON_DISK)
    except Exception:  # any refusal: the same rows, recomputed by each pass
        return rows


@contextmanager
def held(rows: DataFrame, level: StorageLevel | None = None) -> Iterator[DataFrame]:
    """``rows`` kept (``persist``, at ``level`` if given) for the passes run inside the
    ``with`` block and released at its end: the cleaners' planning, so that its sampling and
    counting passes read the rows once projected, not the input again (their output does not
    read these rows); Borderline-SMOTE's and ADASYN's other-class rows, hashed once for their
    counting and measuring passes. Where the session refuses caching, the passes recompute the
    rows instead, as with :func:`kept`; so does a pass that reads them after the block."""
    try:
        persisted: DataFrame | None = rows.persist() if level is None else rows.persist(level)
    except Exception:  # any refusal: same rows, recomputed per pass
        persisted = None
    try:
        yield rows if persisted is None else persisted
    finally:
        if persisted is not None:
            persisted.unpersist()
