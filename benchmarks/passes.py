"""Any sampler's transform, pass by pass: every job it runs on the driver's behalf, timed.

    python -m benchmarks passes --rows 4000000 --samplers SMOTE,BorderlineSMOTE,ADASYN

The benchmark table, one ``local[2]`` session (4 GiB driver), each sampler at its defaults on
``f0..f19``, forced with the ``noop`` sink. Every pass that brings something to the driver ends
in ``DataFrame.collect``: the script times each such call and names it by the spark_smote
function that made it (validation, sampling, counting, the other classes' counts, the
measuring pass of Borderline-SMOTE and ADASYN, ...). What is left of the wall time after
``transform`` returned is the output pass (generation, the union, the sink). A pass whose
result is kept for later passes (``count`` after ``persist``; ``localCheckpoint`` until 0.3) is
timed and named the same way. Each
sampler's floor (``benchmarks.catalog``) is timed beside them. The peak resident
memory of the process and its children (the JVM, the Python workers) is sampled during each
transform.
"""

from __future__ import annotations

import inspect
import json
import statistics
import time
from collections import defaultdict

from benchmarks.catalog import FLOORS, SAMPLERS
from benchmarks.common import FEATURES, PeakRSS, arguments, make_data, save, spark_session


def caller() -> str:
    """The innermost spark_smote function on the stack (``module.function``), past
    ``engine.keeping``: a kept pass is named by the function that keeps it."""
    for frame in inspect.stack()[2:]:
        module = frame.frame.f_globals.get("__name__", "")
        if module.startswith("spark_smote") and module != "spark_smote.engine.keeping":
            return f"{module.removeprefix('spark_smote.')}.{frame.function}"
    return "outside spark_smote"


#: the DataFrame methods that run a pass on the driver's behalf, and how a pass is labelled
TIMED = {"collect": "", "toArrow": "", "count": " (kept)", "localCheckpoint": " (kept)"}


def timed_passes(spark, path: str, name: str) -> dict[str, float]:
    """Seconds per collecting (or keeping) pass of one transform, and the output pass after."""
    frame_type = type(spark.range(1))
    methods = {m: getattr(frame_type, m) for m in TIMED if hasattr(frame_type, m)}
    seconds: dict[str, float] = defaultdict(float)

    def timed(method: str):
        def call(self, *args, **kwargs):
            where, start = caller() + TIMED[method], time.perf_counter()
            try:
                return methods[method](self, *args, **kwargs)
            finally:
                seconds[where] += time.perf_counter() - start

        return call

    df = spark.read.parquet(path)
    for m in methods:
        setattr(frame_type, m, timed(m))
    with PeakRSS() as mem:
        try:
            start = time.perf_counter()
            out = SAMPLERS[name].stage(FEATURES).transform(df)
            planned = time.perf_counter()
        finally:
            for m, original in methods.items():
                setattr(frame_type, m, original)
        out.write.format("noop").mode("overwrite").save()
        done = time.perf_counter()
    seconds["driver work between passes"] = planned - start - sum(seconds.values())
    seconds["output pass (generation, union, sink)"] = done - planned
    seconds["total"] = done - start
    seconds["peak RSS, GiB (JVM and Python workers)"] = mem.peak / 2**30
    return dict(seconds)


def main(argv: list[str] | None = None) -> None:
    ap = arguments(__doc__, repeats=1)
    ap.add_argument("--samplers", default="SMOTE,BorderlineSMOTE,ADASYN", help=",".join(SAMPLERS))
    args = ap.parse_args(argv)
    names = args.samplers.split(",")
    if any(n not in SAMPLERS for n in names):
        ap.error(f"--samplers: pick from {', '.join(SAMPLERS)}")
    floors = sorted({SAMPLERS[n].floor for n in names})
    spark = spark_session("4g")
    path = make_data(args.rows)
    FLOORS["over"](spark, path)  # warm-up: the JVM's code and the file's pages
    runs: dict[str, list[dict[str, float]]] = defaultdict(list)
    for _ in range(args.repeats):  # interleaved
        for f in floors:
            runs[f"floor ({f})"].append({"total": FLOORS[f](spark, path)})
        for name in names:
            runs[name].append(timed_passes(spark, str(path), name))
            print(name, json.dumps({k: round(v, 2) for k, v in runs[name][-1].items()}))
    medians = {
        name: {key: round(statistics.median(r[key] for r in rs), 2) for key in rs[0]}
        for name, rs in runs.items()
    }
    for name in names:
        m, floor = medians[name], medians[f"floor ({SAMPLERS[name].floor})"]["total"]
        print(f"\n{name}: {m['total']:.1f} s = {m['total'] / floor:.1f}x the floor")
        for key, value in m.items():
            if key != "total":
                print(f"  {key:55s} {value:7.2f}")
    save({"rows": args.rows, "medians": medians, "runs": runs}, args.out, "passes")
