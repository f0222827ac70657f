"""ADASYN: more synthetic rows where a class is surrounded by other classes."""

from __future__ import annotations

import numpy as np
from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters

from spark_smote.adaptive import Weigh, _AdaptiveSMOTE
from spark_smote.params import DEFAULT_SEED
from spark_smote.smote import SMOTE
from spark_smote.strategy import SamplingStrategy


def _share(share: np.ndarray) -> np.ndarray:
    return share


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
        kwargs = self._input_kwargs
        super(SMOTE, self).__init__()  # SMOTE's keyword_only __init__ would reset the kwargs
        self._setDefault(nNeighbors=5)
        self.setParams(**kwargs)

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

    def getKNeighbors(self) -> int:
        """ADASYN's neighbours are ``nNeighbors``."""
        return self.getNNeighbors()

    def _neighbourhood(self) -> int:
        return self.getNNeighbors()

    def _weigh(self) -> Weigh:
        return _share
