"""How the stages and rows of this folder were made: run with spark_smote 0.2 (commit c6a390f).

``python tests/data/release_0.2/make.py`` writes, beside this file, one saved stage per sampler
(``stages/<name>``), a pyspark ``PipelineModel`` holding SMOTE, a spark_smote ``Pipeline``, the
input rows (``input.json``) and what each stage's ``transform`` gave (``rows.json``).
tests/test_release_compat.py loads them with the current release and compares.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def input_rows() -> list[dict]:
    rng = np.random.default_rng(2024)
    rows = []
    for label, n, centre in ((0, 90, 0.0), (1, 40, 2.5), (2, 12, -2.0)):
        for x in rng.normal(centre, 1.0, size=(n, 3)):
            rows.append(
                {
                    "id": len(rows),
                    "f0": float(x[0]),
                    "f1": float(x[1]),
                    "f2": float(x[2]),
                    "colour": ["red", "blue", "green"][len(rows) % 3],
                    "label": label,
                }
            )
    return rows


def stages():
    from spark_smote.adasyn import ADASYN
    from spark_smote.borderline import BorderlineSMOTE
    from spark_smote.random_sampling import RandomOverSampler, RandomUnderSampler
    from spark_smote.smote import SMOTE
    from spark_smote.smotenc import SMOTENC

    cols = ["f0", "f1", "f2"]
    return {
        "smote": SMOTE(
            inputCols=cols,
            kNeighbors=3,
            seed=7,
            syntheticCol="syn",
            otherColumns="copy",
            samplingStrategy={1: 70, 2: 50},
        ),
        "smote_cells": SMOTE(
            inputCols=cols,
            kNeighbors=3,
            seed=11,
            maxBucketSize=16,
            numHashTables=2,
            samplingStrategy={1: 60},
        ),
        "smotenc": SMOTENC(inputCols=cols, categoricalCols=["colour"], kNeighbors=4, seed=3),
        "borderline": BorderlineSMOTE(
            inputCols=cols,
            kNeighbors=3,
            mNeighbors=6,
            kind="borderline-2",
            seed=5,
            samplingStrategy={1: 80},
        ),
        "adasyn": ADASYN(inputCols=cols, nNeighbors=4, seed=9, samplingStrategy={1: 80}),
        "random_over": RandomOverSampler(inputCols=cols, shrinkage=0.5, seed=4, syntheticCol="syn"),
        "random_under": RandomUnderSampler(seed=6, samplingStrategy="not minority"),
    }


def main() -> None:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.ml import Pipeline as SparkPipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import SparkSession
    from spark_smote.smote import SMOTE

    from spark_smote.pipeline import Pipeline

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    rows = input_rows()
    (HERE / "input.json").write_text(json.dumps(rows))
    df = spark.createDataFrame(rows).select("id", "f0", "f1", "f2", "colour", "label")
    out = {}
    shutil.rmtree(HERE / "stages", ignore_errors=True)
    for name, stage in stages().items():
        stage.save(str(HERE / "stages" / name))
        got = stage.transform(df)
        out[name] = sorted((json.loads(r) for r in got.toJSON().collect()), key=json.dumps)
    assembler = VectorAssembler(inputCols=["f0", "f1", "f2"], outputCol="features")
    model = SparkPipeline(stages=[assembler, SMOTE(kNeighbors=3, seed=2)]).fit(df)
    model.save(str(HERE / "stages" / "pyspark_pipeline_model"))
    Pipeline(stages=[assembler, SMOTE(kNeighbors=3), LogisticRegression(maxIter=5)]).save(
        str(HERE / "stages" / "spark_smote_pipeline")
    )
    (HERE / "rows.json").write_text(json.dumps(out, indent=0))
    spark.stop()


if __name__ == "__main__":
    main()
