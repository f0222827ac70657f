"""SMOTETomek: SMOTE, then the rows in Tomek links removed."""

from __future__ import annotations

from pyspark import keyword_only

from spark_smote.combine.base import BaseSMOTECleaning
from spark_smote.params import DEFAULT_SEED, _SearchedCellsParams
from spark_smote.strategy import SamplingStrategy
from spark_smote.under_sampling import TomekLinks


class SMOTETomek(BaseSMOTECleaning, _SearchedCellsParams):
    """SMOTE followed by Tomek-link cleaning, as imbalanced-learn's ``SMOTETomek``: exactly
    ``SMOTE`` with these params and seed, then ``TomekLinks(samplingStrategy="all")`` (same
    features, label, seed, ``maxBucketSize``, ``numHashTables``, ``numSearchedCells``) on its
    output, so rows of any class, original or synthetic, that are in a Tomek link are removed.
    ``syntheticCol``, if set, survives on the kept rows.

    Examples
    --------
    >>> from spark_smote import SMOTETomek
    >>> rows = [(float(i % 10), float(i // 10), int(i % 10 > 6 and i % 3 == 0)) for i in range(100)]
    >>> df = spark.createDataFrame(rows, ["a", "b", "label"])
    >>> out = SMOTETomek(inputCols=["a", "b"], kNeighbors=3, syntheticCol="new").transform(df)
    >>> out.filter("NOT new").count() <= 100 and out.count() <= 180
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
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        otherColumns: str = "null",
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        numSearchedCells: int = 1,
    ) -> SMOTETomek:
        """Sets params for this SMOTETomek."""
        return self._set(**self._input_kwargs)

    def _cleaner(self) -> TomekLinks:
        return TomekLinks(**self._shared(), numSearchedCells=self.getNumSearchedCells())
