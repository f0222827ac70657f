"""SMOTE oversampling for Apache Spark: learned-hash cells, pandas-UDF generation, union."""

import importlib.util

if importlib.util.find_spec("pyspark") is None:  # pragma: no cover - depends on the install
    raise ImportError(
        "spark_smote needs Spark's Python API, and none is installed. On a plain machine: "
        "pip install 'spark-smote[spark]' (brings pyspark). On Databricks or another Spark "
        "runtime, use the runtime's own pyspark; for Spark Connect only, pip install "
        "pyspark-client (or pyspark-connect)."
    )

from spark_smote.adasyn import ADASYN  # noqa: E402
from spark_smote.borderline import BorderlineSMOTE  # noqa: E402
from spark_smote.random_sampling import RandomOverSampler, RandomUnderSampler  # noqa: E402
from spark_smote.smote import SMOTE  # noqa: E402
from spark_smote.smotenc import SMOTENC  # noqa: E402

__all__ = [
    "SMOTE",
    "SMOTENC",
    "BorderlineSMOTE",
    "ADASYN",
    "RandomOverSampler",
    "RandomUnderSampler",
]
__version__ = "0.1.0"
