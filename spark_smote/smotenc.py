"""SMOTE-NC: SMOTE for tables that mix continuous and categorical columns."""

from __future__ import annotations

import numpy as np
from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame

from spark_smote.engine import ClassTask, feature_stds
from spark_smote.kernel import median_std_penalty
from spark_smote.params import DEFAULT_SEED
from spark_smote.smote import SMOTE
from spark_smote.strategy import SamplingStrategy
from spark_smote.validation import FeatureSpec, with_categorical


class SMOTENC(SMOTE):
    """SMOTE-NC on Spark: synthetic rows for data with continuous and categorical columns.

    The continuous features (``inputCols`` or the Vector ``featuresCol``) are interpolated as in
    :class:`~spark_smote.SMOTE`; every column of ``categoricalCols`` (string, integer or
    boolean, any number of distinct values, null being a category of its own) takes the most
    frequent value among the base row's ``kNeighbors`` nearest rows of its class, ties going to
    the value of the nearest of them. So a synthetic row's categories are always values of real
    rows of its class, with the column's type.

    Neighbours are nearest under the SMOTE-NC distance: squared Euclidean distance over the
    continuous features plus ``median_std ** 2 / 2`` for each categorical column whose values
    differ, ``median_std`` being the median over the continuous features of their (population)
    standard deviation within the class being oversampled; imbalanced-learn's ``SMOTENC``
    measures the same distance through a one-hot encoding scaled by ``median_std / 2``. Here
    category codes are compared directly: no one-hot matrix, so 100,000 categories cost what 3
    do. The learned-hash cells are fitted on the continuous features only; data with no
    continuous feature is refused (that is SMOTE-N).

    Examples
    --------
    >>> from spark_smote import SMOTENC
    >>> rows = [(float(i), float(i % 3), "red" if i % 4 else "blue", 0) for i in range(20)]
    >>> rows += [(float(i), 1.0, "green", 1) for i in range(6)]
    >>> df = spark.createDataFrame(rows, ["a", "b", "colour", "label"])
    >>> nc = SMOTENC(inputCols=["a", "b"], categoricalCols=["colour"], kNeighbors=3)
    >>> out = nc.transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 20), (1, 20)]
    >>> sorted({r.colour for r in out.filter("label = 1").collect()})
    ['green']
    """

    _dense_rows_only = True  # the mixed kNN works on dense continuous features

    categoricalCols: Param[list[str]] = Param(
        Params._dummy(),
        "categoricalCols",
        "categorical columns (string, integer or boolean): a synthetic row takes, in each, the "
        "most frequent value among its base row's k nearest neighbours",
        typeConverter=TypeConverters.toListString,
    )

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        categoricalCols: list[str] | None = None,
        labelCol: str = "label",
        kNeighbors: int = 5,
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        bucketLength: float | None = None,
    ) -> None:
        super(SMOTE, self).__init__()
        kwargs = self._input_kwargs
        self.setParams(**kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        categoricalCols: list[str] | None = None,
        labelCol: str = "label",
        kNeighbors: int = 5,
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        bucketLength: float | None = None,
    ) -> SMOTENC:
        """Sets params for this SMOTENC."""
        kwargs = self._input_kwargs
        return self._set(**kwargs)

    def getCategoricalCols(self) -> list[str]:
        """Gets the value of categoricalCols (empty when unset)."""
        return list(self._get_or_none(self.categoricalCols) or [])

    def setCategoricalCols(self, value: list[str]) -> SMOTENC:
        """Sets the value of :py:attr:`categoricalCols`."""
        return self._set(categoricalCols=value)

    def _validate_params(self) -> None:
        cols = self.getInputCols()
        if cols is not None and len(cols) == 0:
            raise ValueError(
                "SMOTENC needs at least one continuous feature (inputCols is empty): its "
                "neighbours and cells are measured on them. All-categorical data is SMOTE-N, "
                "which spark_smote does not offer; encode some columns as numbers or use "
                "RandomOverSampler."
            )
        super()._validate_params()

    def _spec(self, dataset: DataFrame) -> FeatureSpec:
        return with_categorical(super()._spec(dataset), self.getCategoricalCols())

    def _penalties(self, rows: DataFrame, tasks: list[ClassTask], dim: int) -> dict[int, float]:
        """``median_std ** 2 / 2`` per class index, from the class's continuous features."""
        return {
            cls: median_std_penalty(float(np.median(stds)))
            for cls, stds in feature_stds(rows, dim).items()
        }
