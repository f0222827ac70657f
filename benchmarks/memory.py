"""Fraud-rate imbalance on capped Python workers: SMOTE with spark.executor.pyspark.memory=1g.

    python -m benchmarks memory --repeats 3 [--baseline /path/to/venv-of-0.2/bin/python]

Two tables of 20 double features (written to Parquet once under benchmarks/data/):
- ``fraud``: 3M rows, 3,000 of class 1 (1000:1), raised to the majority (~3M synthetic rows);
- ``ten``: 2M rows, 10 classes of 300 rows raised to the majority.
Each run is a fresh ``local[2]`` session in a child process (the cap is a session setting),
``SMOTE(inputCols=..., labelCol="label", seed=1)`` at defaults, written to the ``noop`` sink.
Runs, interleaved: this checkout capped at 1g and uncapped; with ``--baseline`` the same from
another interpreter that has another release installed (e.g. a venv with 0.2: ``pip install
<checkout of 0.2>[spark]``), capped and uncapped. Reports medians and
the ratio capped / baseline-uncapped to docs (JSON beside this file).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

from benchmarks.common import DATA, FEATURES, HERE, save

TABLES = {
    "fraud": {"rows": 3_000_000, "classes": {1: 3_000}},
    "ten": {"rows": 2_000_000, "classes": {c: 300 for c in range(1, 11)}},
}


def make_table(name: str) -> Path:
    """Class 0 the rest of the rows; each small class a Gaussian blob of its own."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    spec = TABLES[name]
    path = DATA / f"memory_{name}.parquet"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    small = sum(spec["classes"].values())
    labels = np.concatenate(
        [np.zeros(spec["rows"] - small, np.int32)]
        + [np.full(n, c, np.int32) for c, n in spec["classes"].items()]
    )
    x = rng.standard_normal((len(labels), len(FEATURES)))
    x += labels[:, None] * 0.7  # each class off-centre
    order = rng.permutation(len(labels))
    cols = [pa.array(x[order, j]) for j in range(len(FEATURES))] + [pa.array(labels[order])]
    table = pa.Table.from_arrays(cols, names=[*FEATURES, "label"])
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, row_group_size=250_000)
    tmp.rename(path)
    return path


CHILD = """
import json, os, sys, time
os.environ["PYSPARK_PYTHON"] = sys.executable
from pyspark.sql import SparkSession
builder = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
           .config("spark.driver.memory", "4g").config("spark.sql.shuffle.partitions", "16"))
if {cap!r}:
    builder = builder.config("spark.executor.pyspark.memory", {cap!r})
spark = builder.getOrCreate()
from spark_smote import SMOTE
df = spark.read.parquet({path!r})
start = time.perf_counter()
SMOTE(inputCols={features!r}, labelCol="label", seed=1).transform(df).write.format(
    "noop").mode("overwrite").save()
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""


def run(path: Path, cap: str | None, python: str | None, timeout: int = 1800) -> dict:
    code = CHILD.format(cap=cap, path=str(path), features=FEATURES)
    try:
        out = subprocess.run(
            [python or sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "error": f"over {timeout} s"}
    if out.returncode != 0:
        errors = [ln for ln in out.stderr.splitlines() if "Error" in ln or "error" in ln]
        return {"seconds": None, "error": (errors or ["failed"])[-1][:300]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--baseline", help="a Python with the release to compare with installed")
    p.add_argument("--tables", nargs="+", default=list(TABLES))
    p.add_argument("--out", default=str(HERE / "results_memory.json"))
    args = p.parse_args(argv)
    variants = {"this, 1g": (None, "1g"), "this, uncapped": (None, None)}
    if args.baseline:
        variants["baseline, 1g"] = (args.baseline, "1g")
        variants["baseline, uncapped"] = (args.baseline, None)
    results: dict = {}
    for name in args.tables:
        path = make_table(name)
        times: dict[str, list] = {v: [] for v in variants}
        errors: dict[str, str] = {}
        for _ in range(args.repeats):  # interleaved
            for v, (python, cap) in variants.items():
                got = run(path, cap, python)
                times[v].append(got["seconds"])
                if got["seconds"] is None:
                    errors[v] = got["error"]
                print(name, v, got, flush=True)
        medians = {
            v: statistics.median(t) if all(s is not None for s in t) else None
            for v, t in times.items()
        }
        base = medians.get("baseline, uncapped")
        ratio = medians["this, 1g"] / base if base and medians["this, 1g"] else None
        results[name] = {"runs": times, "median": medians, "errors": errors, "ratio": ratio}
    save(results, args.out, "memory")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
