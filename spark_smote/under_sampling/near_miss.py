"""NearMiss: the rows of larger classes kept by their distances to the minority class (Mani and
Zhang 2003), versions 1, 2 and 3 as imbalanced-learn's ``NearMiss``, with exact counts."""

from __future__ import annotations

from typing import Any

from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame, GroupedData
from pyspark.sql import functions as F

from spark_smote.base import SamplingPlan
from spark_smote.engine.columns import CLS, KEY, KEY2
from spark_smote.engine.draws import ClassDraw
from spark_smote.engine.keeping import Keeper
from spark_smote.engine.reference import KIND, NEAR_QUERY, SCORE, candidates, nearmiss_scores
from spark_smote.engine.selection import kept_rows, smallest_scores
from spark_smote.params import DEFAULT_SEED
from spark_smote.strategy import SamplingStrategy
from spark_smote.under_sampling.minority_reference import _MinorityReference

VERSIONS = (1, 2, 3)


class NearMiss(_MinorityReference):
    """NearMiss on Spark: each class that ``samplingStrategy`` reduces keeps exactly its count
    of rows, those nearest the minority class by the rule of ``version``, as imbalanced-learn's
    ``NearMiss``; the other classes' rows are all kept, and the rows are untouched.

    A row's score is the sum of its Euclidean distances to minority rows:

    - ``version=1``: to its ``nNeighbors`` nearest minority rows; the smallest scores are kept;
    - ``version=2``: to its ``nNeighbors`` farthest minority rows; the smallest are kept;
    - ``version=3``: the candidates are the ``nNeighborsVer3`` nearest rows of the class to
      each minority row; scored as version 1, the *largest* scores among them are kept. When
      the candidates are fewer than the count asked for (imbalanced-learn then returns fewer
      rows), all are kept and the rest is filled from the other rows of the class, largest
      scores first: the counts are always exact.

    Rows of equal score rank by a hash of the row (imbalanced-learn: by position). The minority
    is the class of fewest rows (the smallest label among equals).

    The minority's rows are the reference: one cell when it has at most ``maxBucketSize`` rows
    (then every distance is exact and the result is imbalanced-learn's up to ties), else
    bounded cells learned from a sample (k-means, each minority row also stored in its next
    ``numHashTables - 1`` cells) with each row to score in its nearest cell. Version 2 needs all
    minority rows for every row: its minority must fit one cell (``maxBucketSize``). The kept
    rows are chosen exactly (a bracket from ``percentile_approx``, then one counting pass),
    with no sort of a class.

    Examples
    --------
    >>> from spark_smote import NearMiss
    >>> rows = [(float(i), 0) for i in range(10)] + [(4.2, 1), (4.6, 1), (9.5, 1)]
    >>> df = spark.createDataFrame(rows, ["x", "label"])
    >>> out = NearMiss(inputCols=["x"], nNeighbors=2).transform(df)
    >>> sorted(r.x for r in out.filter("label = 0").collect())
    [3.0, 4.0, 5.0]
    """

    _sampling_type = "under-sampling"

    version: Param[int] = Param(
        Params._dummy(),
        "version",
        "which NearMiss: 1 (nearest minority rows), 2 (farthest) or 3 (candidates near the "
        "minority, farthest kept)",
        typeConverter=TypeConverters.toInt,
    )
    nNeighborsVer3: Param[int] = Param(
        Params._dummy(),
        "nNeighborsVer3",
        "version 3: nearest rows of a class to each minority row that are candidates (>= 1)",
        typeConverter=TypeConverters.toInt,
    )

    @keyword_only
    def __init__(
        self,
        *,
        version: int = 1,
        nNeighbors: int = 3,
        nNeighborsVer3: int = 3,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> None:
        super().__init__()
        self._setDefault(version=1, nNeighborsVer3=3)
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        version: int = 1,
        nNeighbors: int = 3,
        nNeighborsVer3: int = 3,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> NearMiss:
        """Sets params for this NearMiss."""
        return self._set(**self._input_kwargs)

    def getVersion(self) -> int:
        """Gets the value of version or its default value."""
        return self.getOrDefault(self.version)

    def setVersion(self, value: int) -> NearMiss:
        """Sets the value of :py:attr:`version`."""
        return self._set(version=value)

    def getNNeighborsVer3(self) -> int:
        """Gets the value of nNeighborsVer3 or its default value."""
        return self.getOrDefault(self.nNeighborsVer3)

    def setNNeighborsVer3(self, value: int) -> NearMiss:
        """Sets the value of :py:attr:`nNeighborsVer3`."""
        return self._set(nNeighborsVer3=value)

    def _validate_params(self) -> None:
        super()._validate_params()
        name = type(self).__name__
        if self.getVersion() not in VERSIONS:
            raise ValueError(f"{name}: version must be 1, 2 or 3, got {self.getVersion()}.")
        if self.getNNeighborsVer3() < 1:
            raise ValueError(
                f"{name}: nNeighborsVer3 must be at least 1, got {self.getNNeighborsVer3()}."
            )

    def _minority_need(self) -> int:
        return self.getNNeighbors()

    def _after(self, counts: dict[Any, int]) -> dict[Any, int]:
        keep = self._targeted(counts)
        return {c: keep.get(c, n) for c, n in counts.items()}

    def _check_minority(self, counts: dict[Any, int], minority: Any) -> None:
        super()._check_minority(counts, minority)
        max_size = self.getMaxBucketSize()
        if self.getVersion() == 2 and counts[minority] > max_size:
            raise ValueError(
                f"{type(self).__name__}: version 2 measures every row against all "
                f"{counts[minority]} rows of the minority class {minority!r}, more than "
                f"maxBucketSize={max_size} (the rows one Python call may hold); raise "
                "maxBucketSize or use version 1 or 3."
            )

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.spec is not None and plan.stats is not None and plan.after is not None
        assert plan.keeper is not None
        labels = sorted(plan.before)
        reduced = [c for c in labels if plan.after[c] < plan.before[c]]
        if not reduced:
            return dataset
        dim, version, k = plan.stats.dim, self.getVersion(), self.getNNeighbors()
        queried = [labels.index(c) for c in reduced]
        k_near = self.getNNeighborsVer3() if version == 3 else 0

        def rule(grouped: GroupedData) -> DataFrame:
            return nearmiss_scores(grouped, dim, queried, k, version == 2, version == 3, k_near)

        scored = self._passed(dataset, plan, reduced, rule)
        scores = scored.filter(F.col(KIND) == SCORE)
        draws = [ClassDraw(labels.index(c), c, plan.before[c], plan.after[c]) for c in reduced]
        if version == 3:
            scores, draws = self._candidates_first(plan.keeper, scored, scores, draws, k_near)
        kept = smallest_scores(scores, draws)
        return kept_rows(dataset, plan.spec.label, reduced, kept, plan.keeper)

    @staticmethod
    def _candidates_first(
        keeper: Keeper,
        scored: DataFrame,
        scores: DataFrame,
        draws: list[ClassDraw],
        k_near: int,
    ) -> tuple[DataFrame, list[ClassDraw]]:
        """Version 3: each class split in two (``CLS`` = ``2 * class`` for its candidates,
        ``2 * class + 1`` for the rest), the candidates first: as many as asked for, and the
        rest filled from the others when they are too few."""
        near = candidates(scored.filter(F.col(KIND) == NEAR_QUERY), k_near)
        flagged = scores.join(near.withColumn("__smote_cand", F.lit(True)), [KEY, KEY2], "left")
        split = F.col(CLS) * 2 + F.when(F.col("__smote_cand").isNull(), 1).otherwise(0)
        marked = keeper.keep(flagged.withColumn(CLS, split).drop("__smote_cand"))
        found = {r[CLS]: r["count"] for r in marked.groupBy(CLS).count().collect()}
        out = []
        for d in draws:
            n_cand = found.get(2 * d.index, 0)
            take = min(d.n_draws, n_cand)
            out.append(ClassDraw(2 * d.index, d.label, n_cand, take))
            out.append(ClassDraw(2 * d.index + 1, d.label, d.n_rows - n_cand, d.n_draws - take))
        return marked, [d for d in out if d.n_rows > 0]
