"""Random over-sampling: copies of whole rows (or a smoothed bootstrap), exact counts per class."""

from __future__ import annotations

from typing import Any

from pyspark import keyword_only
from pyspark.ml.functions import array_to_vector, vector_to_array
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import IntegralType

from spark_smote.base import Sampler, SamplingPlan
from spark_smote.engine.columns import BLOCK, CLS, COPIES, COPY, NOISE_STREAM, ROW, per_class, quote
from spark_smote.engine.draws import ClassDraw, class_draws, drawn_rows, normal
from spark_smote.engine.rows import class_rows, feature_stds
from spark_smote.engine.validation import (
    DataStats,
    FeatureSpec,
    check_batch,
    check_densifiable,
    collect_stats,
    feature_spec,
    label_spec,
)
from spark_smote.params import DEFAULT_SEED, _FeatureParams
from spark_smote.persistence import ParamsReadWrite
from spark_smote.strategy import SamplingStrategy, check_sampling_strategy


def _float_or_none(value: Any) -> float | None:
    return None if value is None else TypeConverters.toFloat(value)


class RandomOverSampler(Sampler, _FeatureParams, ParamsReadWrite):
    """Random over-sampling: copies of rows of each class to oversample, drawn uniformly with
    replacement to the exact counts of ``samplingStrategy`` (as SMOTE's).

    The copies are whole rows (every column as in the row drawn). With ``shrinkage`` (a float
    >= 0), a smoothed bootstrap as imbalanced-learn's: each copy's features get Gaussian noise
    of standard deviation ``shrinkage * h * std`` per feature, ``std`` the feature's standard
    deviation in the class and ``h = (4 / ((d + 2) n)) ** (1 / (d + 4))`` (``d`` features,
    ``n`` rows of the class); then the features (``featuresCol`` or ``inputCols``, numeric)
    are needed and validated, otherwise they are not read at all.

    Examples
    --------
    >>> from spark_smote import RandomOverSampler
    >>> df = spark.createDataFrame([(float(i), int(i < 3)) for i in range(10)], ["x", "label"])
    >>> out = RandomOverSampler(syntheticCol="copy").transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 7), (1, 7)]
    """

    shrinkage: Param[float] = Param(
        Params._dummy(),
        "shrinkage",
        "None: plain copies; a float >= 0: smoothed bootstrap, Gaussian noise on the copies' "
        "features scaled by it (imbalanced-learn's definition)",
        typeConverter=_float_or_none,
    )

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        shrinkage: float | None = None,
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        shrinkage: float | None = None,
    ) -> RandomOverSampler:
        """Sets params for this RandomOverSampler."""
        return self._set(**self._input_kwargs)

    def getShrinkage(self) -> float | None:
        """Gets the value of shrinkage, or None."""
        return self._get_or_none(self.shrinkage)

    def setShrinkage(self, value: float | None) -> RandomOverSampler:
        """Sets the value of :py:attr:`shrinkage`."""
        return self._set(shrinkage=value)

    def _validate_params(self) -> None:
        super()._validate_params()
        s = self.getShrinkage()
        if s is not None and not s >= 0:
            raise ValueError(f"shrinkage must be None or a number >= 0, got {s}.")

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Validate ``dataset`` (the label; the features too with ``shrinkage``) and return its
        class counts before and after."""
        name = type(self).__name__
        self._validate_params()
        check_batch(dataset, name)
        flag = self.getSyntheticCol()
        if self.getShrinkage() is None:
            spec = label_spec(dataset.schema, self.getLabelCol(), flag)
        else:
            spec = feature_spec(
                dataset.schema, self.getFeaturesCol(), self.getInputCols(), self.getLabelCol(), flag
            )
        stats = collect_stats(dataset, spec, name)
        check_densifiable(spec, stats, f"{name} with shrinkage")
        wanted = check_sampling_strategy(
            self.getSamplingStrategy(), stats.counts, "over-sampling", name
        )
        after = {c: n + wanted.get(c, 0) for c, n in stats.counts.items()}
        return SamplingPlan(name, stats.counts, after, spec=spec, stats=stats)

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.spec is not None and plan.stats is not None
        flag, shrink = self.getSyntheticCol(), self.getShrinkage()
        original = dataset.withColumn(flag, F.lit(False)) if flag else dataset
        if not plan.changed:
            return original
        wanted = {c: n - plan.before[c] for c, n in plan.changed.items()}
        draws = class_draws(plan.before, wanted)
        drawn = drawn_rows(dataset, plan.spec.label, draws, self.getSeed())
        copies = drawn.withColumn(COPY, F.explode(F.sequence(F.lit(1), F.col(COPIES))))
        if shrink is not None:
            seed = self.getSeed()
            copies = _smoothed(dataset, copies, plan.spec, draws, plan.stats, shrink, seed)
        out = copies.select(*[F.col(quote(c)) for c in dataset.columns])
        if flag:
            out = out.withColumn(flag, F.lit(True))
        return original.unionByName(out)


def _smoothed(
    dataset: DataFrame,
    copies: DataFrame,
    spec: FeatureSpec,
    draws: list[ClassDraw],
    stats: DataStats,
    shrinkage: float,
    seed: int,
) -> DataFrame:
    """``copies`` with Gaussian noise on their features: imbalanced-learn's smoothed bootstrap,
    ``shrinkage * h * std_j`` per feature ``j`` (``std_j`` over the class's rows, population;
    ``h = (4 / ((d + 2) n)) ** (1 / (d + 4))``, ``n`` the rows of the whole input)."""
    dim, n_all = stats.dim, sum(stats.counts.values())
    h = (4.0 / ((dim + 2) * n_all)) ** (1.0 / (dim + 4))
    stds = feature_stds(class_rows(dataset, spec, draws, dim), dim)
    scale = per_class(draws, lambda d: F.array(*[F.lit(shrinkage * h * s) for s in stds[d.index]]))

    def noise(j: Column | int) -> Column:
        j = F.lit(j) if isinstance(j, int) else j
        where = [F.col(CLS), F.col(BLOCK), F.col(ROW), F.col(COPY), j]
        return F.element_at(scale, j + 1) * normal(F.lit(seed), F.lit(NOISE_STREAM), *where)

    if spec.vector:
        name = spec.columns[0]
        arr = vector_to_array(F.col(quote(name)), "float64")
        return copies.withColumn(name, array_to_vector(F.transform(arr, lambda v, j: v + noise(j))))
    for j, name in enumerate(spec.columns):
        value = F.col(quote(name)).cast("double") + noise(j)
        if isinstance(spec.types[name], IntegralType):
            value = F.round(value)
        copies = copies.withColumn(name, value.cast(spec.types[name]))
    return copies
