"""Where RandomUnderSampler's time goes at 4M rows, pass by pass, beside its floors.

    python benchmarks/random_passes.py --rows 4000000 --repeats 3 --out random_passes.json

On one ``local[2]`` session, interleaved, medians (the table of bench.py, ``noop`` sink):
``read`` (every column read once), the ``sampleBy`` floor (a class count, then ``sampleBy``
the majority down to the minority count: approximate counts), the sampler's ``plan`` (the
validation pass), its cut pass (where each class's kept rows end, when the installed version
has one), the whole ``transform`` without and with replacement, RandomOverSampler and its floor.
Run it with another installed version's Python to compare versions.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

from bench import arguments, make_data, run_floor, spark_session


def main() -> None:
    args = arguments().parse_args()
    spark = spark_session("8g")
    path = str(make_data(args.rows))
    from spark_smote import RandomOverSampler, RandomUnderSampler

    def write(df) -> None:
        df.write.format("noop").mode("overwrite").save()

    def floor_under() -> None:
        df = spark.read.parquet(path)
        n = {r.label: r["count"] for r in df.groupBy("label").count().collect()}
        small, big = min(n, key=n.get), max(n, key=n.get)
        write(df.sampleBy("label", {small: 1.0, big: n[small] / n[big]}, seed=1))

    def cut_pass() -> None:
        from spark_smote.engine import draws

        df = spark.read.parquet(path)
        plan = RandomUnderSampler().plan(df)
        d = draws.class_draws(plan.before, plan.changed)
        start = time.perf_counter()
        draws._cuts(draws._hashed(df, "label", d, 42), d)
        timings.setdefault("rus_cut_pass", []).append(time.perf_counter() - start)

    cases: dict[str, Callable[[], None]] = {
        "read": lambda: write(spark.read.parquet(path)),
        "floor_under": floor_under,
        "rus_plan": lambda: RandomUnderSampler().plan(spark.read.parquet(path)) and None,
        "rus": lambda: write(RandomUnderSampler().transform(spark.read.parquet(path))),
        "rus_replacement": lambda: write(
            RandomUnderSampler(replacement=True).transform(spark.read.parquet(path))
        ),
        "floor_over": lambda: run_floor(spark, make_data(args.rows)) and None,
        "ros": lambda: write(RandomOverSampler().transform(spark.read.parquet(path))),
    }
    try:
        from spark_smote.engine.draws import _cuts  # noqa: F401

        has_cuts = True
    except ImportError:
        has_cuts = False
    timings: dict[str, list[float]] = {}
    for run in cases.values():  # warm-up
        run()
    timings.clear()
    for _ in range(args.repeats):
        for name, run in cases.items():
            start = time.perf_counter()
            run()
            timings.setdefault(name, []).append(time.perf_counter() - start)
        if has_cuts:
            cut_pass()
    result = {k: round(statistics.median(v), 2) for k, v in timings.items()}
    result["rows"] = args.rows
    print(json.dumps(result))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"medians": result, "runs": timings}, f, indent=1)


if __name__ == "__main__":
    main()
