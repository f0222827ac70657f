"""What the benchmark suites share: the benchmark table, the Spark session, peak memory, child
processes, medians and the result files.

The table (:func:`make_data`, seeded, written to ``benchmarks/data/`` once): a
``make_classification``-style table of 20 double features (10 informative, each class a mix of
4 Gaussian clusters with random shapes; 10 pure noise) and an int label with 5% minority.
Every suite runs on ``local[2]`` and forces its outputs with the ``noop`` sink.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
FEATURES = [f"f{i}" for i in range(20)]
CHUNK = 1_000_000


# ------------------------------------------------------------------------------ data


def _centres(rng: np.random.Generator, n: int, dim: int, sep: float) -> np.ndarray:
    """``n`` distinct vertices of a hypercube of side ``2 * sep``."""
    picks = rng.choice(2**dim, size=n, replace=False)
    bits = (picks[:, None] >> np.arange(dim)[None, :]) & 1
    return (2.0 * bits - 1.0) * sep


def make_data(rows: int, seed: int = 0, minority: float = 0.05) -> Path:
    """Write the benchmark table (f0..f19, label) to Parquet once; return its path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = DATA / f"rows_{rows}.parquet"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    informative, clusters = 10, 4
    centres = _centres(rng, 2 * clusters, informative, sep=1.0).reshape(2, clusters, informative)
    shapes = rng.uniform(-1, 1, size=(2, clusters, informative, informative))
    tmp = path.with_suffix(".tmp")
    schema = pa.schema([(f, pa.float64()) for f in FEATURES] + [("label", pa.int32())])
    with pq.ParquetWriter(tmp, schema) as writer:
        for i, start in enumerate(range(0, rows, CHUNK)):
            n = min(CHUNK, rows - start)
            crng = np.random.default_rng([seed, i])
            y = (crng.random(n) < minority).astype(np.int32)
            c = crng.integers(0, clusters, n)
            z = crng.standard_normal((n, informative))
            x_inf = np.einsum("ni,nij->nj", z, shapes[y, c]) + centres[y, c]
            x = np.hstack([x_inf, crng.standard_normal((n, 20 - informative))])
            cols = [pa.array(x[:, j]) for j in range(20)] + [pa.array(y)]
            writer.write_table(pa.Table.from_arrays(cols, schema=schema), row_group_size=250_000)
    tmp.rename(path)
    return path


# ------------------------------------------------------------------------------ memory


class PeakRSS:
    """Peak resident memory of this process and its children (JVM, Python workers)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree_rss(root: int) -> int:
        total, todo = 0, [root]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/statm") as f:
                    total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
                with open(f"/proc/{pid}/task/{pid}/children") as f:
                    todo += [int(c) for c in f.read().split()]
            except OSError:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss(os.getpid()))
            time.sleep(0.2)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# ------------------------------------------------------------------------------ runs


def arguments(doc: str | None, repeats: int = 3) -> argparse.ArgumentParser:
    """The options the suites share: ``--rows`` (4M), ``--repeats``, ``--out``."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rows", type=int, default=4_000_000)
    ap.add_argument("--repeats", type=int, default=repeats)
    ap.add_argument("--out", default=None, help="raw results, JSON")
    return ap


def spark_session(driver_memory: str):
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("spark_smote-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.shuffle.partitions", "16")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def run_child(code: str, timeout: int) -> dict:
    """Run ``code`` in a child interpreter that prints one JSON line last; a time limit or a
    failure (with its last line of error, or the signal that killed it: 9 is what the kernel's
    out-of-memory killer sends) is recorded as ``seconds: None``."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "timeout": timeout}
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines()
        code_ = out.returncode
        why = lines[-1] if lines else f"killed by signal {-code_}" if code_ < 0 else f"exit {code_}"
        return {"seconds": None, "error": why}
    return json.loads(out.stdout.strip().splitlines()[-1])


def median(values: list) -> float | None:
    """The median of ``values``, or None when a run failed (``None`` among them) or none ran."""
    got = [v for v in values if v is not None]
    return statistics.median(got) if got and len(got) == len(values) else None


def noop(df) -> None:
    """Force ``df`` (every row computed, nothing written)."""
    df.write.format("noop").mode("overwrite").save()


def save(results: dict, out: str | None, suite: str) -> None:
    """Write ``results`` as JSON to ``out`` (when given), with the suite, the date, the
    commit and the machine's cores, so that the docs' report can say what measured it."""
    if not out:
        return
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE
        ).stdout.strip()
    except OSError:
        commit = ""
    meta = {
        "suite": suite,
        "date": time.strftime("%Y-%m-%d"),
        "commit": commit,
        "cores": os.cpu_count(),
    }
    Path(out).write_text(json.dumps({**meta, **results}, indent=2, default=str))
