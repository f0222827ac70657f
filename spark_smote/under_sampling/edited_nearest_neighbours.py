"""Edited Nearest Neighbours: remove the rows whose nearest rows disagree with their class."""

from __future__ import annotations

from typing import cast

from pyspark import keyword_only
from pyspark.sql import DataFrame, GroupedData

from spark_smote.engine.cleaning import edited_out_rows
from spark_smote.kernels.cells import ClassCells
from spark_smote.kernels.cleaning import KindSel
from spark_smote.params import DEFAULT_SEED, _EditedParams, _SearchedCellsParams
from spark_smote.strategy import SamplingStrategy
from spark_smote.under_sampling.base import _OnePassCleaning


class EditedNearestNeighbours(_OnePassCleaning, _EditedParams, _SearchedCellsParams):
    """Edited Nearest Neighbours (Wilson's editing) on Spark: removes a row of a class that
    ``samplingStrategy`` names when its ``nNeighbors`` nearest rows of any class (itself
    excluded) are not all of its class (``kindSel="all"``) or their most common class is not
    its class (``kindSel="mode"``; among equally common classes the smallest label wins).

    The rows of all classes share one space of cells learned from a sample (k-means; each row a
    query in its home cell and a guest in its next ``numHashTables - 1`` cells, at most
    ``maxBucketSize`` rows a cell); a row's nearest rows are searched in its home cell, or with
    ``numSearchedCells=m`` in its first ``m`` cells that store it, merged (nearer
    imbalanced-learn's result for about ``m`` times the neighbour search). A table of at most
    ``maxBucketSize`` rows is one cell and gives exactly imbalanced-learn's result, up to the
    order of rows at exactly the same distance (here: by a hash of the row, then its features).
    Kept rows are the input's, untouched; identical rows stay or go together.

    Examples
    --------
    >>> from spark_smote import EditedNearestNeighbours
    >>> rows = [(float(i), 0) for i in range(10)] + [(3.2, 1), (9.5, 1), (20.0, 1), (21.0, 1)]
    >>> df = spark.createDataFrame(rows, ["x", "label"])
    >>> enn = EditedNearestNeighbours(inputCols=["x"], nNeighbors=1)
    >>> sorted(r.x for r in enn.transform(df).filter("label = 0").collect())
    [0.0, 1.0, 2.0, 5.0, 6.0, 7.0, 8.0]
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
        kindSel: str = "all",
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        numSearchedCells: int = 1,
    ) -> None:
        super().__init__()
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
        seed: int = DEFAULT_SEED,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        numSearchedCells: int = 1,
    ) -> EditedNearestNeighbours:
        """Sets params for this EditedNearestNeighbours."""
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_edited()
        self._check_searched_cells()
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
        kind = cast(KindSel, self.getKindSel())
        k, searched = self.getNNeighbors(), self.getNumSearchedCells()
        return edited_out_rows(grouped, cells, dim, targeted, k, kind, searched=searched)
