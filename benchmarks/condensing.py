"""CondensedNearestNeighbour's groups, one by one: what each Python call reads and how long its
kernel takes, by rows.

    python -m benchmarks condensing --sizes 1000000 4000000

CNN's one heavy pass (:func:`spark_smote.engine.reference.condensed_rows`) runs Hart's
sequential rule on each group of :func:`~spark_smote.engine.reference.reference_groups`: a part
of at most ``maxBucketSize`` rows of the class to clean against its minority cell's rows. This
suite plans CNN as the stage does (its defaults, the benchmark table), then runs the same kernel
(:func:`spark_smote.kernels.condensing.condensed_kept`) on the same groups with a clock around
it, and returns one line per group: its cell and part, its queries, its minority rows, the rows
its rule added to ``C``, the seconds of the first distances (queries x minority rows, timed
apart) and of the whole kernel. The driver keeps those lines (one per group) and the wall time
of the pass; the kept rows are not written (the stage's output pass and its other passes:
``python -m benchmarks passes --samplers CondensedNearestNeighbour``).

    python -m benchmarks condensing --against-one-part 100000

How far CNN's parts take the result from the one-process algorithm: CNN on the table of that
many rows (with an ``id`` column) at its defaults, and with ``maxBucketSize`` = the table's rows
(one minority cell and one part: Hart's rule on the whole class, in the same order and from the
same seeds, which is imbalanced-learn's algorithm given them, tested): the rows each keeps and
the share of the one-part kept rows the parts keep too.

    python -m benchmarks condensing --output-digest 1000000

CNN's output at its defaults on the table: the rows per class and the sum of a 64-bit hash of
every output row per class (an order-free digest: two commits that give the same digests gave
the same rows, but for a chance of about 2^-64).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, GroupedData
from pyspark.sql.types import StructType

from benchmarks.catalog import SAMPLERS
from benchmarks.cleaning import with_ids
from benchmarks.common import FEATURES, make_data, save, spark_session
from spark_smote.engine.columns import CELL, PART, field
from spark_smote.engine.reference import class_queries, group_rows, reference_pass
from spark_smote.kernels.condensing import condensed_kept
from spark_smote.kernels.nearmiss import k_nearest

#: one output line per group
COLUMNS = ("cell", "part", "queries", "minority", "added", "first_s", "kernel_s")


def groups(spark: Any, rows: int) -> dict[str, Any]:
    """Plan CNN on the table of ``rows`` rows, run its kernel group by group, timed."""
    df = spark.read.parquet(str(make_data(rows)))
    stage = SAMPLERS["CondensedNearestNeighbour"].stage(FEATURES)
    start = time.perf_counter()
    plan = stage.plan(df)
    labels, (cells,) = sorted(plan.before), plan.cells
    reduced = sorted(stage._targeted(plan.before))
    seeds = stage._seeds(df, plan, reduced)
    planned = time.perf_counter()
    minority, k, dim = labels.index(cells.label), stage.getNNeighbors(), plan.stats.dim
    queried = [labels.index(c) for c in reduced]

    def rule(pdf: pd.DataFrame, x: np.ndarray, rank: np.ndarray) -> pd.DataFrame:
        g = group_rows(pdf, rank)
        out = []
        for c in queried:
            mine, x_seeds, at = class_queries(g, c, seeds)
            t0 = time.perf_counter()
            k_nearest(x[mine], x[g.r], min(k, len(g.r)))
            t1 = time.perf_counter()
            kept = condensed_kept(x[mine], x[g.r], x_seeds, at, k, minority < c)
            t2 = time.perf_counter()
            out.append(
                (
                    int(pdf[CELL].iloc[0]),
                    int(pdf[PART].iloc[0]),
                    len(mine),
                    len(g.r),
                    int(kept.sum()) - len(at),
                    t1 - t0,
                    t2 - t1,
                )
            )
        return pd.DataFrame(out, columns=list(COLUMNS))

    schema = StructType(
        [field(n, "long") for n in COLUMNS[:5]] + [field(n, "double") for n in COLUMNS[5:]]
    )
    counted = planned

    def timed(grouped: GroupedData) -> DataFrame:
        nonlocal counted
        counted = time.perf_counter()  # the stage has counted the groups' queries
        return reference_pass(grouped, dim, rule, schema)

    lines = [tuple(r) for r in stage._passed(df, plan, reduced, timed).collect()]
    assert plan.keeper is not None
    plan.keeper.release()
    done = time.perf_counter()
    lines.sort()
    per = {n: [line[i] for line in lines] for i, n in enumerate(COLUMNS)}
    return {
        "rows": rows,
        "cells": int(cells.hash.n_cells),
        "groups": len(lines),
        "plan_and_seeds_s": planned - start,
        "query_count_s": counted - planned,
        "pass_s": done - counted,
        "kernel_s": sum(per["kernel_s"]),
        "first_s": sum(per["first_s"]),
        "queries": sum(per["queries"]),
        "added": sum(per["added"]),
        "median": {n: statistics.median(per[n]) for n in COLUMNS[2:]},
        "max": {n: max(per[n]) for n in COLUMNS[2:]},
        "lines": lines,
    }


def against_one_part(spark: Any, rows: int) -> dict[str, Any]:
    """CNN's kept rows at its defaults against one minority cell and one part."""
    from spark_smote import CondensedNearestNeighbour

    df = spark.read.parquet(str(with_ids(rows)[0]))
    found: dict[str, Any] = {"rows": rows}
    for name, size in (("parts", None), ("one_part", rows)):
        stage = CondensedNearestNeighbour(inputCols=FEATURES)
        if size is not None:
            stage.setMaxBucketSize(size)
        start = time.perf_counter()
        kept = {r.id for r in stage.transform(df).filter("label = 0").select("id").collect()}
        found[name] = {"seconds": time.perf_counter() - start, "kept": len(kept)}
        found[name + "_ids"] = kept
    one, parts = found.pop("one_part_ids"), found.pop("parts_ids")
    found["shared"] = len(one & parts) / max(1, len(one))
    print(json.dumps(found))
    return found


