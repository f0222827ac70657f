"""Repeated editing: Edited Nearest Neighbours run again on its own output
(RepeatedEditedNearestNeighbours, AllKNN), with imbalanced-learn's stopping rules."""

from __future__ import annotations

import logging
from abc import abstractmethod
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np
from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasMaxIter
from pyspark.sql import DataFrame

from spark_smote.base import SamplingPlan
from spark_smote.engine.cleaning import edited_out_rows, space_rows, without
from spark_smote.engine.columns import CELL, KEY, KEY2, RANK
from spark_smote.engine.grouping import cell_groups
from spark_smote.engine.keeping import Keeper, cut, rebased
from spark_smote.engine.validation import DataStats, class_counts_of
from spark_smote.kernels.cells import ClassCells
from spark_smote.kernels.cleaning import KindSel
from spark_smote.params import DEFAULT_SEED, _EditedParams
from spark_smote.strategy import SamplingStrategy
from spark_smote.strategy import minority as minority_class
from spark_smote.under_sampling.base import BaseCleaningSampler
from spark_smote.under_sampling.edited_nearest_neighbours import EditedNearestNeighbours

_LOG = logging.getLogger(__name__)


def editing_stops(
    before: dict[Any, int], after: dict[Any, int], original: dict[Any, int], minority_rule: bool
) -> bool:
    """Whether repeated editing stops after a pass that took the class counts from ``before``
    to ``after`` (``original``: the input's): a class is gone, or (``minority_rule``) a class
    other than the input's minority has fewer rows than the minority had. The minority: the
    class of fewest rows, the smallest label among equals."""
    if len(after) < len(original):
        return True
    minority = minority_class(original)
    return minority_rule and any(n < original[minority] for c, n in after.items() if c != minority)


#: passes kept with their lineage between two cuts (``keeping.cut``): the plan of a pass holds
#: the last one twice, so it grows by a factor of 2 ** PASSES_PER_CUT at most
PASSES_PER_CUT = 4


@dataclass(frozen=True)
class _Searched:
    """What a pass of repeated editing searched, for the next pass: its ``nNeighbors``, the
    classes it cleaned, the labels, its cells and the cells of the rows it removed."""

    k: int
    targeted: list[int]
    labels: list[Any]
    cells: ClassCells
    removed: np.ndarray  #: rows removed per (cell, rank), as ``cells``' counts

    @property
    def touched(self) -> set[int]:
        """The cells the pass removed a row from (at any rank)."""
        return {int(c) for c in np.flatnonzero(self.removed.sum(axis=1))}

    def counted(self, left: int) -> np.ndarray | None:
        """The counts per (cell, rank) of the ``left`` rows the pass left: its cells' counts
        less the removed rows', when those are every row it removed (an identical row of a
        removed one, which goes with it, may have been searched elsewhere); else None."""
        read = int(self.cells.home.sum())  # every row the pass read has one home cell
        if read - left != int(self.removed[:, 0].sum()):
            return None
        return np.column_stack([self.cells.home, self.cells.guests]) - self.removed


