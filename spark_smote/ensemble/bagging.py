"""Bagging of balanced samples: ``BalancedBaggingClassifier``, ``BalancedRandomForestClassifier``
and ``EasyEnsembleClassifier`` (imbalanced-learn's names and defaults, Spark ML's conventions)."""

from __future__ import annotations

from typing import Any

import numpy as np
from pyspark import keyword_only
from pyspark.ml import Estimator
from pyspark.ml.classification import DecisionTreeClassifier, RandomForestClassifier
from pyspark.ml.linalg import SparseVector, Vector
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame

from spark_smote.base import Sampler
from spark_smote.engine.columns import MEMBER
from spark_smote.engine.draws import drawn
from spark_smote.engine.estimators import (
    check_probabilistic,
    class_counts,
    configured,
    fit_members,
    kept_sample,
    kept_samples,
    member_seed,
)
from spark_smote.engine.member_draws import batch_size, member_samples
from spark_smote.engine.validation import class_counts_of
from spark_smote.ensemble.base import (
    EnsembleModel,
    _BalancedParams,
    _NumEstimatorsParams,
)
from spark_smote.params import DEFAULT_SEED
from spark_smote.persistence import StagesReadWrite
from spark_smote.strategy import SamplingStrategy

#: the stream a member's bootstrap is seeded with, apart from its balanced sample
BOOTSTRAP_STREAM = 1


