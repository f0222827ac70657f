"""spark_smote.pipeline.Pipeline: SMOTE runs while fitting only."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml import Estimator, Model, PipelineModel
from pyspark.ml import Pipeline as SparkPipeline
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import StandardScaler, VectorAssembler
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder, TrainValidationSplit
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_smote import SMOTE
from spark_smote.pipeline import Pipeline

FITS: list[dict] = []  # what RecordingEstimator was fitted on
SCORED: list[int] = []  # row counts RecordingModel transformed


class RecordingModel(Model, DefaultParamsReadable, DefaultParamsWritable):
    def _transform(self, dataset: DataFrame) -> DataFrame:
        SCORED.append(dataset.count())
        return dataset.withColumn("rawPrediction", F.col("f0")).withColumn(
            "prediction", (F.col("f0") > 0).cast("double")
        )


class RecordingEstimator(Estimator, DefaultParamsReadable, DefaultParamsWritable):
    """Test-only stage: records the class counts of the data it is fitted on."""

    def _fit(self, dataset: DataFrame) -> RecordingModel:
        record = {r.label: r["count"] for r in dataset.groupBy("label").count().collect()}
        if "syn" in dataset.columns:
            record["original"] = dataset.filter("NOT syn").count()
        FITS.append(record)
        return RecordingModel()


def imbalanced(spark, n=600, minority=0.06, seed=0, shift=1.6):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < minority).astype(int)
    x = rng.normal(size=(n, 3)) + shift * y[:, None]
    rows = [(*map(float, r), int(c)) for r, c in zip(x, y, strict=True)]
    return spark.createDataFrame(rows, ["f0", "f1", "f2", "label"])


def assembler():
    return VectorAssembler(inputCols=["f0", "f1", "f2"], outputCol="features")


@pytest.fixture(autouse=True)
def _clear():
    FITS.clear()
    SCORED.clear()


def test_fit_oversamples_and_scoring_keeps_rows(spark):
    df = imbalanced(spark)
    counts = {r.label: r["count"] for r in df.groupBy("label").count().collect()}
    model = Pipeline(stages=[assembler(), SMOTE(), RecordingEstimator()]).fit(df)
    assert FITS == [{0: counts[0], 1: counts[0]}]  # fitted on balanced rows
    assert [type(s).__name__ for s in model.stages] == ["VectorAssembler", "RecordingModel"]
    assert type(model) is PipelineModel
    assert model.transform(df).count() == df.count()
    # a plain pyspark Pipeline would keep SMOTE and add rows at scoring time
    plain = SparkPipeline(stages=[assembler(), SMOTE(), RecordingEstimator()]).fit(df)
    assert plain.transform(df).count() > df.count()


def test_saved_model_loads_with_pyspark_alone_and_predicts_the_same(spark, tmp_path):
    df = imbalanced(spark)
    model = Pipeline(
        stages=[
            assembler(),
            SMOTE(),
            StandardScaler(inputCol="features", outputCol="scaled"),
            LogisticRegression(featuresCol="scaled"),
        ]
    ).fit(df)
    path = str(tmp_path / "model")
    model.save(path)
    loaded = PipelineModel.load(path)
    assert not any(isinstance(s, SMOTE) for s in loaded.stages)
    a = [r.prediction for r in model.transform(df).orderBy("f0").collect()]
    b = [r.prediction for r in loaded.transform(df).orderBy("f0").collect()]
    assert a == b and len(a) == df.count()
    saved = [p for p in (tmp_path / "model").rglob("*") if p.is_file() and "metadata" in str(p)]
    assert saved and not any("spark_smote" in p.read_text(errors="ignore") for p in saved)


def test_unfitted_pipeline_saves_and_loads(tmp_path):
    pipe = Pipeline(
        stages=[assembler(), SMOTE(kNeighbors=3, samplingStrategy={1: 70}), LogisticRegression()]
    )
    pipe.save(str(tmp_path / "pipe"))
    loaded = Pipeline.load(str(tmp_path / "pipe"))
    assert type(loaded) is Pipeline and loaded.uid == pipe.uid
    smote = loaded.getStages()[1]
    assert smote.getKNeighbors() == 3 and smote.getSamplingStrategy() == {1: 70}


def test_cross_validator_oversamples_training_folds_only(spark):
    df = imbalanced(spark, n=400)
    pipe = Pipeline(stages=[assembler(), SMOTE(), RecordingEstimator()])
    cv = CrossValidator(
        estimator=pipe,
        estimatorParamMaps=ParamGridBuilder().build(),
        evaluator=BinaryClassificationEvaluator(),
        numFolds=3,
        seed=1,
    )
    cv_model = cv.fit(df)
    fold_fits, final_fit = FITS[:3], FITS[3]
    assert all(f[0] == f[1] for f in fold_fits)  # every training fold balanced
    assert sum(SCORED[:3]) == 400  # validation folds: exactly the original rows
    assert final_fit[0] == final_fit[1]
    assert cv_model.transform(df).count() == 400


def test_train_validation_split(spark):
    df = imbalanced(spark, n=300)
    tvs = TrainValidationSplit(
        estimator=Pipeline(stages=[assembler(), SMOTE(syntheticCol="syn"), RecordingEstimator()]),
        estimatorParamMaps=ParamGridBuilder().build(),
        evaluator=BinaryClassificationEvaluator(),
        trainRatio=0.7,
        seed=3,
    )
    tvs.fit(df)
    assert FITS[0][0] == FITS[0][1]
    assert FITS[0]["original"] < FITS[0][0] + FITS[0][1]  # the training part was oversampled
    assert SCORED[0] + FITS[0]["original"] == 300  # validation part: original rows only


def test_several_samplers_and_sampler_positions(spark):
    # sampler first, on columns; then a second one on the assembled vector
    stages = [
        SMOTE(inputCols=["f0", "f1", "f2"], samplingStrategy=0.5),
        assembler(),
        SMOTE(samplingStrategy="minority"),
        RecordingEstimator(),
        SMOTE(),  # last: nothing after it is fitted, so it is skipped
    ]
    df = imbalanced(spark)
    model = Pipeline(stages=stages).fit(df)
    n0 = FITS[0][0]
    assert FITS[0] == {0: n0, 1: n0}
    assert [type(s).__name__ for s in model.stages] == ["VectorAssembler", "RecordingModel"]
    assert model.transform(df).count() == df.count()


def test_nested_pipeline_with_a_sampler_is_refused(spark):
    inner = SparkPipeline(stages=[SMOTE()])
    with pytest.raises(ValueError, match="nested pipeline holding a sampler"):
        Pipeline(stages=[assembler(), inner, RecordingEstimator()]).fit(imbalanced(spark))
    # a nested pipeline without a sampler is fine
    ok = Pipeline(stages=[SparkPipeline(stages=[assembler()]), SMOTE(), RecordingEstimator()])
    assert ok.fit(imbalanced(spark)).transform(imbalanced(spark)).count() == 600


def test_smote_raises_minority_recall(spark):
    train = imbalanced(spark, n=2000, minority=0.05, seed=1, shift=1.2)
    test = imbalanced(spark, n=2000, minority=0.05, seed=2, shift=1.2)

    def recall(stages):
        model = Pipeline(stages=stages).fit(train)
        pred = model.transform(test).filter("label = 1")
        return pred.filter("prediction = 1").count() / pred.count()

    without = recall([assembler(), LogisticRegression()])
    with_smote = recall([assembler(), SMOTE(), LogisticRegression()])
    assert with_smote > without + 0.3, (without, with_smote)
