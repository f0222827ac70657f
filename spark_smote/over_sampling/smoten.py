"""SMOTEN: SMOTE for rows of categorical columns only, by the value difference metric."""

from __future__ import annotations

from typing import Any

from pyspark import keyword_only
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, IntegralType, StringType

from spark_smote.base import SamplingPlan
from spark_smote.engine.columns import (
    CLS,
    KEY,
    LabelledClass,
    class_index,
    hashable_columns,
    other_names,
    per_class,
    quote,
)
from spark_smote.engine.generation import smoten_kernel, voted_schema
from spark_smote.engine.grouping import cell_groups
from spark_smote.engine.keeping import Keeper
from spark_smote.engine.planning import kept_for_planning, plan_cells
from spark_smote.engine.validation import (
    DataStats,
    FeatureSpec,
    check_batch,
    collect_stats,
    label_spec,
)
from spark_smote.engine.value_difference import class_probabilities, embedding_columns
from spark_smote.kernels.cells import ClassTask
from spark_smote.over_sampling.base import BaseSMOTE
from spark_smote.params import DEFAULT_SEED, _KNeighborsParams
from spark_smote.strategy import SamplingStrategy, check_class_sizes, check_sampling_strategy


class SMOTEN(BaseSMOTE, _KNeighborsParams):
    """SMOTEN on Spark, as imbalanced-learn's ``SMOTEN``: synthetic rows for data whose
    features are all categorical (``inputCols``: string, integer or boolean columns).

    The value difference metric is fitted on all rows: per column, the probabilities of the
    classes given each value (one aggregation pass); the distance of two rows is the sum over
    columns of the squared L1 distance of those probability vectors. For each synthetic row a
    seed row of the class is drawn, and each column takes the most common value among the
    seed's ``kNeighbors + 1`` nearest rows of its class, the seed included (ties to the first
    value in sorted order). The other columns are null on synthetic rows (``otherColumns=
    "copy"``: copied from the seed row).

    A class of at most ``maxBucketSize`` rows is one cell: every distance is exact, and the
    rows are imbalanced-learn's given the same seed rows and the same order among rows at equal
    distance (here: a hash of the row). Larger classes are cut into cells learned on the rows'
    embedding by those probabilities (k-means), each row also a guest in its next cells; the
    exact metric decides inside a cell. A column has at most 10,000 distinct values and no
    nulls.

    Examples
    --------
    >>> from spark_smote import SMOTEN
    >>> rows = [("red", "s", 0)] * 8 + [("blue", "m", 0)] * 8 + [("red", "m", 1)] * 3
    >>> df = spark.createDataFrame(rows + [("blue", "s", 1)], ["colour", "size", "label"])
    >>> out = SMOTEN(inputCols=["colour", "size"], kNeighbors=2).transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 16), (1, 16)]
    """

    _dense_rows_only = True

    @keyword_only
    def __init__(
        self,
        *,
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        kNeighbors: int = 5,
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        otherColumns: str = "null",
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        kNeighbors: int = 5,
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        otherColumns: str = "null",
    ) -> SMOTEN:
        """Sets params for this SMOTEN."""
        return self._set(**self._input_kwargs)

    def _neighbours(self) -> tuple[str, int]:
        return "kNeighbors", self.getKNeighbors()

    def _categorical_spec(self, dataset: DataFrame) -> FeatureSpec:
        """The label's spec, with the categorical ``inputCols`` as its columns (checked)."""
        name = type(self).__name__
        self._validate_params()
        check_batch(dataset, name)
        spec = label_spec(dataset.schema, self.getLabelCol(), self.getSyntheticCol())
        columns = self.getInputCols() or []
        if not columns:
            raise ValueError(f"{name}: inputCols must name the categorical columns.")
        for c in columns:
            kind = spec.types.get(c)
            if kind is None:
                raise ValueError(f"{name}: inputCols column {c!r} is not in the input.")
            if not isinstance(kind, (StringType, IntegralType, BooleanType)):
                raise ValueError(
                    f"{name}: inputCols column {c!r} has type {kind.simpleString()}; SMOTEN "
                    "takes categorical columns (string, integer or boolean)."
                )
            if c == spec.label:
                raise ValueError(f"{name}: inputCols must not hold the label column {c!r}.")
        return FeatureSpec(tuple(columns), False, spec.label, spec.types)

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Validate ``dataset``; fit the value difference metric (one aggregation pass) and
        return the counts before and after and the cells of each class to oversample (for a
        class above ``maxBucketSize``, the sampling and counting passes on its embedded rows).
        """
        name = type(self).__name__
        spec = self._categorical_spec(dataset)
        counts = collect_stats(dataset, label_spec(dataset.schema, spec.label), name).counts
        to_generate = check_sampling_strategy(
            self.getSamplingStrategy(), counts, "over-sampling", name
        )
        k = self.getKNeighbors()
        check_class_sizes(to_generate, counts, k, "kNeighbors", name)
        labels = sorted(counts)
        columns = list(spec.columns)
        dim = len(columns) * len(labels)
        stats = DataStats(counts, dim)
        after = {c: n + to_generate.get(c, 0) for c, n in counts.items()}
        tasks = [
            ClassTask(labels.index(c), c, counts[c], n) for c, n in sorted(to_generate.items())
        ]
        if not tasks:
            return SamplingPlan(name, counts, after, [], spec, stats)
        probabilities = class_probabilities(dataset, columns, spec.label, labels, name)
        keeper = Keeper()
        rows = self._embedded(dataset, spec, tasks, probabilities, len(labels))
        rows = kept_for_planning(rows, tasks, self.getMaxBucketSize(), keeper)
        cells = plan_cells(
            rows, tasks, dim, self.getSeed(), self.getMaxBucketSize(), self.getNumHashTables(), k
        )
        found = {"probabilities": probabilities}
        return SamplingPlan(
            name, counts, after, cells, spec, stats, False, rows, dataset, keeper, found
        )

    def _carried_columns(self, spec: FeatureSpec) -> list[str]:
        """The categorical columns, then the others when they are copied."""
        copied = [c for c in spec.types if c not in spec.columns and c != spec.label]
        return list(spec.columns) + (copied if self.getOtherColumns() == "copy" else [])

    def _embedded(
        self,
        dataset: DataFrame,
        spec: FeatureSpec,
        tasks: list[LabelledClass] | list[ClassTask],
        probabilities: dict[str, Any],
        n_classes: int,
    ) -> DataFrame:
        """The rows of ``tasks``: ``CLS``, the embedding, the carried columns, ``KEY``."""
        carried = self._carried_columns(spec)
        expr = class_index(spec.label, tasks)
        return dataset.filter(expr.isNotNull()).select(
            expr.alias(CLS),
            *embedding_columns(spec.columns, probabilities, n_classes),
            *[F.col(quote(c)).alias(n) for c, n in zip(carried, other_names(carried), strict=True)],
            F.xxhash64(*hashable_columns(spec.types)).alias(KEY),
        )

    def _synthesize(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.spec is not None and plan.stats is not None
        spec, dim, cells = plan.spec, plan.stats.dim, plan.cells
        rows = plan.rows if plan.rows is not None and plan.source is dataset else None
        if rows is None:
            tasks = [c.task for c in cells]
            rows = self._embedded(
                dataset, spec, tasks, plan.found["probabilities"], len(plan.before)
            )
        carried = self._carried_columns(spec)
        kernel = smoten_kernel(
            cells, self.getSeed(), self.getKNeighbors(), dim, len(spec.columns), carried
        )
        grouped = cell_groups(rows, cells, dim, self.getSeed())
        made = grouped.applyInPandas(kernel, voted_schema(dataset, carried))
        return made.select(*self._voted_columns(spec, plan, carried))

    def _voted_columns(
        self, spec: FeatureSpec, plan: SamplingPlan, carried: list[str]
    ) -> list[Column]:
        """The input's columns (+ flag) of the synthetic rows."""
        types = spec.types
        label = per_class(plan.cells, lambda c: F.lit(c.label)).cast(types[spec.label])
        internal = dict(zip(carried, other_names(carried), strict=True))
        out = []
        for c in types:
            if c == spec.label:
                out.append(label.alias(c))
            elif c in internal:
                out.append(F.col(internal[c]).alias(c))
            else:
                out.append(F.lit(None).cast(types[c]).alias(c))
        flag = self.getSyntheticCol()
        if flag:
            out.append(F.lit(True).alias(flag))
        return out
