"""ClusterCentroids: each class to reduce replaced by the centroids of k-means with as many
clusters as rows to keep (or by the real rows nearest to them), as imbalanced-learn's, with the
clustering done inside the engine's bounded cells."""

from __future__ import annotations

from typing import Any

from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from spark_smote.base import SamplingPlan
from spark_smote.engine.columns import KEY, KEY2, field, quote
from spark_smote.engine.generation import centroid_kernel, generated_schema, synthetic_columns
from spark_smote.engine.grouping import cell_groups
from spark_smote.engine.keeping import Keeper
from spark_smote.engine.planning import kept_for_planning, plan_cells
from spark_smote.engine.rows import class_rows
from spark_smote.engine.selection import kept_rows
from spark_smote.engine.validation import (
    DataStats,
)
from spark_smote.kernels.cells import ClassTask
from spark_smote.params import DEFAULT_SEED, _CellParams
from spark_smote.persistence import ParamsReadWrite
from spark_smote.strategy import SamplingStrategy, check_sampling_strategy
from spark_smote.under_sampling.base import _DenseFeatureSampler

VOTINGS = ("auto", "soft", "hard")


class ClusterCentroids(_DenseFeatureSampler, _CellParams, ParamsReadWrite):
    """ClusterCentroids on Spark: each class that ``samplingStrategy`` reduces (default: all
    but the minority, to the minority's count) is replaced by exactly its count of k-means
    centroids of its rows (``voting="soft"``: new rows, the label and features set, the other
    columns null) or of the real rows nearest to them (``"hard"``: a row nearest to two
    centroids comes twice, as in imbalanced-learn). ``"auto"``: ``"soft"``, but ``"hard"``
    for Vector features wider than 256, which the engine keeps sparse (imbalanced-learn: hard
    for sparse input). The other
    classes' rows are all kept, untouched.

    The clustering scales to hundreds of thousands of centroids: a class's rows are cut into
    bounded cells learned from a sample (k-means over a seeded sample, at most
    ``maxBucketSize`` rows a cell, no guests), the centroids shared out among the cells in
    proportion to their rows (exact totals), and each cell clustered on its own (k-means++
    seeds, at most ``maxIter`` Lloyd iterations, an empty cluster relocated to the farthest
    row), so each Python call holds one cell. A class of at most ``maxBucketSize`` rows is one
    cell: one k-means over all its rows, as imbalanced-learn's ``KMeans``. The inertia against
    scikit-learn's ``KMeans(n_clusters=n_target)`` on the same class is in the docs.
    ``numHashTables`` is not used (clusters need no guest rows).

    Examples
    --------
    >>> from spark_smote import ClusterCentroids
    >>> rows = [(float(i % 3) + 0.01 * i, 0) for i in range(30)] + [(9.0, 1), (9.5, 1), (10.0, 1)]
    >>> df = spark.createDataFrame(rows, ["x", "label"])
    >>> out = ClusterCentroids(inputCols=["x"], voting="hard", seed=3).transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 3), (1, 3)]
    """

    _sampling_type = "under-sampling"

    voting: Param[str] = Param(
        Params._dummy(),
        "voting",
        "'soft': the centroids as new rows; 'hard': the real rows nearest to them; 'auto': "
        "soft, hard for wide sparse vectors",
        typeConverter=TypeConverters.toString,
    )
    maxIter: Param[int] = Param(
        Params._dummy(),
        "maxIter",
        "most Lloyd iterations of each cell's k-means (>= 1)",
        typeConverter=TypeConverters.toInt,
    )

    @keyword_only
    def __init__(
        self,
        *,
        voting: str = "auto",
        maxIter: int = 100,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
    ) -> None:
        super().__init__()
        self._setDefault(voting="auto", maxIter=100)
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        voting: str = "auto",
        maxIter: int = 100,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
    ) -> ClusterCentroids:
        """Sets params for this ClusterCentroids."""
        return self._set(**self._input_kwargs)

    def getVoting(self) -> str:
        """Gets the value of voting or its default value."""
        return self.getOrDefault(self.voting)

    def setVoting(self, value: str) -> ClusterCentroids:
        """Sets the value of :py:attr:`voting`."""
        return self._set(voting=value)

    def getMaxIter(self) -> int:
        """Gets the value of maxIter or its default value."""
        return self.getOrDefault(self.maxIter)

    def setMaxIter(self, value: int) -> ClusterCentroids:
        """Sets the value of :py:attr:`maxIter`."""
        return self._set(maxIter=value)

    def _validate_params(self) -> None:
        super()._validate_params()
        name = type(self).__name__
        if self.getVoting() not in VOTINGS:
            raise ValueError(
                f"{name}: voting must be 'auto', 'soft' or 'hard', got {self.getVoting()!r}."
            )
        if self.getMaxIter() < 1:
            raise ValueError(f"{name}: maxIter must be at least 1, got {self.getMaxIter()}.")
        self._check_cells(None, 1)

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Validate ``dataset`` (one aggregation pass); return its class counts before and after
        and the cells of each class to reduce (for a class above ``maxBucketSize``, the
        sampling and counting passes that fit and bound them, on its rows kept for the output).

        Raises ``ValueError`` naming the param, column or class on bad input, before any output.
        """
        name = type(self).__name__
        spec, stats = self._dense_input(dataset)
        keep = check_sampling_strategy(
            self.getSamplingStrategy(), stats.counts, "under-sampling", name
        )
        after = {c: keep.get(c, n) for c, n in stats.counts.items()}
        labels, max_size = sorted(stats.counts), self.getMaxBucketSize()
        tasks = [
            ClassTask(labels.index(c), c, stats.counts[c], n, max_out=max_size)
            for c, n in sorted(keep.items())
        ]
        if not tasks:
            return SamplingPlan(name, stats.counts, after, [], spec, stats)
        keeper = Keeper()
        hard = self._hard(stats)
        rows = class_rows(dataset, spec, tasks, stats.dim, identity=hard)
        rows = kept_for_planning(rows, tasks, max_size, keeper)
        cells = plan_cells(rows, tasks, stats.dim, self.getSeed(), max_size, 1, 1)
        return SamplingPlan(
            name, stats.counts, after, cells, spec, stats, False, rows, dataset, keeper
        )

    def _hard(self, stats: DataStats) -> bool:
        """Whether the rows kept are real rows (``"hard"``)."""
        voting = self.getVoting()
        return voting == "hard" or (voting == "auto" and stats.nnz is not None)

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.spec is not None and plan.stats is not None
        if not plan.cells:
            return dataset
        spec, dim, cells = plan.spec, plan.stats.dim, plan.cells
        hard = self._hard(plan.stats)
        rows = plan.rows if plan.rows is not None and plan.source is dataset else None
        if rows is None:
            rows = class_rows(dataset, spec, [c.task for c in cells], dim, identity=hard)
        kernel = centroid_kernel(cells, self.getSeed(), dim, self.getMaxIter(), hard)
        grouped = cell_groups(rows, cells, dim, self.getSeed())
        reduced: list[Any] = [c.label for c in cells]
        if hard:
            schema = StructType([field(KEY, "long"), field(KEY2, "long")])
            chosen = grouped.applyInPandas(kernel, schema)
            assert plan.keeper is not None
            return kept_rows(dataset, spec.label, reduced, chosen, plan.keeper, repeat=True)
        made = grouped.applyInPandas(kernel, generated_schema(dataset, dim, []))
        centroids = made.select(*synthetic_columns(spec, cells, [], dim))
        label = F.col(quote(spec.label))
        untouched = dataset.filter(~label.isin([F.lit(c) for c in reduced]))
        return untouched.unionByName(centroids)