class _RepeatedEditing(BaseCleaningSampler, _EditedParams):
    """Edited Nearest Neighbours pass after pass, each on the last one's output (private base).

    Every pass works in the first one's cells (the plan's), bounded again on the rows left (a
    counting pass; new cells per pass would move the approximate neighbourhoods at the cells'
    borders from pass to pass, and the passes would go on removing rows there); its output
    is kept (``persist``, lineage intact; over Spark Connect a local checkpoint, so that the
    plan stays shallow) and counted, for the stopping rules and the next pass. A later pass
    searches again only the cells that changed (those the last pass removed a row from, at
    any rank, and those bounded otherwise): a cell whose rows and bounds are those of the last
    pass would remove nothing, so the rows are those of every cell searched in every pass;
    the last passes, which remove a few rows, search a few cells. A pass reads
    the last one's output twice (its rows, and the rows to remove found from them), so its plan
    doubles: every :data:`PASSES_PER_CUT` passes the output is a local checkpoint (lineage cut:
    an executor lost after it fails the later passes, as over Connect).
    """

    @abstractmethod
    def _passes(self) -> list[int]:
        """The ``nNeighbors`` of each pass, at most."""

    @abstractmethod
    def _stops(
        self, before: dict[Any, int], after: dict[Any, int], original: dict[Any, int]
    ) -> bool:
        """Whether to stop after a pass that took the counts from ``before`` to ``after``."""

    def _validate_params(self) -> None:
        self._check_edited()
        super()._validate_params()

    def _neighbours(self) -> tuple[str | None, int]:
        return "nNeighbors", self.getNNeighbors()

    def _editor(self, k: int) -> EditedNearestNeighbours:
        """The Edited Nearest Neighbours of a pass: this stage's params, ``nNeighbors=k``."""
        enn = EditedNearestNeighbours()
        values = {p.name: v for p, v in self.extractParamMap().items() if enn.hasParam(p.name)}
        return enn._set(**values)._set(nNeighbors=k)

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """As Edited Nearest Neighbours' plan (the first pass's cells), with a keeper for the
        passes' outputs."""
        return replace(super().plan(dataset), keeper=Keeper())

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.spec is not None and plan.stats is not None and plan.keeper is not None
        current, counts, dim = dataset, dict(plan.before), plan.stats.dim
        step = replace(plan, sampler="EditedNearestNeighbours", keeper=None)
        last: _Searched | None = None
        for i, k in enumerate(self._passes()):
            editor = self._editor(k)
            if i > 0:
                # the last pass's cells (the first's, less any too small), bounded again: each
                # pass searches the same neighbourhoods, as one process's passes the same rows
                (cells,) = step.cells
                counted = last.counted(sum(counts.values()))
                step = editor._plan(current, plan.spec, DataStats(counts, dim), cells, counted)
            targeted = self._targeted(step.before)
            searched = self._searched(step, k, targeted, last)
            out, last = self._edit(current, step, k, targeted, searched, plan.keeper)
            if (i + 1) % PASSES_PER_CUT == 0:  # each pass reads the last one twice: bounded
                edited = cut(plan.keeper, out)
            else:
                edited = rebased(plan.keeper, out)
            after = class_counts_of(edited, plan.spec.label)
            home = last.cells.home > 0
            n_cells = int(home.sum())
            n_searched = n_cells if searched is None else int(home[sorted(searched)].sum())
            _LOG.info(
                "%s pass %d (nNeighbors=%d, %d of %d cells searched): %s -> %s",
                type(self).__name__,
                i + 1,
                k,
                n_searched,
                n_cells,
                counts,
                after,
            )
            stop = self._stops(counts, after, plan.before)
            current, counts = edited, after
            if stop:
                break
        return current

    def _searched(
        self, step: SamplingPlan, k: int, targeted: list[int], last: _Searched | None
    ) -> set[int] | None:
        """The cells a pass on the plan ``step`` searches (None: all). A cell that lost no row
        in the last pass (at any rank), is bounded as then, under the same rule, removed none of
        its rows in the pass that last searched it (those rows would be gone) and so removes
        none now: only the cells the last pass removed a row from and those bounded otherwise
        are searched again. New cells (one removed as too small), another ``nNeighbors`` (AllKNN)
        or other classes to clean: all."""
        (cells,) = step.cells
        if last is None or (k, targeted) != (last.k, last.targeted):
            return None
        if sorted(step.before) != last.labels or cells.hash is not last.cells.hash:
            return None
        moved = (cells.keep != last.cells.keep) | (cells.parts != last.cells.parts)
        return last.touched | {int(c) for c in np.flatnonzero(moved)}

    def _edit(
        self,
        current: DataFrame,
        step: SamplingPlan,
        k: int,
        targeted: list[int],
        searched: set[int] | None,
        keeper: Keeper,
    ) -> tuple[DataFrame, _Searched]:
        """One Edited Nearest Neighbours pass on ``current`` in the cells of ``step`` (only
        the cells ``searched``, if given) cleaning the classes ``targeted``: its output, and
        what the next pass needs to know."""
        assert step.spec is not None and step.stats is not None
        labels, (cells,) = sorted(step.before), step.cells
        kind = cast(KindSel, self.getKindSel())
        rows = space_rows(current, step.spec, labels, step.stats.dim)
        grouped = cell_groups(rows, [cells], step.stats.dim, self.getSeed(), searched=searched)
        found = edited_out_rows(grouped, cells, step.stats.dim, targeted, k, kind, stored=True)
        removed = rebased(keeper, found)  # computed once: read by the output and below
        by_cell = np.zeros((len(cells.home), 1 + cells.guests.shape[1]), dtype=np.int64)
        for r in removed.groupBy(CELL, RANK).count().collect():
            by_cell[r[CELL], r[RANK]] = r["count"]
        out = without(current, removed.select(KEY, KEY2), step.spec)
        return out, _Searched(k, targeted, labels, cells, by_cell)


