"""Where does the time of a transform go? Each step timed alone, side by side in one run.

    python benchmarks/breakdown.py --rows 4000000 --repeats 3

Steps, each a full job forced with the ``noop`` sink (or a count) on ``local[2]``:

- ``floor``: read + random oversampling to the same output size (bench.py's floor);
- ``plan``: the validation pass, the sampling pass and the counting pass (``SMOTE.plan``);
- ``cells``: the plan, then every stored copy hashed and shuffled into its cell and moved
  through Arrow into the Python workers, with a kernel that returns nothing;
- ``transform``: the whole transform (one guest-free cell per row, and the defaults);
- ``kNN (numpy)``: the exact kNN kernel alone on a cell of the median size, scaled to all home
  rows of the class, divided by the 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from bench import FEATURES, make_data, run_floor, run_spark_smote, spark_session

from spark_smote import SMOTE
from spark_smote.engine.columns import CELL, CLS, PART
from spark_smote.engine.grouping import cell_groups
from spark_smote.engine.planning import plan_cells
from spark_smote.engine.rows import class_rows
from spark_smote.engine.validation import feature_spec
from spark_smote.kernels.cells import ClassTask
from spark_smote.kernels.knn import knn_in_cell

SMOTE_DEFAULTS = SMOTE()


def _cells(df, smote):
    spec = feature_spec(df.schema, "features", FEATURES, "label", None)
    labels = {r["label"]: r["count"] for r in df.groupBy("label").count().collect()}
    minority = min(labels, key=labels.get)
    task = ClassTask(sorted(labels).index(minority), minority, labels[minority], 1)
    rows = class_rows(df, spec, [task], len(FEATURES))
    k, seed = smote.getKNeighbors(), smote.getSeed()
    max_size, copies = smote.getMaxBucketSize(), smote.getNumHashTables()
    return rows, plan_cells(rows, [task], len(FEATURES), seed, max_size, copies, k)


def run_plan(spark, path: Path) -> float:
    df = spark.read.parquet(str(path))
    start = time.perf_counter()
    SMOTE(inputCols=FEATURES).plan(df)
    return time.perf_counter() - start


def run_cells(spark, path: Path) -> float:
    df = spark.read.parquet(str(path))
    start = time.perf_counter()
    rows, cells = _cells(df, SMOTE_DEFAULTS)
    grouped = cell_groups(rows, cells, len(FEATURES), SMOTE_DEFAULTS.getSeed())
    schema = f"{CLS} int, {CELL} int, {PART} int"
    out = grouped.applyInPandas(lambda pdf: pdf.head(0)[[CLS, CELL, PART]], schema)
    out.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - start


def knn_seconds(path: Path, queries: int, cell_rows: int) -> float:
    """The exact kNN kernel alone on ``cell_rows`` benchmark rows, scaled to ``queries``
    home rows in cells of that size, divided by the 2 cores."""
    t = pq.read_table(str(path), columns=[*FEATURES, "label"])
    minority = t.column("label").to_numpy() == 1
    x = np.column_stack([t.column(f).to_numpy()[minority][:cell_rows] for f in FEATURES])
    home = np.arange(min(len(x), 5000))
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        knn_in_cell(x, home, 5)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * queries / len(home) / 2


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=4_000_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default=str(Path(__file__).parent / "breakdown.json"))
    args = p.parse_args()
    path = make_data(args.rows)
    spark = spark_session("4g")
    df = spark.read.parquet(str(path))
    (plan,) = SMOTE(inputCols=FEATURES).plan(df).cells
    run_spark_smote(spark, path)  # warm-up
    steps = {
        "floor": lambda: run_floor(spark, path),
        "plan (stats, sample, counts)": lambda: run_plan(spark, path),
        "cells (plan + shuffle into groups)": lambda: run_cells(spark, path),
        "transform, numHashTables=1": lambda: run_spark_smote(spark, path, numHashTables=1),
        "transform, defaults": lambda: run_spark_smote(spark, path),
    }
    times: dict[str, list[float]] = {s: [] for s in steps}
    for _ in range(args.repeats):  # interleaved
        for name, step in steps.items():
            times[name].append(step())
    spark.stop()
    result = {name: statistics.median(v) for name, v in times.items()}
    sizes = [g.rows for g in plan.groups()]
    result["kNN (numpy), all home rows, median cell"] = knn_seconds(
        path, plan.n_rows, int(np.median(sizes))
    )
    result["cells"] = len(sizes)
    result["median cell rows"] = float(np.median(sizes))
    Path(args.out).write_text(json.dumps({"rows": args.rows, "median": result}, indent=2))
    print(pd.Series(result).to_string())


if __name__ == "__main__":
    main()
