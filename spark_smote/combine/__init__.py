"""Combinations of over- and under-sampling: SMOTE followed by a cleaning sampler."""

from spark_smote.combine.base import BaseSMOTECleaning
from spark_smote.combine.smote_enn import SMOTEENN
from spark_smote.combine.smote_tomek import SMOTETomek

__all__ = ["BaseSMOTECleaning", "SMOTEENN", "SMOTETomek"]
