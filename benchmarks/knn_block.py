"""The kernel's query block size: exact kNN in one cell with blocks of 128, 64 and 32 queries.

    python benchmarks/knn_block.py --repeats 5

Numpy only, one core, standard normal rows of 20 features; per case (cell rows, queries, k)
the median seconds of ``knn_in_cell`` for each block size, interleaved.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from spark_smote.kernels import knn

CASES = ((18_000, 3_000, 1), (18_000, 3_000, 3), (17_000, 10_000, 5), (30_000, 5_000, 5))
BLOCKS = (128, 64, 32)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    default = knn.BLOCK
    for m, n_queries, k in CASES:
        x = rng.normal(size=(m, 20))
        queries = np.arange(n_queries)
        times: dict[int, list[float]] = {b: [] for b in BLOCKS}
        for _ in range(args.repeats):
            for b in BLOCKS:
                knn.BLOCK = b
                start = time.perf_counter()
                knn.knn_in_cell(x, queries, k)
                times[b].append(time.perf_counter() - start)
        knn.BLOCK = default
        medians = {b: round(statistics.median(v), 3) for b, v in times.items()}
        print(json.dumps({"cell_rows": m, "queries": n_queries, "k": k, "seconds": medians}))


if __name__ == "__main__":
    main()
