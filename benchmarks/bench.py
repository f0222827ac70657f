"""spark_smote vs imbalanced-learn vs a random-oversampling floor, side by side in one run.

    pip install -e ".[bench]"
    python benchmarks/bench.py --rows 1000000 4000000 10000000 --repeats 3

Data: a seeded make_classification-style generator (20 features: 10 informative, 10 noise;
4 Gaussian clusters per class; 5% minority), written to Parquet once under benchmarks/data/.
Each measurement is a fresh run of the whole transform: spark_smote and the floor on
``local[2]`` forced with the ``noop`` sink; imbalanced-learn ``SMOTE(k_neighbors=5)
.fit_resample`` on in-memory arrays in a child process (loading not timed). Reports medians,
ratios and peak resident memory (the Spark driver JVM + Python workers; the imblearn process).
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


def arguments(repeats: int = 3) -> argparse.ArgumentParser:
    """The options the side-by-side scripts share: ``--rows`` (4M), ``--repeats``, ``--out``."""
    ap = argparse.ArgumentParser()
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


def run_spark_smote(spark, path: Path, **params) -> float:
    from spark_smote import SMOTE

    df = spark.read.parquet(str(path))
    start = time.perf_counter()
    out = SMOTE(inputCols=FEATURES, kNeighbors=5, **params).transform(df)
    out.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - start


def run_floor(spark, path: Path) -> float:
    """Same read and output size: minority rows drawn with replacement, no neighbours."""
    from pyspark.sql import functions as F

    df = spark.read.parquet(str(path))
    start = time.perf_counter()
    counts = {r.label: r["count"] for r in df.groupBy("label").count().collect()}
    minority, majority = min(counts, key=counts.get), max(counts, key=counts.get)
    need = counts[majority] - counts[minority]
    extra = df.filter(F.col("label") == minority).sample(True, need / counts[minority], seed=1)
    df.unionByName(extra).write.format("noop").mode("overwrite").save()
    return time.perf_counter() - start


def run_child(code: str, timeout: int) -> dict:
    """Run ``code`` in a child interpreter that prints one JSON line last; a time limit or a
    failure (a kill without a message: out of memory) is recorded as ``seconds: None``."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "timeout": timeout}
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines()
        why = lines[-1] if lines else f"killed (exit code {out.returncode}: out of memory)"
        return {"seconds": None, "error": why}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_imblearn(path: Path) -> dict[str, float]:
    """In a child process: load to numpy (not timed), fit_resample (timed), peak RSS."""
    code = f"""
import json, resource, time
import numpy as np, pyarrow.parquet as pq
from imblearn.over_sampling import SMOTE
t = pq.read_table({str(path)!r})
X = np.column_stack([t.column(f).to_numpy() for f in {FEATURES!r}])
y = t.column("label").to_numpy()
start = time.perf_counter()
Xr, yr = SMOTE(k_neighbors=5, random_state=0).fit_resample(X, y)
sec = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"seconds": sec, "peak_rss": rss, "rows_out": int(len(yr))}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(rows: list[int], repeats: int, driver_memory: str, skip_imblearn: set[int]) -> dict:
    results: dict = {
        "rows": {},
        "repeats": repeats,
        "driver_memory": driver_memory,
        "cores": os.cpu_count(),
    }
    paths = {n: make_data(n) for n in rows}
    spark = spark_session(driver_memory)
    run_spark_smote(spark, paths[rows[0]])  # warm-up: JVM JIT and Python workers
    for n in rows:
        r: dict = {
            "spark_smote": [],
            "spark_smote_1table": [],
            "floor": [],
            "imblearn": [],
            "imblearn_rss": [],
            "spark_rss": [],
        }
        for _ in range(repeats):  # interleaved, so that noise hits all alike
            with PeakRSS() as mem:
                r["spark_smote"].append(run_spark_smote(spark, paths[n]))
            r["spark_rss"].append(mem.peak)
            r["spark_smote_1table"].append(run_spark_smote(spark, paths[n], numHashTables=1))
            r["floor"].append(run_floor(spark, paths[n]))
            if n not in skip_imblearn:
                res = run_imblearn(paths[n])
                r["imblearn"].append(res["seconds"])
                r["imblearn_rss"].append(res["peak_rss"])
            print(n, {k: v[-1] for k, v in r.items() if v}, flush=True)
        med = {k: statistics.median(v) for k, v in r.items() if v}
        r["median"] = med
        if "imblearn" in med:
            r["speedup_vs_imblearn"] = med["imblearn"] / med["spark_smote"]
        r["ratio_to_floor"] = med["spark_smote"] / med["floor"]
        results["rows"][n] = r
    spark.stop()
    return results


def table(results: dict) -> str:
    lines = [
        "| rows | spark_smote (s) | no guests (s) | floor (s) | imblearn (s) "
        "| spark_smote / floor | imblearn / spark_smote | imblearn / no guests "
        "| peak RSS spark | peak RSS imblearn |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in results["rows"].items():
        m = r["median"]
        imb = f"{m['imblearn']:.1f}" if "imblearn" in m else "-"
        speed = f"{r['speedup_vs_imblearn']:.2f}x" if "speedup_vs_imblearn" in r else "-"
        imb_rss = f"{m['imblearn_rss'] / 2**30:.1f} GiB" if "imblearn_rss" in m else "-"
        fast = f"{m['imblearn'] / m['spark_smote_1table']:.2f}x" if "imblearn" in m else "-"
        lines.append(
            f"| {int(n):,} | {m['spark_smote']:.1f} | {m['spark_smote_1table']:.1f} | "
            f"{m['floor']:.1f} | {imb} | {r['ratio_to_floor']:.2f} | {speed} | {fast} | "
            f"{m['spark_rss'] / 2**30:.1f} GiB | {imb_rss} |"
        )
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    rows = [int(n) for n in results["rows"]]
    for key, label in (
        ("spark_smote", "spark_smote (local[2])"),
        ("imblearn", "imbalanced-learn"),
        ("floor", "random oversampling floor"),
    ):
        pts = [
            (n, r["median"][key])
            for n, r in zip(rows, results["rows"].values(), strict=True)
            if key in r["median"]
        ]
        ax.plot([p[0] / 1e6 for p in pts], [p[1] for p in pts], marker="o", label=label)
    ax.set_xlabel("rows (millions), 20 features, 5% minority")
    ax.set_ylabel("median seconds")
    ax.set_title("SMOTE to a balanced output, 2 cores")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 4_000_000, 10_000_000])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--driver-memory", default="8g")
    p.add_argument("--skip-imblearn", type=int, nargs="*", default=[])
    p.add_argument("--out", default=str(HERE / "results.json"))
    p.add_argument("--plot", default=None)
    args = p.parse_args()
    results = bench(args.rows, args.repeats, args.driver_memory, set(args.skip_imblearn))
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(table(results))
    if args.plot:
        plot(results, Path(args.plot))


if __name__ == "__main__":
    main()
