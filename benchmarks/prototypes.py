"""The samplers that measure rows against the minority or cluster a class, against
imbalanced-learn on the same table, side by side in one run.

    python -m benchmarks prototypes --rows 100000
    python -m benchmarks prototypes --rows 20000 --stages cnn    # imbalanced-learn's CNN is slow

The table of bench.py (20 features, 5% minority, 4 clusters a class) with an ``id`` column. For
each stage, on one ``local[2]`` session: our transform to the ``noop`` sink (seconds), then the
ids it kept; imbalanced-learn's ``fit_resample`` on the whole table in this process (seconds,
``sample_indices_``). Reported: rows kept, the share of imbalanced-learn's kept rows we keep
too (``kept_shared``), and for ClusterCentroids the inertia of the majority's centroids
against scikit-learn's ``KMeans(n_clusters=n_target, n_init=1)`` on the same rows (the
clustering imbalanced-learn runs).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from benchmarks.cleaning import with_ids
from benchmarks.common import FEATURES, noop, save, spark_session

STAGES = ("nearmiss", "nearmiss3", "oss", "cnn", "centroids", "kmeans-smote")


def ours(name: str):
    import spark_smote as s

    return {
        "nearmiss": s.NearMiss(inputCols=FEATURES, version=1),
        "nearmiss3": s.NearMiss(inputCols=FEATURES, version=3),
        "oss": s.OneSidedSelection(inputCols=FEATURES),
        "cnn": s.CondensedNearestNeighbour(inputCols=FEATURES),
        "centroids": s.ClusterCentroids(inputCols=FEATURES),
        "kmeans-smote": s.KMeansSMOTE(inputCols=FEATURES, clusterBalanceThreshold=0.01),
    }[name]


def theirs(name: str):
    import imblearn.over_sampling as over
    import imblearn.under_sampling as under

    return {
        "nearmiss": lambda: under.NearMiss(version=1),
        "nearmiss3": lambda: under.NearMiss(version=3),
        "oss": lambda: under.OneSidedSelection(random_state=0),
        "cnn": lambda: under.CondensedNearestNeighbour(random_state=0),
        "centroids": lambda: under.ClusterCentroids(random_state=0),
        "kmeans-smote": lambda: over.KMeansSMOTE(cluster_balance_threshold=0.01, random_state=0),
    }[name]()


def inertia(x: np.ndarray, centres: np.ndarray) -> float:
    from spark_smote.kernels.centroids import nearest_centres

    return float(nearest_centres(x, centres)[1].sum())


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--stages", default=",".join(STAGES), help="of " + ",".join(STAGES))
    p.add_argument("--out", default=str(Path(__file__).parent / "prototypes.json"))
    args = p.parse_args(argv)
    path, x, y = with_ids(args.rows)
    spark = spark_session("4g")
    df = spark.read.parquet(str(path))
    result: dict = {"rows": args.rows, "features": len(FEATURES)}
    majority = x[y == 0]
    for name in args.stages.split(","):
        stage = ours(name)
        start = time.perf_counter()
        noop(stage.transform(df))
        seconds = time.perf_counter() - start
        out = stage.transform(df)
        entry: dict = {"spark_smote_s": round(seconds, 1)}
        reference = theirs(name)
        start = time.perf_counter()
        x_res, _ = reference.fit_resample(x, y)
        entry["imblearn_s"] = round(time.perf_counter() - start, 1)
        entry["speedup"] = round(entry["imblearn_s"] / seconds, 2)
        if name == "centroids":
            got = np.array([[r[f] for f in FEATURES] for r in out.filter("label = 0").collect()])
            n_target = int((y == 1).sum())
            from sklearn.cluster import KMeans

            start = time.perf_counter()
            km = KMeans(n_clusters=n_target, n_init=1, random_state=0).fit(majority)
            entry.update(
                rows=len(got),
                inertia=round(inertia(majority, got), 1),
                sklearn_inertia=round(float(km.inertia_), 1),
                inertia_ratio=round(inertia(majority, got) / km.inertia_, 4),
            )
        elif name == "kmeans-smote":
            counts = {r.label: r["count"] for r in out.groupBy("label").count().collect()}
            entry.update(rows=sum(counts.values()), imblearn_rows=len(x_res))
        else:
            kept = {r.id for r in out.select("id").collect()}
            want = set(reference.sample_indices_.tolist())
            entry.update(
                kept=len(kept),
                kept_exact=len(want),
                kept_shared=round(len(kept & want) / max(1, len(want)), 4),
            )
        result[name] = entry
        print(name, json.dumps(entry), flush=True)
    save(result, args.out, "prototypes")


if __name__ == "__main__":
    main()
