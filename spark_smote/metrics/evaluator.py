"""``ImbalancedClassificationEvaluator``: imbalanced-learn's and scikit-learn's imbalance-aware
metrics as a Spark ML ``Evaluator``, from one aggregation pass over the predictions."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pyspark import keyword_only
from pyspark.ml.evaluation import Evaluator
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasLabelCol, HasPredictionCol, HasWeightCol
from pyspark.sql import DataFrame

from spark_smote.engine.confusion import confusion_matrix
from spark_smote.kernels import metrics as m
from spark_smote.persistence import ParamsReadWrite

#: metricName -> the metric of a confusion matrix (with ``alpha`` and the class of
#: ``metricLabel``'s position where it takes them)
METRICS: dict[str, Callable[[m.Confusion, float, int], float]] = {
    "geometricMean": lambda c, alpha, i: m.geometric_mean(c),
    "balancedAccuracy": lambda c, alpha, i: m.balanced_accuracy(c),
    "indexBalancedAccuracy": lambda c, alpha, i: m.index_balanced_accuracy(c, alpha),
    "sensitivityByLabel": lambda c, alpha, i: float(c.sensitivity()[i]),
    "specificityByLabel": lambda c, alpha, i: float(c.specificity()[i]),
    "macroF1": lambda c, alpha, i: m.macro_f1(c),
    "matthewsCorrelation": lambda c, alpha, i: m.matthews_correlation(c),
}
BY_LABEL = ("sensitivityByLabel", "specificityByLabel")


class _ImbalancedEvaluatorParams(HasLabelCol, HasPredictionCol, HasWeightCol):
    """Params of :class:`ImbalancedClassificationEvaluator` (mixin)."""

    metricName: Param[str] = Param(
        Params._dummy(),
        "metricName",
        f"metric name in evaluation ({' | '.join(METRICS)})",
        typeConverter=TypeConverters.toString,
    )
    metricLabel: Param[float] = Param(
        Params._dummy(),
        "metricLabel",
        "the class whose metric sensitivityByLabel / specificityByLabel give",
        typeConverter=TypeConverters.toFloat,
    )
    alpha: Param[float] = Param(
        Params._dummy(),
        "alpha",
        "weight of the dominance (mean sensitivity - mean specificity) in indexBalancedAccuracy",
        typeConverter=TypeConverters.toFloat,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(
            labelCol="label",
            predictionCol="prediction",
            metricName="geometricMean",
            metricLabel=1.0,
            alpha=0.1,
        )

    def getMetricName(self) -> str:
        """Gets the value of metricName or its default value."""
        return self.getOrDefault(self.metricName)

    def getMetricLabel(self) -> float:
        """Gets the value of metricLabel or its default value."""
        return self.getOrDefault(self.metricLabel)

    def getAlpha(self) -> float:
        """Gets the value of alpha or its default value."""
        return self.getOrDefault(self.alpha)

    def _weight_or_none(self) -> str | None:
        return (self.getWeightCol() or None) if self.isDefined(self.weightCol) else None


class ImbalancedClassificationEvaluator(Evaluator, _ImbalancedEvaluatorParams, ParamsReadWrite):
    """Evaluator of class predictions by imbalance-aware metrics, for ``CrossValidator`` and
    ``TrainValidationSplit``; each metric equals imbalanced-learn's or scikit-learn's on the
    same labels and predictions.

    ``metricName``:

    - ``"geometricMean"`` (default): imbalanced-learn's ``geometric_mean_score`` (the geometric
      mean of the per-class recalls; sqrt(TPR x TNR) for two classes);
    - ``"balancedAccuracy"``: scikit-learn's ``balanced_accuracy_score`` (mean recall);
    - ``"indexBalancedAccuracy"``: imbalanced-learn's
      ``make_index_balanced_accuracy(alpha=alpha, squared=True)(geometric_mean_score)``;
    - ``"sensitivityByLabel"``, ``"specificityByLabel"``: of the class ``metricLabel``
      (imbalanced-learn's ``sensitivity_specificity_support(average=None)``);
    - ``"macroF1"``, ``"matthewsCorrelation"``: scikit-learn's ``f1_score(average="macro")``
      and ``matthews_corrcoef``.

    Larger is better for every metric. The labels are those present in ``labelCol`` or
    ``predictionCol`` (numeric: index string labels with ``StringIndexer``); a class present
    in one only counts as scikit-learn counts it (a class never true: recall 0, so G-mean 0).
    With ``weightCol``, every count is a sum of weights, from one weighted confusion matrix
    (so specificity stays within [0, 1], unlike imbalanced-learn's, issue 1180). One
    aggregation pass over the predictions; nothing but one row per (label, prediction) pair
    reaches the driver.

    Examples
    --------
    >>> from spark_smote.metrics import ImbalancedClassificationEvaluator
    >>> rows = [(1.0, 1.0), (1.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0.0, 1.0)]
    >>> df = spark.createDataFrame(rows, ["label", "prediction"])
    >>> evaluator = ImbalancedClassificationEvaluator()
    >>> round(evaluator.evaluate(df), 4)  # sqrt(1/2 x 3/4)
    0.6124
    >>> evaluator.setMetricName("balancedAccuracy").evaluate(df)
    0.625
    """

    @keyword_only
    def __init__(
        self,
        *,
        predictionCol: str = "prediction",
        labelCol: str = "label",
        weightCol: str | None = None,
        metricName: str = "geometricMean",
        metricLabel: float = 1.0,
        alpha: float = 0.1,
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        predictionCol: str = "prediction",
        labelCol: str = "label",
        weightCol: str | None = None,
        metricName: str = "geometricMean",
        metricLabel: float = 1.0,
        alpha: float = 0.1,
    ) -> ImbalancedClassificationEvaluator:
        """Sets params for this evaluator."""
        return self._set(**self._input_kwargs)

    def setMetricName(self, value: str) -> ImbalancedClassificationEvaluator:
        """Sets the value of :py:attr:`metricName`."""
        return self._set(metricName=value)

    def setMetricLabel(self, value: float) -> ImbalancedClassificationEvaluator:
        """Sets the value of :py:attr:`metricLabel`."""
        return self._set(metricLabel=value)

    def setAlpha(self, value: float) -> ImbalancedClassificationEvaluator:
        """Sets the value of :py:attr:`alpha`."""
        return self._set(alpha=value)

    def setLabelCol(self, value: str) -> ImbalancedClassificationEvaluator:
        """Sets the value of :py:attr:`labelCol`."""
        return self._set(labelCol=value)

    def setPredictionCol(self, value: str) -> ImbalancedClassificationEvaluator:
        """Sets the value of :py:attr:`predictionCol`."""
        return self._set(predictionCol=value)

    def setWeightCol(self, value: str | None) -> ImbalancedClassificationEvaluator:
        """Sets the value of :py:attr:`weightCol` (None: every row weighs 1)."""
        return self._set(weightCol=value)

    def isLargerBetter(self) -> bool:
        """True: every metric of this evaluator is better when larger."""
        return True

    def _validate_params(self) -> None:
        name = type(self).__name__
        if self.getMetricName() not in METRICS:
            raise ValueError(
                f"{name}: metricName {self.getMetricName()!r} is unknown; use one of "
                f"{', '.join(METRICS)}."
            )
        if not math.isfinite(self.getAlpha()):
            raise ValueError(f"{name}: alpha must be a finite number, got {self.getAlpha()}.")

    def _evaluate(self, dataset: DataFrame) -> float:
        self._validate_params()
        name, metric = type(self).__name__, self.getMetricName()
        confusion = confusion_matrix(
            dataset, self.getLabelCol(), self.getPredictionCol(), self._weight_or_none(), name
        )
        position = 0
        if metric in BY_LABEL:
            label = self.getMetricLabel()
            if label not in confusion.labels:
                raise ValueError(
                    f"{name}: metricLabel {label} is neither a label nor a prediction in the "
                    f"data (classes: {list(confusion.labels)}); set metricLabel to one of them."
                )
            position = confusion.index(label)
        return METRICS[metric](confusion, self.getAlpha(), position)
