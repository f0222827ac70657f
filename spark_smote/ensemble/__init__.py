"""Balanced ensembles as Spark ML estimators: every member sees a balanced sample, and the
members are Spark ML models (imbalanced-learn's ``imblearn.ensemble``)."""

from spark_smote.ensemble.bagging import (
    BalancedBaggingClassificationModel,
    BalancedBaggingClassifier,
    BalancedRandomForestClassificationModel,
    BalancedRandomForestClassifier,
    EasyEnsembleClassificationModel,
    EasyEnsembleClassifier,
)
from spark_smote.ensemble.base import EnsembleModel
from spark_smote.ensemble.boosting import (
    AdaBoostClassificationModel,
    AdaBoostClassifier,
    RUSBoostClassificationModel,
    RUSBoostClassifier,
)

__all__ = [
    "AdaBoostClassificationModel",
    "AdaBoostClassifier",
    "BalancedBaggingClassificationModel",
    "BalancedBaggingClassifier",
    "BalancedRandomForestClassificationModel",
    "BalancedRandomForestClassifier",
    "EasyEnsembleClassificationModel",
    "EasyEnsembleClassifier",
    "EnsembleModel",
    "RUSBoostClassificationModel",
    "RUSBoostClassifier",
]
