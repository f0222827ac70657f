"""Neighbour quality and time of the cell knobs on the benchmark data.

    python -m benchmarks quality --rows 1000000
    python -m benchmarks quality --rows 4000000 --grid scale --repeats 1
    python -m benchmarks quality --rows 10000000 --grid defaults --repeats 1

For each (maxBucketSize, numHashTables): recall@5, k-th neighbour distance ratio and cell
sizes from spark_smote.diagnostics.neighbour_quality (1000 sampled minority rows), and the
median time of a full transform (noop sink) over --repeats runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from benchmarks.common import FEATURES, make_data, noop, save, spark_session
from spark_smote import SMOTE
from spark_smote.diagnostics import neighbour_quality

DEFAULTS = (30_000, 6)
#: the knobs that keep recall up as the class grows: bigger cells, more guest copies
SCALE = [DEFAULTS, (30_000, 8), (50_000, 6)]
GRID = [(30_000, 1), (30_000, 3), (30_000, 6), (15_000, 6), (50_000, 6), (30_000, 8)]


def run_spark_smote(spark, path: Path, **params) -> float:
    """Seconds of one SMOTE transform (``kNeighbors=5`` and ``params``) to the sink."""
    df = spark.read.parquet(str(path))
    start = time.perf_counter()
    noop(SMOTE(inputCols=FEATURES, kNeighbors=5, **params).transform(df))
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    p.add_argument("--grid", choices=["full", "scale", "defaults"], default="full")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default=str(Path(__file__).parent / "quality.json"))
    args = p.parse_args(argv)
    spark = spark_session("4g")
    grid = {"full": GRID, "scale": SCALE, "defaults": [DEFAULTS]}[args.grid]
    rows = []
    for n in args.rows:
        path = make_data(n)
        df = spark.read.parquet(str(path))
        run_spark_smote(spark, path)  # warm-up
        for max_size, tables in grid:
            params = {"maxBucketSize": max_size, "numHashTables": tables}
            (q,) = neighbour_quality(SMOTE(inputCols=FEATURES, **params), df, sample_rows=1000)
            secs = [run_spark_smote(spark, path, **params) for _ in range(args.repeats)]
            rows.append(
                {"data_rows": n, **params, **q.as_dict(), "seconds": statistics.median(secs)}
            )
            print(rows[-1], flush=True)
    save({"runs": rows}, args.out, "quality")
    print(
        "| data rows | maxBucketSize | numHashTables | cells | recall@5 | distance ratio "
        "| seconds |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['data_rows']:,} | {r['maxBucketSize']:,} | {r['numHashTables']} "
            f"| {r['cells']} | "
            f"{r['recall_at_k']:.3f} | {r['distance_ratio']:.3f} | {r['seconds']:.1f} |"
        )


if __name__ == "__main__":
    main()
