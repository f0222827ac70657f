"""Bucket plans (pure) and bucket assignment (Spark): bounded sizes, also on skewed data."""

import numpy as np
import pytest
from pyspark.ml.linalg import Vectors
from pyspark.sql import functions as F

from spark_smote import SMOTE
from spark_smote.bucketing import BUCKET, CLS, KEY, X, assign_buckets, plan_class


@pytest.mark.parametrize("aligned", [True, False])
@pytest.mark.parametrize("n", [61, 100, 999, 1000, 1001, 12345])
@pytest.mark.parametrize("max_size", [12, 50, 1000])
def test_plan_bounds_and_quotas(n, max_size, aligned):
    plan = plan_class(0, "c", n, 7 * n + 3, max_size, aligned)
    sizes = [plan.bucket_size(b) for b in range(plan.n_buckets)]
    assert sum(sizes) == n
    assert max(sizes) <= max_size
    assert min(sizes) >= max_size // 2 or plan.n_buckets == 1
    assert sum(plan.bucket_quota(b) for b in range(plan.n_buckets)) == plan.n_new


def _skewed(spark, n, kind):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(n, 4))
    if kind == "duplicates":
        x[: n // 2] = 1.0  # half of the rows identical
    else:
        x[: int(n * 0.9)] = 1.0 + 1e-6 * rng.normal(size=(int(n * 0.9), 4))  # one tight cluster
    rows = [(Vectors.dense(r.tolist()), 1) for r in x] + [
        (Vectors.dense([0.0] * 4), 0) for _ in range(n + 50)
    ]
    return spark.createDataFrame(rows, ["features", "label"])


@pytest.mark.parametrize("kind", ["duplicates", "cluster"])
def test_buckets_stay_bounded_on_skewed_classes(spark, kind):
    n, max_size = 700, 100
    df = _skewed(spark, n, kind)
    plan = plan_class(1, 1, n, 50, max_size)
    work = df.filter("label = 1").select(
        F.lit(1).alias(CLS),
        SMOTE()._spec(df).as_array().alias(X),
        F.xxhash64("features").alias(KEY),
    )
    sizes = [
        r["count"]
        for r in assign_buckets(work, [plan], 3, 0, 4, None).groupBy(BUCKET).count().collect()
    ]
    assert sorted(sizes) == sorted(plan.bucket_size(b) for b in range(plan.n_buckets))
    assert max(sizes) <= max_size and min(sizes) >= 6
    out = SMOTE(maxBucketSize=max_size, syntheticCol="s").transform(df)
    assert out.filter("label = 1").count() == n + 50
