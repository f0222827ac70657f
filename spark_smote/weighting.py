"""``ClassWeighter``: a weight column for Spark estimators' ``weightCol``, from class counts
(scikit-learn's ``class_weight="balanced"``, or weights given per class)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasLabelCol
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import NumericType

from spark_smote.base import Sampler, SamplingPlan
from spark_smote.engine.columns import quote
from spark_smote.engine.validation import check_batch, collect_stats, label_spec
from spark_smote.kernels.weights import class_weights
from spark_smote.params import _to_label
from spark_smote.persistence import ParamsReadWrite

ClassWeight = str | Mapping[Any, float]


def _to_class_weight(value: Any) -> str | list[list[Any]]:
    """``"balanced"`` or ``[[label, weight], ...]`` (a dict saved JSON-exact, as
    ``samplingStrategy``: JSON object keys would turn labels into strings)."""
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, Mapping):
        value = list(value.items())
    if isinstance(value, (list, tuple)):
        pairs = []
        for pair in value:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise TypeError(f"classWeight pairs must be (label, weight), got {pair!r}")
            pairs.append([_to_label(pair[0]), TypeConverters.toFloat(pair[1])])
        return pairs
    raise TypeError(
        f"classWeight must be 'balanced' or a dict {{label: weight}}, got {type(value).__name__}"
    )


class _ClassWeighterParams(HasLabelCol):
    """Params of :class:`ClassWeighter` (mixin)."""

    weightCol: Param[str] = Param(
        Params._dummy(),
        "weightCol",
        "name of the weight column to add (give its name to an estimator's weightCol)",
        typeConverter=TypeConverters.toString,
    )
    classWeight: Param[Any] = Param(
        Params._dummy(),
        "classWeight",
        "'balanced' (n_rows / (n_classes * n_rows_of_class), as scikit-learn) or a dict "
        "{label: weight} (classes not named weigh 1.0)",
        typeConverter=_to_class_weight,
    )
    inputWeightCol: Param[str] = Param(
        Params._dummy(),
        "inputWeightCol",
        "an existing numeric weight column to multiply by the class weight (None: none)",
        typeConverter=TypeConverters.toString,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(labelCol="label", weightCol="weight", classWeight="balanced")

    def getWeightCol(self) -> str:
        """Gets the value of weightCol or its default value."""
        return self.getOrDefault(self.weightCol)

    def getClassWeight(self) -> ClassWeight:
        """Gets the value of classWeight (a dict comes back as a dict)."""
        value = self.getOrDefault(self.classWeight)
        return value if isinstance(value, str) else {label: w for label, w in value}

    def getInputWeightCol(self) -> str | None:
        """Gets the value of inputWeightCol, or None."""
        return (
            self.getOrDefault(self.inputWeightCol) if self.isDefined(self.inputWeightCol) else None
        )


class ClassWeighter(Sampler, _ClassWeighterParams, ParamsReadWrite):
    """Appends a class weight column for the ``weightCol`` of Spark's estimators: the other
    remedy of imbalance, besides resampling (scikit-learn's ``class_weight``).

    ``classWeight="balanced"`` gives the rows of class ``c`` the weight
    ``n_rows / (n_classes * n_rows_of_c)`` (scikit-learn's ``compute_class_weight``), so every
    class weighs the same in total; a dict ``{label: weight}`` sets the weights of the classes
    it names (the others weigh 1.0). With ``inputWeightCol`` the class weight multiplies that
    column's weight. The rows are unchanged; only the weight column is added (``weightCol``
    must be a new name, or ``inputWeightCol`` itself, which is then replaced by the product).

    A stage of the sampler kind: in :class:`spark_smote.pipeline.Pipeline` it runs while
    fitting and is left out of the fitted model (weights are for training rows).

    Examples
    --------
    >>> from spark_smote import ClassWeighter
    >>> df = spark.createDataFrame([(float(i), int(i < 2)) for i in range(8)], ["x", "label"])
    >>> out = ClassWeighter().transform(df)
    >>> sorted({(r.label, r.weight) for r in out.collect()})
    [(0, 0.6666666666666666), (1, 2.0)]
    """

    @keyword_only
    def __init__(
        self,
        *,
        labelCol: str = "label",
        weightCol: str = "weight",
        classWeight: ClassWeight = "balanced",
        inputWeightCol: str | None = None,
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        labelCol: str = "label",
        weightCol: str = "weight",
        classWeight: ClassWeight = "balanced",
        inputWeightCol: str | None = None,
    ) -> ClassWeighter:
        """Sets params for this ClassWeighter."""
        return self._set(**self._input_kwargs)

    def setLabelCol(self, value: str) -> ClassWeighter:
        """Sets the value of :py:attr:`labelCol`."""
        return self._set(labelCol=value)

    def setWeightCol(self, value: str) -> ClassWeighter:
        """Sets the value of :py:attr:`weightCol`."""
        return self._set(weightCol=value)

    def setClassWeight(self, value: ClassWeight) -> ClassWeighter:
        """Sets the value of :py:attr:`classWeight`."""
        return self._set(classWeight=value)

    def setInputWeightCol(self, value: str | None) -> ClassWeighter:
        """Sets the value of :py:attr:`inputWeightCol`."""
        return self._set(inputWeightCol=value)

    def _validate_params(self) -> None:
        name = type(self).__name__
        if not self.getWeightCol():
            raise ValueError(f"{name}: weightCol must be a column name, got an empty one.")
        weights = self.getClassWeight()
        if isinstance(weights, str) and weights != "balanced":
            raise ValueError(
                f"{name}: classWeight {weights!r} is unknown; use 'balanced' or a dict "
                "{label: weight}."
            )

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Validate ``dataset`` (label, weight columns) and count its classes; the plan's
        counts after are those before (no row is added or removed)."""
        name = type(self).__name__
        self._validate_params()
        check_batch(dataset, name)
        out, given = self.getWeightCol(), self.getInputWeightCol()
        types = {f.name: f.dataType for f in dataset.schema.fields}
        if out in types and out != given:
            raise ValueError(
                f"{name}: weightCol column {out!r} already exists in the input; pick a new name "
                "(or set inputWeightCol to it, to multiply it by the class weights)."
            )
        spec = label_spec(dataset.schema, self.getLabelCol())
        if given is not None:
            if given not in types or not isinstance(types[given], NumericType):
                found = types[given].simpleString() if given in types else "missing"
                raise ValueError(
                    f"{name}: inputWeightCol column {given!r} must be a numeric column of the "
                    f"input ({found})."
                )
            _check_weights(dataset, given, name)
        stats = collect_stats(dataset, spec, name)
        class_weights(stats.counts, self.getClassWeight(), name)  # refuse bad weights now
        return SamplingPlan(name, stats.counts, dict(stats.counts), spec=spec, stats=stats)

    def _resample(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        assert plan.spec is not None
        weights = class_weights(plan.before, self.getClassWeight(), type(self).__name__)
        label = F.col(quote(plan.spec.label))
        weight = None
        for c, w in sorted(weights.items(), key=lambda item: repr(item[0])):
            weight = (F if weight is None else weight).when(label == F.lit(c), F.lit(w))
        assert weight is not None
        given = self.getInputWeightCol()
        if given is not None:
            weight = weight * F.col(quote(given)).cast("double")
        return dataset.withColumn(self.getWeightCol(), weight.cast("double"))


def _check_weights(dataset: DataFrame, column: str, who: str) -> None:
    """``ValueError`` if ``column`` has a null, NaN, infinite or negative weight."""
    w = F.col(quote(column)).cast("double")
    bad = (w.isNull() | F.isnan(w) | (w < 0) | (F.abs(w) == math.inf)).cast("int")
    found = dataset.agg(F.sum(bad)).first()
    if found is not None and found[0]:
        raise ValueError(
            f"{who}: inputWeightCol column {column!r} has {found[0]} null, NaN, infinite or "
            "negative weights; fix them first."
        )
