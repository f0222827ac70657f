"""InstanceHardnessThreshold: out-of-fold probabilities from a Spark classifier, numpy's
percentile per class, stratified seeded folds."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml.classification import LinearSVC, LogisticRegression, RandomForestClassifier
from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import Vectors
from pyspark.sql import functions as F

from spark_smote import InstanceHardnessThreshold
from spark_smote.under_sampling.instance_hardness_threshold import stratified_folds

SIZES = {0: 150, 1: 90, 2: 40}


@pytest.fixture(scope="module")
def table(spark):
    """Three overlapping classes in 2-D (150 / 90 / 40 rows), an ``id`` and a string column."""
    rng = np.random.default_rng(3)
    rows = []
    for label, n in SIZES.items():
        for x in rng.normal(0.8 * label, 1.0, size=(n, 2)):
            rows.append((len(rows), Vectors.dense(x.tolist()), label, f"r{len(rows)}"))
    return spark.createDataFrame(rows, ["id", "features", "label", "name"]).repartition(3)


def _ids(df) -> set[int]:
    return {r.id for r in df.select("id").collect()}


@pytest.fixture(scope="module")
def scores(table) -> list[tuple[int, int, float]]:
    """``(id, label, probability of its label)`` per row, computed here step by step: each
    fold (cv=3, seed=7) scored by a LogisticRegression fitted on the other folds."""
    folded = table.withColumn("fold", stratified_folds(table, "label", 3, 7))
    found = []
    for f in range(3):
        model = LogisticRegression(maxIter=10).fit(folded.filter(F.col("fold") != f))
        own = vector_to_array(F.col("probability"))[F.col("label")]
        scored = model.transform(folded.filter(F.col("fold") == f)).select("id", "label", own)
        found += [(r[0], r[1], r[2]) for r in scored.collect()]
    return found


def _expected(scores: list[tuple[int, int, float]], keep: dict[int, int]) -> set[int]:
    """imbalanced-learn's rule: each class of ``keep`` cut at numpy's percentile."""
    kept = set()
    for c, n in SIZES.items():
        mine = [(i, p) for i, label, p in scores if label == c]
        if c not in keep:
            kept |= {i for i, _ in mine}
            continue
        threshold = np.percentile([p for _, p in mine], (1.0 - keep[c] / n) * 100.0)
        kept |= {i for i, p in mine if p >= threshold}
    return kept


def _iht(**params) -> InstanceHardnessThreshold:
    return InstanceHardnessThreshold(
        estimator=LogisticRegression(maxIter=10), cv=3, seed=7, **params
    )


def test_keeps_the_rows_at_or_above_each_class_percentile_of_out_of_fold_probabilities(
    table, scores
):
    out = _iht().transform(table.coalesce(1))  # the folds of any partitioning
    assert _ids(out) == _expected(scores, {0: 40, 1: 40})
    counts = {r.label: r["count"] for r in out.groupBy("label").count().collect()}
    assert counts[2] == 40 and counts[0] >= 40 and counts[1] >= 40
    # the rows are the input's, untouched, with the input's columns only
    assert out.columns == table.columns
    assert out.exceptAll(table).count() == 0


@pytest.mark.newest
def test_a_dict_strategy_cuts_the_classes_it_names_only(table, scores):
    out = _iht(samplingStrategy={0: 100}).transform(table)
    assert _ids(out) == _expected(scores, {0: 100})


def test_folds_are_stratified_and_independent_of_the_partitioning(table):
    def folds(df, seed=11):
        with_fold = df.withColumn("fold", stratified_folds(df, "label", 4, seed))
        return {r.id: (r.label, r.fold) for r in with_fold.select("id", "label", "fold").collect()}

    found = folds(table)
    assert found == folds(table.coalesce(1)) == folds(table.repartition(5, "name"))
    for c, n in SIZES.items():
        sizes = np.bincount([f for label, f in found.values() if label == c], minlength=4)
        assert sizes.max() - sizes.min() <= 1 and sizes.sum() == n
    assert found != folds(table, seed=12)  # the seed deals them otherwise


def test_saved_and_loaded_with_its_estimator(table, scores, tmp_path):
    _iht(parallelism=2).save(str(tmp_path / "iht"))
    loaded = InstanceHardnessThreshold.load(str(tmp_path / "iht"))
    assert loaded.getCv() == 3 and loaded.getSeed() == 7 and loaded.getParallelism() == 2
    assert loaded.getEstimator().getMaxIter() == 10
    assert _ids(loaded.transform(table)) == _expected(scores, {0: 40, 1: 40})


def test_the_default_estimator_is_a_forest_of_100_trees():
    default = InstanceHardnessThreshold()._classifier()
    assert isinstance(default, RandomForestClassifier) and default.getNumTrees() == 100


@pytest.mark.parametrize(
    ("params", "change", "message"),
    [
        ({"cv": 1}, None, "cv must be at least 2"),
        ({}, "svc", "estimator must be a probabilistic"),
        ({"cv": 41}, None, "class 2 has 40 rows, fewer than cv=41"),
        ({"samplingStrategy": {0: 200}}, None, "0"),
        ({}, "label", "StringIndexer"),
        ({}, "features", "featuresCol column 'features' must be a Vector"),
    ],
)
def test_bad_input_is_refused_before_any_output(table, params, change, message):
    df = table
    if change == "svc":  # no probabilityCol
        params = {"estimator": LinearSVC()}
    elif change == "label":
        df = table.withColumn("label", F.concat(F.lit("c"), F.col("label").cast("string")))
    elif change == "features":
        df = table.withColumn("features", vector_to_array("features"))
    with pytest.raises(ValueError, match=message):
        InstanceHardnessThreshold(**params).plan(df)
