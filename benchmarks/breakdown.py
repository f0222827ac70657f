"""Where does the time of a transform go? Each step timed alone, side by side in one run.

    python benchmarks/breakdown.py --rows 4000000 --repeats 3

Steps, each a full job forced with the ``noop`` sink (or a count) on ``local[2]``:

- ``floor``: read + random oversampling to the same output size (bench.py's floor);
- ``buckets``: the rows of the minority class, table-0 bucket windows, the shuffle into
  ``groupBy(class, bucket)`` and the Arrow transfer into Python workers, with a kernel that
  returns nothing (no kNN, no generation);
- ``1 table`` / ``3 tables``: the whole transform;
- ``kNN (numpy)``: the exact kNN kernel alone on one bucket of benchmark rows, times the number
  of buckets per table, divided by the 2 cores.
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
from spark_smote.bucketing import BUCKET, CLS
from spark_smote.kernel import knn_in_bucket


def run_buckets(spark, path: Path) -> float:
    df = spark.read.parquet(str(path))
    start = time.perf_counter()
    smote = SMOTE(inputCols=FEATURES, numHashTables=1)
    spec = smote._spec(df)
    _, plans = smote._plan(df, spec)
    work = smote._bucketed(df, spec, plans, len(FEATURES))
    out = work.groupBy(CLS, BUCKET).applyInPandas(lambda pdf: pdf.head(0)[[CLS]], f"{CLS} int")
    out.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - start


def knn_seconds(path: Path, buckets: int, size: int) -> float:
    t = pq.read_table(str(path), columns=[*FEATURES, "label"])
    minority = t.column("label").to_numpy() == 1
    x = np.column_stack([t.column(f).to_numpy()[minority][:size] for f in FEATURES])
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        knn_in_bucket(x, np.arange(len(x)), 5)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * buckets / 2


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=4_000_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default=str(Path(__file__).parent / "breakdown.json"))
    args = p.parse_args()
    path = make_data(args.rows)
    spark = spark_session("4g")
    df = spark.read.parquet(str(path))
    (plan,) = SMOTE(inputCols=FEATURES).plan(df)[1]
    run_spark_smote(spark, path)  # warm-up
    steps = {
        "floor": lambda: run_floor(spark, path),
        "buckets": lambda: run_buckets(spark, path),
        "1 table": lambda: run_spark_smote(spark, path, numHashTables=1),
        "3 tables": lambda: run_spark_smote(spark, path, numHashTables=3),
    }
    times: dict[str, list[float]] = {s: [] for s in steps}
    for _ in range(args.repeats):  # interleaved
        for name, step in steps.items():
            times[name].append(step())
    spark.stop()
    result = {name: statistics.median(v) for name, v in times.items()}
    result["kNN (numpy) per table"] = knn_seconds(path, plan.n_buckets, plan.bucket_size(0))
    result["buckets per table"] = plan.n_buckets
    result["bucket rows"] = plan.bucket_size(0)
    Path(args.out).write_text(json.dumps({"rows": args.rows, "median": result}, indent=2))
    print(pd.Series(result).to_string())


if __name__ == "__main__":
    main()
