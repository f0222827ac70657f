"""SMOTE and SMOTE-NC: synthetic rows on segments between a row and one of its neighbours."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame

from spark_smote.base import SamplingPlan
from spark_smote.engine.columns import SV, other_names
from spark_smote.engine.grouping import cell_groups
from spark_smote.engine.keeping import Keeper
from spark_smote.engine.rows import feature_stds
from spark_smote.engine.sparse import (
    keeps_sparse,
    sparse_class_rows,
    sparse_generated_schema,
    sparse_generation_kernel,
    to_vectors,
)
from spark_smote.engine.validation import DataStats, FeatureSpec, with_categorical
from spark_smote.kernels.cells import ClassCells, ClassTask
from spark_smote.kernels.smote import median_std_penalty
from spark_smote.kernels.sparse import SKETCH_DIM
from spark_smote.over_sampling.base import BaseSMOTE
from spark_smote.params import DEFAULT_SEED, _BucketLengthParams, _KNeighborsParams
from spark_smote.strategy import SamplingStrategy


class SMOTE(BaseSMOTE, _KNeighborsParams, _BucketLengthParams):
    """SMOTE oversampling on Spark: synthetic minority rows, unioned with the original rows.

    Each class to oversample is hashed into cells of a learned locality-sensitive hash (k-means
    fitted on a seeded sample of the class); a row is a query in its home cell and a guest in
    its next ``numHashTables - 1`` nearest cells, and no cell holds more than ``maxBucketSize``
    rows. Inside a cell a pandas UDF finds the exact k nearest neighbours of the home rows and
    draws synthetic rows ``x + u * (x_nn - x)``, ``u ~ U[0, 1)``. A class with at most
    ``maxBucketSize`` rows is one cell, so its rows are exactly those of SMOTE. Class totals
    are exact; the same seed gives the same rows however the input is partitioned.

    Examples
    --------
    >>> from pyspark.ml.linalg import Vectors
    >>> from spark_smote import SMOTE
    >>> rows = [(Vectors.dense([float(i), float(i % 3)]), 0) for i in range(20)]
    >>> rows += [(Vectors.dense([float(i), 1.0]), 1) for i in range(6)]
    >>> df = spark.createDataFrame(rows, ["features", "label"])
    >>> smote = SMOTE(kNeighbors=3, syntheticCol="synthetic")
    >>> out = smote.transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 20), (1, 20)]
    >>> out.filter("synthetic").count()
    14
    """

    _dense_rows_only: ClassVar[bool] = False  # sparse vectors stay sparse

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
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
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        kNeighbors: int = 5,
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        bucketLength: float | None = None,
    ) -> SMOTE:
        """Sets params for this SMOTE."""
        return self._set(**self._input_kwargs)

    def _neighbours(self) -> tuple[str, int]:
        return "kNeighbors", self.getKNeighbors()

    def _keeps_sparse(self, stats: DataStats, tasks: list[ClassTask]) -> bool:
        """Whether the rows stay sparse (:func:`~spark_smote.engine.sparse.keeps_sparse`)."""
        return keeps_sparse(stats, [t.label for t in tasks])

    def _plan_cells(
        self,
        dataset: DataFrame,
        spec: FeatureSpec,
        tasks: list[ClassTask],
        dim: int,
        sparse: bool,
        keeper: Keeper,
    ) -> tuple[list[ClassCells], DataFrame | None]:
        if sparse:
            rows = sparse_class_rows(dataset, spec, tasks, self.getSeed())
            return self._cells(rows, tasks, SKETCH_DIM), None
        return super()._plan_cells(dataset, spec, tasks, dim, sparse, keeper)

    def _synthesize(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.spec is not None
        if plan.sparse:
            return self._synthesize_sparse(dataset, plan, self._carried(plan.spec))
        return self._generate(dataset, plan)

    def _synthesize_sparse(
        self, dataset: DataFrame, plan: SamplingPlan, carried: list[str]
    ) -> DataFrame:
        """Sparse vectors: cells fitted on a sketch of the rows, neighbours and synthetic rows
        computed from their non-zeros."""
        assert plan.spec is not None and plan.stats is not None
        spec, cells = plan.spec, plan.cells
        rows = sparse_class_rows(dataset, spec, [c.task for c in cells], self.getSeed(), carried)
        kernel = sparse_generation_kernel(
            cells, self.getSeed(), self.getKNeighbors(), other_names(carried)
        )
        grouped = cell_groups(rows, cells, SKETCH_DIM, self.getSeed())
        generated = grouped.applyInPandas(kernel, sparse_generated_schema(dataset, carried))
        vectors = to_vectors(generated, plan.stats.dim, SV)
        dim = plan.stats.dim
        return vectors.select(*self._output_columns(spec, cells, carried, dim, sparse=True))


class SMOTENC(BaseSMOTE, _KNeighborsParams, _BucketLengthParams):
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
        super().__init__()
        self.setParams(**self._input_kwargs)

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
        return self._set(**self._input_kwargs)

    def getCategoricalCols(self) -> list[str]:
        """Gets the value of categoricalCols (empty when unset)."""
        return list(self._get_or_none(self.categoricalCols) or [])

    def setCategoricalCols(self, value: list[str]) -> SMOTENC:
        """Sets the value of :py:attr:`categoricalCols`."""
        return self._set(categoricalCols=value)

    def _neighbours(self) -> tuple[str, int]:
        return "kNeighbors", self.getKNeighbors()

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

    def _synthesize(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        """Continuous features as SMOTE; categorical columns voted by the neighbours under the
        penalised distance."""
        assert plan.spec is not None and plan.stats is not None
        spec, dim = plan.spec, plan.stats.dim
        penalties = {
            cls: median_std_penalty(float(np.median(stds)))
            for cls, stds in feature_stds(self._rows(dataset, plan), dim).items()
        }
        return self._generate(dataset, plan, penalties, len(spec.categorical))

    def _row_columns(self, spec: FeatureSpec) -> list[str]:
        """The categorical columns (voted by the neighbours), then the carried ones."""
        return [*spec.categorical, *self._carried(spec)]
