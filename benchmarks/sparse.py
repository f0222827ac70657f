"""SMOTE on wide sparse vectors (HashingTF-like) vs imbalanced-learn on a CSR matrix.

    pip install -e ".[bench]"
    python -m benchmarks sparse --rows 1000000 --repeats 3

Data, made once by Spark itself under benchmarks/data/ (no row passes through the driver):
``rows`` sparse vectors of 2^18 dimensions with 20 non-zeros each (values in [1, 2)), 5%
minority. Majority rows take their columns anywhere; minority rows from the first 20,000
columns, so that minority rows share columns (as documents of one topic share words).

Same method as bench.py: interleaved repeats on ``local[2]`` with the ``noop`` sink, medians,
peak resident memory of the process tree (driver JVM + Python workers); imbalanced-learn's
``SMOTE(k_neighbors=5)`` on a ``scipy.sparse`` CSR matrix in a child process (loading not
timed), with a time limit. Also reports the output's non-zeros per synthetic row.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from benchmarks.catalog import FLOORS
from benchmarks.common import DATA, HERE, PeakRSS, run_child, save, spark_session

DIM = 1 << 18
NNZ = 20
MINORITY_COLUMNS = 20_000


def sparse_vector(size: int, indices, values):
    """A ``SparseVector`` column from sorted ``indices`` and their ``values``: ``from_json``
    with a ``VectorUDT`` field builds one in the JVM."""
    from pyspark.ml.linalg import VectorUDT
    from pyspark.sql import functions as F
    from pyspark.sql.types import StructField, StructType

    parts = F.struct(
        F.lit(0).cast("tinyint").alias("type"),
        F.lit(size).alias("size"),
        indices.cast("array<int>").alias("indices"),
        values.alias("values"),
    )
    wrapped = F.to_json(F.struct(parts.alias("v")))
    return F.from_json(wrapped, StructType([StructField("v", VectorUDT())]))["v"]


def make_sparse(spark, rows: int) -> Path:
    """The data set, written once by Spark (seeded hashes of the row id)."""
    from pyspark.sql import functions as F

    path = DATA / f"sparse_{rows}.parquet"
    if path.exists():
        return path
    ids = spark.range(rows, numPartitions=max(2, rows // 250_000))
    label = (F.pmod(F.xxhash64("id", F.lit(7)), F.lit(100)) < 5).cast("int")
    width = F.when(label == 1, MINORITY_COLUMNS).otherwise(DIM)
    draws = F.transform(
        F.sequence(F.lit(1), F.lit(NNZ + 8)),
        lambda i: F.pmod(F.xxhash64("id", i), width.cast("long")).cast("int"),
    )
    indices = F.array_sort(F.slice(F.array_distinct(draws), 1, NNZ))
    values = F.transform(
        indices, lambda c: 1.0 + F.pmod(F.xxhash64("id", c, F.lit(3)), F.lit(1000)) / 1000.0
    )
    out = ids.select(
        "id", label.alias("label"), sparse_vector(DIM, indices, values).alias("features")
    )
    out.write.mode("overwrite").parquet(str(path))
    return path


def run_spark(spark, path: Path) -> float:
    from spark_smote import SMOTE

    df = spark.read.parquet(str(path))
    start = time.perf_counter()
    SMOTE(kNeighbors=5).transform(df).write.format("noop").mode("overwrite").save()
    return time.perf_counter() - start


def output_nonzeros(spark, path: Path) -> dict:
    """Non-zeros per row of the input and of the synthetic rows (one extra run)."""
    from pyspark.sql import functions as F

    from spark_smote import SMOTE
    from spark_smote.engine.vectors import parts_nonzeros, vector_parts

    df = spark.read.parquet(str(path))
    out = SMOTE(kNeighbors=5, syntheticCol="synthetic").transform(df)
    nnz = F.size(parts_nonzeros(vector_parts(F.col("features")))[0])
    got = out.groupBy("synthetic").agg(F.count(F.lit(1)).alias("n"), F.avg(nnz).alias("nnz"))
    return {("synthetic" if r.synthetic else "input"): [r.n, r.nnz] for r in got.collect()}


def run_imblearn(path: Path, timeout: int) -> dict:
    code = f"""
import json, resource, time
import numpy as np, pyarrow.parquet as pq, scipy.sparse as sp
t = pq.read_table({str(path)!r})
f = t.column("features").combine_chunks()
idx, val = f.field("indices"), f.field("values")
X = sp.csr_matrix((val.values.to_numpy(), idx.values.to_numpy(), idx.offsets.to_numpy()),
                  shape=(len(f), {DIM}))
y = t.column("label").to_numpy()
from imblearn.over_sampling import SMOTE
start = time.perf_counter()
Xr, yr = SMOTE(k_neighbors=5, random_state=0).fit_resample(X, y)
sec = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"seconds": sec, "peak_rss": rss, "rows_out": int(len(yr)), "nnz": int(Xr.nnz)}}))
"""
    return run_child(code, timeout)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--timeout", type=int, default=1200)
    p.add_argument("--driver-memory", default="8g")
    p.add_argument("--out", default=str(HERE / "sparse.json"))
    args = p.parse_args(argv)
    spark = spark_session(args.driver_memory)
    path = make_sparse(spark, args.rows)
    FLOORS["over"](spark, path)  # warm-up
    r: dict = {"spark": [], "spark_rss": [], "floor": [], "imblearn": [], "imblearn_runs": []}
    for _ in range(args.repeats):
        with PeakRSS() as mem:
            r["spark"].append(run_spark(spark, path))
        r["spark_rss"].append(mem.peak)
        r["floor"].append(FLOORS["over"](spark, path))
        if not r["imblearn"] or r["imblearn"][-1] is not None:  # a failure is not repeated
            res = run_imblearn(path, args.timeout)
            r["imblearn"].append(res["seconds"])
            r["imblearn_runs"].append(res)
        print({k: v[-1] for k, v in r.items() if v}, flush=True)
    r["nonzeros"] = output_nonzeros(spark, path)
    spark.stop()
    r["median"] = {
        k: statistics.median(v) if v and None not in v else None
        for k, v in r.items()
        if k in ("spark", "spark_rss", "floor", "imblearn")
    }
    result = {"rows": args.rows, "dim": DIM, "nnz": NNZ, "repeats": args.repeats, "sparse": r}
    print(json.dumps(r["median"], indent=2), json.dumps(r["nonzeros"]))
    save(result, args.out, "sparse")


if __name__ == "__main__":
    main()
