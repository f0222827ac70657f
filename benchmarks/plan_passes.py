"""SMOTE's planning passes with the class rows kept between them (``persist``) or recomputed.

    python benchmarks/plan_passes.py --rows 4000000 --repeats 3

The benchmark table of bench.py; one ``local[2]`` session; ``SMOTE(inputCols=...).plan(df)``
(validation, sampling, counting) and the whole transform to the ``noop`` sink, each with and
without :func:`spark_smote.engine.planning.held`, interleaved. Medians.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time
from pathlib import Path

from bench import FEATURES, make_data, spark_session

import spark_smote.engine.planning as planning
from spark_smote import SMOTE


@contextlib.contextmanager
def _not_held(rows):
    yield rows


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=4_000_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default=str(Path(__file__).parent / "plan_passes.json"))
    args = p.parse_args()
    spark = spark_session("4g")
    df = spark.read.parquet(str(make_data(args.rows)))
    smote = SMOTE(inputCols=FEATURES)
    held = planning.held

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
        for kept in (True, False):
            planning.held = held if kept else _not_held
            for name, step in (("plan", plan), ("transform", transform)):
                times.setdefault(f"{name}, rows {'kept' if kept else 'recomputed'}", []).append(
                    step()
                )
    planning.held = held
    spark.stop()
    result = {k: statistics.median(v) for k, v in times.items()}
    Path(args.out).write_text(json.dumps({"rows": args.rows, "runs": times, "median": result}))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
