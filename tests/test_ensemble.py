"""Balanced ensembles: exact balanced member samples whatever the partitioning, soft voting,
SAMME's weights, persistence with identical predictions, Spark ML tuning, and clear errors.
Few, small trees."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from pyspark.ml.classification import DecisionTreeClassifier, LogisticRegression
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import Vectors
from pyspark.ml.regression import LinearRegression
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder
from pyspark.sql import functions as F

from spark_smote import SMOTE
from spark_smote.engine import estimators
from spark_smote.engine.columns import MEMBER
from spark_smote.engine.estimators import kept_sample, member_seed
from spark_smote.engine.keeping import Keeper
from spark_smote.engine.member_draws import BATCH_MEMBERS, STACK_ROWS, batch_size, member_samples
from spark_smote.ensemble import (
    AdaBoostClassifier,
    BalancedBaggingClassifier,
    BalancedRandomForestClassifier,
    EasyEnsembleClassifier,
    RUSBoostClassifier,
)
from spark_smote.ensemble.boosting import REBASE
from spark_smote.kernels.boosting import samme_weight
from spark_smote.metrics import ImbalancedClassificationEvaluator
from spark_smote.pipeline import Pipeline
from tests.conftest import CONNECT

SIZES = {0: 300, 1: 60, 2: 24}


@pytest.fixture(scope="module")
def table(spark):
    """Three overlapping classes (300 / 60 / 24 rows), three features and an id."""
    rng = np.random.default_rng(0)
    rows = []
    for label, n in SIZES.items():
        for x in rng.normal(label * 1.2, 1.0, size=(n, 3)):
            rows.append((len(rows), Vectors.dense(x.tolist()), float(label)))
    return spark.createDataFrame(rows, ["id", "features", "label"])


def _counts(df) -> dict[float, int]:
    return {r.label: r["count"] for r in df.groupBy("label").count().collect()}


def _ids(df) -> list[int]:
    return sorted(r.id for r in df.select("id").collect())


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: BalancedBaggingClassifier(), {0: 24, 1: 24, 2: 24}),
        (lambda: BalancedBaggingClassifier(samplingStrategy="majority"), {0: 24, 1: 60, 2: 24}),
        (lambda: BalancedBaggingClassifier(maxSamples=0.5, bootstrap=False), {0: 12, 1: 12, 2: 12}),
        (lambda: BalancedRandomForestClassifier(), {0: 24, 1: 24, 2: 24}),
        (lambda: EasyEnsembleClassifier(replacement=True), {0: 24, 1: 24, 2: 24}),
    ],
)
def test_member_samples_are_balanced_exactly_whatever_the_partitioning(table, make, expected):
    ensemble = make()
    bagging = ensemble
    if isinstance(ensemble, BalancedRandomForestClassifier):
        from spark_smote.ensemble.bagging import _ForestBagging

        bagging = _ForestBagging()
        ensemble._copyValues(bagging)
    first = bagging._sample(table, SIZES, 0)
    assert {int(c): n for c, n in _counts(first).items()} == expected
    again = bagging._sample(table.repartition(5, "id"), SIZES, 0)
    assert _ids(first) == _ids(again)
    assert _ids(first) != _ids(bagging._sample(table, SIZES, 1))  # members differ


def test_batches_bound_their_members_and_rows():
    """Members drawn together: at most BATCH_MEMBERS and STACK_ROWS rows a batch, batches as
    even as can be, none when a sample is more than half a batch."""
    assert batch_size(20_000, 100) == 25  # four batches of 25, not 32, 32, 32 and 4
    assert batch_size(20_000, 10) == 10
    assert batch_size(STACK_ROWS // 2, 10) == 2
    assert batch_size(STACK_ROWS // 2 + 1, 10) == 0
    for rows in (1, 999, 20_000, 400_000):
        for n in (1, 7, 33, 100):
            size = batch_size(rows, n)
            most = min(BATCH_MEMBERS, STACK_ROWS // rows, n)
            assert 1 <= size <= most and size * rows <= STACK_ROWS
            assert -(-n // size) == -(-n // most)  # no more batches than the bounds need


@pytest.mark.parametrize("replacement", [False, True])
def test_members_drawn_together_get_the_rows_each_gets_alone(spark, replacement):
    """A batch's samples: each member's class counts exact (identical rows tied at its cuts
    included), the rows it gets when drawn alone on another partitioning, members apart."""
    rows = [(i % 70, float(i % 70), float(i % 70 < 10)) for i in range(700)]  # 10 copies each
    rows += [(1000 + i, float(i), 2.0) for i in range(40)]
    df = spark.createDataFrame(rows, ["id", "x", "label"])
    counts = {0.0: 600, 1.0: 100, 2.0: 40}
    wanted = {0.0: 40, 1.0: 40, 2.0: 40} if replacement else {0.0: 45, 1.0: 33}
    seeds = [member_seed(3, m) for m in range(3)]
    stacked = member_samples(df, "label", counts, wanted, seeds, replacement)
    got = Counter((r[MEMBER], r.label, r.id) for r in stacked.collect())
    apart = []
    for m, seed in enumerate(seeds):
        mine = Counter({(label, i): n for (k, label, i), n in got.items() if k == m})
        per_class = Counter()
        for (label, _), n in mine.items():
            per_class[label] += n
        assert per_class == Counter({**counts, **wanted})
        alone = member_samples(
            df.repartition(5, "id"), "label", counts, wanted, [seed], replacement
        )
        assert Counter((r.label, r.id) for r in alone.collect()) == mine
        apart.append(mine)
    assert apart[0] != apart[1] != apart[2]


def _probabilities(model, df) -> dict[int, list[float]]:
    return {
        r.id: r.p
        for r in model.transform(df)
        .select("id", vector_to_array("probability").alias("p"))
        .collect()
    }


@pytest.mark.newest  # engine logic, the same on every Spark version (the draws: above)
def test_a_batch_fits_each_member_on_the_sample_it_draws_alone(table, monkeypatch):
    """The fit draws its members' samples in batches; each member is the tree its own sample
    (drawn alone, then bootstrapped) gives, and so is it where the session refuses caching
    (each member then drawn alone)."""
    bagging = BalancedBaggingClassifier(
        estimator=DecisionTreeClassifier(maxDepth=3), numEstimators=3, seed=5
    )
    assert bagging._batch(bagging._balance(SIZES, "test")[1]) == 3
    model = bagging.fit(table)
    for m, member in enumerate(model.models):
        tree = DecisionTreeClassifier(maxDepth=3, seed=member_seed(5, m))
        alone = tree.fit(bagging._sample(table, SIZES, m))
        assert _probabilities(member, table) == _probabilities(alone, table)
    monkeypatch.setattr(estimators, "persisted_or_none", lambda rows, level: None)
    refused = bagging.fit(table)
    for member, again in zip(model.models, refused.models, strict=True):
        assert _probabilities(member, table) == _probabilities(again, table)


def _member_probabilities(model, df):
    """Each member's probability column, as arrays, by id."""
    out = {}
    for i, member in enumerate(model.models):
        scored = member.copy().setProbabilityCol(f"p{i}").transform(df)
        out[i] = {
            r.id: np.array(r.p)
            for r in scored.select("id", vector_to_array(f"p{i}").alias("p")).collect()
        }
    return out


