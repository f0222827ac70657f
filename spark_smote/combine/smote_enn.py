"""SMOTEENN: SMOTE, then Edited Nearest Neighbours cleaning."""

from __future__ import annotations

from pyspark import keyword_only

from spark_smote.combine.base import BaseSMOTECleaning
from spark_smote.params import DEFAULT_SEED, _EditedParams, _SearchedCellsParams
from spark_smote.strategy import SamplingStrategy
from spark_smote.under_sampling import EditedNearestNeighbours


class SMOTEENN(BaseSMOTECleaning, _EditedParams, _SearchedCellsParams):
    """SMOTE followed by Edited Nearest Neighbours cleaning, as imbalanced-learn's ``SMOTEENN``:
    exactly ``SMOTE`` with these params and seed, then
    ``EditedNearestNeighbours(samplingStrategy="all", nNeighbors=..., kindSel=...)`` (same
    features, label, seed, ``maxBucketSize``, ``numHashTables``, ``numSearchedCells``) on its
    output. ``syntheticCol``, if set, survives on the kept rows.

    Examples
    --------
    >>> from spark_smote import SMOTEENN
    >>> rows = [(float(i % 10), float(i // 10), int(i % 10 > 6 and i % 3 == 0)) for i in range(100)]
    >>> df = spark.createDataFrame(rows, ["a", "b", "label"])
    >>> out = SMOTEENN(inputCols=["a", "b"], kNeighbors=3, nNeighbors=3).transform(df)
    >>> out.count() <= 180
    True
    """

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        kNeighbors: int = 5,
        samplingStrategy: SamplingStrategy = "auto",
        nNeighbors: int = 3,
        kindSel: str = "all",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
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
        kNeighbors: int = 5,
        samplingStrategy: SamplingStrategy = "auto",
        nNeighbors: int = 3,
        kindSel: str = "all",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        numSearchedCells: int = 1,
    ) -> SMOTEENN:
        """Sets params for this SMOTEENN."""
        return self._set(**self._input_kwargs)

    def _cleaner(self) -> EditedNearestNeighbours:
        return EditedNearestNeighbours(
            **self._shared(),
            nNeighbors=self.getNNeighbors(),
            kindSel=self.getKindSel(),
            numSearchedCells=self.getNumSearchedCells(),
        )
