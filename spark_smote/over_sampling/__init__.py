"""Over-samplers: the SMOTE family on the cell engine (KMeansSMOTE on clusters of all rows),
and random over-sampling."""

from spark_smote.over_sampling.adaptive import ADASYN, BorderlineSMOTE
from spark_smote.over_sampling.base import BaseSMOTE
from spark_smote.over_sampling.kmeans_smote import KMeansSMOTE
from spark_smote.over_sampling.random_over_sampler import RandomOverSampler
from spark_smote.over_sampling.smote import SMOTE, SMOTENC
from spark_smote.over_sampling.smoten import SMOTEN

__all__ = [
    "SMOTE",
    "SMOTENC",
    "SMOTEN",
    "BorderlineSMOTE",
    "ADASYN",
    "KMeansSMOTE",
    "RandomOverSampler",
    "BaseSMOTE",
]