def test_bagging_soft_votes_its_members_in_one_pass(table):
    model = BalancedBaggingClassifier(
        estimator=DecisionTreeClassifier(maxDepth=3), numEstimators=3, seed=7
    ).fit(table)
    assert len(model.models) == 3 and model.numClasses == 3
    scored = model.transform(table)
    assert set(scored.columns) == {
        "id",
        "features",
        "label",
        "probability",
        "rawPrediction",
        "prediction",
    }
    members = _member_probabilities(model, table)
    for r in scored.collect():
        mean = np.mean([members[i][r.id] for i in members], axis=0)
        assert r.probability.toArray() == pytest.approx(mean)
        assert r.rawPrediction.toArray() == pytest.approx(3 * mean)
        assert r.prediction == float(np.argmax(mean))
    row = table.first()
    assert model.predictProbability(row.features).toArray() == pytest.approx(
        np.mean([members[i][row.id] for i in members], axis=0)
    )
    assert model.predict(row.features) == float(np.argmax(model.predictProbability(row.features)))
    if not CONNECT:  # one scan of the input for all members
        plan = scored._jdf.queryExecution().executedPlan().toString()
        assert plan.count("Scan ExistingRDD") == 1


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_forest_same_seed_same_predictions_whatever_the_partitioning(table):
    forest = BalancedRandomForestClassifier(numTrees=3, maxDepth=3, seed=5)
    a = forest.fit(table)
    b = forest.fit(table.repartition(4, "id"))
    pa = {r.id: r.probability for r in a.transform(table).collect()}
    pb = {r.id: r.probability for r in b.transform(table).collect()}
    assert pa == pb
    assert len(a.trees) == 3 and a.getNumTrees == 3
    importances = a.featureImportances.toArray()
    assert importances.sum() == pytest.approx(1.0) and len(importances) == 3
    g = ImbalancedClassificationEvaluator().evaluate(a.transform(table))
    assert g > 0.4  # three overlapping classes, balanced trees: every class recalled