def digest(spark: Any, rows: int) -> dict[str, Any]:
    """CNN's output rows per class, and the sum of a hash of each output row per class."""
    from pyspark.sql import functions as F

    df = spark.read.parquet(str(make_data(rows)))
    out = SAMPLERS["CondensedNearestNeighbour"].stage(FEATURES).transform(df)
    row_hash = F.xxhash64(*[F.col(c) for c in out.columns]).cast("decimal(38,0)")
    found = out.groupBy("label").agg(F.count("*").alias("n"), F.sum(row_hash).alias("digest"))
    per_class = [[r["label"], r["n"], str(r["digest"])] for r in found.orderBy("label").collect()]
    print(json.dumps(per_class))
    return {"rows": rows, "per_class": per_class}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 4_000_000])
    ap.add_argument("--out", default=None, help="raw results, JSON")
    ap.add_argument("--output-digest", type=int, default=0, metavar="ROWS")
    ap.add_argument("--against-one-part", type=int, nargs="*", default=[], metavar="ROWS")
    args = ap.parse_args(argv)
    spark = spark_session("4g")
    if args.output_digest:
        save({"digests": [digest(spark, args.output_digest)]}, args.out, "condensing")
        return
    if args.against_one_part:
        found = [against_one_part(spark, rows) for rows in args.against_one_part]
        save({"against_one_part": found}, args.out, "condensing")
        return
    results = []
    for rows in args.sizes:
        r = groups(spark, rows)
        results.append(r)
        per_m = 1e6 / rows
        print(
            f"{rows:>11,} rows: {r['cells']} cells, {r['groups']} groups; plan+seeds "
            f"{r['plan_and_seeds_s']:.1f} s, query count {r['query_count_s']:.1f} s, pass "
            f"{r['pass_s']:.1f} s ({r['pass_s'] * per_m:.1f} s per 1M rows); kernels "
            f"{r['kernel_s']:.1f} s (first distances {r['first_s']:.1f} s), "
            f"{r['added']:,} rows added of {r['queries']:,}"
        )
        print("   median per group", {n: round(v, 2) for n, v in r["median"].items()})
        print("   max per group   ", {n: round(v, 2) for n, v in r["max"].items()})
    save({"sizes": results}, args.out, "condensing")


if __name__ == "__main__":
    main()
