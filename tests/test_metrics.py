"""ImbalancedClassificationEvaluator and classification_report_imbalanced on Spark: equal to
imbalanced-learn / scikit-learn, usable by CrossValidator and TrainValidationSplit, saved and
loaded, and clear errors on bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import StringIndexer, VectorAssembler
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder, TrainValidationSplit
from pyspark.sql import functions as F

from spark_smote import SMOTE
from spark_smote.metrics import (
    METRICS,
    ImbalancedClassificationEvaluator,
    classification_report_imbalanced,
)
from spark_smote.pipeline import Pipeline
from tests.test_kernel_metrics import CASES, _case

imblearn_metrics = pytest.importorskip("imblearn.metrics")
sk = pytest.importorskip("sklearn.metrics")


def _reference(metric: str, y, p, w, label: float) -> float:
    kw = {"sample_weight": w}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if metric == "geometricMean":
            return imblearn_metrics.geometric_mean_score(y, p, **kw)
        if metric == "balancedAccuracy":
            return sk.balanced_accuracy_score(y, p, **kw)
        if metric == "indexBalancedAccuracy":
            iba = imblearn_metrics.make_index_balanced_accuracy(alpha=0.3, squared=True)
            return iba(imblearn_metrics.geometric_mean_score)(y, p, **kw)
        if metric == "macroF1":
            return sk.f1_score(y, p, average="macro", **kw)
        if metric == "matthewsCorrelation":
            return sk.matthews_corrcoef(y, p, **kw)
        sens, spec, _ = imblearn_metrics.sensitivity_specificity_support(y, p, average=None, **kw)
        labels = sorted(set(y) | set(p))
        found = sens if metric == "sensitivityByLabel" else spec
        return found[labels.index(label)]


def _frame(spark, y, p, w=None):
    rows = [
        (int(a), float(b), None if w is None else float(c))
        for a, b, c in zip(y, p, np.ones(len(y)) if w is None else w, strict=True)
    ]
    return spark.createDataFrame(rows, "label long, prediction double, w double")


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", CASES)
def test_every_metric_equals_the_reference(spark, name, weighted):
    y, p = _case(name)
    w = np.random.default_rng(8).integers(1, 5, len(y)).astype(float) if weighted else None
    df = _frame(spark, y, p, w)
    evaluator = ImbalancedClassificationEvaluator(alpha=0.3, weightCol="w" if weighted else None)
    for metric in METRICS:
        for label in (1.0, 2.0) if metric.endswith("ByLabel") and name != "binary" else (1.0,):
            evaluator.setMetricName(metric).setMetricLabel(label)
            expected = _reference(metric, y, p, w, label)
            if weighted and metric in ("specificityByLabel", "indexBalancedAccuracy"):
                # whole-number weights are rows repeated: the reference without issue 1180
                reps = w.astype(int)
                expected = _reference(metric, np.repeat(y, reps), np.repeat(p, reps), None, label)
            assert evaluator.evaluate(df) == pytest.approx(expected), (metric, label)
            assert evaluator.isLargerBetter()


def test_string_labels_indexed_and_the_report(spark):
    rng = np.random.default_rng(2)
    names = np.array(["cat", "dog", "eel"])
    y = rng.choice(3, size=200, p=[0.75, 0.2, 0.05])
    p = np.where(rng.random(200) < 0.75, y, rng.choice(3, size=200))
    raw = spark.createDataFrame(
        [(str(names[a]), float(b)) for a, b in zip(y, p, strict=True)], ["animal", "prediction"]
    )
    with pytest.raises(ValueError, match="'animal'.*StringIndexer"):
        ImbalancedClassificationEvaluator(labelCol="animal").evaluate(raw)
    indexed = StringIndexer(inputCol="animal", outputCol="label", stringOrderType="alphabetAsc")
    df = indexed.fit(raw).transform(raw)  # cat, dog, eel -> 0.0, 1.0, 2.0
    evaluator = ImbalancedClassificationEvaluator()
    assert evaluator.evaluate(df) == pytest.approx(
        imblearn_metrics.geometric_mean_score(y.astype(float), p)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = imblearn_metrics.classification_report_imbalanced(y.astype(float), p, digits=3)
        found = imblearn_metrics.classification_report_imbalanced(
            y.astype(float), p, output_dict=True
        )
    assert classification_report_imbalanced(df, digits=3) == text
    ours = classification_report_imbalanced(df, output_dict=True)
    assert set(ours) == set(found) and "2.0" in ours
    assert ours["2.0"] == pytest.approx(found["2.0"])
    assert ours["avg_iba"] == pytest.approx(found["avg_iba"])


def test_the_report_of_integer_labels_and_weights(spark):
    y, p = _case("never true")
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    df = _frame(spark, y, p, w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = imblearn_metrics.classification_report_imbalanced(y, p.astype(int))
    assert classification_report_imbalanced(df) == text  # classes named "0" .. "3"
    weighted = classification_report_imbalanced(df, weightCol="w", output_dict=True)
    assert weighted["total_support"] == pytest.approx(w.sum())
    assert weighted["0"]["sup"] == pytest.approx(w[y == 0].sum())
    assert all(0 <= weighted[k]["spe"] <= 1 for k in ("0", "1", "2", "3"))


def _table(spark, n=500, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.06).astype(int)
    x = rng.normal(size=(n, 3)) + 1.0 * y[:, None]
    rows = [(*map(float, r), int(c)) for r, c in zip(x, y, strict=True)]
    return spark.createDataFrame(rows, ["f0", "f1", "f2", "label"])


def test_cross_validator_selects_smotes_params_by_geometric_mean(spark):
    df = _table(spark)
    smote = SMOTE(seed=3)
    pipe = Pipeline(
        stages=[
            VectorAssembler(inputCols=["f0", "f1", "f2"], outputCol="features"),
            smote,
            LogisticRegression(maxIter=20),
        ]
    )
    minority = df.filter("label = 1").count()
    grid = ParamGridBuilder().addGrid(smote.samplingStrategy, [{1: minority + 2}, "auto"]).build()
    evaluator = ImbalancedClassificationEvaluator()
    cv = CrossValidator(
        estimator=pipe, estimatorParamMaps=grid, evaluator=evaluator, numFolds=2, seed=4
    )
    model = cv.fit(df)
    assert len(model.avgMetrics) == 2 and all(0 <= v <= 1 for v in model.avgMetrics)
    # hardly oversampled, the minority is rarely predicted: balancing wins on G-mean
    assert model.avgMetrics[1] > model.avgMetrics[0] + 0.05
    assert evaluator.evaluate(model.transform(df)) > 0.6

    tvs = TrainValidationSplit(
        estimator=pipe, estimatorParamMaps=grid, evaluator=evaluator, trainRatio=0.7, seed=4
    )
    chosen = tvs.fit(df)
    assert grid[int(np.argmax(chosen.validationMetrics))][smote.samplingStrategy] == "auto"


def test_saved_and_loaded(spark, tmp_path):
    evaluator = ImbalancedClassificationEvaluator(
        metricName="specificityByLabel", metricLabel=0.0, alpha=0.5, weightCol="w"
    )
    evaluator.save(str(tmp_path / "e"))
    loaded = ImbalancedClassificationEvaluator.load(str(tmp_path / "e"))
    assert loaded.uid == evaluator.uid
    for param in ("metricName", "metricLabel", "alpha", "weightCol", "labelCol"):
        assert loaded.getOrDefault(param) == evaluator.getOrDefault(param)
    copied = evaluator.copy({evaluator.metricName: "macroF1"})
    assert copied.getMetricName() == "macroF1" and evaluator.getMetricName() != "macroF1"
    df = _frame(spark, *_case("three"))
    assert loaded.setWeightCol(None).evaluate(df) == pytest.approx(
        evaluator.setWeightCol(None).evaluate(df)
    )


def test_bad_input_is_refused_naming_it(spark):
    df = _frame(spark, *_case("binary"))
    e = ImbalancedClassificationEvaluator
    with pytest.raises(ValueError, match="predictionCol column 'pred' is not in"):
        e(predictionCol="pred").evaluate(df)
    with pytest.raises(ValueError, match="predictionCol column 'text' has type string"):
        e(predictionCol="text").evaluate(df.withColumn("text", df.prediction.cast("string")))
    with pytest.raises(ValueError, match="metricLabel 5.0 is neither"):
        e(metricName="sensitivityByLabel", metricLabel=5.0).evaluate(df)
    with pytest.raises(ValueError, match="empty"):
        e().evaluate(df.limit(0))
    with pytest.raises(ValueError, match="metricName 'gmean' is unknown"):
        e(metricName="gmean").evaluate(df)
    with pytest.raises(ValueError, match="weightCol column 'w' has negative"):
        e(weightCol="w").evaluate(df.withColumn("w", F.lit(-1.0)))
    with pytest.raises(ValueError, match="labelCol column 'label' has null or NaN"):
        e().evaluate(df.withColumn("label", F.when(df.label == 1, None).otherwise(df.label)))
    with pytest.raises(ValueError, match="digits"):
        classification_report_imbalanced(df, digits=-1)