def test_samme_weights_follow_the_members_predictions(table):
    model = AdaBoostClassifier(numEstimators=4, seed=3).fit(table)
    y = np.array([r.label for r in table.orderBy("id").collect()])
    preds = []
    for member in model.models:
        scored = member.copy().setPredictionCol("y").transform(table).orderBy("id")
        preds.append(np.array([r.y for r in scored.collect()]))
    w = np.ones(len(y)) / len(y)
    expected = []
    for p in preds:
        error = w[p != y].sum() / w.sum()
        alpha = samme_weight(error, 3, 1.0)
        expected.append(alpha)
        w = w * np.exp(alpha * (p != y))
        w /= w.sum()
    assert model.estimatorWeights == pytest.approx(expected)
    # probability: softmax of the normalised weighted votes / (K - 1)
    votes = np.zeros((len(y), 3))
    for p, a in zip(preds, expected, strict=True):
        votes[np.arange(len(y)), p.astype(int)] += a
    votes /= sum(expected)
    proba = np.exp(votes / 2) / np.exp(votes / 2).sum(axis=1, keepdims=True)
    got = np.array(
        [r.probability.toArray() for r in model.transform(table).orderBy("id").collect()]
    )
    assert got == pytest.approx(proba)


def test_samme_weight_is_scikit_learns():
    sk = pytest.importorskip("sklearn.ensemble")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 2))
    y = (x[:, 0] + 0.5 * rng.normal(size=200) > 0.8).astype(int) + (x[:, 1] > 1).astype(int)
    ada = sk.AdaBoostClassifier(n_estimators=6, learning_rate=0.7, random_state=0).fit(x, y)
    for error, weight in zip(ada.estimator_errors_, ada.estimator_weights_, strict=True):
        assert samme_weight(error, 3, 0.7) == pytest.approx(weight)
    assert samme_weight(0.0, 2, 0.5) == 1.0 and samme_weight(0.5, 2, 1.0) is None


def test_rusboost_fits_each_round_on_an_undersample(table, monkeypatch):
    seen = []
    fit = DecisionTreeClassifier.fit

    def spy(self, dataset, params=None):
        seen.append({int(c): n for c, n in _counts(dataset).items()})
        return fit(self, dataset, params)

    monkeypatch.setattr(DecisionTreeClassifier, "fit", spy)
    model = RUSBoostClassifier(numEstimators=3, seed=2).fit(table)
    assert seen and all(s == {0: 24, 1: 24, 2: 24} for s in seen)
    assert len(model.estimatorWeights) == len(model.models) == len(seen)


