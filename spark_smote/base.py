"""``Sampler``: the base of stages that resample rows (and so run only while fitting), and the
``SamplingPlan`` every sampler's :meth:`~Sampler.plan` returns."""

from __future__ import annotations

import warnings
from abc import abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyspark.ml import Transformer
from pyspark.sql import DataFrame

if TYPE_CHECKING:
    from spark_smote.engine.keeping import Keeper
    from spark_smote.engine.validation import DataStats, FeatureSpec
    from spark_smote.kernels.cells import ClassCells


@dataclass(frozen=True)
class SamplingPlan:
    """What a sampler will do to a DataFrame: class counts before and after, and the cells.

    ``before``: rows per class in the input; ``after``: rows per class in the output (every
    class), or None for a cleaning sampler (which rows go depends on each row's neighbours,
    known only when the output is made); ``cells``: per class worked on by the cell engine, its
    :class:`~spark_smote.kernels.cells.ClassCells` (the groups' rows and quotas:
    :meth:`~spark_smote.kernels.cells.ClassCells.groups`); empty for the random samplers.
    """

    sampler: str
    before: dict[Any, int]
    after: dict[Any, int] | None
    cells: list[ClassCells] = field(default_factory=list)
    # what the sampler found while planning, reused by its transform (not for users)
    spec: FeatureSpec | None = field(default=None, repr=False, compare=False)
    stats: DataStats | None = field(default=None, repr=False, compare=False)
    sparse: bool = field(default=False, repr=False, compare=False)
    # the rows of the classes worked on, projected once from ``source`` (kept when planning
    # read them); the output of ``source`` reads them instead of the input
    rows: DataFrame | None = field(default=None, repr=False, compare=False)
    source: DataFrame | None = field(default=None, repr=False, compare=False)
    # what planning and the output's passes keep (persisted, lineage intact), held by every
    # output of this plan and released when the plan and they are gone
    keeper: Keeper | None = field(default=None, repr=False, compare=False)
    # anything else a sampler found while planning and its transform reuses (KMeansSMOTE's
    # clusters)
    found: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def changed(self) -> dict[Any, int]:
        """``{class: rows after}`` of the classes whose count changes (a cleaning sampler's
        plan does not know them: ``ValueError``)."""
        if self.after is None:
            raise ValueError(
                f"{self.sampler}'s plan does not know its counts after: count the output."
            )
        return {c: n for c, n in self.after.items() if n != self.before[c]}

    def __iter__(self) -> Iterator[Any]:
        """Deprecated: 0.2's ``SMOTE.plan`` returned ``(counts, cells)``; unpacking still works."""
        warnings.warn(
            "unpacking a SamplingPlan as (counts, cells) is deprecated since 0.3; use "
            "plan.before and plan.cells",
            DeprecationWarning,
            stacklevel=2,
        )
        return iter((self.before, self.cells))

    def __getitem__(self, index: int) -> Any:
        """Deprecated: ``plan[0]`` / ``plan[1]`` as 0.2's ``(counts, cells)``."""
        warnings.warn(
            "indexing a SamplingPlan as (counts, cells) is deprecated since 0.3; use "
            "plan.before and plan.cells",
            DeprecationWarning,
            stacklevel=2,
        )
        return (self.before, self.cells)[index]


class Sampler(Transformer):
    """A Transformer that adds or removes rows.

    Every sampler plans first (:meth:`plan`: one validation pass, and the cell engine's passes
    where it has them) and then resamples by that plan; :meth:`transform` does both.
    :class:`spark_smote.pipeline.Pipeline` applies samplers to the data that reaches the stages
    after them while fitting, and leaves them out of the fitted model, so that scoring sees one
    output row per input row.
    """

    @abstractmethod
    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Validate ``dataset`` and return what :meth:`transform` will do to it.

        Raises the same ``ValueError`` on bad input as :meth:`transform`, before any output.
        """

    @abstractmethod
    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        """The output for ``dataset`` by its ``plan``."""

    def resample(self, dataset: DataFrame, plan: SamplingPlan | None = None) -> DataFrame:
        """``transform(dataset)``, by a ``plan`` already made by :meth:`plan` on the same
        ``dataset`` (so that planning runs once: validation, sampling and counting passes).

        The rows are those :meth:`transform` gives; a plan of another DataFrame is an error
        (a group that does not hold the rows its plan says raises ``RuntimeError``).
        """
        if plan is None:
            plan = self.plan(dataset)
        elif plan.sampler != type(self).__name__:
            raise ValueError(
                f"{type(self).__name__}.resample got a plan made by {plan.sampler}; pass the "
                "plan this sampler's plan(dataset) returned."
            )
        return self._output(dataset, plan)

    def _output(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        """:meth:`_resample`'s output, holding what the plan keeps for it."""
        out = self._resample(dataset, plan)
        return out if plan.keeper is None else plan.keeper.hold(out)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        return self._output(dataset, self.plan(dataset))
