"""The cleaning samplers at scale, against imbalanced-learn.

    python -m benchmarks cleaning --rows 1000000 --check-rows 100000 --sample 20000
    python -m benchmarks cleaning --rows 200000 --whole --stages tomek,enn,renn,allknn,ncr
    python -m benchmarks cleaning --rows 1000000 --whole --stages nearmiss,nearmiss3
    python -m benchmarks cleaning --rows 1000000 --whole --listed 16 --stages renn,allknn,ncr
    python -m benchmarks cleaning --rows 4000000 --no-reference      # time only
    python -m benchmarks cleaning --rows 1000000 --check-rows 0 --max-bucket-size 60000
    python -m benchmarks cleaning --rows 1000000 --check-rows 0 --searched 1,2,3 --rounds 2
    python -m benchmarks cleaning --rows 1000000 --check-rows 0 --searched 1,3:5,3:4  # :tables
    python -m benchmarks cleaning --rows 4000000 --no-reference \
        --stages tomek,enn,smote,smote-tomek,smote-enn          # the combinations vs SMOTE

The table of bench.py (20 features, 5% minority, 4 clusters a class) with an ``id`` column. On
one ``local[2]`` session: each cleaner's transform to the ``noop`` sink (time), then the ids it
removed. The exact decisions (what imbalanced-learn removes) come from brute-force neighbours
(scikit-learn, as imbalanced-learn uses them) of ``--sample`` random rows, so that precision and
recall are measured on them; imbalanced-learn's time at ``--rows`` is projected from the time of
those queries (its fit_resample is the neighbour queries: one per row for TomekLinks, one per
row of a cleaned class for ENN). At ``--check-rows`` the script runs imbalanced-learn itself,
checks that the reference decisions are its decisions, and compares its real time with the
projection made the same way. With ``--whole`` the reference is imbalanced-learn itself on the
whole table (in this process; for the repeated cleaners, whose passes depend on each other,
and tables it can hold; NearMiss), and its real time; ``kept_shared`` is the share of the rows
imbalanced-learn keeps that are kept too (NearMiss keeps few rows: its removed rows agree
trivially). With ``--listed DEPTH`` too, imbalanced-learn's ENN-based cleaners (ENN, RENN,
AllKNN, NCR) run their own code with every neighbour search answered from one exact search of
each row's ``DEPTH`` nearest rows (:mod:`benchmarks.listed_neighbours`: the same removed rows,
tested; a table of 1M rows then takes one search instead of one per pass); the time of that
search and of the reference are recorded, not a time of imbalanced-learn.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks import listed_neighbours
from benchmarks.common import DATA, FEATURES, make_data, save, spark_session

K_ENN = 3
STAGES = (
    "tomek",
    "enn",
    "renn",
    "allknn",
    "ncr",
    "nearmiss",
    "nearmiss3",
    "smote",
    "smote-tomek",
    "smote-enn",
)
#: the cleaners imbalanced-learn runs on the whole table with ``--whole`` (its defaults)
WHOLE: dict[str, tuple[str, dict]] = {
    "tomek": ("TomekLinks", {}),
    "enn": ("EditedNearestNeighbours", {"n_neighbors": K_ENN}),
    "renn": ("RepeatedEditedNearestNeighbours", {}),
    "allknn": ("AllKNN", {}),
    "ncr": ("NeighbourhoodCleaningRule", {}),
    "nearmiss": ("NearMiss", {"version": 1}),
    "nearmiss3": ("NearMiss", {"version": 3}),
}


def with_ids(rows: int) -> tuple[Path, np.ndarray, np.ndarray]:
    """The bench table with an ``id`` column (its row number), and its arrays."""
    table = pq.read_table(make_data(rows))
    path = DATA / f"rows_{rows}_ids.parquet"
    if not path.exists():
        pq.write_table(table.append_column("id", pa.array(np.arange(rows))), path)
    x = np.column_stack([table[f].to_numpy() for f in FEATURES])
    return path, x, table["label"].to_numpy()


def reference(x: np.ndarray, y: np.ndarray, rows: np.ndarray) -> tuple[dict, float]:
    """Exact decisions for ``rows``: ``{"tomek": removed?, "enn": removed?}`` (boolean arrays),
    and the seconds per query row of scikit-learn's brute-force neighbours."""
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=K_ENN + 1).fit(x)
    start = time.perf_counter()
    idx = nn.kneighbors(x[rows], return_distance=False)
    per_query = (time.perf_counter() - start) / len(rows)
    minority = np.bincount(y).argmin()
    nearest = idx[:, 1]
    back = nn.kneighbors(x[nearest], n_neighbors=2, return_distance=False)[:, 1]
    tomek = (y[nearest] != y[rows]) & (back == rows) & (y[rows] != minority)
    enn = np.any(y[idx[:, 1:]] != y[rows][:, None], axis=1) & (y[rows] != minority)
    return {"tomek": tomek, "enn": enn}, per_query


