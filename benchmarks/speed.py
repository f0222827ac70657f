"""Speed against imbalanced-learn and the floor: any samplers of the catalog, by rows.

    pip install -e ".[bench]"
    python -m benchmarks speed --rows 1000000 4000000 --repeats 3
    python -m benchmarks speed --rows 4000000 --samplers BorderlineSMOTE,ADASYN \
        --skip-imblearn BorderlineSMOTE ADASYN      # imbalanced-learn's pass the time limit
    python -m benchmarks speed --mixed 1000000 --repeats 3      # SMOTE-NC
    python -m benchmarks speed --categorical 100000 1000000 --repeats 1     # SMOTEN

Interleaved repeats on one ``local[2]`` session (a warm-up first), the ``noop`` sink, medians;
each sampler's floor (``benchmarks.catalog``) in the same rounds; imbalanced-learn in a child
process on in-memory arrays (loading not timed), with a time limit, a failure not repeated.
``--mixed``: 10 numeric columns of the table plus three seeded categorical columns of 10, 1,000
and 100,000 values: SMOTE-NC against SMOTE on the numeric part and imbalanced-learn's SMOTENC.
``--categorical``: SMOTEN on the columns of 10 and 1,000 values alone, by rows, against the
floor and imbalanced-learn's SMOTEN (run where its minority x minority matrices fit in 8 GiB).
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np

from benchmarks.catalog import FLOORS, SAMPLERS, label_counts, run_sampler
from benchmarks.common import (
    DATA,
    FEATURES,
    PeakRSS,
    make_data,
    median,
    noop,
    run_child,
    save,
    spark_session,
)

CATEGORIES = {"c10": 10, "c1k": 1_000, "c100k": 100_000}
NUMERIC = FEATURES[:10]


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


class PassLog(logging.Handler):
    """The lines spark_smote's repeated editing logs, one per pass, while in the block, each
    with the seconds since the block began (a pass's time: the difference to the last)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[float, str]] = []
        self.logger = logging.getLogger("spark_smote.under_sampling.repeated_editing")

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((round(time.perf_counter() - self.start, 2), record.getMessage()))

    def __enter__(self) -> PassLog:
        self.level, self.start = self.logger.level, time.perf_counter()
        self.logger.setLevel(logging.INFO)
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level)


def run_spark(spark, path: Path, cls: str, params: dict, features: list[str]) -> float:
    """Seconds of one transform of ``spark_smote.<cls>(**params)`` on ``features``."""
    import spark_smote

    df = spark.read.parquet(str(path))
    sampler = getattr(spark_smote, cls)(**params).setInputCols(features)
    start = time.perf_counter()
    noop(sampler.transform(df))
    return time.perf_counter() - start


def run_imblearn(path: Path, make: str, columns: list[str], timeout: int) -> dict:
    """imbalanced-learn's ``s`` (made by ``make``) in a child: ``fit_resample`` timed."""
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


def bench_samplers(
    rows: list[int],
    names: list[str],
    repeats: int,
    timeout: int,
    memory: str,
    skip: set[str],
    out_file: str | None = None,
) -> dict:
    """Per rows: the floors the samplers need and, per sampler, spark_smote's seconds and peak
    memory, the class counts of each repeated pass (repeated editing) and imbalanced-learn's
    seconds (None: skipped, over the limit or failed); saved to ``out_file`` after each size."""
    spark = spark_session(memory)
    floors = sorted({SAMPLERS[n].floor for n in names})
    results: dict = {"rows": {}, "repeats": repeats, "driver_memory": memory}
    results.update(imblearn_timeout=timeout, imblearn_skipped=sorted(skip))
    warm = make_data(min(rows[0], 100_000))  # warm-up (JIT, Python workers) on a small table
    run_sampler(spark, warm, names[0], FEATURES)
    for n in rows:
        path = make_data(n)
        out: dict = {"floors": {f: [] for f in floors}, "samplers": {}}
        for name in names:
            out["samplers"][name] = {"spark": [], "spark_rss": [], "imblearn": [], "runs": []}
        for _ in range(repeats):  # interleaved: noise hits all alike
            for f in floors:
                out["floors"][f].append(FLOORS[f](spark, path))
            for name in names:
                r = out["samplers"][name]
                with PeakRSS() as mem, PassLog() as passes:
                    r["spark"].append(run_sampler(spark, path, name, FEATURES))
                r["spark_rss"].append(mem.peak)
                if passes.lines:  # repeated editing: its passes' class counts
                    r.setdefault("passes", []).append(passes.lines)
                make = SAMPLERS[name].imblearn
                if name in skip or make is None:
                    r["imblearn"].append(None)
                elif not r["imblearn"] or r["imblearn"][-1] is not None:
                    res = run_imblearn(path, make, FEATURES, timeout)
                    r["imblearn"].append(res["seconds"])
                    r["runs"].append(res)
                print(n, name, {k: v[-1] for k, v in r.items() if v}, flush=True)
        out["floor_median"] = {f: median(v) for f, v in out["floors"].items()}
        for name, r in out["samplers"].items():
            r["median"] = {k: median(r[k]) for k in ("spark", "imblearn", "spark_rss")}
            r["floor"] = SAMPLERS[name].floor
        results["rows"][n] = out
        save({"samplers": results}, out_file, "speed")  # kept if a later size does not finish
    spark.stop()
    return results


