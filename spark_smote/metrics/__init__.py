"""Imbalance-aware metrics on Spark: an ML ``Evaluator`` and imbalanced-learn's report."""

from spark_smote.metrics.evaluator import METRICS, ImbalancedClassificationEvaluator
from spark_smote.metrics.report import classification_report_imbalanced

__all__ = ["METRICS", "ImbalancedClassificationEvaluator", "classification_report_imbalanced"]
