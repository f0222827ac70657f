"""One session-scoped SparkSession for the whole suite (local[2], UI off, UTC)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import numpy as np
import pytest

# Python workers must run the interpreter that runs the tests (it has the project installed).
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)

from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:  # pyspark is imported where a test needs it: the kernel tests run without it
    from pyspark.sql import DataFrame, SparkSession


def _classic_session() -> SparkSession:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("spark_smote-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )


def _connect_session() -> SparkSession:
    # SPARK_REMOTE (sc://host:port): a running Connect server, e.g. for the pure client's run
    # (.ci/run); otherwise a local server in this process' child JVM; the client talks gRPC to it
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.remote(os.environ.get("SPARK_REMOTE", "local[2]"))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


CONNECT = os.environ.get("SPARK_SMOTE_TEST_CONNECT") == "1"


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = _connect_session() if CONNECT else _classic_session()
    yield session
    session.stop()


def blobs(
    spark: SparkSession,
    sizes: dict[object, int],
    dim: int = 3,
    seed: int = 0,
    vector: bool = True,
) -> DataFrame:
    """Gaussian blobs, one per class, as a (features, label, id) DataFrame."""
    from pyspark.ml.linalg import Vectors

    rng = np.random.default_rng(seed)
    rows = []
    for i, (label, n) in enumerate(sizes.items()):
        centre = np.full(dim, 3.0 * i)
        for x in rng.normal(centre, 1.0, size=(n, dim)):
            rows.append((Vectors.dense(x.tolist()), label, len(rows)))
    df = spark.createDataFrame(rows, ["features", "label", "id"])
    if not vector:
        from pyspark.ml.functions import vector_to_array

        arr = vector_to_array("features")
        df = df.select(*[arr[j].alias(f"f{j}") for j in range(dim)], "label", "id")
    return df


def wide_table(
    spark: SparkSession, n_rows: int, names: list[str], seed: int
) -> tuple[np.ndarray, DataFrame]:
    """Two classes (about 15% of class 1, shifted by 1 in every feature) in one double column
    per name of ``names``, and ``label``: the labels and the DataFrame."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n_rows) < 0.15).astype(int)
    x = rng.normal(size=(n_rows, len(names))) + y[:, None]
    rows = [(*map(float, r), int(c)) for r, c in zip(x, y, strict=True)]
    return y, spark.createDataFrame(rows, [*names, "label"])
