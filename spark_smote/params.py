"""The Params mixins the samplers are built from, with their defaults, getters, setters and checks.

As pyspark's ``pyspark.ml.param.shared``: each mixin holds camelCase ``Param``s with type
converters; a sampler class mixes in the ones it has. Params of one sampler only (``kind``,
``shrinkage``, ...) live on that sampler's class.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasFeaturesCol, HasInputCols, HasLabelCol, HasSeed

from spark_smote.kernels.cleaning import KIND_SEL
from spark_smote.kernels.knn import MAX_CELL_ROWS
from spark_smote.strategy import STRATEGY_NAMES, SamplingStrategy, SamplingType

#: Fixed default seed: pyspark's ``HasSeed`` default is a per-process string hash.
DEFAULT_SEED = 42
OTHER_COLUMNS_MODES = ("null", "copy")
#: the concrete stage a setter returns (setters return ``self`` for chaining)
P = TypeVar("P", bound=Params)


def _to_label(value: Any) -> Any:
    """A dict key as a plain JSON-safe Python value (numpy scalars unwrapped)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (str, numbers.Real)):
        raise TypeError(f"samplingStrategy keys must be numbers or strings, got {value!r}")
    return value


def to_auto_or_float(value: Any) -> str | float:
    """``"auto"`` or a float (a param's type converter; ``TypeError`` otherwise)."""
    if value == "auto":
        return "auto"
    try:
        return float(value)
    except (TypeError, ValueError) as e:
        raise TypeError(f"expected 'auto' or a number, got {value!r}") from e


def _to_sampling_strategy(value: Any) -> str | float | list[Any]:
    """Store a strategy in a JSON-exact form.

    A dict becomes a list of ``[label, count]`` pairs, because JSON object keys are always
    strings and a saved ``{1: 100}`` would load as ``{"1": 100}``; a list of labels (cleaning
    samplers) stays a list of labels.
    """
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, Mapping):
        value = list(value.items())
    if isinstance(value, (list, tuple)):
        if value and not any(isinstance(v, (list, tuple)) for v in value):
            return [_to_label(label) for label in value]
        pairs = []
        for pair in value:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise TypeError(f"samplingStrategy pairs must be (label, count), got {pair!r}")
            label, count = pair
            pairs.append([_to_label(label), TypeConverters.toInt(count)])
        return pairs
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            "samplingStrategy must be a string, a float, a dict or a list of labels, got "
            f"{type(value).__name__}"
        )
    return float(value)


