"""Boosting: ``AdaBoostClassifier`` (SAMME) and ``RUSBoostClassifier`` (SAMME on random
under-samples), with Spark ML classifiers as weak learners and the row weights in Spark."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pyspark import keyword_only
from pyspark.ml import Estimator
from pyspark.ml.classification import DecisionTreeClassifier
from pyspark.ml.linalg import DenseVector, Vector
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_smote.engine.columns import quote
from spark_smote.engine.estimators import check_probabilistic, class_counts, configured, member_seed
from spark_smote.engine.keeping import Keeper, rebased
from spark_smote.ensemble.base import (
    EnsembleModel,
    _BalancedParams,
    _EnsembleParams,
    _NumEstimatorsParams,
    _with_outputs,
    balanced_sum,
    softmax_columns,
)
from spark_smote.kernels.boosting import samme_weight
from spark_smote.params import DEFAULT_SEED
from spark_smote.persistence import StagesReadWrite
from spark_smote.strategy import SamplingStrategy

#: internal columns of the boosting rounds
BOOST_WEIGHT = "__boost_w"
BOOST_PREDICTION = "__boost_y"
#: rounds whose weights are carried in one projection before they are kept: the rows of a
#: round are at most this many model applications away from kept rows, and kept rows nest
#: numEstimators / REBASE deep (each round kept on the last nests Spark's cached plans 50
#: deep at 50 rounds, past what a task's deserialisation stack holds)
REBASE = 8


def _predicted(model: Any, rows: DataFrame, column: str) -> DataFrame:
    """``rows`` with ``model``'s predicted class in ``column`` (nothing else added)."""
    return configured(
        model, predictionCol=column, probabilityCol="", rawPredictionCol=""
    ).transform(rows)