@pytest.mark.parametrize(
    ("make", "forest"),
    [
        (
            lambda: BalancedBaggingClassifier(
                estimator=DecisionTreeClassifier(maxDepth=2),
                sampler=SMOTE(kNeighbors=3),
                numEstimators=2,
                seed=4,
            ),
            True,
        ),
        (lambda: BalancedRandomForestClassifier(numTrees=2, maxDepth=3, seed=2), True),
        (
            lambda: BalancedBaggingClassifier(
                estimator=LogisticRegression(maxIter=5), numEstimators=2, seed=1
            ),
            False,
        ),
        (
            lambda: EasyEnsembleClassifier(
                numEstimators=2, estimator=AdaBoostClassifier(numEstimators=2)
            ),
            False,
        ),
        (lambda: RUSBoostClassifier(numEstimators=2, learningRate=0.5), False),  # weighted votes
    ],
)
def test_saved_and_loaded_with_identical_predictions(table, tmp_path, make, forest):
    """Estimator and model save and load; the loaded model gives the fitted model's outputs
    under its output names, and the loaded estimator fits the same model. Trees voting by their
    mean are also saved as one Spark random forest, which the loaded model predicts with (one
    read of the vector for all trees)."""
    from pyspark.ml.classification import RandomForestClassificationModel

    estimator = make()
    estimator.save(str(tmp_path / "estimator"))
    loaded_estimator = type(estimator).load(str(tmp_path / "estimator"))
    assert loaded_estimator.uid == estimator.uid
    assert loaded_estimator.extractParamMap().keys() == estimator.extractParamMap().keys()
    model = estimator.fit(table).setProbabilityCol("p").setRawPredictionCol("raw")
    model.setPredictionCol("class")
    model.save(str(tmp_path / "model"))
    loaded = type(model).load(str(tmp_path / "model"))
    assert len(loaded.models) == len(model.models) and loaded.numClasses == 3
    assert isinstance(loaded._forest, RandomForestClassificationModel) is forest
    if forest:
        assert loaded._forest.getNumTrees == len(model.models)
    fitted, read = (m.transform(table).orderBy("id").collect() for m in (model, loaded))
    assert [r.asDict().keys() for r in fitted] == [r.asDict().keys() for r in read]
    for column in ("p", "raw"):
        got, want = ([r[column].toArray() for r in rows] for rows in (read, fitted))
        if forest:  # the trees summed by one forest, in another order
            assert np.allclose(got, want, rtol=1e-12, atol=1e-15)
        else:  # the same members, loaded
            assert np.array_equal(got, want)
    assert [r["class"] for r in read] == [r["class"] for r in fitted]
    again = loaded_estimator.fit(table).transform(table).orderBy("id").collect()
    assert [r.probability for r in again] == [r.p for r in fitted]


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_in_a_pipeline_tuned_by_geometric_mean(spark):
    rng = np.random.default_rng(3)
    y = (rng.random(300) < 0.1).astype(float)
    x = rng.normal(size=(300, 2)) + 1.5 * y[:, None]
    df = spark.createDataFrame(
        [(*map(float, r), float(c)) for r, c in zip(x, y, strict=True)], ["a", "b", "label"]
    )
    forest = BalancedRandomForestClassifier(numTrees=2, seed=1)
    pipe = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="features"), forest])
    grid = ParamGridBuilder().addGrid(forest.maxDepth, [1, 3]).build()
    cv = CrossValidator(
        estimator=pipe,
        estimatorParamMaps=grid,
        evaluator=ImbalancedClassificationEvaluator(),
        numFolds=2,
        seed=1,
    )
    model = cv.fit(df)
    assert len(model.avgMetrics) == 2 and all(0 < m <= 1 for m in model.avgMetrics)
    assert model.transform(df).count() == 300


