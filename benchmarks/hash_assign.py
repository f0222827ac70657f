"""The learned hash's assignment of rows to cells (``CellHash.assign``), one core, no Spark.

    git show <rev>:spark_smote/kernels/hashing.py > /tmp/hashing_before.py
    python benchmarks/hash_assign.py --baseline /tmp/hashing_before.py --repeats 5

Fits hashes of several sizes on standard normal rows and times ``assign`` of 50,000 rows
(6 cells a row: the defaults' home and 5 guests) in calls of ``--batch`` rows (10,000: the
Arrow batch a Spark pandas UDF gets), interleaved with the same hash assigned by
``--baseline`` (another version's ``hashing.py``, loaded from a file); medians, and whether
both give the same cells. 67 and 167 cells are the flat hashes of the benchmark's minority at
4M and 10M rows; 300 cells and more are trees. Every row of a table is hashed like this twice
in the cleaners (the counting pass and the grouping pass), and the other classes' rows in
Borderline-SMOTE and ADASYN.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time

import numpy as np

from spark_smote.kernels import hashing

GRID = ((67, 20), (167, 20), (300, 3), (334, 20), (1334, 20), (3334, 20), (500, 50))


def load(path: str):
    spec = importlib.util.spec_from_file_location("hashing_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["hashing_baseline"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default=None, help="another version's hashing.py")
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batch", type=int, default=10_000, help="rows per assign call")
    args = ap.parse_args()
    base = load(args.baseline) if args.baseline else None
    rng = np.random.default_rng(0)
    result = []
    for cells, dim in GRID:
        sample = rng.standard_normal((60_000, dim))
        h = hashing.fit_cell_hash(sample, np.ones(len(sample)), cells, 6, (1,))
        x = rng.standard_normal((args.rows, dim))
        variants = {"now": h}
        if base is not None:
            variants["baseline"] = base.CellHash(h.tops, h.leaves, h.children, h.copies, h.scale)
        seconds: dict[str, list[float]] = {name: [] for name in variants}
        got = {}
        for _ in range(args.repeats):
            for name, v in variants.items():
                start = time.perf_counter()
                got[name] = np.concatenate(
                    [v.assign(x[i : i + args.batch]) for i in range(0, len(x), args.batch)]
                )
                seconds[name].append(time.perf_counter() - start)
        entry = {"cells": h.n_cells, "dim": dim, "tree": h.tops is not h.leaves}
        entry.update({name: round(statistics.median(s), 3) for name, s in seconds.items()})
        if base is not None:
            entry["same_cells"] = bool(np.array_equal(got["now"], got["baseline"]))
            entry["speed-up"] = round(entry["baseline"] / entry["now"], 2)
        result.append(entry)
        print(json.dumps(entry), flush=True)


if __name__ == "__main__":
    main()
