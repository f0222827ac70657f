"""Borderline-SMOTE: SMOTE from the rows of a class that lie where the classes meet."""

from __future__ import annotations

import numpy as np
from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters

from spark_smote.adaptive import Weigh, _AdaptiveSMOTE
from spark_smote.kernel import in_danger
from spark_smote.params import DEFAULT_SEED
from spark_smote.smote import SMOTE
from spark_smote.strategy import SamplingStrategy

KINDS = ("borderline-1", "borderline-2")


def _danger_weight(share: np.ndarray) -> np.ndarray:
    return in_danger(share).astype(float)


class BorderlineSMOTE(_AdaptiveSMOTE):
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
        kwargs = self._input_kwargs
        super(SMOTE, self).__init__()  # SMOTE's keyword_only __init__ would reset the kwargs
        self._setDefault(mNeighbors=10, kind="borderline-1")
        self.setParams(**kwargs)

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

    def _neighbourhood(self) -> int:
        return self.getMNeighbors()

    def _weigh(self) -> Weigh:
        return _danger_weight

    def _towards_others(self) -> bool:
        return self.getKind() == "borderline-2"
