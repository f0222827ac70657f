"""Random over- and under-sampling: whole rows drawn by seeded hashes, exact counts per class."""

from __future__ import annotations

from typing import Any

from pyspark import keyword_only
from pyspark.ml.functions import array_to_vector, vector_to_array
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import IntegralType

from spark_smote.base import Sampler
from spark_smote.draws import (
    BLOCK,
    COPIES,
    COPY,
    NOISE_STREAM,
    ROW,
    ClassDraw,
    drawn_rows,
    normal,
)
from spark_smote.engine import CLS, class_rows, feature_stds, per_class
from spark_smote.params import DEFAULT_SEED, _FeatureParams, _SamplerParams
from spark_smote.persistence import ParamsReadWrite
from spark_smote.strategy import (
    UNDER_STRATEGY_NAMES,
    SamplingStrategy,
    resolve_sampling_strategy,
    resolve_under_sampling,
)
from spark_smote.validation import (
    DataStats,
    FeatureSpec,
    check_batch,
    check_densifiable,
    collect_stats,
    feature_spec,
    label_spec,
    quote,
)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else TypeConverters.toFloat(value)


def _draws(counts: dict[Any, int], wanted: dict[Any, int], replace: bool) -> list[ClassDraw]:
    labels = sorted(counts)
    return [ClassDraw(labels.index(c), c, counts[c], n, replace) for c, n in sorted(wanted.items())]


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

    def _transform(self, dataset: DataFrame) -> DataFrame:
        self._validate_params()
        check_batch(dataset)
        flag = self.getSyntheticCol()
        shrink = self.getShrinkage()
        if flag is not None and flag in dataset.columns:
            raise ValueError(
                f"syntheticCol: column {flag!r} already exists in the input; pick a new name."
            )
        if shrink is None:
            spec = label_spec(dataset.schema, self.getLabelCol())
        else:
            spec = feature_spec(
                dataset.schema, self.getFeaturesCol(), self.getInputCols(), self.getLabelCol(), flag
            )
        stats = collect_stats(dataset, spec)
        check_densifiable(spec, stats, "RandomOverSampler with shrinkage")
        wanted = resolve_sampling_strategy(self.getSamplingStrategy(), stats.counts)
        original = dataset.withColumn(flag, F.lit(False)) if flag else dataset
        if not wanted:
            return original
        draws = _draws(stats.counts, wanted, replace=True)
        drawn = drawn_rows(dataset, spec.label, draws, self.getSeed())
        copies = drawn.withColumn(COPY, F.explode(F.sequence(F.lit(1), F.col(COPIES))))
        if shrink is not None:
            copies = _smoothed(dataset, copies, spec, draws, stats, shrink, self.getSeed())
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


class RandomUnderSampler(Sampler, _SamplerParams, ParamsReadWrite):
    """Random under-sampling: keeps exactly the ``samplingStrategy`` count of rows of each class
    it reduces, chosen uniformly by a seeded row hash; the rows are unchanged.

    ``samplingStrategy``: ``"auto"`` (= ``"not minority"``), ``"majority"``,
    ``"not majority"``, ``"all"`` (classes cut to the minority count), a float ``alpha``
    (binary: the majority cut to ``int(n_minority / alpha)``) or a dict of final counts not
    above the current ones. With ``replacement=True`` the kept rows of a reduced class are
    drawn with replacement (so some rows appear more than once), as imbalanced-learn's.

    Examples
    --------
    >>> from spark_smote import RandomUnderSampler
    >>> df = spark.createDataFrame([(float(i), int(i < 3)) for i in range(10)], ["x", "label"])
    >>> out = RandomUnderSampler().transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 3), (1, 3)]
    """

    _strategy_names = UNDER_STRATEGY_NAMES

    replacement: Param[bool] = Param(
        Params._dummy(),
        "replacement",
        "draw the kept rows with replacement",
        typeConverter=TypeConverters.toBoolean,
    )

    @keyword_only
    def __init__(
        self,
        *,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        replacement: bool = False,
    ) -> None:
        super().__init__()
        self._setDefault(replacement=False)
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        replacement: bool = False,
    ) -> RandomUnderSampler:
        """Sets params for this RandomUnderSampler."""
        return self._set(**self._input_kwargs)

    def getReplacement(self) -> bool:
        """Gets the value of replacement or its default value."""
        return self.getOrDefault(self.replacement)

    def setReplacement(self, value: bool) -> RandomUnderSampler:
        """Sets the value of :py:attr:`replacement`."""
        return self._set(replacement=value)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        self._validate_params()
        check_batch(dataset)
        spec = label_spec(dataset.schema, self.getLabelCol())
        stats = collect_stats(dataset, spec)
        keep = resolve_under_sampling(self.getSamplingStrategy(), stats.counts)
        if not keep:
            return dataset
        draws = _draws(stats.counts, keep, replace=self.getReplacement())
        drawn = drawn_rows(dataset, spec.label, draws, self.getSeed())
        if self.getReplacement():
            drawn = drawn.withColumn(COPY, F.explode(F.sequence(F.lit(1), F.col(COPIES))))
        kept = drawn.select(*[F.col(quote(c)) for c in dataset.columns])
        label = F.col(quote(spec.label))
        untouched = dataset.filter(~label.isin([F.lit(d.label) for d in draws]))
        return untouched.unionByName(kept)