class _SamplerParams(HasLabelCol, HasSeed):
    """Params every sampler has: the label, the sampling strategy and the seed (mixin)."""

    #: what the sampler does to the classes ``samplingStrategy`` selects
    _sampling_type: ClassVar[SamplingType] = "over-sampling"

    samplingStrategy: Param[Any] = Param(
        Params._dummy(),
        "samplingStrategy",
        "which classes to resample and to what count: a name ('auto', 'minority', "
        "'majority', 'not minority', 'not majority', 'all', as the sampler allows); a float in "
        "(0, 1] (binary only: desired minority / majority ratio); or a dict "
        "{label: desired final count}",
        typeConverter=_to_sampling_strategy,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(labelCol="label", samplingStrategy="auto", seed=DEFAULT_SEED)

    def _get_or_none(self, param: Param) -> Any:
        return self.getOrDefault(param) if self.isDefined(param) else None

    def getSamplingStrategy(self) -> SamplingStrategy:
        """Gets the value of samplingStrategy (a dict strategy comes back as a dict, a list of
        labels as a list)."""
        value = self.getOrDefault(self.samplingStrategy)
        if isinstance(value, list) and all(isinstance(v, list) for v in value):
            return {label: count for label, count in value}
        return value

    def setLabelCol(self: P, value: str) -> P:
        """Sets the value of :py:attr:`labelCol`."""
        return self._set(labelCol=value)

    def setSamplingStrategy(self: P, value: SamplingStrategy) -> P:
        """Sets the value of :py:attr:`samplingStrategy`."""
        return self._set(samplingStrategy=value)

    def setSeed(self: P, value: int) -> P:
        """Sets the value of :py:attr:`seed`."""
        return self._set(seed=value)

    def _validate_params(self) -> None:
        """Check every param value; raise ``ValueError`` naming the param."""
        name = type(self).__name__
        strategy = self.getSamplingStrategy()
        names = STRATEGY_NAMES[self._sampling_type]
        if self._sampling_type == "clean-sampling":
            named = isinstance(strategy, str) and strategy in names
            if not named and not (isinstance(strategy, list) and strategy):
                raise ValueError(
                    f"{name}: samplingStrategy must be one of "
                    f"{', '.join(repr(s) for s in names)} or a non-empty list of labels, got "
                    f"{strategy!r}: a cleaning sampler removes the rows its rule finds, it does "
                    "not aim at counts or ratios."
                )
        elif isinstance(strategy, list):
            raise ValueError(
                f"{name}: samplingStrategy as a list of labels is for cleaning samplers; give "
                "a dict {label: count} or a name."
            )
        elif isinstance(strategy, str) and strategy not in names:
            raise ValueError(
                f"samplingStrategy {strategy!r} is not known to {name}; use one of "
                f"{', '.join(repr(s) for s in names)}, a float in (0, 1] or a dict "
                "{label: count}."
            )
        if isinstance(strategy, float) and not 0.0 < strategy <= 1.0:
            raise ValueError(
                f"{name}: samplingStrategy as a float must be in (0, 1], got {strategy}."
            )
        if isinstance(strategy, dict):
            if not strategy:
                raise ValueError(
                    f"{name}: samplingStrategy is an empty dict: name at least one class."
                )
            bad = {c: n for c, n in strategy.items() if n < 0}
            if bad:
                raise ValueError(f"{name}: samplingStrategy counts must not be negative: {bad}.")
        if self.getSeed() < 0:
            raise ValueError(f"{name}: seed must not be negative, got {self.getSeed()}.")


class _FeatureColsParams(HasFeaturesCol, HasInputCols, _SamplerParams):
    """Params of samplers that read features: a Vector column or numeric columns (mixin)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(featuresCol="features")

    def getInputCols(self) -> list[str] | None:  # type: ignore[override]
        """Gets the value of inputCols, or None when the features come from featuresCol."""
        return self._get_or_none(self.inputCols)

    def setFeaturesCol(self: P, value: str) -> P:
        """Sets the value of :py:attr:`featuresCol`."""
        return self._set(featuresCol=value)

    def setInputCols(self: P, value: list[str] | None) -> P:
        """Sets the value of :py:attr:`inputCols` (None: use featuresCol)."""
        return self._set(inputCols=value)

    def _validate_params(self) -> None:
        super()._validate_params()
        cols = self.getInputCols()
        if cols is not None and len(cols) == 0:
            raise ValueError(
                f"{type(self).__name__}: inputCols is empty: give at least one column, or use "
                "featuresCol."
            )


class _FeatureParams(_FeatureColsParams):
    """Params of samplers that read features and add rows: features and the flag column."""

    syntheticCol: Param[str] = Param(
        Params._dummy(),
        "syntheticCol",
        "if set, name of a boolean column appended last: True on synthetic rows",
        typeConverter=TypeConverters.toString,
    )

    def getSyntheticCol(self) -> str | None:
        """Gets the value of syntheticCol, or None."""
        return self._get_or_none(self.syntheticCol)

    def setSyntheticCol(self: P, value: str | None) -> P:
        """Sets the value of :py:attr:`syntheticCol` (None: no flag column)."""
        return self._set(syntheticCol=value)


class _KNeighborsParams(Params):
    """``kNeighbors``: the neighbours a synthetic row may step towards (mixin)."""

    kNeighbors: Param[int] = Param(
        Params._dummy(),
        "kNeighbors",
        "number of nearest same-class rows a synthetic row may be drawn towards (>= 1)",
        typeConverter=TypeConverters.toInt,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(kNeighbors=5)

    def getKNeighbors(self) -> int:
        """Gets the value of kNeighbors or its default value."""
        return self.getOrDefault(self.kNeighbors)

    def setKNeighbors(self: P, value: int) -> P:
        """Sets the value of :py:attr:`kNeighbors`."""
        return self._set(kNeighbors=value)


class _BucketLengthParams(Params):
    """``bucketLength``: accepted and ignored, so that stages saved by 0.1 load (mixin)."""

    bucketLength: Param[float] = Param(
        Params._dummy(),
        "bucketLength",
        "ignored: the width of the random-projection slabs of spark_smote 0.1, kept so that "
        "saved stages still load",
        typeConverter=TypeConverters.toFloat,
    )

    def getBucketLength(self) -> float | None:
        """Gets the value of bucketLength, or None (ignored since 0.2)."""
        return self.getOrDefault(self.bucketLength) if self.isDefined(self.bucketLength) else None

    def setBucketLength(self: P, value: float | None) -> P:
        """Sets the value of :py:attr:`bucketLength` (accepted for saved models; ignored)."""
        return self._set(bucketLength=value)

    def _check_bucket_length(self) -> None:
        length = self.getBucketLength()
        if length is not None and not (length > 0 and math.isfinite(length)):
            raise ValueError(f"bucketLength must be a positive number or None, got {length}.")


class _CellParams(_SamplerParams):
    """Params of the cell engine: how many rows a cell holds and how many cells a row is in
    (mixin; the relation to the neighbours is checked by :meth:`_check_cells`)."""

    maxBucketSize: Param[int] = Param(
        Params._dummy(),
        "maxBucketSize",
        "most rows (home rows and guests) in one cell of the learned hash, where neighbours "
        "are exact; a class (for a cleaning sampler: the whole table) with at most this many "
        "rows is one cell, so its neighbours are exact",
        typeConverter=TypeConverters.toInt,
    )
    numHashTables: Param[int] = Param(
        Params._dummy(),
        "numHashTables",
        "cells each row is stored in: its home cell (where it is a query) and its next "
        "numHashTables - 1 nearest cells as a guest (only data): more, better neighbours at more "
        "work (>= 1)",
        typeConverter=TypeConverters.toInt,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(maxBucketSize=30_000, numHashTables=6)

    def getMaxBucketSize(self) -> int:
        """Gets the value of maxBucketSize or its default value."""
        return self.getOrDefault(self.maxBucketSize)

    def getNumHashTables(self) -> int:
        """Gets the value of numHashTables or its default value."""
        return self.getOrDefault(self.numHashTables)

    def setMaxBucketSize(self: P, value: int) -> P:
        """Sets the value of :py:attr:`maxBucketSize`."""
        return self._set(maxBucketSize=value)

    def setNumHashTables(self: P, value: int) -> P:
        """Sets the value of :py:attr:`numHashTables`."""
        return self._set(numHashTables=value)

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.getNumHashTables() < 1:
            raise ValueError(f"numHashTables must be at least 1, got {self.getNumHashTables()}.")

    def _check_cells(self, param: str | None, k: int) -> None:
        """``k`` neighbours (the value of ``param``; None: fixed by the sampler's rule) fit the
        cells ``maxBucketSize`` allows."""
        if k < 1:
            raise ValueError(f"{param} must be at least 1, got {k}.")
        max_size = self.getMaxBucketSize()
        if max_size < 2 * (k + 1):
            need = (
                f"{param}={k}: it must be at least 2 * ({param} + 1)"
                if param
                else (
                    f"{type(self).__name__}'s {k} nearest row(s): it must be at least 2 * ({k} + 1)"
                )
            )
            raise ValueError(
                f"maxBucketSize={max_size} is too small for {need} = {2 * (k + 1)}, so that "
                "every part of a split cell keeps k neighbours per row."
            )
        if max_size > MAX_CELL_ROWS:
            raise ValueError(
                f"maxBucketSize={max_size} is too large: a Python worker holds a whole cell and "
                f"its distance blocks in memory; use at most {MAX_CELL_ROWS}."
            )


class _EngineParams(_FeatureParams, _CellParams):
    """Params of the oversamplers that run on the cell engine (mixin, no behaviour)."""

    otherColumns: Param[str] = Param(
        Params._dummy(),
        "otherColumns",
        "columns that are neither features nor label on synthetic rows: 'null' leaves them "
        "null, 'copy' copies them from the row each synthetic row was made from",
        typeConverter=TypeConverters.toString,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(otherColumns="null")

    def getOtherColumns(self) -> str:
        """Gets the value of otherColumns or its default value."""
        return self.getOrDefault(self.otherColumns)

    def setOtherColumns(self: P, value: str) -> P:
        """Sets the value of :py:attr:`otherColumns`: ``"null"`` or ``"copy"``."""
        return self._set(otherColumns=value)

    def _validate_params(self) -> None:
        """Check every param value; raise ``ValueError`` naming the param."""
        super()._validate_params()
        mode = self.getOtherColumns()
        if mode not in OTHER_COLUMNS_MODES:
            raise ValueError(f"otherColumns must be 'null' or 'copy', got {mode!r}.")


class _CleaningParams(_FeatureColsParams, _CellParams):
    """Params of the cleaning under-samplers: features, label, strategy, seed, cells (mixin)."""

    _sampling_type = "clean-sampling"


class _SearchedCellsParams(Params):
    """``numSearchedCells``: the cells a row's nearest rows are searched in (mixin: TomekLinks,
    EditedNearestNeighbours)."""

    numSearchedCells: Param[int] = Param(
        Params._dummy(),
        "numSearchedCells",
        "cells each row's nearest rows are searched in, merged: its home cell and its next "
        "nearest cells that store it as a guest (at most numHashTables); more: nearer the "
        "exact nearest rows, for a neighbour search per cell and a merge by row (>= 1)",
        typeConverter=TypeConverters.toInt,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(numSearchedCells=1)

    def getNumSearchedCells(self) -> int:
        """Gets the value of numSearchedCells or its default value."""
        return self.getOrDefault(self.numSearchedCells)

    def setNumSearchedCells(self: P, value: int) -> P:
        """Sets the value of :py:attr:`numSearchedCells`."""
        return self._set(numSearchedCells=value)

    def _check_searched_cells(self) -> None:
        if self.getNumSearchedCells() < 1:
            raise ValueError(
                f"numSearchedCells must be at least 1 (1: each row's home cell only), got "
                f"{self.getNumSearchedCells()}."
            )


class _NNeighborsParams(Params):
    """``nNeighbors``: the nearest rows of all classes a cleaning rule looks at (mixin)."""

    nNeighbors: Param[int] = Param(
        Params._dummy(),
        "nNeighbors",
        "nearest rows (of all classes, the row itself excluded) that decide whether a row stays",
        typeConverter=TypeConverters.toInt,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(nNeighbors=3)

    def getNNeighbors(self) -> int:
        """Gets the value of nNeighbors or its default value."""
        return self.getOrDefault(self.nNeighbors)

    def setNNeighbors(self: P, value: int) -> P:
        """Sets the value of :py:attr:`nNeighbors`."""
        return self._set(nNeighbors=value)

    def _check_n_neighbors(self) -> None:
        if self.getNNeighbors() < 1:
            raise ValueError(f"nNeighbors must be at least 1, got {self.getNNeighbors()}.")


class _EditedParams(_NNeighborsParams):
    """``nNeighbors`` and ``kindSel`` of Edited Nearest Neighbours (mixin: EditedNearestNeighbours,
    SMOTEENN, RepeatedEditedNearestNeighbours, AllKNN)."""

    kindSel: Param[str] = Param(
        Params._dummy(),
        "kindSel",
        "'all': a row stays only if all its nNeighbors nearest rows are of its class; 'mode': "
        "if the most common class among them is its class (ties: the smallest label)",
        typeConverter=TypeConverters.toString,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(kindSel="all")

    def getKindSel(self) -> str:
        """Gets the value of kindSel or its default value."""
        return self.getOrDefault(self.kindSel)

    def setKindSel(self: P, value: str) -> P:
        """Sets the value of :py:attr:`kindSel`: ``"all"`` or ``"mode"``."""
        return self._set(kindSel=value)

    def _check_edited(self) -> None:
        self._check_n_neighbors()
        if self.getKindSel() not in KIND_SEL:
            raise ValueError(f"kindSel must be 'all' or 'mode', got {self.getKindSel()!r}.")
