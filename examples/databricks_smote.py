# Databricks notebook source
# MAGIC %md
# MAGIC # SMOTE on Spark with spark_smote
# MAGIC Oversample a rare class while fitting, score an untouched test set.
# MAGIC Install on the cluster (or in the notebook): `%pip install spark-smote`.
# MAGIC Works on classic and Spark Connect (shared / serverless) compute.

# COMMAND ----------

import os
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

if "spark" not in globals():  # outside Databricks: run as a plain Python script
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
    )

# COMMAND ----------

# A seeded, imbalanced example: 4% of the rows are "fraud".
raw = (
    spark.range(20_000)
    .withColumn("fraud", (F.rand(1) < 0.04).cast("int"))
    .withColumn("amount", F.randn(2) + F.col("fraud") * 1.3)
    .withColumn("velocity", F.randn(3) + F.col("fraud") * 1.0)
    .withColumn("age_days", F.randn(4) - F.col("fraud") * 0.8)
)
train, test = raw.randomSplit([0.8, 0.2], seed=5)
display_counts = train.groupBy("fraud").count().orderBy("fraud").collect()
print("training rows per class:", {r.fraud: r["count"] for r in display_counts})

# COMMAND ----------

from pyspark.ml.classification import LogisticRegression  # noqa: E402
from pyspark.ml.evaluation import BinaryClassificationEvaluator  # noqa: E402
from pyspark.ml.feature import VectorAssembler  # noqa: E402

from spark_smote import SMOTE  # noqa: E402
from spark_smote.pipeline import Pipeline  # noqa: E402  (not pyspark.ml.Pipeline)

assembler = VectorAssembler(inputCols=["amount", "velocity", "age_days"], outputCol="features")
smote = SMOTE(labelCol="fraud", kNeighbors=5, samplingStrategy=0.5, seed=42)
lr = LogisticRegression(labelCol="fraud")

model = Pipeline(stages=[assembler, smote, lr]).fit(train)  # SMOTE runs here only
scored = model.transform(test)  # one row per test row: no synthetic rows
assert scored.count() == test.count()

# COMMAND ----------

fraud = scored.filter("fraud = 1")
recall = fraud.filter("prediction = 1").count() / fraud.count()
auc = BinaryClassificationEvaluator(labelCol="fraud").evaluate(scored)
print(f"fraud recall on the untouched test set: {recall:.3f}; ROC AUC: {auc:.3f}")
