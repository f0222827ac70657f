"""Condensed Nearest Neighbour (Hart 1968) and One-Sided Selection (Kubat and Matwin 1997):
each class kept down to the rows a nearest-neighbour rule on the minority needs."""

from __future__ import annotations

from typing import Any

import numpy as np
from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame, GroupedData
from pyspark.sql import functions as F

from spark_smote.base import SamplingPlan
from spark_smote.engine.cleaning import space_rows
from spark_smote.engine.columns import KEY, KEY2, ORDER, Y, per_class
from spark_smote.engine.draws import class_draws, cuts, hashed
from spark_smote.engine.reference import Seeds, condensed_rows
from spark_smote.engine.rows import features_of
from spark_smote.engine.selection import kept_rows
from spark_smote.params import DEFAULT_SEED
from spark_smote.strategy import SamplingStrategy
from spark_smote.strategy import minority as minority_class
from spark_smote.under_sampling.minority_reference import _MinorityReference
from spark_smote.under_sampling.tomek_links import TomekLinks


class _Condensing(_MinorityReference):
    """Base of CondensedNearestNeighbour and OneSidedSelection (private): per class that
    ``samplingStrategy`` names, ``C`` = the minority's rows and ``nSeedsS`` seed rows of the
    class (its rows of smallest seeded hash), and the class's rows a ``nNeighbors``-nearest
    rule on ``C`` misclassifies."""

    _sampling_type = "clean-sampling"
    _sequential = False

    nSeedsS: Param[int] = Param(
        Params._dummy(),
        "nSeedsS",
        "rows of each cleaned class in the starting set, with the minority's rows (>= 1)",
        typeConverter=TypeConverters.toInt,
    )

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(nNeighbors=1, nSeedsS=1)

    def getNSeedsS(self) -> int:
        """Gets the value of nSeedsS or its default value."""
        return self.getOrDefault(self.nSeedsS)

    def setNSeedsS(self, value: int) -> Any:
        """Sets the value of :py:attr:`nSeedsS`."""
        return self._set(nSeedsS=value)

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.getNSeedsS() < 1:
            raise ValueError(
                f"{type(self).__name__}: nSeedsS must be at least 1, got {self.getNSeedsS()}."
            )

    def _minority_need(self) -> int:
        return self.getNNeighbors()

    def _seeds(self, dataset: DataFrame, plan: SamplingPlan, reduced: list[Any]) -> Seeds:
        """The seed rows of each class of ``reduced``: the ``nSeedsS`` rows of smallest seeded
        hash (one pass for the cut, one for the rows, filtered after their projection; a few
        rows reach the driver)."""
        assert plan.spec is not None and plan.stats is not None
        labels, dim = sorted(plan.before), plan.stats.dim
        wanted = {c: min(self.getNSeedsS(), plan.before[c]) for c in reduced}
        draws = class_draws(plan.before, wanted)
        seed, label = self.getSeed(), plan.spec.label
        found = cuts(hashed(dataset, label, draws, seed), draws)
        below = per_class(  # null for the other classes' rows: dropped
            draws, lambda d: F.col(ORDER) <= F.lit(found[d.index].value).cast("long"), F.col(Y)
        )
        got = space_rows(dataset, plan.spec, labels, dim, seed).filter(below).collect()
        seeds: Seeds = {}
        for c in reduced:
            ranked = sorted(
                (r for r in got if r[Y] == labels.index(c)),
                key=lambda r: (r[ORDER], r[KEY], r[KEY2]),
            )
            mine = ranked[: wanted[c]]
            x = features_of(mine, dim)
            ids = np.array([[r[KEY], r[KEY2]] for r in mine], dtype=np.int64).reshape(-1, 2)
            seeds[labels.index(c)] = (x, ids)
        return seeds

    def _condensed(self, dataset: DataFrame, plan: SamplingPlan) -> tuple[DataFrame, list[Any]]:
        """The output of the condensing step, and the classes it cleaned."""
        assert plan.spec is not None and plan.stats is not None
        labels = sorted(plan.before)
        reduced = sorted(self._targeted(plan.before))
        seeds = self._seeds(dataset, plan, reduced)
        minority = labels.index(minority_class(plan.before))
        queried = [labels.index(c) for c in reduced]
        dim, k, sequential = plan.stats.dim, self.getNNeighbors(), self._sequential

        def rule(grouped: GroupedData) -> DataFrame:
            return condensed_rows(grouped, dim, queried, minority, seeds, k, sequential)

        kept = self._passed(dataset, plan, reduced, rule)
        assert plan.keeper is not None
        return kept_rows(dataset, plan.spec.label, reduced, kept, plan.keeper), reduced