def test_bad_input_is_refused_naming_it(table, spark):
    with pytest.raises(ValueError, match="one class only"):
        BalancedBaggingClassifier().fit(table.filter("label = 0"))
    with pytest.raises(ValueError, match="0 .. k-1.*StringIndexer"):
        BalancedRandomForestClassifier().fit(table.withColumn("label", F.col("label") + 1))
    with pytest.raises(ValueError, match="0 .. k-1.*StringIndexer"):
        AdaBoostClassifier().fit(table.withColumn("label", F.col("label").cast("string")))
    with pytest.raises(ValueError, match="estimator must be a probabilistic"):
        BalancedBaggingClassifier(estimator=LinearRegression()).fit(table)
    with pytest.raises(ValueError, match="numEstimators must be >= 1"):
        BalancedBaggingClassifier(numEstimators=0).fit(table)
    with pytest.raises(ValueError, match="numTrees must be >= 1"):
        BalancedRandomForestClassifier(numTrees=0).fit(table)
    with pytest.raises(ValueError, match="learningRate must be > 0"):
        RUSBoostClassifier(learningRate=0.0).fit(table)
    with pytest.raises(ValueError, match="no weightCol"):
        AdaBoostClassifier(estimator=_NoWeights()).fit(table)
    assert member_seed(1, 0) != member_seed(1, 1) and member_seed(1, 0) == member_seed(1, 0)


class _NoWeights(LogisticRegression):
    """A probabilistic classifier without weightCol (for the error above)."""

    def hasParam(self, paramName: str) -> bool:
        return paramName != "weightCol" and super().hasParam(paramName)


@pytest.mark.connect  # Connect's plan-depth limit (runs on classic too; not on pyspark 3.5)
def test_rounds_of_boosting_keep_the_plan_bounded(table, monkeypatch):
    """Each round's rows are a bounded projection of kept rows (kept every REBASE rounds), so
    no task's plan nests as deep as the rounds (50, the default, overflowed the stack before),
    and over Connect no plan passes its 100-level limit: two rebases and a round after them."""
    keeps = []
    keep = Keeper.keep

    def spy(self, rows):
        keeps.append(1)
        return keep(self, rows)

    monkeypatch.setattr(Keeper, "keep", spy)
    rounds = 2 * REBASE + 1
    model = AdaBoostClassifier(numEstimators=rounds, seed=3).fit(table)
    assert len(model.models) == rounds
    # classic: kept every REBASE rounds; Connect: the rounds are local checkpoints
    assert len(keeps) == (1 if CONNECT else 1 + (rounds - 1) // REBASE)
    assert ImbalancedClassificationEvaluator().evaluate(model.transform(table)) > 0.4


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_train_an_ensemble_from_the_command_line(spark, tmp_path, capsys):
    from pyspark.ml import PipelineModel

    from spark_smote.app.train import main

    rng = np.random.default_rng(5)
    y = (rng.random(400) < 0.1).astype(int)
    x = rng.normal(size=(400, 2)) + 2.0 * y[:, None]
    rows = [(*map(float, r), int(c)) for r, c in zip(x, y, strict=True)]
    spark.createDataFrame(rows, ["a", "b", "label"]).write.parquet(str(tmp_path / "in"))
    model_path, report = str(tmp_path / "model"), tmp_path / "r.json"
    argv = ["--input", str(tmp_path / "in"), "--input-cols", "a,b", "--model", model_path]
    extra = ["--num-estimators", "2", "--max-depth", "2", "--report", str(report)]
    assert main([*argv, *extra]) == 0
    summary = json.loads(report.read_text())
    assert summary["ensemble"] == "BalancedRandomForestClassifier" and summary["members"] == 2
    assert 0.5 < summary["holdout_geometricMean"] <= 1.0
    loaded = PipelineModel.load(model_path)
    scored = loaded.transform(spark.read.parquet(str(tmp_path / "in")))
    assert scored.filter("prediction = label").count() > 300
    assert main(argv) == 2  # the model exists: not replaced without --overwrite
    assert main(["--input", str(tmp_path / "in")]) == 2
    assert "give --model" in capsys.readouterr().err


def test_a_members_sample_is_kept_for_its_fit_then_released(table):
    """The fit's passes read the sample kept (chosen once), from one partition when small;
    nothing stays cached after."""
    sample = table.repartition(3).filter(F.col("label") > 0)
    with kept_sample(sample) as rows:
        assert sample.storageLevel.useMemory
        assert rows.count() == SIZES[1] + SIZES[2]
        if not CONNECT:
            assert rows.rdd.getNumPartitions() == 1
    assert not sample.storageLevel.useMemory