def table(results: dict) -> str:
    lines = [
        "| rows | sampler | spark_smote (s) | imbalanced-learn (s) | floor (s) "
        "| imbalanced-learn / spark_smote | spark_smote / floor |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n, out in results["rows"].items():
        for name, r in out["samplers"].items():
            m, floor = r["median"], out["floor_median"][r["floor"]]
            imb = f"{m['imblearn']:.1f}" if m["imblearn"] else "-"
            ratio = f"{m['imblearn'] / m['spark']:.2f}x" if m["imblearn"] else "-"
            lines.append(
                f"| {int(n):,} | {name} | {m['spark']:.1f} | {imb} | {floor:.1f} ({r['floor']}) "
                f"| {ratio} | {m['spark'] / floor:.2f}x |"
            )
    return "\n".join(lines)


def bench_mixed(rows: int, repeats: int, timeout: int, memory: str) -> dict:
    """SMOTE-NC on the mixed table: all three categorical columns, one, SMOTE on the numeric
    part, the floor, and imbalanced-learn's SMOTENC with three and with one."""
    path = make_mixed(rows)
    spark = spark_session(memory)
    FLOORS["over"](spark, path)  # warm-up
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
        r["floor"].append(FLOORS["over"](spark, path))
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
        k: median(v) for k, v in r.items() if isinstance(v, list) and not k.endswith("_runs")
    }
    return {"rows": rows, "repeats": repeats, "mixed": r}


#: imbalanced-learn's SMOTEN holds two minority x minority float64 matrices (its pairwise value
#: difference distances, then the neighbours searched on them): run only where they fit
SMOTEN_IMBLEARN_BYTES = 8 * 2**30


def bench_categorical(rows: list[int], repeats: int, timeout: int, memory: str) -> dict:
    """SMOTEN on the mixed table's categorical columns of 10 and 1,000 values (SMOTEN refuses a
    column of more than ``MAX_CATEGORIES``), by rows: spark_smote, the floor and
    imbalanced-learn's SMOTEN where its distance matrices fit (else skipped, with their size)."""
    from spark_smote.engine.value_difference import MAX_CATEGORIES

    spark = spark_session(memory)
    cats = [c for c, values in CATEGORIES.items() if values <= MAX_CATEGORIES]
    make = "from imblearn.over_sampling import SMOTEN as S; s = S(random_state=0)"
    run_spark(spark, make_mixed(rows[0]), "SMOTEN", {}, cats)  # warm-up
    out: dict = {"repeats": repeats, "rows": {}}
    for n in rows:
        path = make_mixed(n)
        minority = min(label_counts(spark.read.parquet(str(path))).values())
        needs = 2 * 8 * minority**2
        r: dict = {"smoten": [], "floor": [], "imblearn": [], "imblearn_bytes": needs}
        for _ in range(repeats):
            r["smoten"].append(run_spark(spark, path, "SMOTEN", {}, cats))
            r["floor"].append(FLOORS["over"](spark, path))
            if needs <= SMOTEN_IMBLEARN_BYTES and (not r["imblearn"] or r["imblearn"][-1]):
                res = run_imblearn(path, make, cats, timeout)
                r["imblearn"].append(res["seconds"])
                r.setdefault("imblearn_runs", []).append(res)
            print(n, {k: v[-1] for k, v in r.items() if isinstance(v, list) and v}, flush=True)
        r["median"] = {k: median(r[k]) for k in ("smoten", "floor", "imblearn")}
        out["rows"][n] = r
    spark.stop()
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rows", type=int, nargs="*", default=[])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default="speed.json", help="raw results, JSON")
    p.add_argument("--samplers", default="SMOTE", help=",".join(SAMPLERS))
    p.add_argument("--mixed", type=int, default=None, metavar="ROWS")
    p.add_argument("--categorical", type=int, nargs="*", default=[], metavar="ROWS")
    p.add_argument("--timeout", type=int, default=900, help="imbalanced-learn's, seconds")
    p.add_argument("--driver-memory", default="8g")
    p.add_argument("--skip-imblearn", nargs="*", default=[], choices=list(SAMPLERS))
    args = p.parse_args(argv)
    results: dict = {}
    if args.rows:
        names = args.samplers.split(",")
        unknown = [n for n in names if n not in SAMPLERS]
        if unknown:
            p.error(f"unknown samplers {unknown}: pick from {', '.join(SAMPLERS)}")
        results["samplers"] = bench_samplers(
            args.rows,
            names,
            args.repeats,
            args.timeout,
            args.driver_memory,
            set(args.skip_imblearn),
            args.out,
        )
        print(table(results["samplers"]))
    if args.mixed:
        results["mixed"] = bench_mixed(args.mixed, args.repeats, args.timeout, args.driver_memory)
        print(results["mixed"]["mixed"]["median"])
    if args.categorical:
        results["categorical"] = bench_categorical(
            args.categorical, args.repeats, args.timeout, args.driver_memory
        )
    save(results, args.out, "speed")
