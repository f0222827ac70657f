"""Borderline-SMOTE and ADASYN at scale: time, and their base rows against the exact rule.

    python -m benchmarks adaptive --rows 1000000 --sample 2000
    python -m benchmarks adaptive --rows 4000000 --sample 2000 --repeats 1

The table of bench.py with an ``id`` column. Each sampler's transform (``otherColumns="copy"``:
a synthetic row carries its base row's id) runs to the ``noop`` sink (time, median of
``--repeats``), then its synthetic rows are counted per base row. The exact rule comes from
brute-force neighbours of ``--sample`` random minority rows among all rows (scikit-learn, as
imbalanced-learn uses them): a row's share of other-class rows among its ``m`` nearest.
Borderline-SMOTE (``mNeighbors=10``): precision and recall of the sampled rows used as bases
against the exact rows in danger. ADASYN (``nNeighbors=5``): precision and recall of the rows
used as bases against those with a share above 0, and the correlation of each row's synthetic
rows with its exact share.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from benchmarks.cleaning import with_ids
from benchmarks.common import FEATURES, noop, save, spark_session

#: sampler -> (neighbourhood size m, params)
SAMPLERS = {
    "BorderlineSMOTE": (10, {"kNeighbors": 5, "mNeighbors": 10}),
    "ADASYN": (5, {"nNeighbors": 5}),
}


def exact_shares(x: np.ndarray, y: np.ndarray, rows: np.ndarray, m: int) -> np.ndarray:
    """Per row of ``rows``: the share of other-class rows among its ``m`` nearest (itself
    excluded), by brute force."""
    from sklearn.neighbors import NearestNeighbors

    idx = NearestNeighbors(n_neighbors=m + 1).fit(x).kneighbors(x[rows], return_distance=False)
    near = np.array([[j for j in r if j != i][:m] for i, r in zip(rows, idx, strict=True)])
    return (y[near] != y[rows][:, None]).mean(axis=1)


def agreement(used: np.ndarray, exact: np.ndarray) -> dict[str, float]:
    """Precision and recall of the rows ``used`` (booleans) against the ``exact`` ones."""
    both = float((used & exact).sum())
    return {
        "precision": round(both / max(1, int(used.sum())), 4),
        "recall": round(both / max(1, int(exact.sum())), 4),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--sample", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--samplers", default=",".join(SAMPLERS))
    p.add_argument("--driver-memory", default="4g")
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    import spark_smote
    from spark_smote.kernels.adaptive import in_danger

    path, x, y = with_ids(args.rows)
    minority = int(np.bincount(y).argmin())
    picked = np.sort(
        np.random.default_rng(2).choice(np.flatnonzero(y == minority), args.sample, replace=False)
    )
    spark = spark_session(args.driver_memory)
    df = spark.read.parquet(str(path))
    runs = []
    for name in args.samplers.split(","):
        m, params = SAMPLERS[name]
        stage = getattr(spark_smote, name)(
            inputCols=FEATURES, otherColumns="copy", syntheticCol="synthetic", **params
        )
        seconds = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            noop(stage.transform(df))
            seconds.append(time.perf_counter() - start)
        got = stage.transform(df).filter("synthetic").groupBy("id").count().collect()
        hits = np.zeros(args.rows, dtype=np.int64)
        hits[[r.id for r in got]] = [r["count"] for r in got]
        share = exact_shares(x, y, picked, m)
        exact = in_danger(share) if name == "BorderlineSMOTE" else share > 0
        used = hits[picked] > 0
        run = {
            "sampler": name,
            "rows": args.rows,
            "seconds": round(statistics.median(seconds), 2),
            "sampled": args.sample,
            "exact_bases": int(exact.sum()),
            "bases": int(used.sum()),
            **agreement(used, exact),
        }
        if name == "ADASYN":
            run["correlation"] = round(float(np.corrcoef(hits[picked], share)[0, 1]), 4)
        runs.append(run)
        print(run, flush=True)
    save({"runs": runs}, args.out, "adaptive")


if __name__ == "__main__":
    main()
