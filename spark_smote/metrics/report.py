"""``classification_report_imbalanced``: imbalanced-learn's report of a DataFrame of
predictions, from one aggregation pass."""

from __future__ import annotations

from typing import Any

from pyspark.sql import DataFrame

from spark_smote.engine.confusion import confusion_matrix
from spark_smote.kernels.metrics import report_dict, report_text


def classification_report_imbalanced(
    dataset: DataFrame,
    labelCol: str = "label",
    predictionCol: str = "prediction",
    weightCol: str | None = None,
    digits: int = 2,
    alpha: float = 0.1,
    output_dict: bool = False,
) -> str | dict[str, Any]:
    """imbalanced-learn's ``classification_report_imbalanced`` of ``dataset``'s predictions.

    Per class (named ``str(label)``): precision ``pre``, recall ``rec``, specificity ``spe``,
    ``f1``, geometric mean ``geo`` (sqrt(rec x spe)), index balanced accuracy ``iba``
    (``(1 + alpha (rec - spe)) geo^2``) and support ``sup``; then the support-weighted
    ``avg / total`` line. As text, or with ``output_dict`` a dict with imbalanced-learn's keys
    (the class names, ``avg_pre`` ... ``avg_iba``, ``total_support``). With ``weightCol``
    every count is a sum of weights (the supports too). One aggregation pass, as
    :class:`~spark_smote.metrics.ImbalancedClassificationEvaluator`.

    Examples
    --------
    >>> from spark_smote.metrics import classification_report_imbalanced
    >>> rows = [(1, 1.0), (1, 0.0), (0, 0.0), (0, 0.0), (0, 0.0), (0, 1.0)]
    >>> df = spark.createDataFrame(rows, ["label", "prediction"])
    >>> print(classification_report_imbalanced(df))  # doctest: +NORMALIZE_WHITESPACE
                       pre       rec       spe        f1       geo       iba       sup
    <BLANKLINE>
              0       0.75      0.75      0.50      0.75      0.61      0.38         4
              1       0.50      0.50      0.75      0.50      0.61      0.37         2
    <BLANKLINE>
    avg / total       0.67      0.67      0.58      0.67      0.61      0.38         6
    <BLANKLINE>
    >>> classification_report_imbalanced(df, output_dict=True)["1"]["rec"]
    0.5
    """
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 0:
        raise ValueError(
            f"classification_report_imbalanced: digits must be an int >= 0, got {digits!r}."
        )
    confusion = confusion_matrix(
        dataset, labelCol, predictionCol, weightCol or None, "classification_report_imbalanced"
    )
    weighted = bool(weightCol)
    if output_dict:
        return report_dict(confusion, alpha, weighted)
    return report_text(confusion, alpha, digits, weighted)
