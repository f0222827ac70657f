"""The output path of a generation pass: how best to move synthetic rows out of Python?

    python benchmarks/output_path.py --rows 4000000 --repeats 3

SMOTE at 4M rows writes 3.8M synthetic rows of 20 doubles from about 67 cells. This script
moves the same amounts through each group-function path Spark offers, with the same numpy work
in every variant (rows interpolated between random pairs of the group's rows), so that only the
path differs. The input is the minority of bench.py's table (5%), six copies of each row (a
home row and five guests, as with ``numHashTables=6``), grouped into cells by a row hash; each
group writes its share of ``19 x minority - minority`` rows. Variants, interleaved, medians:

- ``pandas``: ``applyInPandas``, a frame of one int and 20 double columns (the engine's way);
- ``pandas, contiguous columns``: the same frame built from one contiguous array per column;
- ``pandas, one array column``: ``applyInPandas``, an int and one ``array<double>`` column,
  split into 20 columns by the JVM afterwards;
- ``arrow``: ``applyInArrow`` (Spark 4.0+), a ``pyarrow.Table`` in and out, no pandas;
- ``input only``: ``applyInPandas`` that returns no row (the cost of the way in).
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from bench import FEATURES, arguments, make_data, spark_session

CELLS = 67
COPIES = 6


def interpolate(x: np.ndarray, n_out: int, seed: int) -> np.ndarray:
    """The numpy work of every variant: ``n_out`` rows between random pairs of rows of ``x``."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, len(x), n_out), rng.integers(0, len(x), n_out)
    return x[a] + rng.random(n_out)[:, None] * (x[b] - x[a])


def main() -> None:
    args = arguments().parse_args()
    spark = spark_session("4g")
    from pyspark.sql import functions as F

    df = spark.read.parquet(str(make_data(args.rows)))
    counts = {r.label: r["count"] for r in df.groupBy("label").count().collect()}
    minority = min(counts, key=counts.get)
    n_new = max(counts.values()) - counts[minority]
    rows = (
        df.filter(F.col("label") == minority)
        .withColumn("copy", F.explode(F.sequence(F.lit(0), F.lit(COPIES - 1))))
        .withColumn("cell", F.pmod(F.xxhash64(*FEATURES, "copy"), F.lit(CELLS)).cast("int"))
        .select("cell", *FEATURES)
    )
    grouped = rows.groupBy("cell")
    per_cell = n_new // CELLS  # each group's output (the remainder is left out)
    wide = "cls int, " + ", ".join(f"{f} double" for f in FEATURES)

    def synthetic(pdf: pd.DataFrame) -> np.ndarray:
        return interpolate(pdf[FEATURES].to_numpy(), per_cell, int(pdf["cell"].iloc[0]))

    def as_pandas(pdf: pd.DataFrame) -> pd.DataFrame:
        new = synthetic(pdf)
        out = pd.DataFrame(new, columns=FEATURES)
        out.insert(0, "cls", np.ones(len(new), dtype=np.int32))
        return out

    def as_columns(pdf: pd.DataFrame) -> pd.DataFrame:
        new = synthetic(pdf)
        out = dict(zip(FEATURES, np.ascontiguousarray(new.T), strict=True))
        return pd.DataFrame({"cls": np.ones(len(new), dtype=np.int32), **out})

    def as_array(pdf: pd.DataFrame) -> pd.DataFrame:
        new = synthetic(pdf)
        return pd.DataFrame({"cls": np.ones(len(new), dtype=np.int32), "x": list(new)})

    def as_arrow(table: pa.Table) -> pa.Table:
        x = np.column_stack([table.column(f).to_numpy() for f in FEATURES])
        new = interpolate(x, per_cell, int(table.column("cell")[0].as_py()))
        cols = [pa.array(np.ones(len(new), dtype=np.int32))] + [pa.array(c) for c in new.T]
        return pa.Table.from_arrays(cols, names=["cls", *FEATURES])

    def nothing(pdf: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"cls": np.zeros(0, dtype=np.int32)})

    def write(out) -> None:
        out.write.format("noop").mode("overwrite").save()

    variants: dict[str, Callable[[], None]] = {
        "pandas": lambda: write(grouped.applyInPandas(as_pandas, wide)),
        "pandas, contiguous columns": lambda: write(grouped.applyInPandas(as_columns, wide)),
        "pandas, one array column": lambda: write(
            grouped.applyInPandas(as_array, "cls int, x array<double>").select(
                "cls", *[F.col("x")[i].alias(f) for i, f in enumerate(FEATURES)]
            )
        ),
        "input only": lambda: write(grouped.applyInPandas(nothing, "cls int")),
    }
    if hasattr(grouped, "applyInArrow"):
        variants["arrow"] = lambda: write(grouped.applyInArrow(as_arrow, wide))
    variants["input only"]()  # warm-up: Python workers started, the input cached by the OS
    seconds: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeats):
        for name, run in variants.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
            print(name, round(seconds[name][-1], 2), flush=True)
    medians = {name: round(statistics.median(s), 2) for name, s in seconds.items()}
    print(json.dumps({"rows_out": per_cell * CELLS, "medians": medians}, indent=2))
    if args.out:
        Path(args.out).write_text(
            json.dumps({"rows": args.rows, "rows_out": per_cell * CELLS, "runs": seconds})
        )


if __name__ == "__main__":
    main()
