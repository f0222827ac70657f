"""``BaseSMOTE``: what the SMOTE family shares (SMOTE, SMOTE-NC, Borderline-SMOTE, ADASYN).

As imbalanced-learn's ``BaseSMOTE``: the params, their checks, planning (validation pass, the
classes to oversample, the cells of the engine), the output columns and the union with the
input. A member says how many neighbours it needs (:meth:`BaseSMOTE._neighbours`) and how it
generates the synthetic rows of a plan (:meth:`BaseSMOTE._synthesize`).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import ClassVar

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from spark_smote.base import Sampler, SamplingPlan
from spark_smote.engine.columns import other_names
from spark_smote.engine.generation import generated_schema, generation_kernel, synthetic_columns
from spark_smote.engine.grouping import cell_groups
from spark_smote.engine.keeping import Keeper
from spark_smote.engine.planning import kept_for_planning, plan_cells
from spark_smote.engine.rows import class_rows
from spark_smote.engine.validation import (
    DataStats,
    FeatureSpec,
    check_batch,
    check_copyable,
    check_densifiable,
    collect_stats,
    feature_spec,
)
from spark_smote.kernels.cells import ClassCells, ClassTask, output_rows
from spark_smote.params import _BucketLengthParams, _EngineParams
from spark_smote.persistence import ParamsReadWrite
from spark_smote.strategy import check_class_sizes, check_sampling_strategy


def _output_width(spec: FeatureSpec, stats: DataStats, label: object, sparse: bool) -> int:
    """About how many values a synthetic row of class ``label`` holds: every column, and its
    features (sparse: a row's stored entries three times, indices and values of the union of
    two rows)."""
    if sparse and stats.nnz is not None:
        return len(spec.types) + 3 * stats.nnz[label] // max(1, stats.counts[label]) + 1
    return len(spec.types) + stats.dim


class BaseSMOTE(Sampler, _EngineParams, ParamsReadWrite):
    """Base of the SMOTE family: synthetic rows of the classes to oversample, made inside the
    bounded cells of the learned hash, unioned with the untouched input (abstract)."""

    #: Whether the sampler works on dense rows only (sparse vectors densified, the widest
    #: refused); SMOTE keeps sparse vectors sparse.
    _dense_rows_only: ClassVar[bool] = True

    def __init__(self) -> None:
        super().__init__()

    @abstractmethod
    def _neighbours(self) -> tuple[str, int]:
        """``(param name, value)`` of the neighbours a synthetic row steps towards."""

    @abstractmethod
    def _synthesize(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        """The synthetic rows of ``plan``, in the input's schema (+ the flag column)."""

    # ------------------------------------------------------------------ checks

    def _validate_params(self) -> None:
        super()._validate_params()
        self._check_cells(*self._neighbours())
        if isinstance(self, _BucketLengthParams):
            self._check_bucket_length()

    def _spec(self, dataset: DataFrame) -> FeatureSpec:
        self._validate_params()
        check_batch(dataset, type(self).__name__)
        return feature_spec(
            dataset.schema,
            self.getFeaturesCol(),
            self.getInputCols(),
            self.getLabelCol(),
            self.getSyntheticCol(),
        )

    # ------------------------------------------------------------------ planning

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Validate ``dataset``; return its class counts before and after and the cells of each
        class to oversample.

        Runs the aggregation pass of :meth:`transform` (and raises the same ``ValueError`` on
        bad input), then, for classes larger than ``maxBucketSize``, the sampling and counting
        passes that fit and bound their cells, on their rows projected once and kept for the
        output of ``resample(dataset, plan)``.
        """
        name = type(self).__name__
        spec = self._spec(dataset)
        if self.getOtherColumns() == "copy":
            check_copyable(dataset.schema, spec)
        stats = collect_stats(dataset, spec, name)
        if self._dense_rows_only:
            check_densifiable(spec, stats, name)
        to_generate = check_sampling_strategy(
            self.getSamplingStrategy(), stats.counts, "over-sampling", name
        )
        param, k = self._neighbours()
        check_class_sizes(to_generate, stats.counts, k, param, name)
        labels = sorted(stats.counts)
        tasks = [
            ClassTask(labels.index(c), c, stats.counts[c], n)
            for c, n in sorted(to_generate.items())
        ]
        after = {c: n + to_generate.get(c, 0) for c, n in stats.counts.items()}
        sparse = bool(tasks) and self._keeps_sparse(stats, tasks)
        tasks = [
            replace(t, max_out=output_rows(_output_width(spec, stats, t.label, sparse)))
            for t in tasks
        ]
        if not tasks:
            return SamplingPlan(name, stats.counts, after, [], spec, stats, sparse)
        keeper = Keeper()
        cells, rows = self._plan_cells(dataset, spec, tasks, stats.dim, sparse, keeper)
        return SamplingPlan(
            name, stats.counts, after, cells, spec, stats, sparse, rows, dataset, keeper
        )

    def _keeps_sparse(self, stats: DataStats, tasks: list[ClassTask]) -> bool:
        """Whether the rows of ``tasks`` stay sparse (only SMOTE keeps them so)."""
        return False

    def _plan_cells(
        self,
        dataset: DataFrame,
        spec: FeatureSpec,
        tasks: list[ClassTask],
        dim: int,
        sparse: bool,
        keeper: Keeper,
    ) -> tuple[list[ClassCells], DataFrame | None]:
        """The cells of ``tasks`` and the rows of their classes (:func:`class_rows` with
        :meth:`_row_columns`). Where planning reads the rows (a class above ``maxBucketSize``)
        the ``keeper`` keeps them: its passes and the output read them, not the input."""
        rows = class_rows(dataset, spec, tasks, dim, self._row_columns(spec))
        rows = kept_for_planning(rows, tasks, self.getMaxBucketSize(), keeper)
        return self._cells(rows, tasks, dim), rows

    def _row_columns(self, spec: FeatureSpec) -> list[str]:
        """The columns that travel with the rows to generation (:meth:`_carried`)."""
        return self._carried(spec)

    def _rows(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        """The rows of the plan's classes: those planning projected, when the plan is of this
        ``dataset``; else projected again (a plan of another DataFrame then fails in its
        groups, as :meth:`resample` says)."""
        if plan.rows is not None and plan.source is dataset:
            return plan.rows
        assert plan.spec is not None and plan.stats is not None
        tasks = [c.task for c in plan.cells]
        return class_rows(dataset, plan.spec, tasks, plan.stats.dim, self._row_columns(plan.spec))

    def _cells(self, rows: DataFrame, tasks: list[ClassTask], dim: int) -> list[ClassCells]:
        return plan_cells(
            rows,
            tasks,
            dim,
            self.getSeed(),
            self.getMaxBucketSize(),
            self.getNumHashTables(),
            self._neighbours()[1],
        )

    # ------------------------------------------------------------------ output

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        flag = self.getSyntheticCol()
        original = dataset.withColumn(flag, F.lit(False)) if flag else dataset
        if not plan.cells:
            return original
        return original.unionByName(self._synthesize(dataset, plan))

    def _carried(self, spec: FeatureSpec) -> list[str]:
        """Other columns that travel with the rows: all of them with ``otherColumns='copy'``."""
        return list(spec.others) if self.getOtherColumns() == "copy" else []

    def _generate(
        self,
        dataset: DataFrame,
        plan: SamplingPlan,
        penalties: Mapping[int, float] | None = None,
        n_cat: int = 0,
    ) -> DataFrame:
        """Dense generation of ``plan``: the rows of its classes stored in their cells, one
        ``applyInPandas`` of :func:`~spark_smote.engine.generation.generation_kernel` (with
        ``penalties``, SMOTE-NC's, the first ``n_cat`` carried columns are categorical)."""
        assert plan.spec is not None and plan.stats is not None
        spec, dim, cells = plan.spec, plan.stats.dim, plan.cells
        carried = self._row_columns(spec)
        rows = self._rows(dataset, plan)
        kernel = generation_kernel(
            cells,
            self.getSeed(),
            self._neighbours()[1],
            dim,
            other_names(carried),
            penalties,
            n_cat,
        )
        grouped = cell_groups(rows, cells, dim, self.getSeed())
        generated = grouped.applyInPandas(kernel, generated_schema(dataset, dim, carried))
        return generated.select(*self._output_columns(spec, cells, carried, dim))

    def _output_columns(
        self,
        spec: FeatureSpec,
        cells: list[ClassCells],
        carried: Sequence[str],
        dim: int,
        sparse: bool = False,
    ) -> list[Column]:
        """The input's columns (+ flag) of the generated rows: label, features in their type,
        carried columns, null for the others."""
        columns = synthetic_columns(spec, cells, carried, dim, sparse)
        flag = self.getSyntheticCol()
        if flag:
            columns.append(F.lit(True).alias(flag))
        return columns
