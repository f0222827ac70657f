"""SMOTE with the rows of its class kept (``localCheckpoint``) or recomputed by every pass.

    python benchmarks/plan_passes.py --rows 4000000 --repeats 3

The benchmark table of bench.py; one ``local[2]`` session; ``SMOTE(inputCols=...).plan(df)``
(validation, sampling, counting) and the whole transform to the ``noop`` sink, each with the
class rows kept by :func:`spark_smote.engine.keeping.kept` (0.3: planning and the output read
them) and without (as where a session refuses: every pass projects them from the input
again), and the floor of bench.py, interleaved. Medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bench import FEATURES, make_data, run_floor, spark_session

import spark_smote.over_sampling.base as base
from spark_smote import SMOTE


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=4_000_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default=str(Path(__file__).parent / "plan_passes.json"))
    args = p.parse_args()
    spark = spark_session("4g")
    path = make_data(args.rows)
    df = spark.read.parquet(str(path))
    smote = SMOTE(inputCols=FEATURES)
    kept = base.kept

    def plan() -> float:
        start = time.perf_counter()
        smote.plan(df)
        return time.perf_counter() - start

    def transform() -> float:
        start = time.perf_counter()
        smote.transform(df).write.format("noop").mode("overwrite").save()
        return time.perf_counter() - start

    transform()  # warm-up
    times: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        times.setdefault("floor", []).append(run_floor(spark, path))
        for keep in (True, False):
            base.kept = kept if keep else (lambda rows: rows)
            for name, step in (("plan", plan), ("transform", transform)):
                times.setdefault(f"{name}, rows {'kept' if keep else 'recomputed'}", []).append(
                    step()
                )
    base.kept = kept
    spark.stop()
    result = {k: statistics.median(v) for k, v in times.items()}
    Path(args.out).write_text(json.dumps({"rows": args.rows, "runs": times, "median": result}))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
