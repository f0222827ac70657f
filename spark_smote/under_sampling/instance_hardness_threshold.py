"""Instance hardness threshold: the rows a cross-validated classifier finds hardest to place in
their own class are removed (Smith, Martinez and Giraud-Carrier 2014), as imbalanced-learn's
``InstanceHardnessThreshold``, with a Spark ML classifier."""

from __future__ import annotations

from functools import reduce
from typing import Any

from pyspark import keyword_only
from pyspark.ml import Estimator, Model
from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import VectorUDT
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasFeaturesCol, HasParallelism
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from spark_smote.base import Sampler, SamplingPlan
from spark_smote.engine.columns import quote
from spark_smote.engine.draws import row_hash
from spark_smote.engine.estimators import (
    check_probabilistic,
    class_counts,
    configured,
    fit_members,
    member_seed,
)
from spark_smote.engine.keeping import Keeper, held
from spark_smote.engine.validation import check_batch
from spark_smote.params import DEFAULT_SEED, _SamplerParams
from spark_smote.persistence import StagesReadWrite
from spark_smote.strategy import SamplingStrategy, check_sampling_strategy

#: the columns the transform adds while it works (dropped from the output)
FOLD, HARDNESS = "__iht_fold", "__iht_probability_of_label"
_OUTPUTS = {
    "predictionCol": "__iht_prediction",
    "probabilityCol": "__iht_probability",
    "rawPredictionCol": "__iht_raw_prediction",
}


def stratified_folds(dataset: DataFrame, label_col: str, cv: int, seed: int) -> Column:
    """Each row's fold, ``0 .. cv-1``: within its class, the rows ranked by a seeded hash of
    their content and dealt out in turn, so that a class's folds differ by at most one row
    (a sort of each class; identical rows share a hash, and which of them goes where cannot
    change the output)."""
    order = row_hash(dataset, seed)
    rank = F.row_number().over(Window.partitionBy(F.col(quote(label_col))).orderBy(order))
    return F.pmod(rank - 1, F.lit(cv))