class CondensedNearestNeighbour(_Condensing):
    """Condensed Nearest Neighbour on Spark, as imbalanced-learn's
    ``CondensedNearestNeighbour``: each class ``samplingStrategy`` names (``"auto"``: all but
    the minority) keeps the rows that a ``nNeighbors``-nearest classifier needs to classify its
    rows against the minority.

    Per class, ``C`` starts as the minority's rows and ``nSeedsS`` seed rows of the class; each
    row of the class in turn (in the stable order of the rows: a hash of the row, then its
    features) that a ``nNeighbors``-nearest vote on ``C`` misclassifies joins ``C``; after each
    addition every row is classified again and the rows classified well are skipped for good
    (imbalanced-learn's speed-up). The class keeps the rows that end in ``C``; the other
    classes' rows are all kept, untouched.

    CNN is sequential within a class: here it runs on each part of each minority cell on its
    own (from the same seeds), so on more than one part a row added in one part does not
    teach the others and more rows are kept than one process would keep (measured in the
    docs). On one cell and one part (at most ``maxBucketSize`` rows of the class and of the
    minority) it is imbalanced-learn's algorithm on the rows in that order.

    The minority is the class of fewest rows (the smallest label among equals). Seeds: the
    ``nSeedsS`` rows of each class with the smallest hash of the row and ``seed`` (so the same
    seed gives the same rows whatever the partitioning; imbalanced-learn draws them at random,
    with replacement). Votes between the minority and the class tie to the smaller label; at
    equal distances the minority's row is the nearer (imbalanced-learn: the first in ``C``).

    The minority's rows are in bounded cells (one cell up to ``maxBucketSize`` rows: then ``C``
    is the whole minority, as imbalanced-learn's), the rows to clean in their nearest cell, in
    parts of at most ``maxBucketSize`` rows; each part is classified against its cell's minority
    rows (home and guests) and the seeds.

    Examples
    --------
    >>> from spark_smote import CondensedNearestNeighbour
    >>> rows = [(float(i), 0) for i in range(10)] + [(4.4, 1), (5.6, 1), (20.0, 1)]
    >>> df = spark.createDataFrame(rows, ["x", "label"])
    >>> out = CondensedNearestNeighbour(inputCols=["x"]).transform(df)
    >>> out.filter("label = 0").count() < 10
    True
    """

    _sequential = True

    @keyword_only
    def __init__(
        self,
        *,
        nNeighbors: int = 1,
        nSeedsS: int = 1,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        nNeighbors: int = 1,
        nSeedsS: int = 1,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> CondensedNearestNeighbour:
        """Sets params for this CondensedNearestNeighbour."""
        return self._set(**self._input_kwargs)

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        return self._condensed(dataset, plan)[0]


class OneSidedSelection(_Condensing):
    """One-Sided Selection on Spark, as imbalanced-learn's ``OneSidedSelection``: each class
    ``samplingStrategy`` names (``"auto"``: all but the minority) keeps its ``nSeedsS`` seed
    rows and the rows that a ``nNeighbors``-nearest classifier fitted on ``C`` = the minority's
    rows and those seeds misclassifies; then :class:`TomekLinks` removes the rows of those
    classes in a Tomek link of what is left. The other classes' rows are all kept, untouched.

    The minority is the class of fewest rows (the smallest label among equals). Seeds: the
    ``nSeedsS`` rows of each class with the smallest hash of the row and ``seed`` (so the same
    seed gives the same rows whatever the partitioning; imbalanced-learn draws them at random,
    with replacement). Votes between the minority and the class tie to the smaller label; at
    equal distances the minority's row is the nearer (imbalanced-learn: the first in ``C``).

    The minority's rows are in bounded cells (one cell up to ``maxBucketSize`` rows: then ``C``
    is the whole minority, as imbalanced-learn's), the rows to clean in their nearest cell, in
    parts of at most ``maxBucketSize`` rows; each part is classified against its cell's minority
    rows (home and guests) and the seeds.

    The Tomek-link step runs as :class:`TomekLinks` does (same ``maxBucketSize``,
    ``numHashTables``, ``seed``), on the rows the first step keeps.

    Examples
    --------
    >>> from spark_smote import OneSidedSelection
    >>> rows = [(float(i), 0) for i in range(10)] + [(4.4, 1), (5.6, 1), (20.0, 1)]
    >>> df = spark.createDataFrame(rows, ["x", "label"])
    >>> out = OneSidedSelection(inputCols=["x"]).transform(df)
    >>> out.filter("label = 0").count() < 10
    True
    """

    @keyword_only
    def __init__(
        self,
        *,
        nNeighbors: int = 1,
        nSeedsS: int = 1,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        nNeighbors: int = 1,
        nSeedsS: int = 1,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> OneSidedSelection:
        """Sets params for this OneSidedSelection."""
        return self._set(**self._input_kwargs)

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        first, cleaned = self._condensed(dataset, plan)
        assert plan.keeper is not None
        first = plan.keeper.keep(first)  # TomekLinks' passes read one kept table
        tomek = TomekLinks(
            featuresCol=self.getFeaturesCol(),
            labelCol=self.getLabelCol(),
            samplingStrategy=cleaned,
            seed=self.getSeed(),
            maxBucketSize=self.getMaxBucketSize(),
            numHashTables=self.getNumHashTables(),
            numSearchedCells=1,  # the home cell, as OneSidedSelection was measured
        )
        if self.getInputCols():
            tomek.setInputCols(self.getInputCols())
        return tomek.transform(first)