class _BoostingParams(_EnsembleParams, _NumEstimatorsParams):
    """Params of the boosting ensembles (mixin)."""

    _stage_params = ("estimator",)

    learningRate: Param[float] = Param(
        Params._dummy(),
        "learningRate",
        "shrinks each learner's weight (> 0)",
        TypeConverters.toFloat,
    )
    estimator: Param[Any] = Param(
        Params._dummy(),
        "estimator",
        "the weak learner, a Spark ML classifier taking weightCol (default: a depth-1 tree)",
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(numEstimators=50, learningRate=1.0)

    def getLearningRate(self) -> float:
        """Gets the value of learningRate or its default value."""
        return self.getOrDefault(self.learningRate)

    def setLearningRate(self, value: float) -> Any:
        """Sets the value of :py:attr:`learningRate`."""
        return self._set(learningRate=value)

    def getEstimator(self) -> Estimator | None:
        """Gets the value of estimator, or None (a depth-1 DecisionTreeClassifier)."""
        return self.getOrDefault(self.estimator) if self.isDefined(self.estimator) else None

    def setEstimator(self, value: Estimator | None) -> Any:
        """Sets the value of :py:attr:`estimator`."""
        return self._set(estimator=value)

    def _learner(self) -> Estimator:
        return self.getEstimator() or DecisionTreeClassifier(maxDepth=1)


class AdaBoostClassificationModel(EnsembleModel):
    """A fitted SAMME booster: the weighted vote of its learners.

    With ``v_k`` the learners' weights on class ``k`` (normalised to sum to 1), ``probability``
    is ``softmax(v / (K - 1))`` and ``rawPrediction`` is ``v`` (scikit-learn's SAMME
    ``predict_proba`` and ``decision_function`` for K > 2); ``prediction`` its argmax.
    """

    _votes_by_mean = False  # weighted: its trees are no forest

    def __init__(
        self,
        models: list[Any] | None = None,
        numClasses: int = 0,
        estimatorWeights: list[float] | None = None,
    ) -> None:
        super().__init__(models, numClasses)
        self._weights = list(estimatorWeights or [])

    @property
    def estimatorWeights(self) -> list[float]:
        """Each learner's weight (SAMME's alpha)."""
        return list(self._weights)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        k, total = self._num_classes, float(sum(self._weights))
        out, predictions = dataset, []
        for i, model in enumerate(self._models):
            column = f"{BOOST_PREDICTION}{i}"
            member = configured(
                model,
                featuresCol=self.getFeaturesCol(),
                predictionCol=column,
                probabilityCol="",
                rawPredictionCol="",
            )
            out, predictions = member.transform(out), [*predictions, column]
        votes = [
            balanced_sum(
                [
                    F.when(F.col(c) == j, F.lit(w / total)).otherwise(F.lit(0.0))
                    for c, w in zip(predictions, self._weights, strict=True)
                ]
            )
            for j in range(k)
        ]
        scale = max(k - 1, 1)
        probability = F.array(*softmax_columns([v / scale for v in votes]))
        return _with_outputs(self, out, probability, F.array(*votes), predictions)

    def _votes(self, value: Vector) -> np.ndarray:
        votes = np.zeros(self._num_classes)
        for model, w in zip(self._models, self._weights, strict=True):
            votes[int(model.predict(value))] += w
        return votes / sum(self._weights)

    def predictRaw(self, value: Vector) -> DenseVector:
        """The normalised weighted votes for one feature vector."""
        return DenseVector(self._votes(value))

    def predictProbability(self, value: Vector) -> DenseVector:
        """``softmax(votes / (K - 1))`` for one feature vector."""
        scores = self._votes(value) / max(self._num_classes - 1, 1)
        exps = np.exp(scores - scores.max())
        return DenseVector(exps / exps.sum())

    def copy(self, extra: dict | None = None) -> AdaBoostClassificationModel:
        """A copy with the same learners and weights."""
        that = super().copy(extra)
        that._weights = list(self._weights)
        return that

    def _saved_extra(self) -> dict[str, Any]:
        return {**super()._saved_extra(), "estimatorWeights": self._weights}

    def _restore(self, path: str, extra: dict[str, Any]) -> None:
        super()._restore(path, extra)
        self._weights = [float(w) for w in extra["estimatorWeights"]]


class RUSBoostClassificationModel(AdaBoostClassificationModel):
    """A fitted :class:`RUSBoostClassifier`: a SAMME vote, as AdaBoost's."""


class _BaseBoosting(Estimator, _BoostingParams, StagesReadWrite):
    """SAMME boosting whose rounds fit on :meth:`_round_rows` of the weighted rows (private)."""

    def _round_rows(self, rows: DataFrame, counts: dict[int, int], seed: int) -> DataFrame:
        return rows

    def _model(
        self, models: list[Any], k: int, weights: list[float]
    ) -> AdaBoostClassificationModel:
        return AdaBoostClassificationModel(models, k, weights)

    def _fit(self, dataset: DataFrame) -> AdaBoostClassificationModel:
        who = type(self).__name__
        if self.getNumEstimators() < 1:
            raise ValueError(f"{who}: numEstimators must be >= 1, got {self.getNumEstimators()}.")
        if not (math.isfinite(self.getLearningRate()) and self.getLearningRate() > 0):
            raise ValueError(f"{who}: learningRate must be > 0, got {self.getLearningRate()}.")
        learner = self._learner()
        check_probabilistic(learner, "estimator", who)
        if not learner.hasParam("weightCol"):
            raise ValueError(
                f"{who}: estimator {type(learner).__name__} has no weightCol; boosting "
                "weighs rows, so give a classifier that takes weights (e.g. a tree)."
            )
        counts = class_counts(dataset, self.getLabelCol(), who)
        k = len(counts)
        label, features = F.col(quote(self.getLabelCol())), F.col(quote(self.getFeaturesCol()))
        given = self._weight_or_none()
        start = F.col(quote(given)).cast("double") if given else F.lit(1.0)
        keeper = Keeper()  # the weights of every REBASE-th round, kept (lineage intact)
        base = keeper.keep(
            dataset.select(
                features.alias(self.getFeaturesCol()),
                label.alias(self.getLabelCol()),
                start.alias(BOOST_WEIGHT),
            )
        )
        pending: list[tuple[Any, float, float]] = []  # rounds since base: model, growth, scale
        models: list[Any] = []
        weights: list[float] = []
        for t in range(self.getNumEstimators()):
            rows = self._weighted(base, pending)
            seed = member_seed(self.getSeed(), t)
            model = configured(
                learner,
                featuresCol=self.getFeaturesCol(),
                labelCol=self.getLabelCol(),
                weightCol=BOOST_WEIGHT,
                seed=seed,
            ).fit(self._round_rows(rows, counts, seed))
            scored = _predicted(model, rows, BOOST_PREDICTION)
            wrong = F.col(BOOST_PREDICTION) != label
            w = F.col(BOOST_WEIGHT)
            found = scored.agg(F.sum(F.when(wrong, w).otherwise(0.0)), F.sum(w)).first()
            error = found[0] / found[1] if found[1] > 0 else 0.0
            alpha = samme_weight(error, k, self.getLearningRate())
            if alpha is None:  # worse than chance: left out, and boosting stops
                if not models:
                    raise ValueError(
                        f"{who}: the first learner is worse than chance (weighted error "
                        f"{error:.3f} >= 1 - 1/{k}); the ensemble cannot be fitted."
                    )
                break
            models.append(model)
            weights.append(alpha)
            if error <= 0 or t == self.getNumEstimators() - 1:
                break  # a perfect learner: nothing left to boost
            growth = math.exp(alpha)
            pending.append((model, growth, 1.0 / (found[1] - found[0] + found[0] * growth)))
            if len(pending) == REBASE:
                previous, base = base, rebased(keeper, self._weighted(base, pending))
                previous.unpersist()
                pending = []
        keeper.release()
        return self._copyValues(self._model(models, k, weights))

    def _weighted(self, base: DataFrame, pending: list[tuple[Any, float, float]]) -> DataFrame:
        """``base`` with its weights carried through the ``pending`` rounds: each multiplies
        the rows its model got wrong by its growth ``exp(alpha)``, and all by its scale (so
        that they sum to 1). One projection over ``base``, however many rounds are pending."""
        label = F.col(quote(self.getLabelCol()))
        w = F.col(BOOST_WEIGHT)
        out, columns = base, []
        for i, (model, growth, scale) in enumerate(pending):
            column = f"{BOOST_PREDICTION}{i}"
            out, columns = _predicted(model, out, column), [*columns, column]
            wrong = (F.col(column) != label) & (F.col(BOOST_WEIGHT) > 0)
            w = w * F.when(wrong, F.lit(growth * scale)).otherwise(F.lit(scale))
        return out.withColumn(BOOST_WEIGHT, w).drop(*columns)


class AdaBoostClassifier(_BaseBoosting):
    """AdaBoost, SAMME (scikit-learn's ``AdaBoostClassifier(algorithm="SAMME")``), with a Spark
    ML classifier as the weak learner (default: a depth-1 ``DecisionTreeClassifier``).

    Round ``t`` fits the learner on the rows weighted by ``w``; with its weighted error ``e``
    the learner's weight is ``alpha = learningRate * (log((1 - e) / e) + log(K - 1))``, and
    the rows it got wrong are multiplied by ``exp(alpha)`` (then all normalised). A learner no
    better than chance (``e >= 1 - 1/K``) ends the boosting (an error if it is the first); a
    perfect one is kept and ends it. The row weights live in a Spark column, each round's kept
    on disk for the next (lineage intact). The default member of
    :class:`~spark_smote.ensemble.EasyEnsembleClassifier`.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from spark_smote.ensemble import AdaBoostClassifier
    >>> rows = [(Vectors.dense([i % 10, i % 3]), float(i % 10 in (2, 7))) for i in range(60)]
    >>> df = spark.createDataFrame(rows, ["features", "label"])
    >>> model = AdaBoostClassifier(numEstimators=5).fit(df)
    >>> len(model.models) <= 5, model.transform(df).filter("prediction = label").count() > 50
    (True, True)
    """

    @keyword_only
    def __init__(
        self,
        *,
        estimator: Estimator | None = None,
        numEstimators: int = 50,
        learningRate: float = 1.0,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: str | None = None,
        seed: int = DEFAULT_SEED,
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        estimator: Estimator | None = None,
        numEstimators: int = 50,
        learningRate: float = 1.0,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: str | None = None,
        seed: int = DEFAULT_SEED,
    ) -> AdaBoostClassifier:
        """Sets params for this AdaBoostClassifier."""
        return self._set(**self._input_kwargs)


class RUSBoostClassifier(_BaseBoosting, _BalancedParams):
    """RUSBoost (imbalanced-learn's ``RUSBoostClassifier``): SAMME boosting whose every round
    fits the weak learner on a random under-sample of the weighted rows (``samplingStrategy``,
    ``replacement``; the kept rows keep their weights), then judges it on, and updates the
    weights of, all rows. See :class:`AdaBoostClassifier` for the rounds.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from spark_smote.ensemble import RUSBoostClassifier
    >>> rows = [(Vectors.dense([float(i % 10)]), float(i % 10 > 7)) for i in range(100)]
    >>> df = spark.createDataFrame(rows, ["features", "label"])
    >>> model = RUSBoostClassifier(numEstimators=3, seed=1).fit(df)
    >>> model.transform(df).filter("prediction = label").count() >= 90
    True
    """

    @keyword_only
    def __init__(
        self,
        *,
        estimator: Estimator | None = None,
        numEstimators: int = 50,
        learningRate: float = 1.0,
        samplingStrategy: SamplingStrategy = "auto",
        replacement: bool = False,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: str | None = None,
        seed: int = DEFAULT_SEED,
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        estimator: Estimator | None = None,
        numEstimators: int = 50,
        learningRate: float = 1.0,
        samplingStrategy: SamplingStrategy = "auto",
        replacement: bool = False,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: str | None = None,
        seed: int = DEFAULT_SEED,
    ) -> RUSBoostClassifier:
        """Sets params for this RUSBoostClassifier."""
        return self._set(**self._input_kwargs)

    def _round_rows(self, rows: DataFrame, counts: dict[int, int], seed: int) -> DataFrame:
        return self._balanced(rows, counts, seed, type(self).__name__)[0]

    def _model(
        self, models: list[Any], k: int, weights: list[float]
    ) -> AdaBoostClassificationModel:
        return RUSBoostClassificationModel(models, k, weights)
