"""``spark-smote`` / ``jobs/oversample.py``: read a table, oversample it with SMOTE, write it.

Settings come from the command line, then a TOML config (``--config``), then built-in
defaults, in that order of precedence. User mistakes end with one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

import tomllib

from spark_smote.app.io import FORMATS, UserError, same_or_nested

SAMPLERS = (
    "smote",
    "smotenc",
    "borderline",
    "adasyn",
    "random-over",
    "random-under",
    "tomek",
    "enn",
    "renn",
    "allknn",
    "ncr",
    "nearmiss",
    "cnn",
    "oss",
    "cluster-centroids",
    "kmeans-smote",
    "smoten",
    "smote-tomek",
    "smote-enn",
    "class-weights",
)
DEFAULTS: dict[str, Any] = {
    "sampler": "smote",
    "categorical_cols": None,
    "m_neighbors": 10,
    "kind": "borderline-1",
    "shrinkage": None,
    "replacement": False,
    "n_neighbors": None,  # 3; cnn, oss: 1
    "kind_sel": "all",
    "max_iter": 100,
    "allow_minority": False,
    "threshold_cleaning": 0.5,
    "near_miss_version": 1,
    "n_neighbors_ver3": 3,
    "n_seeds_s": 1,
    "voting": "auto",
    "n_clusters": 8,
    "cluster_balance_threshold": "auto",
    "density_exponent": "auto",
    "weight_col": "weight",
    "class_weight": "balanced",
    "input_weight_col": None,
    "format": None,
    "output_format": None,
    "features_col": "features",
    "input_cols": None,
    "label": "label",
    "k": None,  # 5; kmeans-smote: 2
    "strategy": "auto",
    "seed": 42,
    "synthetic_col": None,
    "other_columns": "null",
    "mode": "errorifexists",
    "partition_by": None,
    "max_bucket_size": 30_000,
    "num_hash_tables": None,  # 6; tomek: 3
    "bucket_length": None,
    "report": None,
    "plot": None,
    "demo_rows": 20_000,
}
DEMO_FEATURES = 5


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="spark-smote",
        description="Oversample the minority classes of a table with SMOTE on Spark.",
    )
    a = p.add_argument
    a("--input", help="input path (Parquet, CSV with header, JSON, ORC, Delta)")
    a("--output", help="output path (written as Parquet unless --output-format)")
    a("--format", choices=FORMATS, help="input format (default: from the path)")
    a("--output-format", choices=FORMATS, help="output format (default: parquet)")
    a("--sampler", choices=SAMPLERS, help="the sampler (default: smote)")
    a("--categorical-cols", help="comma-separated categorical columns (selects smotenc)")
    a("--m-neighbors", type=int, help="borderline: rows that decide danger (default: 10)")
    a("--kind", choices=("borderline-1", "borderline-2"), help="borderline: the kind")
    a("--shrinkage", type=float, help="random-over: smoothed bootstrap shrinkage")
    a("--replacement", action="store_true", default=None, help="random-under: with replacement")
    a(
        "--n-neighbors",
        type=int,
        help="enn, renn, allknn, ncr, nearmiss, smote-enn: rows that decide a row (default: 3; "
        "cnn, oss: 1)",
    )
    a(
        "--kind-sel",
        choices=("all", "mode"),
        help="enn, renn, allknn, smote-enn: all | mode (default: all)",
    )
    a(
        "--max-iter",
        type=int,
        help="renn: most editing passes; cluster-centroids: most k-means iterations (default: 100)",
    )
    a(
        "--allow-minority",
        action="store_true",
        default=None,
        help="allknn: go on when a class falls below the minority's count",
    )
    a("--threshold-cleaning", type=float, help="ncr: thresholdCleaning (default: 0.5)")
    a("--near-miss-version", type=int, choices=(1, 2, 3), help="nearmiss: 1, 2 or 3 (default: 1)")
    a("--n-neighbors-ver3", type=int, help="nearmiss: version 3's candidates (default: 3)")
    a("--n-seeds-s", type=int, help="cnn, oss: seed rows per class (default: 1)")
    a("--voting", choices=("auto", "soft", "hard"), help="cluster-centroids (default: auto)")
    a("--n-clusters", type=int, help="kmeans-smote: clusters of all rows (default: 8)")
    a("--cluster-balance-threshold", help="kmeans-smote: auto | a share (default: auto)")
    a("--density-exponent", help="kmeans-smote: auto | a number (default: auto)")
    a("--weight-col", help="class-weights: the weight column to add (default: weight)")
    a(
        "--class-weight",
        help="class-weights: balanced | a JSON dict {label: weight} (default: balanced)",
    )
    a("--input-weight-col", help="class-weights: an existing weight column to multiply")
    a("--input-cols", help="comma-separated numeric feature columns")
    a("--features-col", help="a Vector feature column (default: features)")
    a("--label", help="label column (default: label)")
    a("--k", type=int, help="kNeighbors (default: 5; kmeans-smote: 2)")
    a(
        "--strategy",
        help="auto | minority | majority | not minority | all | a float | a JSON dict "
        "{label: count} | a JSON list of labels (the cleaners)",
    )
    a("--seed", type=int, help="random seed (default: 42)")
    a("--synthetic-col", help="add a boolean column with this name, True on synthetic rows")
    a("--other-columns", choices=("null", "copy"), help="other columns of synthetic rows")
    a("--max-bucket-size", type=int, help="most rows per cell (default: 30000)")
    a("--num-hash-tables", type=int, help="cells each row is stored in (default: 6; tomek: 3)")
    a("--bucket-length", type=float, help="ignored (kept for 0.1 configurations)")
    a("--config", help="TOML file with [job] and [spark] tables (see conf/oversample.toml)")
    a("--mode", choices=("errorifexists", "overwrite"), help="if the output exists")
    a("--partition-by", help="comma-separated columns to partition the output by")
    a("--report", help="write the summary as JSON to this file")
    a("--plot", help="draw class counts and a 2-D projection to this PNG (needs matplotlib)")
    a("--demo", action="store_true", help="oversample a built-in imbalanced example data set")
    a("--demo-rows", type=int, help="rows of the demo data set (default: 20000)")
    return p


def load_config(path: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """``[job]`` settings (flag names with ``_``) and ``[spark]`` settings of a TOML file."""
    if path is None:
        return {}, {}
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise UserError(f"cannot read config {path}: {e.strerror}") from e
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"config {path} is not valid TOML: {e}") from e
    job = {k.replace("-", "_"): v for k, v in data.get("job", {}).items()}
    unknown = sorted(set(job) - set(DEFAULTS) - {"input", "output"})
    if unknown:
        raise UserError(f"config {path}: unknown [job] keys {unknown}")
    spark = {
        str(k): str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in data.get("spark", {}).items()
    }
    return job, spark


def resolve_settings(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, str]]:
    """Command line > config file > built-in defaults."""
    job, spark_conf = load_config(args.config)
    settings = {**DEFAULTS, "input": None, "output": None, **job}
    for key, value in vars(args).items():
        if value is not None and key not in ("config", "demo"):
            settings[key] = value
    settings["demo"] = args.demo
    for key in ("input_cols", "partition_by", "categorical_cols"):
        if isinstance(settings[key], str):
            settings[key] = [c.strip() for c in settings[key].split(",") if c.strip()]
    settings["strategy"] = parse_strategy(settings["strategy"])
    settings["class_weight"] = parse_strategy(settings["class_weight"])
    if settings["categorical_cols"] and settings["sampler"] == "smote":
        settings["sampler"] = "smotenc"
    if settings["sampler"] not in SAMPLERS:
        raise UserError(f"sampler {settings['sampler']!r} is not one of {', '.join(SAMPLERS)}")
    if settings["categorical_cols"] and settings["sampler"] != "smotenc":
        raise UserError(f"--categorical-cols needs --sampler smotenc, not {settings['sampler']}")
    if not settings["demo"] and not settings["input"]:
        raise UserError("give --input (or --demo for the built-in example)")
    if not settings["demo"] and not settings["output"]:
        raise UserError("give --output")
    return settings, spark_conf


def parse_strategy(value: Any) -> Any:
    """A strategy name, a float, a JSON dict ``{"label": count}`` (numeric keys as numbers) or
    a JSON list of labels."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith(("{", "[")):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as e:
            raise UserError(f"--strategy is not valid JSON: {e}") from e
        if isinstance(raw, list):
            return raw
        return {_number_or_text(k): v for k, v in raw.items()}
    try:
        return float(text)
    except ValueError:
        return text


def _number_or_text(key: str) -> Any:
    for kind in (int, float):
        try:
            return kind(key)
        except ValueError:
            pass
    return key


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings, spark_conf = resolve_settings(args)
        return run(settings, spark_conf)
    except UserError as e:
        print(f"spark-smote: error: {e}", file=sys.stderr)
        return 2


def run(settings: dict[str, Any], spark_conf: dict[str, str]) -> int:
    """The job: read, oversample, write, summarise."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.errors import AnalysisException
    from pyspark.sql import SparkSession

    from spark_smote.app.job import oversample_job

    if (
        settings["input"]
        and settings["output"]
        and same_or_nested(settings["input"], settings["output"])
    ):
        raise UserError(
            f"--output {settings['output']} is the input or inside it; write somewhere else"
        )
    if settings["demo"] and not settings["output"]:
        settings["output"] = os.path.join(tempfile.mkdtemp(prefix="spark-smote-demo-"), "out")
    builder = SparkSession.builder.appName("spark-smote")
    for key, value in {"spark.ui.showConsoleProgress": "true", **spark_conf}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    try:
        started = time.monotonic()
        summary = oversample_job(spark, settings)
        summary["seconds"] = round(time.monotonic() - started, 2)
    except (ValueError, TypeError) as e:
        raise UserError(str(e)) from e
    except AnalysisException as e:
        raise UserError(str(e).splitlines()[0]) from e
    print(format_summary(summary))
    if settings["report"]:
        with open(settings["report"], "w") as f:
            json.dump(summary, f, indent=2, default=str)
    return 0


def format_summary(summary: dict[str, Any]) -> str:
    lines = [
        f"spark-smote: wrote {summary['rows_written']} rows to {summary['output']} "
        f"in {summary['seconds']} s"
    ]
    lines.append(f"{'class':>12} {'before':>10} {'after':>10} {'cells':>8} {'cell rows':>16}")
    for c in summary["classes"]:
        sizes = f"{c['cell_min']}..{c['cell_max']}" if c["cells"] else "-"
        lines.append(
            f"{c['label']!s:>12} {c['before']:>10} {c['after']:>10} {c['cells']:>8} {sizes:>16}"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