class _BaggingParams(_BalancedParams):
    """Params of the bagging ensembles (mixin)."""

    bootstrap: Param[bool] = Param(
        Params._dummy(),
        "bootstrap",
        "draw each member's rows again with replacement from its balanced sample (per class, "
        "maxSamples times its count)",
        TypeConverters.toBoolean,
    )
    maxSamples: Param[float] = Param(
        Params._dummy(),
        "maxSamples",
        "share of each class of the balanced sample a member is fitted on, in (0, 1]",
        TypeConverters.toFloat,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(bootstrap=True, maxSamples=1.0)

    def getBootstrap(self) -> bool:
        """Gets the value of bootstrap or its default value."""
        return self.getOrDefault(self.bootstrap)

    def getMaxSamples(self) -> float:
        """Gets the value of maxSamples or its default value."""
        return self.getOrDefault(self.maxSamples)

    def setBootstrap(self, value: bool) -> Any:
        """Sets the value of :py:attr:`bootstrap`."""
        return self._set(bootstrap=value)

    def setMaxSamples(self, value: float) -> Any:
        """Sets the value of :py:attr:`maxSamples`."""
        return self._set(maxSamples=value)


class _BaseBagging(Estimator, _BaggingParams, _NumEstimatorsParams, StagesReadWrite):
    """Each member a copy of :meth:`_member` fitted on its own balanced sample (private base)."""

    def _member(self) -> Estimator:
        raise NotImplementedError

    def _sampler(self) -> Sampler | None:
        """A sampler that makes each member's sample instead of random under-sampling."""
        return None

    def _model(self, models: list[Any], num_classes: int) -> EnsembleModel:
        raise NotImplementedError

    def _validate(self) -> None:
        who = type(self).__name__
        self._check_counts(who)
        if not 0.0 < self.getMaxSamples() <= 1.0:
            raise ValueError(f"{who}: maxSamples must be in (0, 1], got {self.getMaxSamples()}.")
        check_probabilistic(self._member(), "estimator", who)

    def _batch(self, after: dict[int, int]) -> int:
        """Members whose balanced samples (``after`` rows a class) are drawn together (0: each
        member its own draw, as for a ``sampler`` or a sample too large to stack)."""
        if self._sampler() is not None:
            return 0
        return batch_size(sum(after.values()), self.getNumEstimators())

    def _balanced_sample(
        self, dataset: DataFrame, counts: dict[int, int], m: int
    ) -> tuple[DataFrame, dict[int, int]]:
        """Member ``m``'s balanced rows alone (the rows its batch would give it), and their
        counts per class."""
        who, seed = type(self).__name__, member_seed(self.getSeed(), m)
        sampler = self._sampler()
        if sampler is not None:
            sampler = configured(sampler, seed=seed, labelCol=self.getLabelCol())
            plan = sampler.plan(dataset)
            rows = sampler.resample(dataset, plan)
            after = plan.after
            if after is None:  # a cleaner: its counts are known from its output only
                after = class_counts_of(rows, self.getLabelCol())
            return rows, after
        wanted, after = self._balance(counts, who)
        if not self._batch(after):
            return self._balanced(dataset, counts, seed, who)
        rows = member_samples(
            dataset, self.getLabelCol(), counts, wanted, [seed], self.getReplacement()
        )
        return rows.drop(MEMBER), after

    def _bootstrapped(self, rows: DataFrame, after: dict[int, int], m: int) -> DataFrame | None:
        """Member ``m``'s balanced ``rows`` bootstrapped (or cut to ``maxSamples``); None when
        they are its sample as they are."""
        share, bootstrap = self.getMaxSamples(), self.getBootstrap()
        if not bootstrap and share >= 1.0:
            return None
        wanted = {c: max(1, round(share * n)) for c, n in after.items()}
        if not bootstrap:
            wanted = {c: n for c, n in wanted.items() if n != after[c]}
        seed = member_seed(member_seed(self.getSeed(), m), BOOTSTRAP_STREAM)
        return drawn(rows, self.getLabelCol(), after, wanted, seed, bootstrap)

    def _sample(self, dataset: DataFrame, counts: dict[int, int], m: int) -> DataFrame:
        """Member ``m``'s rows: balanced, then bootstrapped (or cut to ``maxSamples``)."""
        rows, after = self._balanced_sample(dataset, counts, m)
        again = self._bootstrapped(rows, after, m)
        return rows if again is None else again

    def _fit(self, dataset: DataFrame) -> EnsembleModel:
        self._validate()
        who = type(self).__name__
        counts = class_counts(dataset, self.getLabelCol(), who)
        member, n_members = self._member(), self.getNumEstimators()

        def fit(m: int, rows: DataFrame) -> Any:
            estimator = configured(
                member,
                featuresCol=self.getFeaturesCol(),
                labelCol=self.getLabelCol(),
                weightCol=self._weight_or_none(),
                seed=member_seed(self.getSeed(), m),
            )
            return estimator.fit(rows)

        def fit_alone(m: int) -> Any:
            with kept_sample(self._sample(dataset, counts, m)) as rows:
                return fit(m, rows)

        def fit_kept(m: int, rows: DataFrame, after: dict[int, int]) -> Any:
            again = self._bootstrapped(rows, after, m)
            if again is None:
                return fit(m, rows)
            with kept_sample(again) as sample:
                return fit(m, sample)

        wanted, after = ({}, {}) if self._sampler() is not None else self._balance(counts, who)
        size, session = self._batch(after), dataset.sparkSession
        if not size:
            fits = [lambda m=m: fit_alone(m) for m in range(n_members)]
            models = fit_members(fits, self.getParallelism(), session)
            return self._copyValues(self._model(models, len(counts)))
        models = []
        for start in range(0, n_members, size):
            batch = range(start, min(n_members, start + size))
            seeds = [member_seed(self.getSeed(), m) for m in batch]
            stacked = member_samples(
                dataset, self.getLabelCol(), counts, wanted, seeds, self.getReplacement()
            )
            with kept_samples(stacked) as sample:
                if sample is None:
                    fits = [lambda m=m: fit_alone(m) for m in batch]
                else:
                    fits = [
                        lambda m=m, i=i: fit_kept(m, sample(i), after) for i, m in enumerate(batch)
                    ]
                models += fit_members(fits, self.getParallelism(), session)
        return self._copyValues(self._model(models, len(counts)))


class BalancedBaggingClassificationModel(EnsembleModel):
    """A fitted :class:`BalancedBaggingClassifier`: its members' mean probability."""


class BalancedBaggingClassifier(_BaseBagging):
    """Bagging whose every member sees a balanced sample (imbalanced-learn's
    ``BalancedBaggingClassifier``), as a Spark ML estimator.

    Each of ``numEstimators`` members is a copy of ``estimator`` (any probabilistic Spark ML
    classifier; default ``DecisionTreeClassifier()``) fitted on its own sample: the rows of the
    classes ``samplingStrategy`` names under-sampled at random (``replacement``) or, if
    ``sampler`` is given, that sampler's output (e.g. ``SMOTE`` for over-bagging); then, with
    ``bootstrap``, drawn again with replacement, ``maxSamples`` times each class's count (a
    bootstrap per class, so the sample stays balanced). Every draw is an exact, seeded row
    hash in the JVM: the same seed gives the same members whatever the partitioning (as far
    as the members' own training is: Spark's trees sample rows to find split candidates on
    more than 10,000 rows). The model's ``probability`` is the members' mean (soft voting).

    Examples
    --------
    >>> from pyspark.ml.classification import DecisionTreeClassifier
    >>> from pyspark.ml.linalg import Vectors
    >>> from spark_smote.ensemble import BalancedBaggingClassifier
    >>> rows = [(Vectors.dense([i % 10, i % 7]), float(i % 10 > 7)) for i in range(200)]
    >>> df = spark.createDataFrame(rows, ["features", "label"])
    >>> bagging = BalancedBaggingClassifier(
    ...     estimator=DecisionTreeClassifier(maxDepth=2), numEstimators=3, seed=1)
    >>> model = bagging.fit(df)
    >>> len(model.models), model.numClasses
    (3, 2)
    >>> model.transform(df).filter("prediction = label").count() > 150
    True
    """

    _stage_params = ("estimator", "sampler")

    estimator: Param[Any] = Param(
        Params._dummy(), "estimator", "the members' classifier (default: DecisionTreeClassifier)"
    )
    sampler: Param[Any] = Param(
        Params._dummy(),
        "sampler",
        "a spark_smote sampler that makes each member's sample (default: random "
        "under-sampling by samplingStrategy and replacement)",
    )

    @keyword_only
    def __init__(
        self,
        *,
        estimator: Estimator | None = None,
        numEstimators: int = 10,
        sampler: Sampler | None = None,
        samplingStrategy: SamplingStrategy = "auto",
        replacement: bool = False,
        bootstrap: bool = True,
        maxSamples: float = 1.0,
        parallelism: int = 1,
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
        numEstimators: int = 10,
        sampler: Sampler | None = None,
        samplingStrategy: SamplingStrategy = "auto",
        replacement: bool = False,
        bootstrap: bool = True,
        maxSamples: float = 1.0,
        parallelism: int = 1,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: str | None = None,
        seed: int = DEFAULT_SEED,
    ) -> BalancedBaggingClassifier:
        """Sets params for this BalancedBaggingClassifier."""
        return self._set(**self._input_kwargs)

    def getEstimator(self) -> Estimator | None:
        """Gets the value of estimator, or None (a DecisionTreeClassifier)."""
        return self.getOrDefault(self.estimator) if self.isDefined(self.estimator) else None

    def getSampler(self) -> Sampler | None:
        """Gets the value of sampler, or None (random under-sampling)."""
        return self.getOrDefault(self.sampler) if self.isDefined(self.sampler) else None

    def setEstimator(self, value: Estimator | None) -> BalancedBaggingClassifier:
        """Sets the value of :py:attr:`estimator`."""
        return self._set(estimator=value)

    def setSampler(self, value: Sampler | None) -> BalancedBaggingClassifier:
        """Sets the value of :py:attr:`sampler`."""
        return self._set(sampler=value)

    def _member(self) -> Estimator:
        return self.getEstimator() or self._default_member()

    def _default_member(self) -> Estimator:
        return DecisionTreeClassifier()

    def _sampler(self) -> Sampler | None:
        sampler = self.getSampler()
        if sampler is not None and not isinstance(sampler, Sampler):
            raise ValueError(
                f"{type(self).__name__}: sampler must be a spark_smote sampler (SMOTE, "
                f"RandomUnderSampler, ...), got {type(sampler).__name__}."
            )
        return sampler

    def _model(self, models: list[Any], num_classes: int) -> EnsembleModel:
        return BalancedBaggingClassificationModel(models, num_classes)


class EasyEnsembleClassificationModel(EnsembleModel):
    """A fitted :class:`EasyEnsembleClassifier`: its AdaBoost members' mean probability."""


class EasyEnsembleClassifier(BalancedBaggingClassifier):
    """EasyEnsemble (imbalanced-learn's ``EasyEnsembleClassifier``): ``numEstimators`` AdaBoost
    learners (:class:`~spark_smote.ensemble.AdaBoostClassifier`, SAMME, 50 rounds of depth-1
    trees, unless ``estimator`` says otherwise), each fitted on its own random under-sample
    (``samplingStrategy``, ``replacement``) without a further bootstrap; their probabilities
    averaged.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from spark_smote.ensemble import AdaBoostClassifier, EasyEnsembleClassifier
    >>> rows = [(Vectors.dense([float(i % 10)]), float(i % 10 > 7)) for i in range(100)]
    >>> df = spark.createDataFrame(rows, ["features", "label"])
    >>> easy = EasyEnsembleClassifier(
    ...     numEstimators=2, estimator=AdaBoostClassifier(numEstimators=3), seed=1)
    >>> easy.fit(df).transform(df).filter("prediction = label").count() >= 80
    True
    """

    @keyword_only
    def __init__(
        self,
        *,
        numEstimators: int = 10,
        estimator: Estimator | None = None,
        samplingStrategy: SamplingStrategy = "auto",
        replacement: bool = False,
        parallelism: int = 1,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: str | None = None,
        seed: int = DEFAULT_SEED,
    ) -> None:
        kwargs = self._input_kwargs  # the parent's keyword_only __init__ replaces them
        super().__init__()
        self._setDefault(bootstrap=False)
        self.setParams(**kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        numEstimators: int = 10,
        estimator: Estimator | None = None,
        samplingStrategy: SamplingStrategy = "auto",
        replacement: bool = False,
        parallelism: int = 1,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: str | None = None,
        seed: int = DEFAULT_SEED,
    ) -> EasyEnsembleClassifier:
        """Sets params for this EasyEnsembleClassifier."""
        return self._set(**self._input_kwargs)

    def _default_member(self) -> Estimator:
        from spark_smote.ensemble.boosting import AdaBoostClassifier

        return AdaBoostClassifier()

    def _model(self, models: list[Any], num_classes: int) -> EnsembleModel:
        return EasyEnsembleClassificationModel(models, num_classes)


class _ForestParams(Params):
    """Spark's tree params that a balanced random forest passes to its trees (mixin)."""

    maxDepth: Param[int] = Param(
        Params._dummy(), "maxDepth", "maximum depth of each tree (>= 0)", TypeConverters.toInt
    )
    maxBins: Param[int] = Param(
        Params._dummy(), "maxBins", "maximum bins of continuous features", TypeConverters.toInt
    )
    minInstancesPerNode: Param[int] = Param(
        Params._dummy(),
        "minInstancesPerNode",
        "minimum rows each child of a split must have",
        TypeConverters.toInt,
    )
    minInfoGain: Param[float] = Param(
        Params._dummy(),
        "minInfoGain",
        "minimum information gain of a split",
        TypeConverters.toFloat,
    )
    impurity: Param[str] = Param(
        Params._dummy(), "impurity", "gini | entropy", TypeConverters.toString
    )
    featureSubsetStrategy: Param[str] = Param(
        Params._dummy(),
        "featureSubsetStrategy",
        "features considered at each split: auto, all, onethird, sqrt, log2, a share or a count",
        TypeConverters.toString,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(
            maxDepth=5,
            maxBins=32,
            minInstancesPerNode=1,
            minInfoGain=0.0,
            impurity="gini",
            featureSubsetStrategy="sqrt",
        )

    def _tree_params(self) -> dict[str, Any]:
        names = ("maxDepth", "maxBins", "minInstancesPerNode", "minInfoGain", "impurity")
        return {n: self.getOrDefault(n) for n in (*names, "featureSubsetStrategy")}


class BalancedRandomForestClassificationModel(EnsembleModel):
    """A fitted :class:`BalancedRandomForestClassifier`: its trees' mean probability."""

    @property
    def trees(self) -> list[Any]:
        """The trees (``DecisionTreeClassificationModel``), one per member."""
        return [tree for member in self._models for tree in member.trees]

    @property
    def getNumTrees(self) -> int:
        """Number of trees."""
        return len(self._models)

    @property
    def featureImportances(self) -> Vector:
        """The members' feature importances averaged and normalised to sum to 1."""
        found = np.mean([m.featureImportances.toArray() for m in self._models], axis=0)
        total = found.sum()
        values = found / total if total > 0 else found
        nonzero = np.flatnonzero(values)
        return SparseVector(len(values), nonzero.tolist(), values[nonzero].tolist())

    def treeWeights(self) -> list[float]:
        """1.0 per tree (soft voting of equal trees)."""
        return [1.0] * len(self._models)


class BalancedRandomForestClassifier(Estimator, _BaggingParams, _ForestParams, StagesReadWrite):
    """A random forest whose every tree is grown on a balanced sample (imbalanced-learn's
    ``BalancedRandomForestClassifier``, 0.13+ defaults; Chen, Liaw and Breiman 2004).

    Each of ``numTrees`` trees sees its own random under-sample (``samplingStrategy="all"``:
    every class drawn down to the minority's count, ``replacement=True``), with no further
    bootstrap (``bootstrap=False``), and considers ``featureSubsetStrategy`` features at each
    split (``"sqrt"``); Spark's tree params otherwise (``maxDepth`` 5, ``maxBins``,
    ``minInstancesPerNode``, ``minInfoGain``, ``impurity``). A tree is a Spark
    ``RandomForestClassifier`` of one tree fitted on its sample; the model averages their
    probabilities and has ``featureImportances`` and ``trees``. The trees train in
    ``parallelism`` threads.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from spark_smote.ensemble import BalancedRandomForestClassifier
    >>> rows = [(Vectors.dense([i % 10, i % 7]), float(i % 10 > 7)) for i in range(200)]
    >>> df = spark.createDataFrame(rows, ["features", "label"])
    >>> forest = BalancedRandomForestClassifier(numTrees=3, maxDepth=3, seed=1)
    >>> model = forest.fit(df)
    >>> len(model.trees), round(float(model.featureImportances.toArray().sum()), 6)
    (3, 1.0)
    """

    _members_param = "numTrees"

    numTrees: Param[int] = Param(
        Params._dummy(), "numTrees", "number of trees (>= 1)", TypeConverters.toInt
    )

    @keyword_only
    def __init__(
        self,
        *,
        numTrees: int = 100,
        samplingStrategy: SamplingStrategy = "all",
        replacement: bool = True,
        bootstrap: bool = False,
        maxSamples: float = 1.0,
        featureSubsetStrategy: str = "sqrt",
        maxDepth: int = 5,
        maxBins: int = 32,
        minInstancesPerNode: int = 1,
        minInfoGain: float = 0.0,
        impurity: str = "gini",
        parallelism: int = 1,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: str | None = None,
        seed: int = DEFAULT_SEED,
    ) -> None:
        super().__init__()
        self._setDefault(numTrees=100, samplingStrategy="all", replacement=True, bootstrap=False)
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        numTrees: int = 100,
        samplingStrategy: SamplingStrategy = "all",
        replacement: bool = True,
        bootstrap: bool = False,
        maxSamples: float = 1.0,
        featureSubsetStrategy: str = "sqrt",
        maxDepth: int = 5,
        maxBins: int = 32,
        minInstancesPerNode: int = 1,
        minInfoGain: float = 0.0,
        impurity: str = "gini",
        parallelism: int = 1,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        weightCol: str | None = None,
        seed: int = DEFAULT_SEED,
    ) -> BalancedRandomForestClassifier:
        """Sets params for this BalancedRandomForestClassifier."""
        return self._set(**self._input_kwargs)

    def getNumTrees(self) -> int:
        """Gets the value of numTrees or its default value."""
        return self.getOrDefault("numTrees")

    def setNumTrees(self, value: int) -> BalancedRandomForestClassifier:
        """Sets the value of :py:attr:`numTrees`."""
        return self._set(numTrees=value)

    def setMaxDepth(self, value: int) -> BalancedRandomForestClassifier:
        """Sets the value of :py:attr:`maxDepth`."""
        return self._set(maxDepth=value)

    def setFeatureSubsetStrategy(self, value: str) -> BalancedRandomForestClassifier:
        """Sets the value of :py:attr:`featureSubsetStrategy`."""
        return self._set(featureSubsetStrategy=value)

    def _fit(self, dataset: DataFrame) -> BalancedRandomForestClassificationModel:
        self._check_counts(type(self).__name__)
        bagging = _ForestBagging(self._tree_params())
        self._copyValues(bagging)
        bagging._set(numEstimators=self.getNumTrees())
        models = bagging._fit(dataset)
        model = BalancedRandomForestClassificationModel(models.models, models.numClasses)
        return self._copyValues(model)


class _ForestBagging(BalancedBaggingClassifier):
    """The bagging a balanced random forest runs: one-tree Spark forests as members."""

    def __init__(self, tree_params: dict[str, Any] | None = None) -> None:
        super().__init__()
        self._tree = tree_params or {}

    def _default_member(self) -> Estimator:
        return RandomForestClassifier(
            numTrees=1, bootstrap=False, subsamplingRate=1.0, **self._tree
        )