class InstanceHardnessThreshold(
    Sampler, _SamplerParams, HasFeaturesCol, HasParallelism, StagesReadWrite
):
    """Instance hardness threshold on Spark: each row's probability of its own class from a
    classifier that did not see it (``cv`` stratified folds, ``estimator`` fitted on the other
    folds), and in each class ``samplingStrategy`` reduces, the rows at or above the class's
    threshold kept, as imbalanced-learn's ``InstanceHardnessThreshold``.

    The threshold of a class cut from ``n`` to ``n_keep`` rows is the ``1 - n_keep / n``
    percentile of its rows' probabilities (exact, linear interpolation as numpy's; Spark's
    ``percentile``). Rows that tie at it are all kept, so a class may keep more than ``n_keep``
    rows, as in imbalanced-learn. The other classes' rows are all kept; the rows are untouched.

    ``estimator``: any probabilistic Spark ML classifier (default
    ``RandomForestClassifier(numTrees=100)``), fitted ``cv`` times on ``featuresCol`` (a
    Vector column) and ``labelCol`` (class indices ``0 .. k-1``, as Spark's classifiers need:
    ``StringIndexer`` makes them); each fold's copy gets a seed of its own from ``seed``. The
    folds: each class's rows ranked by a seeded hash of their content and dealt out in turn
    (so the same seed gives the same rows whatever the partitioning). ``parallelism`` fits the
    folds' classifiers in that many threads, as ``CrossValidator`` does. Every class needs at
    least ``cv`` rows.

    Examples
    --------
    >>> import math
    >>> from pyspark.ml.classification import LogisticRegression
    >>> from pyspark.ml.linalg import Vectors
    >>> from spark_smote import InstanceHardnessThreshold
    >>> rows = [(Vectors.dense([math.sin(i), math.cos(3 * i)]), int(i % 5 == 0)) for i in range(60)]
    >>> df = spark.createDataFrame(rows, ["features", "label"])
    >>> iht = InstanceHardnessThreshold(estimator=LogisticRegression(maxIter=20), cv=3, seed=1)
    >>> out = iht.transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 12), (1, 12)]
    """

    _sampling_type = "under-sampling"
    _stage_params = ("estimator",)

    estimator: Param[Any] = Param(
        Params._dummy(),
        "estimator",
        "the probabilistic classifier whose cross-validated probabilities decide (default: "
        "RandomForestClassifier(numTrees=100))",
    )
    cv: Param[int] = Param(
        Params._dummy(),
        "cv",
        "number of stratified folds (>= 2)",
        typeConverter=TypeConverters.toInt,
    )

    @keyword_only
    def __init__(
        self,
        *,
        estimator: Estimator | None = None,
        cv: int = 5,
        featuresCol: str = "features",
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        parallelism: int = 1,
    ) -> None:
        super().__init__()
        self._setDefault(cv=5, featuresCol="features", parallelism=1)
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        estimator: Estimator | None = None,
        cv: int = 5,
        featuresCol: str = "features",
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        parallelism: int = 1,
    ) -> InstanceHardnessThreshold:
        """Sets params for this InstanceHardnessThreshold."""
        kwargs = dict(self._input_kwargs)
        if kwargs.get("estimator", 0) is None:
            del kwargs["estimator"]
        return self._set(**kwargs)

    def getEstimator(self) -> Estimator | None:
        """Gets the value of estimator, or None (a RandomForestClassifier of 100 trees)."""
        return self.getOrDefault(self.estimator) if self.isDefined(self.estimator) else None

    def setEstimator(self, value: Estimator) -> InstanceHardnessThreshold:
        """Sets the value of :py:attr:`estimator`."""
        return self._set(estimator=value)

    def getCv(self) -> int:
        """Gets the value of cv or its default value."""
        return self.getOrDefault(self.cv)

    def setCv(self, value: int) -> InstanceHardnessThreshold:
        """Sets the value of :py:attr:`cv`."""
        return self._set(cv=value)

    def setFeaturesCol(self, value: str) -> InstanceHardnessThreshold:
        """Sets the value of :py:attr:`featuresCol`."""
        return self._set(featuresCol=value)

    def setParallelism(self, value: int) -> InstanceHardnessThreshold:
        """Sets the value of :py:attr:`parallelism`."""
        return self._set(parallelism=value)

    def _classifier(self) -> Estimator:
        found = self.getEstimator()
        if found is not None:
            return found
        from pyspark.ml.classification import RandomForestClassifier

        return RandomForestClassifier(numTrees=100)

    def _validate_params(self) -> None:
        name = type(self).__name__
        if self.getCv() < 2:
            raise ValueError(
                f"{name}: cv must be at least 2 (the number of folds), got {self.getCv()}."
            )
        if self.getParallelism() < 1:
            raise ValueError(
                f"{name}: parallelism must be at least 1, got {self.getParallelism()}."
            )
        check_probabilistic(self._classifier(), "estimator", name)

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Validate ``dataset`` (one aggregation pass) and return its class counts; the counts
        after are known when the output is made (``after=None``: ties at a threshold stay)."""
        name = type(self).__name__
        self._validate_params()
        check_batch(dataset, name)
        types = {f.name: f.dataType for f in dataset.schema.fields}
        features = self.getFeaturesCol()
        if features not in types or not isinstance(types[features], VectorUDT):
            found = types[features].simpleString() if features in types else "missing"
            raise ValueError(
                f"{name}: featuresCol column {features!r} must be a Vector column ({found}); "
                "assemble the features with pyspark.ml.feature.VectorAssembler."
            )
        counts = class_counts(dataset, self.getLabelCol(), name)
        small = {c: n for c, n in counts.items() if n < self.getCv()}
        if small:
            raise ValueError(
                f"{name}: class {min(small)!r} has {small[min(small)]} rows, fewer than "
                f"cv={self.getCv()} folds; lower cv or leave the class out."
            )
        check_sampling_strategy(self.getSamplingStrategy(), counts, "under-sampling", name)
        return SamplingPlan(name, counts, None, keeper=Keeper())

    def _fold_models(self, folded: DataFrame) -> list[Model]:
        """The classifier fitted on all folds but each one, in fold order."""
        label, cv, seed = self.getLabelCol(), self.getCv(), self.getSeed()

        def fit(fold: int) -> Any:
            def run() -> Model:
                estimator = configured(
                    self._classifier(),
                    featuresCol=self.getFeaturesCol(),
                    labelCol=label,
                    seed=member_seed(seed, fold),
                    **_OUTPUTS,
                )
                return estimator.fit(folded.filter(F.col(FOLD) != fold))

            return run

        fits = [fit(f) for f in range(cv)]
        return fit_members(fits, self.getParallelism(), folded.sparkSession)

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.keeper is not None
        name, label = type(self).__name__, self.getLabelCol()
        keep = check_sampling_strategy(
            self.getSamplingStrategy(), plan.before, "under-sampling", name
        )
        folds = stratified_folds(dataset, label, self.getCv(), self.getSeed())
        with held(dataset.withColumn(FOLD, folds)) as folded:
            models = self._fold_models(folded)
            probability = vector_to_array(F.col(_OUTPUTS["probabilityCol"]))
            own = probability[F.col(quote(label)).cast("int")]
            scored = reduce(
                DataFrame.unionByName,
                [
                    model.transform(folded.filter(F.col(FOLD) == f)).withColumn(HARDNESS, own)
                    for f, model in enumerate(models)
                ],
            )
            scored = plan.keeper.keep(scored.select(*[quote(c) for c in dataset.columns], HARDNESS))
        if not keep:
            return scored.drop(HARDNESS)
        thresholds = self._thresholds(scored, plan.before, keep)
        cls = F.col(quote(label))
        kept = F.lit(True)
        for c, value in thresholds.items():
            kept = F.when(cls == F.lit(c), F.col(HARDNESS) >= F.lit(value)).otherwise(kept)
        return scored.filter(kept).drop(HARDNESS)

    def _thresholds(
        self, scored: DataFrame, before: dict[Any, int], keep: dict[Any, int]
    ) -> dict[Any, float]:
        """Per class reduced, the ``1 - n_keep / n`` percentile of its rows' probabilities
        (exact, linear interpolation; one aggregation pass for all classes)."""
        cls = F.col(quote(self.getLabelCol()))
        labels = sorted(keep)
        found = scored.agg(
            *[
                F.percentile(F.when(cls == F.lit(c), F.col(HARDNESS)), 1.0 - keep[c] / before[c])
                for c in labels
            ]
        ).first()
        return {c: float(found[i]) for i, c in enumerate(labels)}
