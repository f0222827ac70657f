"""SMOTE and its family for Apache Spark: learned-hash cells, pandas-UDF generation, union.

The samplers are imported lazily, on first use of their names, so that the numpy kernels
(:mod:`spark_smote.kernels`) import without pyspark.

>>> from spark_smote import SMOTE, RandomUnderSampler
>>> sorted(name for name in __all__ if name.endswith("SMOTE"))
['BaseSMOTE', 'BorderlineSMOTE', 'KMeansSMOTE', 'SMOTE']
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from spark_smote import _legacy

__version__ = "0.3.0"

#: public name -> the module that defines it
_PUBLIC = {
    "SMOTE": "spark_smote.over_sampling",
    "SMOTENC": "spark_smote.over_sampling",
    "SMOTEN": "spark_smote.over_sampling",
    "BorderlineSMOTE": "spark_smote.over_sampling",
    "ADASYN": "spark_smote.over_sampling",
    "KMeansSMOTE": "spark_smote.over_sampling",
    "RandomOverSampler": "spark_smote.over_sampling",
    "BaseSMOTE": "spark_smote.over_sampling",
    "RandomUnderSampler": "spark_smote.under_sampling",
    "TomekLinks": "spark_smote.under_sampling",
    "EditedNearestNeighbours": "spark_smote.under_sampling",
    "RepeatedEditedNearestNeighbours": "spark_smote.under_sampling",
    "AllKNN": "spark_smote.under_sampling",
    "NeighbourhoodCleaningRule": "spark_smote.under_sampling",
    "InstanceHardnessThreshold": "spark_smote.under_sampling",
    "NearMiss": "spark_smote.under_sampling",
    "CondensedNearestNeighbour": "spark_smote.under_sampling",
    "OneSidedSelection": "spark_smote.under_sampling",
    "ClusterCentroids": "spark_smote.under_sampling",
    "BaseCleaningSampler": "spark_smote.under_sampling",
    "SMOTETomek": "spark_smote.combine",
    "SMOTEENN": "spark_smote.combine",
    "FunctionSampler": "spark_smote.function_sampler",
    "Pipeline": "spark_smote.pipeline",
    "Sampler": "spark_smote.base",
    "SamplingPlan": "spark_smote.base",
    "release": "spark_smote.engine.keeping",
    "ClassWeighter": "spark_smote.weighting",
    "ImbalancedClassificationEvaluator": "spark_smote.metrics",
    "classification_report_imbalanced": "spark_smote.metrics",
}
__all__ = [
    "SMOTE",
    "SMOTENC",
    "SMOTEN",
    "BorderlineSMOTE",
    "ADASYN",
    "KMeansSMOTE",
    "RandomOverSampler",
    "BaseSMOTE",
    "RandomUnderSampler",
    "TomekLinks",
    "EditedNearestNeighbours",
    "RepeatedEditedNearestNeighbours",
    "AllKNN",
    "NeighbourhoodCleaningRule",
    "InstanceHardnessThreshold",
    "NearMiss",
    "CondensedNearestNeighbour",
    "OneSidedSelection",
    "ClusterCentroids",
    "BaseCleaningSampler",
    "SMOTETomek",
    "SMOTEENN",
    "FunctionSampler",
    "Pipeline",
    "Sampler",
    "SamplingPlan",
    "release",
    "ClassWeighter",
    "ImbalancedClassificationEvaluator",
    "classification_report_imbalanced",
]

if TYPE_CHECKING:
    from spark_smote.base import Sampler, SamplingPlan
    from spark_smote.combine import SMOTEENN, SMOTETomek
    from spark_smote.engine.keeping import release
    from spark_smote.function_sampler import FunctionSampler
    from spark_smote.metrics import (
        ImbalancedClassificationEvaluator,
        classification_report_imbalanced,
    )
    from spark_smote.over_sampling import (
        ADASYN,
        SMOTE,
        SMOTEN,
        SMOTENC,
        BaseSMOTE,
        BorderlineSMOTE,
        KMeansSMOTE,
        RandomOverSampler,
    )
    from spark_smote.pipeline import Pipeline
    from spark_smote.under_sampling import (
        AllKNN,
        BaseCleaningSampler,
        ClusterCentroids,
        CondensedNearestNeighbour,
        EditedNearestNeighbours,
        InstanceHardnessThreshold,
        NearMiss,
        NeighbourhoodCleaningRule,
        OneSidedSelection,
        RandomUnderSampler,
        RepeatedEditedNearestNeighbours,
        TomekLinks,
    )
    from spark_smote.weighting import ClassWeighter

_legacy.install()


def _require_spark() -> None:
    if importlib.util.find_spec("pyspark") is None:  # pragma: no cover - depends on the install
        raise ImportError(
            "spark_smote needs Spark's Python API, and none is installed. On a plain machine: "
            "pip install 'spark-smote[spark]' (brings pyspark). On Databricks or another Spark "
            "runtime, use the runtime's own pyspark; for Spark Connect only, pip install "
            "pyspark-client (or pyspark-connect)."
        )


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'spark_smote' has no attribute {name!r}")
    _require_spark()
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
