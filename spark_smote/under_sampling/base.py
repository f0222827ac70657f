"""``BaseCleaningSampler``: what the cleaning under-samplers share (TomekLinks, Edited Nearest
Neighbours).

As imbalanced-learn's ``BaseCleaningSampler``: ``samplingStrategy`` names the classes whose rows
may be removed (``"auto"`` = ``"not minority"``, ``"all"``, ``"majority"``, ``"not majority"``,
``"not minority"`` or a list of labels), and a rule decides, from each row's nearest rows of
every class, which of those rows go. The kept rows are the input's, untouched.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import numpy as np
from pyspark.sql import DataFrame, GroupedData

from spark_smote.base import Sampler, SamplingPlan
from spark_smote.engine.cleaning import plan_space, space_rows, without
from spark_smote.engine.grouping import cell_groups
from spark_smote.engine.validation import (
    DataStats,
    FeatureSpec,
    check_batch,
    check_densifiable,
    collect_stats,
    feature_spec,
)
from spark_smote.kernels.cells import ClassCells
from spark_smote.params import _CleaningParams, _FeatureColsParams
from spark_smote.persistence import ParamsReadWrite
from spark_smote.strategy import check_sampling_strategy


class _DenseFeatureSampler(Sampler, _FeatureColsParams):
    """A sampler of dense feature rows (``featuresCol`` or ``inputCols``) and ``labelCol``
    (private base): the checks each runs before planning, in one place."""

    def _features(self, dataset: DataFrame) -> FeatureSpec:
        """Check the params and the columns; the spec of the features and label."""
        self._validate_params()
        check_batch(dataset, type(self).__name__)
        return feature_spec(
            dataset.schema, self.getFeaturesCol(), self.getInputCols(), self.getLabelCol(), None
        )

    def _dense_input(self, dataset: DataFrame) -> tuple[FeatureSpec, DataStats]:
        """:meth:`_features`, then the stats of ``dataset`` (one aggregation pass) and that its
        rows can be made dense; ``ValueError`` naming the param, column or class otherwise."""
        spec = self._features(dataset)
        stats = collect_stats(dataset, spec, type(self).__name__)
        check_densifiable(spec, stats, type(self).__name__)
        return spec, stats


class BaseCleaningSampler(_DenseFeatureSampler, _CleaningParams, ParamsReadWrite):
    """Base of the cleaning under-samplers (abstract): the rows of all classes in one space of
    bounded cells, a rule per cell, the rows it picks removed from the input.

    Its :class:`~spark_smote.base.SamplingPlan` has ``after=None``: which rows go depends on each
    row's neighbours, known only when the output is made.
    """

    def __init__(self) -> None:
        super().__init__()

    @abstractmethod
    def _neighbours(self) -> tuple[str | None, int]:
        """``(param name or None, value)``: how many nearest rows the rule looks at."""

    def _validate_params(self) -> None:
        super()._validate_params()
        self._check_cells(*self._neighbours())

    def _targeted(self, before: dict[Any, int]) -> list[int]:
        """Positions (among the sorted labels of ``before``) of the classes a pass on rows
        counted ``before`` cleans (``samplingStrategy``)."""
        name, labels = type(self).__name__, sorted(before)
        cleaned = check_sampling_strategy(
            self.getSamplingStrategy(), before, "clean-sampling", name
        )
        return [labels.index(c) for c in cleaned]

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Validate ``dataset`` (one aggregation pass) and return its class counts and the cells
        of the space of all rows (for more than ``maxBucketSize`` rows, the sampling and counting
        passes that fit and bound them).

        Raises ``ValueError`` naming the param, column or class on bad input, before any output.
        """
        return self._plan(dataset, *self._dense_input(dataset))

    def _plan(
        self,
        dataset: DataFrame,
        spec: FeatureSpec,
        stats: DataStats,
        cells_of: ClassCells | None = None,
        counted: np.ndarray | None = None,
    ) -> SamplingPlan:
        """:meth:`plan` from the spec and stats of ``dataset``, its input checked (by
        :meth:`_dense_input`, or by a combined sampler); with ``cells_of`` (the cells of a plan
        of a superset of its rows), those cells bounded again instead of new ones learned (a
        repeated pass), from ``counted`` (their counts on ``dataset`` per cell and rank) when
        given, else by a counting pass."""
        name = type(self).__name__
        check_sampling_strategy(self.getSamplingStrategy(), stats.counts, "clean-sampling", name)
        param, k = self._neighbours()
        n_rows = sum(stats.counts.values())
        if n_rows <= k:
            need = f"{param}={k}" if param else f"its rule ({k} nearest row)"
            raise ValueError(
                f"{name}: the input has {n_rows} rows, but {need} needs at least {k + 1}."
            )
        rows = space_rows(dataset, spec, sorted(stats.counts), stats.dim)
        cells = plan_space(
            rows,
            n_rows,
            stats.dim,
            self.getSeed(),
            self.getMaxBucketSize(),
            self.getNumHashTables(),
            k,
            cells_of,
            counted,
        )
        return SamplingPlan(name, stats.counts, None, [cells], spec, stats)


class _OnePassCleaning(BaseCleaningSampler):
    """A cleaner whose rule runs once over the cells of the plan (private base): TomekLinks,
    Edited Nearest Neighbours, the Neighbourhood Cleaning Rule."""

    @abstractmethod
    def _removed(
        self,
        grouped: GroupedData,
        cells: ClassCells,
        dim: int,
        targeted: list[int],
        counts: list[int],
    ) -> DataFrame:
        """``KEY, KEY2`` of the rows to remove, from the rows of the space ``grouped`` in their
        cells; ``targeted``: positions (among the sorted labels) of the classes cleaned;
        ``counts``: the rows of each class, in the order of the sorted labels."""

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.spec is not None and plan.stats is not None
        labels: list[Any] = sorted(plan.before)
        targeted = self._targeted(plan.before)
        dim, (cells,) = plan.stats.dim, plan.cells
        rows = space_rows(dataset, plan.spec, labels, dim)
        grouped = cell_groups(rows, [cells], dim, self.getSeed())
        counts = [plan.before[c] for c in labels]
        removed = self._removed(grouped, cells, dim, targeted, counts)
        return without(dataset, removed, plan.spec)
