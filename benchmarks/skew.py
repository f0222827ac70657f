"""Skewed minority classes at benchmark scale: bounded cells, exact counts, no OOM.

    python -m benchmarks skew --rows 1000000

Two variants of the benchmark data: (a) half of the minority rows replaced by one identical
row, (b) 90% of the minority rows squeezed into one tight cluster. For each: cell sizes from
the diagnostics, the time of a full transform (noop sink), and the exact output class counts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pyspark.sql import functions as F

from benchmarks.common import FEATURES, make_data, save, spark_session
from spark_smote import SMOTE
from spark_smote.diagnostics import neighbour_quality


def skewed(df, kind: str):
    minority = F.col("label") == 1
    pick = F.pmod(F.xxhash64(*FEATURES), F.lit(10))  # a stable pseudo-random split of the rows
    chosen = pick < (5 if kind == "duplicates" else 9)
    cols = []
    for f in FEATURES:
        if kind == "duplicates":
            value = F.when(minority & chosen, F.lit(0.5)).otherwise(F.col(f))
        else:
            value = F.when(minority & chosen, F.lit(0.5) + F.col(f) * 1e-4).otherwise(F.col(f))
        cols.append(value.alias(f))
    return df.select(*cols, "label")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--out", default=str(Path(__file__).parent / "skew.json"))
    args = p.parse_args(argv)
    spark = spark_session("8g")
    base = spark.read.parquet(str(make_data(args.rows)))
    results = []
    for kind in ("duplicates", "cluster"):
        df = skewed(base, kind)
        smote = SMOTE(inputCols=FEATURES, kNeighbors=5)
        (q,) = neighbour_quality(smote, df, sample_rows=500)
        start = time.perf_counter()
        smote.transform(df).write.format("noop").mode("overwrite").save()
        seconds = time.perf_counter() - start
        counts = {
            r.label: r["count"] for r in smote.transform(df).groupBy("label").count().collect()
        }
        row = {"kind": kind, "seconds": seconds, "counts": counts, **q.as_dict()}
        results.append(row)
        print(row, flush=True)
        assert counts[0] == counts[1], counts
        assert q.cell_max <= smote.getMaxBucketSize() and q.short_of_k == 0
    save(results, args.out, "skew")


if __name__ == "__main__":
    main()
