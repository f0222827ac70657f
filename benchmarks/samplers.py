"""The other samplers and SMOTE-NC vs imbalanced-learn and the random-oversampling floor.

    pip install -e ".[bench]"
    python benchmarks/samplers.py --rows 1000000 4000000 --repeats 3
    python benchmarks/samplers.py --rows 4000000 --skip-imblearn BorderlineSMOTE ADASYN
    python benchmarks/samplers.py --mixed 1000000 --repeats 3

Same data, machine and method as bench.py (medians of interleaved runs on ``local[2]``, the
``noop`` sink; imbalanced-learn in a child process on in-memory arrays, loading not timed,
with a time limit). ``--mixed``: 10 numeric columns of the benchmark table plus three seeded
categorical columns of 10, 1,000 and 100,000 values: SMOTE-NC vs SMOTE on the numeric part
vs imbalanced-learn's SMOTENC.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
from bench import DATA, FEATURES, HERE, PeakRSS, make_data, run_child, run_floor, spark_session

CATEGORIES = {"c10": 10, "c1k": 1_000, "c100k": 100_000}
NUMERIC = FEATURES[:10]
SAMPLERS = {  # name: (spark_smote class and params, imbalanced-learn expression)
    "BorderlineSMOTE": (
        ("BorderlineSMOTE", {"kNeighbors": 5, "mNeighbors": 10}),
        "from imblearn.over_sampling import BorderlineSMOTE as S; s = S(random_state=0)",
    ),
    "ADASYN": (
        ("ADASYN", {"nNeighbors": 5}),
        "from imblearn.over_sampling import ADASYN as S; s = S(random_state=0)",
    ),
    "RandomOverSampler": (
        ("RandomOverSampler", {}),
        "from imblearn.over_sampling import RandomOverSampler as S; s = S(random_state=0)",
    ),
    "RandomUnderSampler": (
        ("RandomUnderSampler", {}),
        "from imblearn.under_sampling import RandomUnderSampler as S; s = S(random_state=0)",
    ),
}


def make_mixed(rows: int) -> Path:
    """The numeric table's first 10 features, the label and 3 seeded categorical columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = DATA / f"mixed_{rows}.parquet"
    if path.exists():
        return path
    table = pq.read_table(make_data(rows), columns=[*NUMERIC, "label"])
    y = table.column("label").to_numpy()
    rng = np.random.default_rng(11)
    cols = {}
    for name, n in CATEGORIES.items():
        codes = rng.integers(0, n, len(y))
        shifted = (codes + y * (n // 3)) % n  # the minority prefers other values
        cols[name] = pa.array([f"{name}_{v}" for v in shifted])
    for name, col in cols.items():
        table = table.append_column(name, col)
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, row_group_size=250_000)
    tmp.rename(path)
    return path


def run_spark(spark, path: Path, cls: str, params: dict, features: list[str]) -> float:
    import spark_smote

    df = spark.read.parquet(str(path))
    sampler = getattr(spark_smote, cls)(**params)
    if cls != "RandomUnderSampler":
        sampler = sampler.setInputCols(features)
    start = time.perf_counter()
    sampler.transform(df).write.format("noop").mode("overwrite").save()
    return time.perf_counter() - start


def run_imblearn(path: Path, make: str, columns: list[str], timeout: int) -> dict:
    code = f"""
import json, resource, time
import numpy as np, pyarrow.parquet as pq
t = pq.read_table({str(path)!r})
cols = {columns!r}
X = np.column_stack([t.column(c).to_numpy(zero_copy_only=False) for c in cols])
if X.dtype != object:
    X = X.astype(np.float64)
y = t.column("label").to_numpy()
{make}
start = time.perf_counter()
Xr, yr = s.fit_resample(X, y)
sec = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"seconds": sec, "peak_rss": rss, "rows_out": int(len(yr))}}))
"""
    return run_child(code, timeout)


def _median(values: list) -> float | None:
    got = [v for v in values if v is not None]
    return statistics.median(got) if len(got) == len(values) and got else None


def bench_samplers(
    rows: list[int], repeats: int, timeout: int, memory: str, skip: frozenset[str] = frozenset()
) -> dict:
    """``skip``: samplers whose imbalanced-learn run is left out (known to pass the limit)."""
    spark = spark_session(memory)
    results: dict = {"rows": {}, "repeats": repeats, "imblearn_timeout": timeout}
    results["imblearn_skipped"] = sorted(skip)
    run_floor(spark, make_data(rows[0]))  # warm-up: JVM JIT and Python workers
    for n in rows:
        path = make_data(n)
        out: dict = {"floor": []}
        for name in SAMPLERS:
            out[name] = {"spark": [], "imblearn": [], "spark_rss": []}
        for _ in range(repeats):
            out["floor"].append(run_floor(spark, path))
            for name, ((cls, params), make) in SAMPLERS.items():
                with PeakRSS() as mem:
                    out[name]["spark"].append(run_spark(spark, path, cls, params, FEATURES))
                out[name]["spark_rss"].append(mem.peak)
                if name in skip:
                    out[name]["imblearn"].append(None)
                elif len(out[name]["imblearn"]) == 0 or out[name]["imblearn"][-1] is not None:
                    res = run_imblearn(path, make, FEATURES, timeout)
                    out[name]["imblearn"].append(res["seconds"])
                    out[name].setdefault("imblearn_runs", []).append(res)
                print(n, name, {k: v[-1] for k, v in out[name].items() if v}, flush=True)
        for name in SAMPLERS:
            r = out[name]
            r["median"] = {k: _median(r[k]) for k in ("spark", "imblearn", "spark_rss")}
        out["floor_median"] = statistics.median(out["floor"])
        results["rows"][n] = out
    spark.stop()
    return results


def bench_mixed(rows: int, repeats: int, timeout: int, memory: str) -> dict:
    path = make_mixed(rows)
    spark = spark_session(memory)
    run_floor(spark, path)  # warm-up
    cats = list(CATEGORIES)
    r: dict = {
        "smotenc": [],
        "smote_numeric": [],
        "floor": [],
        "imblearn_smotenc": [],
        "smotenc_c10": [],
        "imblearn_smotenc_c10": [],
        "rss": [],
    }

    def make(n_cat: int) -> str:
        return (
            "from imblearn.over_sampling import SMOTENC as S; "
            f"s = S(categorical_features=list(range(10, {10 + n_cat})), random_state=0)"
        )

    for _ in range(repeats):
        with PeakRSS() as mem:
            r["smotenc"].append(
                run_spark(spark, path, "SMOTENC", {"categoricalCols": cats}, NUMERIC)
            )
        r["rss"].append(mem.peak)
        r["smote_numeric"].append(run_spark(spark, path, "SMOTE", {}, NUMERIC))
        r["floor"].append(run_floor(spark, path))
        r["smotenc_c10"].append(
            run_spark(spark, path, "SMOTENC", {"categoricalCols": ["c10"]}, NUMERIC)
        )
        for key, columns in (("imblearn_smotenc", cats), ("imblearn_smotenc_c10", ["c10"])):
            if not r[key] or r[key][-1] is not None:  # a failure is not repeated
                res = run_imblearn(path, make(len(columns)), [*NUMERIC, *columns], timeout)
                r[key].append(res["seconds"])
                r.setdefault(key + "_runs", []).append(res)
        print(rows, {k: v[-1] for k, v in r.items() if v}, flush=True)
    spark.stop()
    r["median"] = {
        k: _median(v) for k, v in r.items() if isinstance(v, list) and not k.endswith("_runs")
    }
    return {"rows": rows, "repeats": repeats, "mixed": r}


def table(results: dict) -> str:
    lines = [
        "| rows | sampler | spark_smote (s) | imblearn (s) | floor (s) | imblearn / spark_smote "
        "| spark_smote / floor |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n, out in results["rows"].items():
        floor = out["floor_median"]
        for name in SAMPLERS:
            m = out[name]["median"]
            skipped = name in results.get("imblearn_skipped", [])
            imb = f"{m['imblearn']:.1f}" if m["imblearn"] else "not run" if skipped else "> limit"
            ratio = f"{m['imblearn'] / m['spark']:.2f}x" if m["imblearn"] else "-"
            lines.append(
                f"| {int(n):,} | {name} | {m['spark']:.1f} | {imb} | {floor:.1f} | {ratio} "
                f"| {m['spark'] / floor:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rows", type=int, nargs="*", default=[])
    p.add_argument("--mixed", type=int, default=None)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--timeout", type=int, default=900)
    p.add_argument("--driver-memory", default="8g")
    p.add_argument("--out", default=str(HERE / "samplers.json"))
    p.add_argument(
        "--skip-imblearn",
        nargs="*",
        default=[],
        choices=list(SAMPLERS),
        metavar="SAMPLER",
        help="samplers whose imbalanced-learn run is left out (e.g. BorderlineSMOTE ADASYN at 4M)",
    )
    args = p.parse_args()
    results: dict = {}
    if args.rows:
        results["samplers"] = bench_samplers(
            args.rows, args.repeats, args.timeout, args.driver_memory, frozenset(args.skip_imblearn)
        )
        print(table(results["samplers"]))
    if args.mixed:
        results["mixed"] = bench_mixed(args.mixed, args.repeats, args.timeout, args.driver_memory)
        print(json.dumps(results["mixed"]["mixed"]["median"], indent=2))
    Path(args.out).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
