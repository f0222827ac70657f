"""Driver of tests/test_cluster.py's lost-executor test: every sampler's output written twice
on a standalone cluster, all of them in one write each (a column ``sampler`` names whose row
it is), to ``OUT/<run>`` (the test compares them with the rows the same samplers give in its
own session, where no executor is lost):

- ``after``: an executor killed between the ``transform()`` calls and the write (the test
  kills it when this driver writes ``CONTROL/transformed``; it writes ``CONTROL/go`` after);
- ``during``: the same outputs written again, an executor killed while they are written: the
  write's first task writes ``CONTROL/writing`` (with its Python worker's pid) and waits for
  the test to kill that task's executor (at most 60 s); its rows pass through unchanged.

Usage: ``python lost_executor_driver.py MASTER OUT CONTROL``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from functools import reduce
from pathlib import Path

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_smote import ADASYN, SMOTE, Sampler, TomekLinks

COLS = ["f0", "f1", "f2", "f3"]
#: every class above maxBucketSize: the rows planning reads are kept (the path issue 35 fixed)
BUCKET = 400
#: one sampler per way of keeping rows for the output: SMOTE's class rows (SMOTE-NC and the
#: adaptive samplers plan the same way), ADASYN's measured weights besides (Borderline-SMOTE's
#: too), Tomek links' rows of the cross-class cells (edited nearest neighbours' too)
SAMPLERS: dict[str, Sampler] = {
    "smote": SMOTE(inputCols=COLS, seed=5, maxBucketSize=BUCKET),
    "adasyn": ADASYN(inputCols=COLS, seed=5, maxBucketSize=BUCKET),
    "tomek": TomekLinks(inputCols=COLS, maxBucketSize=BUCKET),
}


def table(spark: SparkSession) -> DataFrame:
    """Three overlapping classes (4,000 / 1,200 / 600 rows), four features and a colour."""
    rng = np.random.default_rng(7)
    parts = []
    for label, (n, centre) in enumerate(((4000, 0.0), (1200, 1.2), (600, 2.4))):
        x = rng.normal(centre, 1.0, size=(n, len(COLS)))
        part = pd.DataFrame(x, columns=COLS)
        part["colour"] = rng.choice(["red", "green", "blue"], size=n)
        part["label"] = label
        parts.append(part)
    pdf = pd.concat(parts, ignore_index=True)
    pdf.insert(0, "id", np.arange(len(pdf)))
    return spark.createDataFrame(pdf).repartition(4, "id")


def _wait(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear in {seconds} s")
        time.sleep(0.2)


def _stalled_once(control: Path):
    """An identity over batches whose first call, in one task only, waits to be killed."""
    marker = control / "writing"

    def identity(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:  # another task, or the retry: no stall
            yield from batches
            return
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        time.sleep(60)  # the test kills this executor meanwhile
        yield from batches

    return identity


def outputs(df: DataFrame) -> DataFrame:
    """Every sampler's output (each transform plans now: kept rows live on the executors),
    in one DataFrame with the column ``sampler``."""
    found = [s.transform(df).withColumn("sampler", F.lit(n)) for n, s in SAMPLERS.items()]
    return reduce(DataFrame.unionByName, found)


def main(master: str, out: Path, control: Path) -> None:
    spark = (
        SparkSession.builder.master(master)
        .appName("spark_smote-lost-executor")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.executor.cores", "1")
        .config("spark.executor.memory", "1g")
        .config("spark.cores.max", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.pyspark.python", sys.executable)
        .getOrCreate()
    )
    df = table(spark)
    after = outputs(df)
    (control / "transformed").touch()
    _wait(control / "go", 120)
    after.write.parquet(str(out / "after"))

    stalled = after.mapInPandas(_stalled_once(control), after.schema)
    stalled.write.parquet(str(out / "during"))
    print("written", flush=True)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
