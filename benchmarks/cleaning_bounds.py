"""Could the cleaners' neighbours be made exact by certifying them against cell borders?

    python benchmarks/cleaning_bounds.py --rows 1000000 --queries 2000

Numpy only, on the table of bench.py. The cells are the engine's: k-means of the engine's size
for ``--rows`` rows, ``maxBucketSize`` and ``numHashTables``, fitted on a random sample, every
row homed in its nearest cell. Every row homed in cell j is at least
``(|q - c_j|^2 - |q - c_h|^2) / (2 |c_j - c_h|)`` away from a query q of cell h (the plane that
bisects the two centres). A query's exact k-th neighbour distance, found by brute force over all
rows, tells which cells a certified search would still have to visit: those whose bound is below
it. Printed per k: how many cells that is (mean, median, 90th percentile) and the share of
queries that need none.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pyarrow.parquet as pq
from bench import FEATURES, make_data

from spark_smote.kernels.cells import n_cells_for
from spark_smote.kernels.hashing import fit_cell_hash


def kth_distances(x: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """``(len(queries), k)`` exact distances to the nearest rows of ``x``, the row excluded."""
    sq = np.einsum("ij,ij->i", x, x)
    out = []
    for start in range(0, len(queries), 100):
        q = queries[start : start + 100]
        d = sq[q][:, None] - 2.0 * x[q] @ x.T + sq[None, :]
        d[np.arange(len(q)), q] = np.inf
        part = np.partition(d, k - 1, axis=1)[:, :k]
        out.append(np.sqrt(np.maximum(np.sort(part, axis=1), 0.0)))
    return np.vstack(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--max-bucket-size", type=int, default=30000)
    ap.add_argument("--num-hash-tables", type=int, default=6)
    args = ap.parse_args()
    table = pq.read_table(make_data(args.rows), columns=FEATURES)
    x = np.column_stack([table[f].to_numpy() for f in FEATURES]).astype(np.float64)
    n = len(x)
    n_cells = n_cells_for(n, args.num_hash_tables, args.max_bucket_size)
    rng = np.random.default_rng(0)
    sample = rng.choice(n, size=min(n, n_cells * 200), replace=False)
    cells = fit_cell_hash(x[sample], np.ones(len(sample)), n_cells, args.num_hash_tables, (1,))
    home = cells.assign(x)[:, 0]
    centres = cells.leaves
    queries = rng.choice(n, size=args.queries, replace=False)
    exact = kth_distances(x, queries, 3)
    to_centre = ((x[queries][:, None, :] - centres[None]) ** 2).sum(-1)
    own = home[queries]
    apart = np.sqrt(((centres[own][:, None, :] - centres[None]) ** 2).sum(-1))
    bound = (to_centre - to_centre[np.arange(len(queries)), own][:, None]) / (
        2.0 * np.maximum(apart, 1e-300)
    )
    bound[np.arange(len(queries)), own] = np.inf
    out = {"rows": n, "cells": int(cells.n_cells), "queries": args.queries}
    for k in (1, 3):
        visit = (bound < exact[:, k - 1][:, None]).sum(axis=1)
        out[f"k={k}"] = {
            "cells_to_visit_mean": round(float(visit.mean()), 1),
            "median": float(np.median(visit)),
            "p90": float(np.percentile(visit, 90)),
            "certified_in_home_cell": round(float((visit == 0).mean()), 3),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
