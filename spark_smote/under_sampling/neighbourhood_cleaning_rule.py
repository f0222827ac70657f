"""Neighbourhood Cleaning Rule: Edited Nearest Neighbours' removals, and the rows of larger
classes around the minority rows that their neighbours misclassify."""

from __future__ import annotations

from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame, GroupedData

from spark_smote.engine.cleaning import neighbourhood_cleaned_rows
from spark_smote.kernels.cells import ClassCells
from spark_smote.params import DEFAULT_SEED, _NNeighborsParams
from spark_smote.strategy import SamplingStrategy
from spark_smote.strategy import minority as minority_class
from spark_smote.under_sampling.base import _OnePassCleaning


def classes_to_clean(
    counts: list[int], targeted: list[int], threshold: float
) -> tuple[int, list[int]]:
    """``(minority, cleaned)``: the position of the class of fewest rows (the first among
    equals: the smallest label), and the ``targeted`` classes with more than ``threshold``
    times its rows, whose rows near a misclassified minority row are removed."""
    minority = minority_class(dict(enumerate(counts)))
    return minority, [i for i in targeted if counts[i] > threshold * counts[minority]]


class NeighbourhoodCleaningRule(_OnePassCleaning, _NNeighborsParams):
    """The Neighbourhood Cleaning Rule (Laurikkala 2001) on Spark, as imbalanced-learn's
    ``NeighbourhoodCleaningRule`` (0.12 and later) in one pass over the cells.

    Removes the rows of the classes ``samplingStrategy`` names (``"auto"``: all but the
    minority) that :class:`EditedNearestNeighbours` with ``kindSel="mode"`` removes, and,
    for each minority row that a vote of its ``nNeighbors`` nearest rows misclassifies (the
    row itself among them, as a k-nearest-neighbour classifier predicting the rows it was fitted
    on), its ``nNeighbors`` nearest rows (itself excluded) of those named classes that have
    more than ``thresholdCleaning`` times the minority's rows. Votes tie to the smallest
    label. The minority is the class of fewest rows (the smallest label among equals;
    imbalanced-learn takes the first one met in the rows).

    Cells as :class:`EditedNearestNeighbours`' (a table of at most ``maxBucketSize`` rows:
    one cell, imbalanced-learn's exact result); kept rows are the input's, untouched.

    Examples
    --------
    >>> from spark_smote import NeighbourhoodCleaningRule
    >>> rows = [(float(i), 0) for i in range(12)] + [(2.4, 1), (2.7, 1), (8.4, 1), (30.0, 1)]
    >>> df = spark.createDataFrame(rows, ["x", "label"])
    >>> ncr = NeighbourhoodCleaningRule(inputCols=["x"], nNeighbors=3)
    >>> sorted(r.x for r in ncr.transform(df).filter("label = 0").collect())
    [0.0, 1.0, 4.0, 5.0, 6.0]
    """

    thresholdCleaning: Param[float] = Param(
        Params._dummy(),
        "thresholdCleaning",
        "a class's rows near misclassified minority rows are removed when it has more than "
        "this times the minority's rows (>= 0)",
        typeConverter=TypeConverters.toFloat,
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
        thresholdCleaning: float = 0.5,
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> None:
        super().__init__()
        self._setDefault(thresholdCleaning=0.5)
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
        thresholdCleaning: float = 0.5,
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
    ) -> NeighbourhoodCleaningRule:
        """Sets params for this NeighbourhoodCleaningRule."""
        return self._set(**self._input_kwargs)

    def getThresholdCleaning(self) -> float:
        """Gets the value of thresholdCleaning or its default value."""
        return self.getOrDefault(self.thresholdCleaning)

    def setThresholdCleaning(self, value: float) -> NeighbourhoodCleaningRule:
        """Sets the value of :py:attr:`thresholdCleaning`."""
        return self._set(thresholdCleaning=value)

    def _validate_params(self) -> None:
        self._check_n_neighbors()
        t = self.getThresholdCleaning()
        if not t >= 0:
            raise ValueError(f"thresholdCleaning must be a number >= 0, got {t}.")
        super()._validate_params()

    def _neighbours(self) -> tuple[str | None, int]:
        return "nNeighbors", self.getNNeighbors()

    def _removed(
        self,
        grouped: GroupedData,
        cells: ClassCells,
        dim: int,
        targeted: list[int],
        counts: list[int],
    ) -> DataFrame:
        minority, cleaned = classes_to_clean(counts, targeted, self.getThresholdCleaning())
        k = self.getNNeighbors()
        return neighbourhood_cleaned_rows(grouped, cells, dim, targeted, k, minority, cleaned)
