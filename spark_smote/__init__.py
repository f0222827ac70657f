"""SMOTE oversampling for Apache Spark: LSH buckets, pandas-UDF generation, union."""

from spark_smote.smote import SMOTE

__all__ = ["SMOTE"]
__version__ = "0.1.0"
