"""``spark-smote-train`` / ``jobs/train_ensemble.py``: fit a balanced ensemble on a table and
save it as a Spark ``PipelineModel`` (features assembled from ``--input-cols`` if given), with
its G-mean and balanced accuracy on a held-out share of the rows. User mistakes end with one
line on stderr and exit 2."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

from spark_smote.app.io import UserError, guess_format, same_or_nested

ENSEMBLES = ("balanced-random-forest", "balanced-bagging", "easy-ensemble", "rusboost")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="spark-smote-train",
        description="Fit a balanced ensemble on a table with Spark and save the model.",
    )
    a = p.add_argument
    a("--input", help="training table (Parquet, CSV with header, JSON, ORC, Delta)")
    a("--format", help="input format (default: from the path)")
    a("--model", help="where to save the fitted PipelineModel")
    a("--ensemble", choices=ENSEMBLES, default="balanced-random-forest", help="the ensemble")
    a("--input-cols", help="comma-separated numeric feature columns (assembled)")
    a("--features-col", default="features", help="a Vector feature column (default: features)")
    a("--label", default="label", help="label column: class indices 0..k-1 (default: label)")
    a("--num-estimators", type=int, help="members (default: the ensemble's own)")
    a("--max-depth", type=int, help="balanced-random-forest: depth of each tree (default: 5)")
    a("--seed", type=int, default=42, help="random seed (default: 42)")
    a("--parallelism", type=int, default=1, help="members fitted at once (default: 1)")
    a("--holdout", type=float, default=0.2, help="share of rows scored, not fitted (0: none)")
    a("--overwrite", action="store_true", help="replace an existing --model")
    a("--report", help="write the summary as JSON to this file")
    a("--demo", action="store_true", help="fit on the built-in imbalanced example data set")
    return p


def build_ensemble(args: argparse.Namespace, features: str) -> Any:
    from spark_smote.ensemble import (
        BalancedBaggingClassifier,
        BalancedRandomForestClassifier,
        EasyEnsembleClassifier,
        RUSBoostClassifier,
    )

    common: dict[str, Any] = {"featuresCol": features, "labelCol": args.label, "seed": args.seed}
    if args.ensemble == "balanced-random-forest":
        params = {**common, "parallelism": args.parallelism}
        if args.num_estimators is not None:
            params["numTrees"] = args.num_estimators
        if args.max_depth is not None:
            params["maxDepth"] = args.max_depth
        return BalancedRandomForestClassifier(**params)
    if args.num_estimators is not None:
        common["numEstimators"] = args.num_estimators
    if args.ensemble == "rusboost":
        return RUSBoostClassifier(**common)
    made = {"balanced-bagging": BalancedBaggingClassifier, "easy-ensemble": EasyEnsembleClassifier}
    return made[args.ensemble](**common, parallelism=args.parallelism)


def train(spark: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Read (or make) the table, fit, score the held-out rows, save; return the summary."""
    from pyspark.ml.feature import VectorAssembler

    from spark_smote.app.job import demo_data, read_input
    from spark_smote.metrics import ImbalancedClassificationEvaluator
    from spark_smote.pipeline import Pipeline

    if args.demo and not args.input:
        df = demo_data(spark, 20_000)
        input_cols = [c for c in df.columns if c.startswith("f")]
    else:
        df = read_input(spark, args.input, args.format or guess_format(args.input))
        input_cols = [c.strip() for c in (args.input_cols or "").split(",") if c.strip()]
    stages: list[Any] = []
    features = args.features_col
    if input_cols:
        features = "__features"
        stages.append(VectorAssembler(inputCols=input_cols, outputCol=features))
    stages.append(build_ensemble(args, features))
    if not 0.0 <= args.holdout < 1.0:
        raise UserError(f"--holdout must be in [0, 1), got {args.holdout}")
    train_rows, held = (
        df.randomSplit([1 - args.holdout, args.holdout], seed=args.seed)
        if args.holdout
        else (df, None)
    )
    started = time.monotonic()
    model = Pipeline(stages=stages).fit(train_rows)
    summary: dict[str, Any] = {
        "ensemble": type(stages[-1]).__name__,
        "model": args.model,
        "members": len(model.stages[-1].models),
        "fit_seconds": round(time.monotonic() - started, 2),
    }
    if held is not None:
        scored = model.transform(held)
        evaluator = ImbalancedClassificationEvaluator(labelCol=args.label)
        for metric in ("geometricMean", "balancedAccuracy"):
            summary[f"holdout_{metric}"] = round(
                evaluator.setMetricName(metric).evaluate(scored), 4
            )
    writer = model.write()
    (writer.overwrite() if args.overwrite else writer).save(args.model)
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if not args.demo and not args.input:
            raise UserError("give --input (or --demo for the built-in example)")
        if args.demo and not args.model:
            args.model = os.path.join(tempfile.mkdtemp(prefix="spark-smote-train-"), "model")
        if not args.model:
            raise UserError("give --model, the path to save the fitted model to")
        if args.input and same_or_nested(args.input, args.model):
            raise UserError(f"--model {args.model} is the input or inside it")
        local = args.model.removeprefix("file://")
        if "://" not in local and os.path.exists(local) and not args.overwrite:
            raise UserError(f"--model {args.model} exists; add --overwrite to replace it")
        return run(args)
    except UserError as e:
        print(f"spark-smote-train: error: {e}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.errors import AnalysisException
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("spark-smote-train").getOrCreate()
    try:
        summary = train(spark, args)
    except (ValueError, TypeError) as e:
        raise UserError(str(e)) from e
    except AnalysisException as e:
        raise UserError(str(e).splitlines()[0]) from e
    print(f"spark-smote-train: saved {summary['ensemble']} to {summary['model']}")
    print(json.dumps(summary, indent=2))
    if args.report:
        with open(args.report, "w") as f:
            json.dump(summary, f, indent=2)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
