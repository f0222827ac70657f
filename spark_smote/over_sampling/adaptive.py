"""Borderline-SMOTE and ADASYN: SMOTE whose base rows depend on the classes around them.

The rows of other classes are stored in each class's cells as data: hashed into them once and
held on disk (:func:`~spark_smote.engine.keeping.held`) for the pass that counts them per cell
and the first of two passes over the cells:
the first measures the base weight of every home row (from its share of other-class rows among
its nearest rows) and is kept (:class:`~spark_smote.engine.keeping.Keeper`); the driver splits the
class's synthetic rows among the groups in proportion to their totals (exact total); the second
joins each home row's weight, draws base rows with probability proportional to it and
interpolates. Only borderline-2, whose rows may step towards other classes, brings the other
classes' rows into the second pass.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pyspark import StorageLevel, keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_smote.base import SamplingPlan
from spark_smote.engine.columns import CELL, CLS, PART, TOTAL, feature_names, other_names
from spark_smote.engine.generation import (
    MEASURED_SCHEMA,
    GroupKey,
    Weigh,
    adaptive_generation_kernel,
    adaptive_slices,
    generated_schema,
    measure_kernel,
)
from spark_smote.engine.grouping import cell_groups, home_cells, others_in_cells
from spark_smote.engine.keeping import held
from spark_smote.engine.rows import other_rows
from spark_smote.kernels.adaptive import in_danger, quotas_by_weight
from spark_smote.over_sampling.base import BaseSMOTE
from spark_smote.params import DEFAULT_SEED, _KNeighborsParams
from spark_smote.strategy import SamplingStrategy

KINDS = ("borderline-1", "borderline-2")


def _danger_weight(share: np.ndarray) -> np.ndarray:
    return in_danger(share).astype(float)


def _share(share: np.ndarray) -> np.ndarray:
    return share


class _AdaptiveSMOTE(BaseSMOTE):
    """SMOTE whose base rows are weighted by their neighbourhood (private base)."""

    def _neighbourhood(self) -> int:
        """Rows of all classes a row's share of other classes is measured on."""
        raise NotImplementedError

    def _weigh(self) -> Weigh:
        raise NotImplementedError

    def _towards_others(self) -> bool:
        return False

    def _synthesize(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.spec is not None and plan.stats is not None and plan.keeper is not None
        spec, dim, cells = plan.spec, plan.stats.dim, plan.cells
        seed, k, m = self.getSeed(), self._neighbours()[1], self._neighbourhood()
        tasks = [c.task for c in cells]
        carried = self._row_columns(spec)
        internal = other_names(carried)
        rows = self._rows(dataset, plan)
        hashed = home_cells(other_rows(dataset, spec, tasks, dim), cells, dim)
        with held(hashed, StorageLevel.DISK_ONLY) as hashed_once:  # read by the next two passes
            others, weights = others_in_cells(
                hashed_once, cells, seed, self.getMaxBucketSize(), internal
            )
            grouped = cell_groups(rows, cells, dim, seed, others, slices={})
            measure = measure_kernel(feature_names(dim), dim, m, self._weigh(), weights)
            measured = plan.keeper.keep(grouped.applyInPandas(measure, MEASURED_SCHEMA))
        totals = measured.groupBy(CLS, CELL, PART).agg(F.max(TOTAL).alias(TOTAL)).collect()
        quotas = self._quotas(plan, {(r[CLS], r[CELL], r[PART]): r[TOTAL] for r in totals})
        towards_others = self._towards_others()
        grouped = cell_groups(
            rows,
            cells,
            dim,
            seed,
            others if towards_others else None,
            adaptive_slices(cells, quotas),
            weights=measured,
        )
        kernel = adaptive_generation_kernel(cells, seed, k, dim, internal, quotas, towards_others)
        generated = grouped.applyInPandas(kernel, generated_schema(dataset, dim, carried))
        return generated.select(*self._output_columns(spec, cells, carried, dim))

    def _quotas(self, plan: SamplingPlan, measured: dict[GroupKey, float]) -> dict[GroupKey, int]:
        """Split each class's synthetic rows among its groups in proportion to their base
        weight; a class with no weight at all is refused."""
        out: dict[GroupKey, int] = {}
        for c in plan.cells:
            keys = sorted(key for key in measured if key[0] == c.index)
            quotas = quotas_by_weight(c.n_new, np.array([measured[key] for key in keys]))
            if quotas is None:
                raise ValueError(
                    f"{type(self).__name__}: no row of class {c.label!r} has neighbours of "
                    "another class where it needs them (no row in danger / no other-class "
                    "neighbour), so there is nothing to generate from. Use SMOTE for this "
                    "class, or leave it out of samplingStrategy."
                )
            out.update({key: int(n) for key, n in zip(keys, quotas, strict=True)})
        return out


class BorderlineSMOTE(_AdaptiveSMOTE, _KNeighborsParams):
    """Borderline-SMOTE on Spark: synthetic rows only from the rows "in danger".

    A row of a class being oversampled is in danger when at least half, but not all, of its
    ``mNeighbors`` nearest rows of *all* classes belong to other classes; the class's synthetic
    rows are drawn uniformly from its rows in danger. ``kind="borderline-1"``: each steps
    towards one of the base row's ``kNeighbors`` nearest rows of its class,
    ``x + u * (x_nn - x)``, ``u ~ U[0, 1)``; ``"borderline-2"``: half of them (each by a fair
    coin) step instead towards one of its ``kNeighbors`` nearest rows of any class with
    ``u ~ U[0, 0.5)``. A class with no row in danger raises ``ValueError`` (nothing to draw
    from: SMOTE is the tool there).

    The rows of other classes enter the cells of the class as data (each in its nearest cell,
    never a query); a cell takes at most ``maxBucketSize`` of them, a seeded uniform subset
    when more are near, each then standing for ``count / maxBucketSize`` rows in the
    neighbourhood shares (exact when fewer). Other params as :class:`~spark_smote.SMOTE`.

    Examples
    --------
    >>> from spark_smote import BorderlineSMOTE
    >>> rows = [(float(i % 10), float(i // 10), int(i % 10 > 6 and i % 3 == 0)) for i in range(100)]
    >>> df = spark.createDataFrame(rows, ["a", "b", "label"])
    >>> out = BorderlineSMOTE(inputCols=["a", "b"], kNeighbors=3, mNeighbors=6).transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 90), (1, 90)]
    """

    _retired_params: ClassVar[tuple[str, ...]] = ("bucketLength",)  # never read by 0.2 either

    mNeighbors: Param[int] = Param(
        Params._dummy(),
        "mNeighbors",
        "nearest rows of all classes that decide whether a row is in danger (>= 1)",
        typeConverter=TypeConverters.toInt,
    )
    kind: Param[str] = Param(
        Params._dummy(),
        "kind",
        "'borderline-1' (steps towards rows of the class) or 'borderline-2' (half of the "
        "steps towards rows of any class, at most half way)",
        typeConverter=TypeConverters.toString,
    )

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        kNeighbors: int = 5,
        mNeighbors: int = 10,
        kind: str = "borderline-1",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> None:
        super().__init__()
        self._setDefault(mNeighbors=10, kind="borderline-1")
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        kNeighbors: int = 5,
        mNeighbors: int = 10,
        kind: str = "borderline-1",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> BorderlineSMOTE:
        """Sets params for this BorderlineSMOTE."""
        return self._set(**self._input_kwargs)

    def getMNeighbors(self) -> int:
        """Gets the value of mNeighbors or its default value."""
        return self.getOrDefault(self.mNeighbors)

    def setMNeighbors(self, value: int) -> BorderlineSMOTE:
        """Sets the value of :py:attr:`mNeighbors`."""
        return self._set(mNeighbors=value)

    def getKind(self) -> str:
        """Gets the value of kind or its default value."""
        return self.getOrDefault(self.kind)

    def setKind(self, value: str) -> BorderlineSMOTE:
        """Sets the value of :py:attr:`kind`."""
        return self._set(kind=value)

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.getMNeighbors() < 1:
            raise ValueError(f"mNeighbors must be at least 1, got {self.getMNeighbors()}.")
        if self.getKind() not in KINDS:
            raise ValueError(
                f"kind must be 'borderline-1' or 'borderline-2', got {self.getKind()!r}."
            )

    def _neighbours(self) -> tuple[str, int]:
        return "kNeighbors", self.getKNeighbors()

    def _neighbourhood(self) -> int:
        return self.getMNeighbors()

    def _weigh(self) -> Weigh:
        return _danger_weight

    def _towards_others(self) -> bool:
        return self.getKind() == "borderline-2"


class ADASYN(_AdaptiveSMOTE):
    """ADASYN on Spark: each row's share of the synthetic rows is proportional to the fraction
    of other-class rows among its ``nNeighbors`` nearest rows of all classes.

    Base rows are drawn with probability proportional to that fraction (rows with no other-
    class neighbour are never bases); each new row steps towards one of the base row's
    ``nNeighbors`` nearest rows of its class, ``x + u * (x_nn - x)``, ``u ~ U[0, 1)``. Unlike
    imbalanced-learn, whose per-row rounding misses the target, class totals are exact. A class
    none of whose rows has an other-class neighbour raises ``ValueError``. Other-class rows
    enter the cells as in :class:`~spark_smote.BorderlineSMOTE`; other params as
    :class:`~spark_smote.SMOTE`.

    Examples
    --------
    >>> from spark_smote import ADASYN
    >>> rows = [(float(i % 10), float(i // 10), int(i % 10 > 6 and i % 3 == 0)) for i in range(100)]
    >>> df = spark.createDataFrame(rows, ["a", "b", "label"])
    >>> out = ADASYN(inputCols=["a", "b"], nNeighbors=3).transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 90), (1, 90)]
    """

    #: params of 0.2's ADASYN that it never read: dropped when a saved stage is loaded
    _retired_params: ClassVar[tuple[str, ...]] = ("kNeighbors", "bucketLength")

    nNeighbors: Param[int] = Param(
        Params._dummy(),
        "nNeighbors",
        "nearest rows that weigh a row (all classes) and that it steps towards (its class)",
        typeConverter=TypeConverters.toInt,
    )

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        nNeighbors: int = 5,
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> None:
        super().__init__()
        self._setDefault(nNeighbors=5)
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        nNeighbors: int = 5,
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> ADASYN:
        """Sets params for this ADASYN."""
        return self._set(**self._input_kwargs)

    def getNNeighbors(self) -> int:
        """Gets the value of nNeighbors or its default value."""
        return self.getOrDefault(self.nNeighbors)

    def setNNeighbors(self, value: int) -> ADASYN:
        """Sets the value of :py:attr:`nNeighbors`."""
        return self._set(nNeighbors=value)

    def _neighbours(self) -> tuple[str, int]:
        return "nNeighbors", self.getNNeighbors()

    def _neighbourhood(self) -> int:
        return self.getNNeighbors()

    def _weigh(self) -> Weigh:
        return _share
