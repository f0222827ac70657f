"""What the balanced ensembles share: their params, the members' balanced samples, fitting the
members in parallel threads, and the fitted model's soft vote in one pass.

A member's rows come from a seeded row hash computed in the JVM (``xxhash64`` of the row and
the member's seed: :mod:`spark_smote.engine.draws`), so the data is never copied per member,
the class counts are exact, and the same seed gives the same members whatever the
partitioning. The members are Spark ML models (or spark_smote's :class:`AdaBoostModel`), saved
each in a folder of its own as Spark's ``OneVsRestModel`` saves its models; members that are all
decision trees voting by their mean are also saved as one Spark forest, which the loaded model
predicts with (:mod:`spark_smote.ensemble.forest`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pyspark.ml import Model
from pyspark.ml.functions import array_to_vector, vector_to_array
from pyspark.ml.linalg import DenseVector, Vector
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import (
    HasFeaturesCol,
    HasLabelCol,
    HasPredictionCol,
    HasProbabilityCol,
    HasRawPredictionCol,
    HasSeed,
    HasWeightCol,
)
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_smote.engine.columns import quote
from spark_smote.engine.draws import drawn
from spark_smote.engine.estimators import configured
from spark_smote.ensemble.forest import FOREST, read_forest, trees_per_member, write_forest
from spark_smote.params import DEFAULT_SEED, _to_sampling_strategy
from spark_smote.persistence import StagesReadWrite, load_stage
from spark_smote.strategy import SamplingStrategy, check_sampling_strategy

#: prefix of the member columns a model's transform adds and drops
MEMBER_PREFIX = "__ensemble_p"


class _EnsembleParams(
    HasFeaturesCol,
    HasLabelCol,
    HasPredictionCol,
    HasProbabilityCol,
    HasRawPredictionCol,
    HasSeed,
    HasWeightCol,
):
    """Params every balanced ensemble and its model have (mixin)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(
            featuresCol="features",
            labelCol="label",
            predictionCol="prediction",
            probabilityCol="probability",
            rawPredictionCol="rawPrediction",
            seed=DEFAULT_SEED,
        )

    def _weight_or_none(self) -> str | None:
        return (self.getWeightCol() or None) if self.isDefined(self.weightCol) else None

    def setFeaturesCol(self, value: str) -> Any:
        """Sets the value of :py:attr:`featuresCol`."""
        return self._set(featuresCol=value)

    def setLabelCol(self, value: str) -> Any:
        """Sets the value of :py:attr:`labelCol`."""
        return self._set(labelCol=value)

    def setPredictionCol(self, value: str) -> Any:
        """Sets the value of :py:attr:`predictionCol`."""
        return self._set(predictionCol=value)

    def setProbabilityCol(self, value: str) -> Any:
        """Sets the value of :py:attr:`probabilityCol`."""
        return self._set(probabilityCol=value)

    def setRawPredictionCol(self, value: str) -> Any:
        """Sets the value of :py:attr:`rawPredictionCol`."""
        return self._set(rawPredictionCol=value)

    def setSeed(self, value: int) -> Any:
        """Sets the value of :py:attr:`seed`."""
        return self._set(seed=value)

    def setWeightCol(self, value: str | None) -> Any:
        """Sets the value of :py:attr:`weightCol` (None: every row weighs 1)."""
        return self._set(weightCol=value)


