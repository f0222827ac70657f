"""Remedies for imbalance judged side by side: G-mean and balanced accuracy on held-out rows.

    python -m benchmarks remedies --rows 200000 --out docs/results/remedies_200k.json

The table of bench.py (20 features, 5% minority), split 70/30 by a seeded ``randomSplit``; a
logistic regression fitted through ``spark_smote.pipeline.Pipeline`` with no remedy, with
``ClassWeighter`` (its ``weightCol``), ``SMOTE``, ``SMOTEENN`` and ``RandomUnderSampler``;
every score from ``ImbalancedClassificationEvaluator`` on the untouched test rows. Fit times
are one run each (the scores are the point here).
"""

from __future__ import annotations

import json
import time

from benchmarks.common import FEATURES, arguments, make_data, save, spark_session


def remedies() -> dict[str, tuple[list, dict]]:
    """name -> (stages before the classifier, the classifier's extra params)."""
    from spark_smote import SMOTE, SMOTEENN, ClassWeighter, RandomUnderSampler

    return {
        "no remedy": ([], {}),
        "class weights (balanced)": ([ClassWeighter()], {"weightCol": "weight"}),
        "SMOTE": ([SMOTE(inputCols=FEATURES)], {}),
        "SMOTE + ENN": ([SMOTEENN(inputCols=FEATURES)], {}),
        "random under-sampling": ([RandomUnderSampler()], {}),
    }


def main(argv: list[str] | None = None) -> None:
    ap = arguments(__doc__, repeats=1)
    ap.set_defaults(rows=200_000)
    args = ap.parse_args(argv)
    spark = spark_session("4g")
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import VectorAssembler

    from spark_smote.metrics import ImbalancedClassificationEvaluator
    from spark_smote.pipeline import Pipeline

    df = spark.read.parquet(str(make_data(args.rows)))
    train, test = df.randomSplit([0.7, 0.3], seed=1)
    train, test = train.cache(), test.cache()
    counts = {r.label: r["count"] for r in train.groupBy("label").count().collect()}
    evaluator = ImbalancedClassificationEvaluator()
    results = {}
    for name, (stages, extra) in remedies().items():
        assembler = VectorAssembler(inputCols=FEATURES, outputCol="features")
        lr = LogisticRegression(maxIter=100, **extra)
        start = time.perf_counter()
        model = Pipeline(stages=[*stages, assembler, lr]).fit(train)
        seconds = time.perf_counter() - start
        scored = model.transform(test).cache()
        row = {"fit_seconds": round(seconds, 1)}
        for metric in ("geometricMean", "balancedAccuracy", "macroF1", "sensitivityByLabel"):
            row[metric] = round(evaluator.setMetricName(metric).evaluate(scored), 4)
        scored.unpersist()
        results[name] = row
        print(f"{name:28s} {json.dumps(row)}", flush=True)
    save({"rows": args.rows, "train_counts": counts, "results": results}, args.out, "remedies")


if __name__ == "__main__":
    main()
