"""SMOTE oversampling for Apache Spark: learned-hash cells, pandas-UDF generation, union."""

from spark_smote.smote import SMOTE

__all__ = ["SMOTE"]
__version__ = "0.1.0"