class _NumEstimatorsParams(Params):
    """The number of members, ``numEstimators`` (mixin)."""

    numEstimators: Param[int] = Param(
        Params._dummy(), "numEstimators", "number of members (>= 1)", TypeConverters.toInt
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(numEstimators=10)

    def getNumEstimators(self) -> int:
        """Gets the value of numEstimators or its default value."""
        return self.getOrDefault(self.numEstimators)

    def setNumEstimators(self, value: int) -> Any:
        """Sets the value of :py:attr:`numEstimators`."""
        return self._set(numEstimators=value)


class _BalancedParams(_EnsembleParams):
    """Params of the ensembles whose members see balanced samples (mixin)."""

    #: the param that counts the members
    _members_param = "numEstimators"

    samplingStrategy: Param[Any] = Param(
        Params._dummy(),
        "samplingStrategy",
        "which classes each member's sample reduces and to what count (RandomUnderSampler's "
        "samplingStrategy: 'auto', 'majority', 'not minority', 'not majority', 'all', a float "
        "or a dict {label: count})",
        typeConverter=_to_sampling_strategy,
    )
    replacement: Param[bool] = Param(
        Params._dummy(),
        "replacement",
        "draw each member's balanced sample with replacement",
        TypeConverters.toBoolean,
    )
    parallelism: Param[int] = Param(
        Params._dummy(),
        "parallelism",
        "number of members fitted at the same time (threads, as CrossValidator's)",
        TypeConverters.toInt,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(samplingStrategy="auto", replacement=False, parallelism=1)

    def getSamplingStrategy(self) -> SamplingStrategy:
        """Gets the value of samplingStrategy (a dict comes back as a dict)."""
        value = self.getOrDefault(self.samplingStrategy)
        if isinstance(value, list) and all(isinstance(v, list) for v in value):
            return {label: count for label, count in value}
        return value

    def getReplacement(self) -> bool:
        """Gets the value of replacement or its default value."""
        return self.getOrDefault(self.replacement)

    def getParallelism(self) -> int:
        """Gets the value of parallelism or its default value."""
        return self.getOrDefault(self.parallelism)

    def setSamplingStrategy(self, value: SamplingStrategy) -> Any:
        """Sets the value of :py:attr:`samplingStrategy`."""
        return self._set(samplingStrategy=value)

    def setReplacement(self, value: bool) -> Any:
        """Sets the value of :py:attr:`replacement`."""
        return self._set(replacement=value)

    def setParallelism(self, value: int) -> Any:
        """Sets the value of :py:attr:`parallelism`."""
        return self._set(parallelism=value)

    def _check_counts(self, who: str) -> None:
        for name in (self._members_param, "parallelism"):
            if self.getOrDefault(name) < 1:
                raise ValueError(f"{who}: {name} must be >= 1, got {self.getOrDefault(name)}.")

    def _balance(self, counts: dict[int, int], who: str) -> tuple[dict[int, int], dict[int, int]]:
        """The rows each member draws per class by ``samplingStrategy`` (the classes drawn),
        and its class counts after."""
        wanted = check_sampling_strategy(self.getSamplingStrategy(), counts, "under-sampling", who)
        if not self.getReplacement():  # drawing all of a class's rows: the class as it is
            wanted = {c: n for c, n in wanted.items() if n != counts[c]}
        return wanted, {c: wanted.get(c, n) for c, n in counts.items()}

    def _balanced(
        self, dataset: DataFrame, counts: dict[int, int], seed: int, who: str
    ) -> tuple[DataFrame, dict[int, int]]:
        """``dataset`` under-sampled by ``samplingStrategy`` with a seeded row hash (exact
        counts), and the counts after."""
        wanted, after = self._balance(counts, who)
        rows = drawn(dataset, self.getLabelCol(), counts, wanted, seed, self.getReplacement())
        return rows, after


def balanced_sum(terms: Sequence[Column]) -> Column:
    """The sum of ``terms`` as a balanced tree of additions: its depth grows with the log of
    their number (a left-deep sum of 60 members passes Spark Connect's 100-level limit)."""
    if len(terms) == 1:
        return terms[0]
    half = len(terms) // 2
    return balanced_sum(terms[:half]) + balanced_sum(terms[half:])


def _probability_arrays(columns: Sequence[str], k: int) -> list[Column]:
    """Per class, the sum over ``columns`` (probability vectors) of its probability."""
    arrays = [vector_to_array(F.col(quote(c))) for c in columns]
    return [balanced_sum([a[j] for a in arrays]) for j in range(k)]


class EnsembleModel(Model, _EnsembleParams, StagesReadWrite):
    """A fitted ensemble: its members' probabilities averaged (soft voting).

    ``probability`` is the members' mean probability, ``rawPrediction`` their sum (as Spark's
    random forest sums its trees' class shares), ``prediction`` the class of the largest
    probability (ties to the smallest index). One pass over the input for all members.
    """

    #: whether the vote is the members' plain mean (a forest, when they are all trees)
    _votes_by_mean = True

    def __init__(self, models: Sequence[Model] | None = None, numClasses: int = 0) -> None:
        super().__init__()
        self._models: list[Model] = list(models or [])
        self._num_classes = numClasses
        self._forest: Any = None  # the members as one Spark forest, once saved and loaded

    @property
    def models(self) -> list[Model]:
        """The members (Spark ML models, or :class:`AdaBoostModel`)."""
        return list(self._models)

    @property
    def numClasses(self) -> int:
        """Number of classes the model predicts."""
        return self._num_classes

    @property
    def numFeatures(self) -> int:
        """Number of features the members take."""
        return int(self._models[0].numFeatures)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        if self._forest is not None:
            return self._forest_transform(dataset)
        columns = [f"{MEMBER_PREFIX}{i}" for i in range(len(self._models))]
        out = dataset
        for model, column in zip(self._models, columns, strict=True):
            member = configured(
                model,
                featuresCol=self.getFeaturesCol(),
                probabilityCol=column,
                rawPredictionCol="",
                predictionCol="",
            )
            out = member.transform(out)
        k, total = self._num_classes, float(len(columns))
        sums = _probability_arrays(columns, k)
        mean = F.array(*[s / total for s in sums])
        return _with_outputs(self, out, mean, F.array(*sums), columns)

    def _forest_transform(self, dataset: DataFrame) -> DataFrame:
        """The same outputs from the members as one Spark forest (:mod:`.forest`): one
        vector read for all trees (their shares summed in another order: the probabilities
        may differ from the members' path in their last bits)."""
        forest = configured(
            self._forest,
            featuresCol=self.getFeaturesCol(),
            probabilityCol=self.getProbabilityCol(),
            rawPredictionCol=self.getRawPredictionCol(),
            predictionCol=self.getPredictionCol(),
        )
        return forest.transform(dataset)

    def predictProbability(self, value: Vector) -> DenseVector:
        """The mean of the members' probabilities for one feature vector."""
        found = np.mean([m.predictProbability(value).toArray() for m in self._models], axis=0)
        return DenseVector(found)

    def predict(self, value: Vector) -> float:
        """The predicted class of one feature vector (ties to the smallest index)."""
        return float(np.argmax(self.predictProbability(value).toArray()))

    def copy(self, extra: dict | None = None) -> EnsembleModel:
        """A copy with the same members (params of ``extra`` set)."""
        that = super().copy(extra)
        that._models = list(self._models)
        that._forest = self._forest
        return that

    def _saves_forest(self) -> bool:
        """Whether a save also writes the members as one Spark forest (:mod:`.forest`)."""
        return self._votes_by_mean and trees_per_member(self._models) is not None

    def _saved_stages(self) -> dict[str, Any]:
        return {f"members/{i}": m for i, m in enumerate(self._models)}

    def _saved_extra(self) -> dict[str, Any]:
        found = {"numClasses": self._num_classes, "numMembers": len(self._models)}
        return {**found, "forest": True} if self._saves_forest() else found

    def _write_also(self, path: str, spark: SparkSession, overwrite: bool) -> None:
        if self._saves_forest():
            members, n = f"{path}/members", len(self._models)
            forest = f"{path}/{FOREST}"
            write_forest(spark, members, n, forest, self.numFeatures, self._num_classes, overwrite)

    def _restore(self, path: str, extra: dict[str, Any]) -> None:
        self._num_classes = int(extra["numClasses"])
        self._models = [load_stage(f"{path}/members/{i}") for i in range(int(extra["numMembers"]))]
        self._forest = read_forest(f"{path}/{FOREST}") if extra.get("forest") else None


def _with_outputs(
    model: _EnsembleParams,
    out: DataFrame,
    probability: Column,
    raw: Column,
    drop: Sequence[str],
) -> DataFrame:
    """``out`` with the model's three output columns from the arrays ``probability`` and
    ``raw`` (an empty output name is left out), without the columns ``drop``."""
    p, r = f"{MEMBER_PREFIX}_probability", f"{MEMBER_PREFIX}_raw"
    out = out.withColumn(p, probability).withColumn(r, raw).drop(*drop)
    top = F.col(p)
    # SQL text: pyspark 3.5's array_position takes a literal value only
    prediction = (F.expr(f"array_position(`{p}`, array_max(`{p}`))") - 1).cast("double")
    outputs = {
        model.getRawPredictionCol(): array_to_vector(F.col(r)),
        model.getProbabilityCol(): array_to_vector(top),
        model.getPredictionCol(): prediction,
    }
    for name, column in outputs.items():
        if name:
            out = out.withColumn(name, column)
    return out.drop(p, r)


def softmax_columns(scores: Sequence[Column]) -> list[Column]:
    """The softmax of ``scores`` (one column per class), computed stably."""
    top = F.greatest(*scores) if len(scores) > 1 else scores[0]
    exps = [F.exp(s - top) for s in scores]
    total = balanced_sum(exps)
    return [e / total for e in exps]
