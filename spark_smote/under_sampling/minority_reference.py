"""What the samplers that measure rows against the minority class share (NearMiss, Condensed
Nearest Neighbour, One-Sided Selection): validation, the minority's cells, the rows to score
grouped with them, the pass over them kept."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from pyspark.sql import DataFrame, GroupedData
from pyspark.sql import functions as F

from spark_smote.base import SamplingPlan
from spark_smote.engine.cleaning import SPACE, space_rows
from spark_smote.engine.columns import Y
from spark_smote.engine.keeping import Keeper, held
from spark_smote.engine.planning import plan_cells
from spark_smote.engine.reference import reference_groups
from spark_smote.kernels.cells import ClassTask
from spark_smote.params import _CellParams, _NNeighborsParams
from spark_smote.persistence import ParamsReadWrite
from spark_smote.strategy import check_sampling_strategy
from spark_smote.strategy import minority as minority_class
from spark_smote.under_sampling.base import _DenseFeatureSampler


class _MinorityReference(_DenseFeatureSampler, _CellParams, _NNeighborsParams, ParamsReadWrite):
    """Base of the samplers that keep rows by their nearest minority rows (private).

    The minority's rows are the reference: one cell when it has at most ``maxBucketSize`` rows,
    else bounded cells learned from a sample; every row of a class ``samplingStrategy`` names
    goes to its nearest minority cell, in parts of at most ``maxBucketSize`` rows, each part a
    Python call with the whole cell (:func:`~spark_smote.engine.reference.reference_groups`).
    """

    @abstractmethod
    def _minority_need(self) -> int:
        """Minority rows the rule needs (at least): ``nNeighbors`` for NearMiss."""

    def _targeted(self, counts: dict[Any, int]) -> dict[Any, int]:
        """``check_sampling_strategy`` for this sampler's kind: the classes it reduces."""
        return check_sampling_strategy(
            self.getSamplingStrategy(), counts, self._sampling_type, type(self).__name__
        )

    def _after(self, counts: dict[Any, int]) -> dict[Any, int] | None:
        """Rows per class after, when known before the output (None: a cleaner's)."""
        return None

    def _validate_params(self) -> None:
        super()._validate_params()
        self._check_n_neighbors()
        self._check_cells("nNeighbors", self.getNNeighbors())

    def _check_minority(self, counts: dict[Any, int], minority: Any) -> None:
        need = self._minority_need()
        if counts[minority] < need:
            raise ValueError(
                f"{type(self).__name__}: the minority class {minority!r} has {counts[minority]} "
                f"rows, fewer than nNeighbors={need}; lower nNeighbors."
            )

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Validate ``dataset`` (one aggregation pass) and return its class counts (and after,
        where known) and the cells of the minority class (for more than ``maxBucketSize``
        minority rows, the sampling and counting passes that fit and bound them).

        Raises ``ValueError`` naming the param, column or class on bad input, before any output.
        """
        spec, stats = self._dense_input(dataset)
        counts = stats.counts
        self._targeted(counts)
        minority = minority_class(counts)
        self._check_minority(counts, minority)
        labels = sorted(counts)
        task = ClassTask(SPACE, minority, counts[minority], 0)  # CLS of space_rows
        mine = space_rows(dataset, spec, labels, stats.dim).filter(
            F.col(Y) == labels.index(minority)
        )
        max_size = self.getMaxBucketSize()
        with held(mine) if task.n_rows > max_size else nullcontext(mine) as planned:
            cells = plan_cells(
                planned,
                [task],
                stats.dim,
                self.getSeed(),
                max_size,
                self.getNumHashTables(),
                self.getNNeighbors(),
            )[0]
        after = self._after(counts)
        return SamplingPlan(
            type(self).__name__, counts, after, [cells], spec, stats, keeper=Keeper()
        )

    def _passed(
        self,
        dataset: DataFrame,
        plan: SamplingPlan,
        reduced: list[Any],
        rule: Callable[[GroupedData], DataFrame],
    ) -> DataFrame:
        """``rule``'s pass over the rows of the ``reduced`` classes grouped with the minority's
        cells, computed now and kept by the plan's keeper (the rows are kept while the groups
        are counted, for more than one minority cell)."""
        assert plan.spec is not None and plan.stats is not None and plan.keeper is not None
        labels = sorted(plan.before)
        (cells,) = plan.cells
        rows = space_rows(dataset, plan.spec, labels, plan.stats.dim)
        with held(rows) if cells.hash.n_cells > 1 else nullcontext(rows) as planned:
            grouped = reference_groups(
                planned,
                labels.index(cells.label),
                [labels.index(c) for c in reduced],
                sum(plan.before[c] for c in reduced),
                cells,
                plan.stats.dim,
                self.getSeed(),
                self.getMaxBucketSize(),
            )
            return plan.keeper.keep(rule(grouped))
