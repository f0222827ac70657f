"""Where the pass that hashes Borderline-SMOTE's / ADASYN's other-class rows spends its time.

    python benchmarks/others_pass.py --rows 4000000 --repeats 3

The table of bench.py, one ``local[2]`` session (4 GiB driver). ADASYN's plan gives the cells
of the minority; the other-class rows (3.8M at 4M) then go, each step adding to the one
before, to the ``noop`` sink:

1. read and projected (``other_rows``: the features and the row key), in the JVM;
2. through a pandas UDF that takes the hash's inputs and returns constant cells (the Arrow
   round trip alone);
3. through the learned hash (``home_cell``, the engine's pass since 0.3's last change: the
   home cell alone comes back); 3b: as before it (``stored_copies``: every row's cells
   exploded into copies and the home one kept);
4. the same, held on disk (``held``: persisted, as the engine does since it reads them
   twice) and counted per cell (the engine's counting pass).

Interleaved, medians.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench import FEATURES, arguments, make_data, spark_session
from pyspark import StorageLevel
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StructField, StructType

from spark_smote import ADASYN
from spark_smote.engine.columns import CELL, CLS, feature_names
from spark_smote.engine.grouping import home_cells
from spark_smote.engine.keeping import held
from spark_smote.engine.planning import stored_copies
from spark_smote.engine.rows import other_rows


def constant_cells(copies: int, dim: int):
    """The hash's pandas UDF with the hash left out: the same columns in and out."""
    schema = StructType([StructField(f"c{r}", IntegerType()) for r in range(copies)])

    def assign(cls: pd.Series, *features: pd.Series) -> pd.DataFrame:
        x = np.column_stack([f.to_numpy() for f in features])
        out = np.zeros((len(x), copies), dtype=np.int32)
        out[:, 1:] = -1
        return pd.DataFrame({f"c{r}": out[:, r] for r in range(copies)})

    udf = F.pandas_udf(assign, schema)  # type: ignore[call-overload]
    return udf(F.col(CLS), *[F.col(n) for n in feature_names(dim)])


def held_and_counted(hashed) -> None:
    """What Borderline-SMOTE and ADASYN do with the hashed rows before the measuring pass."""
    with held(hashed, StorageLevel.DISK_ONLY) as rows:
        rows.groupBy(CLS, CELL).count().collect()


def main() -> None:
    args = arguments(repeats=3).parse_args()
    spark = spark_session("4g")
    df = spark.read.parquet(str(make_data(args.rows)))
    plan = ADASYN(inputCols=FEATURES).plan(df)
    assert plan.spec is not None and plan.stats is not None
    dim, cells = plan.stats.dim, plan.cells
    hashes = {c.index: c.hash for c in cells}
    copies = max(c.hash.copies for c in cells)
    home_only = {c.index: np.zeros(c.hash.n_cells, dtype=np.int64) for c in cells}
    others = other_rows(df, plan.spec, [c.task for c in cells], dim)

    def sink(frame) -> None:
        frame.write.format("noop").mode("overwrite").save()

    steps = {
        "1. read, projected (JVM)": lambda: sink(others),
        "2. + Arrow round trip (constant cells)": lambda: sink(
            others.withColumn("h", constant_cells(copies, dim))
        ),
        "3. + learned hash, home cell only (the engine's pass)": lambda: sink(
            home_cells(others, cells, dim)
        ),
        "3b. + learned hash, copies exploded (before)": lambda: sink(
            stored_copies(others, hashes, home_only, copies, dim)
        ),
        "4. + held on disk and counted per cell (the engine)": lambda: held_and_counted(
            home_cells(others, cells, dim)
        ),
    }
    seconds: dict[str, list[float]] = {name: [] for name in steps}
    steps["1. read, projected (JVM)"]()  # warm-up
    for _ in range(args.repeats):
        for name, run in steps.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    medians = {name: round(statistics.median(s), 2) for name, s in seconds.items()}
    print(f"{args.rows:,} rows, {sum(c.hash.n_cells for c in cells)} cells")
    for name, value in medians.items():
        print(f"  {name:45s} {value:6.2f} s")
    if args.out:
        Path(args.out).write_text(json.dumps({"rows": args.rows, "seconds": seconds}, indent=2))


if __name__ == "__main__":
    main()
