"""Intermediate results computed once and read by several passes.

A transform's output is lazy: the stage cannot tell when the user is done with it, so nothing it
keeps can be released by the stage itself. :func:`kept` therefore uses ``localCheckpoint``,
whose data Spark releases with the last DataFrame that reads it (over Spark Connect when the
client drops it; on classic Spark when the JVM collects it), so a ``CrossValidator`` fitting
the stage many times does not pile up kept data beyond the outputs it still holds. On disk
where pyspark allows (4.x): kept in memory, SMOTE's rows raised the peak memory of a 20M-row
run from 3.9-4.2 GiB to 4.3-4.8 GiB; on disk it was 2.85 GiB (docs/benchmarks.md).
"""

from __future__ import annotations

import inspect

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