def check_against_imblearn(rows: int, sample: int) -> dict:
    """At ``rows``: imbalanced-learn's real removed rows and time, against the reference and
    the projection from ``sample`` queries."""
    from imblearn.under_sampling import EditedNearestNeighbours, TomekLinks

    _, x, y = with_ids(rows)
    out: dict = {"rows": rows}
    picked = np.random.default_rng(1).choice(rows, size=sample, replace=False)
    ref, per_query = reference(x, y, picked)
    minority = np.bincount(y).argmin()
    for name, stage, queries in (
        ("tomek", TomekLinks(), rows),
        ("enn", EditedNearestNeighbours(n_neighbors=K_ENN), int((y != minority).sum())),
    ):
        start = time.perf_counter()
        stage.fit_resample(x, y)
        seconds = time.perf_counter() - start
        removed = np.ones(rows, dtype=bool)
        removed[stage.sample_indices_] = False
        out[name] = {
            "imblearn_s": round(seconds, 1),
            "projected_s": round(per_query * queries, 1),
            "reference_equals_imblearn": bool(np.array_equal(removed[picked], ref[name])),
            "removed": int(removed.sum()),
        }
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--sample", type=int, default=20_000)
    p.add_argument("--check-rows", type=int, default=100_000)
    p.add_argument("--no-reference", action="store_true")
    p.add_argument("--whole", action="store_true", help="imbalanced-learn on the whole table")
    p.add_argument("--listed", type=int, default=0, help="with --whole: search depth")
    p.add_argument("--max-bucket-size", type=int, default=30_000)
    p.add_argument("--num-hash-tables", type=int, default=6)
    p.add_argument("--stages", default="tomek,enn", help="of " + ",".join(STAGES))
    p.add_argument(
        "--searched",
        default="",
        help="numSearchedCells of tomek, enn, each optionally with its numHashTables: e.g. 1,3:5",
    )
    p.add_argument("--rounds", type=int, default=1, help="timed runs of each stage, interleaved")
    p.add_argument("--out", default=str(Path(__file__).parent / "cleaning.json"))
    args = p.parse_args(argv)
    import spark_smote as s

    cells = {"maxBucketSize": args.max_bucket_size, "numHashTables": args.num_hash_tables}
    result: dict = {"rows": args.rows, "features": len(FEATURES), **cells}
    if not args.no_reference and args.check_rows and not args.whole:
        result["check"] = check_against_imblearn(args.check_rows, args.sample)
        print(json.dumps(result["check"]), flush=True)
    path, x, y = with_ids(args.rows)
    spark = spark_session("4g")
    df = spark.read.parquet(str(path))
    whole: dict[str, tuple[np.ndarray, float]] = {}
    if args.whole:
        lists = None
        if args.listed:
            saved = DATA / f"rows_{args.rows}_lists_{args.listed}.npz"  # the search, done once
            if not saved.exists():
                np.savez(saved, *listed_neighbours.search(x, args.listed))
            with np.load(saved) as found:
                lists, result["listed_search_s"] = found["arr_0"], float(found["arr_1"])
            result["listed_depth"] = args.listed
            print("search", round(result["listed_search_s"], 1), flush=True)
        for name in args.stages.split(","):
            cls, params = WHOLE[name]
            got = listed_neighbours.run(x, y, cls, params, lists)
            whole[name] = got.removed, got.seconds
            if args.listed:
                result.setdefault("listed_brute_force_queries", {})[name] = got.searched
            if got.passes is not None:
                result.setdefault("reference_passes", {})[name] = got.passes
            print(
                name,
                "reference" if args.listed else "imbalanced-learn",
                round(got.seconds, 1),
                got.passes or "",
                flush=True,
            )
        del lists
    elif not args.no_reference:
        picked = np.random.default_rng(2).choice(args.rows, size=args.sample, replace=False)
        ref, per_query = reference(x, y, picked)
        minority = np.bincount(y).argmin()
        queries = {"tomek": args.rows, "enn": int((y != minority).sum())}
    del x
    every = {
        "tomek": s.TomekLinks(inputCols=FEATURES, **cells),
        "enn": s.EditedNearestNeighbours(inputCols=FEATURES, nNeighbors=K_ENN, **cells),
        "renn": s.RepeatedEditedNearestNeighbours(inputCols=FEATURES, **cells),
        "allknn": s.AllKNN(inputCols=FEATURES, **cells),
        "ncr": s.NeighbourhoodCleaningRule(inputCols=FEATURES, **cells),
        "nearmiss": s.NearMiss(inputCols=FEATURES, version=1, **cells),
        "nearmiss3": s.NearMiss(inputCols=FEATURES, version=3, **cells),
        "smote": s.SMOTE(inputCols=FEATURES, **cells),
        "smote-tomek": s.SMOTETomek(inputCols=FEATURES, **cells),
        "smote-enn": s.SMOTEENN(inputCols=FEATURES, nNeighbors=K_ENN, **cells),
    }
    stages: dict[str, tuple[str, Any]] = {}
    for name in args.stages.split(","):
        if args.searched and name in ("tomek", "enn"):
            for setting in args.searched.split(","):
                m, _, tables = setting.partition(":")
                chosen = {every[name].numSearchedCells: int(m)}
                if tables:
                    chosen[every[name].numHashTables] = int(tables)
                stages[f"{name}@{setting}"] = name, every[name].copy(chosen)
        else:
            stages[name] = name, every[name]
    runs: dict[str, list[float]] = {key: [] for key in stages}
    for _ in range(args.rounds):  # the settings interleaved, round after round
        for key, (_, stage) in stages.items():
            start = time.perf_counter()
            stage.transform(df).write.format("noop").mode("overwrite").save()
            runs[key].append(round(time.perf_counter() - start, 1))
            print(key, runs[key][-1], flush=True)
    for key, (name, stage) in stages.items():
        seconds = float(np.median(runs[key]))
        entry: dict = {"spark_smote_s": round(seconds, 1)}
        if args.rounds > 1:
            entry["runs_s"] = runs[key]
        if args.searched and name in ("tomek", "enn"):
            entry["numSearchedCells"] = stage.getNumSearchedCells()
            entry["numHashTables"] = stage.getNumHashTables()
        if name in whole or (not args.no_reference and name in ("tomek", "enn")):
            kept = stage.transform(df).select("id")
            removed_ids = [r.id for r in df.select("id").join(kept, "id", "left_anti").collect()]
            removed = np.zeros(args.rows, dtype=bool)
            removed[removed_ids] = True
        if name in whole:
            want, imblearn_s = whole[name]
            hit = int((removed & want).sum())
            entry.update(
                removed=len(removed_ids),
                removed_exact=int(want.sum()),
                precision=round(hit / max(1, len(removed_ids)), 4),
                recall=round(hit / max(1, int(want.sum())), 4),
                kept_shared=round(int((~removed & ~want).sum()) / max(1, int((~want).sum())), 4),
            )
            if args.listed:
                entry.update(reference_s=round(imblearn_s, 1))
            else:
                entry.update(
                    imblearn_s=round(imblearn_s, 1), speedup=round(imblearn_s / seconds, 2)
                )
        elif not args.no_reference and name in ("tomek", "enn"):
            got, want = removed[picked], ref[name]
            hit = int((got & want).sum())
            projected = per_query * queries[name]
            entry.update(
                removed=len(removed_ids),
                sample_removed_exact=int(want.sum()),
                precision=round(hit / max(1, int(got.sum())), 4),
                recall=round(hit / max(1, int(want.sum())), 4),
                imblearn_projected_s=round(projected, 1),
                speedup=round(projected / seconds, 1),
            )
        result[key] = entry
        print(key, json.dumps(entry), flush=True)
    save(result, args.out, "cleaning")


if __name__ == "__main__":
    main()