class RepeatedEditedNearestNeighbours(_RepeatedEditing, HasMaxIter):
    """Repeated Edited Nearest Neighbours on Spark: :class:`EditedNearestNeighbours` run on its
    own output, up to ``maxIter`` passes, as imbalanced-learn's
    ``RepeatedEditedNearestNeighbours``.

    After each pass (whose output is kept), it stops when the pass removed nothing, when a
    class other than the input's minority has fewer rows than the minority had, or when a
    class is gone; the rows of that last pass are the output. ``samplingStrategy`` is applied
    to each pass's input (``"auto"``: every class but that input's minority). The input's
    minority is its class of fewest rows (the smallest label among equals; imbalanced-learn
    takes the first one met in the rows).

    Each pass is an Edited Nearest Neighbours pass on the first pass's bounded cells, bounded
    again on the rows left (a table of at most ``maxBucketSize`` rows: one cell,
    imbalanced-learn's exact result); after the first, a pass searches again only the cells
    the last one removed a row from (the other cells would remove nothing). Each pass's class
    counts and the cells it searched are logged at level ``INFO`` (logger
    ``spark_smote.under_sampling.repeated_editing``): the number of passes is
    imbalanced-learn's ``n_iter_``.

    Examples
    --------
    >>> from spark_smote import RepeatedEditedNearestNeighbours
    >>> rows = [(float(i), 0) for i in range(12)] + [(2.4, 1), (2.7, 1), (8.4, 1), (30.0, 1)]
    >>> df = spark.createDataFrame(rows, ["x", "label"])
    >>> renn = RepeatedEditedNearestNeighbours(inputCols=["x"], nNeighbors=1)
    >>> sorted(r.x for r in renn.transform(df).filter("label = 0").collect())
    [0.0, 1.0, 4.0, 5.0, 6.0, 7.0, 10.0, 11.0]
    """

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        nNeighbors: int = 3,
        maxIter: int = 100,
        kindSel: str = "all",
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> None:
        super().__init__()
        self._setDefault(maxIter=100)
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        nNeighbors: int = 3,
        maxIter: int = 100,
        kindSel: str = "all",
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> RepeatedEditedNearestNeighbours:
        """Sets params for this RepeatedEditedNearestNeighbours."""
        return self._set(**self._input_kwargs)

    def setMaxIter(self, value: int) -> RepeatedEditedNearestNeighbours:
        """Sets the value of :py:attr:`maxIter`."""
        return self._set(maxIter=value)

    def _validate_params(self) -> None:
        if self.getMaxIter() < 1:
            raise ValueError(f"maxIter must be at least 1, got {self.getMaxIter()}.")
        super()._validate_params()

    def _passes(self) -> list[int]:
        return [self.getNNeighbors()] * self.getMaxIter()

    def _stops(
        self, before: dict[Any, int], after: dict[Any, int], original: dict[Any, int]
    ) -> bool:
        unchanged = sum(after.values()) == sum(before.values())
        return unchanged or editing_stops(before, after, original, minority_rule=True)


class AllKNN(_RepeatedEditing):
    """AllKNN on Spark: :class:`EditedNearestNeighbours` with 1, 2, ... ``nNeighbors`` nearest
    rows, each pass on the last one's output, as imbalanced-learn's ``AllKNN``.

    After each pass (whose output is kept) it stops when a class is gone or, unless
    ``allowMinority``, when a class other than the input's minority has fewer rows than the
    minority had; the rows of that last pass are the output. The minority as in
    :class:`RepeatedEditedNearestNeighbours`; each pass as there.

    Examples
    --------
    >>> from spark_smote import AllKNN
    >>> rows = [(float(i), 0) for i in range(12)] + [(2.4, 1), (2.7, 1), (8.4, 1), (30.0, 1)]
    >>> df = spark.createDataFrame(rows, ["x", "label"])
    >>> allknn = AllKNN(inputCols=["x"], nNeighbors=2)
    >>> sorted(r.x for r in allknn.transform(df).filter("label = 0").collect())
    [5.0, 6.0]
    """

    allowMinority: Param[bool] = Param(
        Params._dummy(),
        "allowMinority",
        "go on when a class other than the minority falls below the minority's count",
        typeConverter=TypeConverters.toBoolean,
    )

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        nNeighbors: int = 3,
        kindSel: str = "all",
        allowMinority: bool = False,
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> None:
        super().__init__()
        self._setDefault(allowMinority=False)
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        nNeighbors: int = 3,
        kindSel: str = "all",
        allowMinority: bool = False,
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> AllKNN:
        """Sets params for this AllKNN."""
        return self._set(**self._input_kwargs)

    def getAllowMinority(self) -> bool:
        """Gets the value of allowMinority or its default value."""
        return self.getOrDefault(self.allowMinority)

    def setAllowMinority(self, value: bool) -> AllKNN:
        """Sets the value of :py:attr:`allowMinority`."""
        return self._set(allowMinority=value)

    def _passes(self) -> list[int]:
        return list(range(1, self.getNNeighbors() + 1))

    def _stops(
        self, before: dict[Any, int], after: dict[Any, int], original: dict[Any, int]
    ) -> bool:
        return editing_stops(before, after, original, minority_rule=not self.getAllowMinority())
