"""An ensemble of decision trees saved as one Spark random forest, for prediction in one pass.

A soft vote of ``DecisionTreeClassificationModel`` members is what Spark's
``RandomForestClassificationModel`` computes (each tree's leaf class shares summed, then
normalised), but Spark applies each member by its own ``transform``: a UDF that reads the
feature vector and writes a probability vector, read back and averaged (about 7x Spark's forest
for 100 trees, docs/benchmarks.md). Spark ML builds a forest from trees only in the JVM, which a
Spark Connect client cannot reach; it can read one that is saved. So a saved ensemble of trees
also writes its members as one forest, in Spark's layout of a saved
``RandomForestClassificationModel``: ``metadata`` (one JSON line: class, uid, params,
``numFeatures``, ``numClasses``, ``numTrees``), ``treesMetadata`` (per tree: its id, its own
metadata line, weight 1) and ``data`` (per node: the tree's id and the node as the tree saved
it), each read from the members' saved folders through the DataFrame API. The loaded ensemble
predicts with that forest.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from typing import Any

from pyspark.ml.classification import (
    DecisionTreeClassificationModel,
    RandomForestClassificationModel,
)
from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F

#: the class Spark's reader of a saved forest expects
FOREST_CLASS = "org.apache.spark.ml.classification.RandomForestClassificationModel"
#: the folder, under a saved ensemble, of its members as one forest
FOREST = "forest"


def trees_per_member(models: Sequence[Any]) -> int | None:
    """How many trees each of ``models`` holds when a soft vote of them is a forest's: all
    Spark decision trees (1), or all Spark random forests of as many trees (each a mean of
    its trees); None otherwise."""
    if models and all(isinstance(m, DecisionTreeClassificationModel) for m in models):
        return 1
    if models and all(isinstance(m, RandomForestClassificationModel) for m in models):
        counts = {m.getNumTrees for m in models}
        return counts.pop() if len(counts) == 1 else None
    return None


def _member() -> Column:
    """The index ``i`` of the member each row of a file scan was read from: its file lies
    under ``<members>/<i>/<part>/``."""
    folder = F.regexp_extract(F.col("_metadata.file_path"), r"/(\d+)/[^/]+/[^/]+$", 1)
    return folder.cast("int")


def write_forest(
    spark: SparkSession,
    members: str,
    count: int,
    path: str,
    num_features: int,
    num_classes: int,
    overwrite: bool,
) -> None:
    """Write the trees of the ``count`` members saved in ``<members>/0 ..`` (decision trees, or
    forests of as many trees: :func:`trees_per_member`) as one saved Spark random forest at
    ``path``: the members' trees in their order, none of their nodes changed."""
    mode = "overwrite" if overwrite else "error"
    folders = [os.path.join(members, str(i)) for i in range(count)]
    first = json.loads(spark.read.text(os.path.join(folders[0], "metadata")).first()[0])
    if first["class"] == FOREST_CLASS:  # forests: their trees, numbered on
        per = int(first["numTrees"])
        metadata = spark.read.parquet(*[os.path.join(f, "treesMetadata") for f in folders])
        names = metadata.columns[:3]  # treeID, metadata, weights; Spark 4: _1, _2, _3
        tree_id = (_member() * per + F.col(names[0])).alias("treeID")
        trees = metadata.select(
            tree_id, F.col(names[1]).alias("metadata"), F.col(names[2]).alias("weights")
        )
        data = spark.read.parquet(*[os.path.join(f, "data") for f in folders])
        nodes = data.select((_member() * per + F.col("treeID")).alias("treeID"), "nodeData")
    else:  # trees: a member is a tree, its metadata line the tree's
        per = 1
        lines = spark.read.text([os.path.join(f, "metadata") for f in folders])
        weight = F.lit(1.0).alias("weights")
        trees = lines.select(_member().alias("treeID"), F.col("value").alias("metadata"), weight)
        data = spark.read.parquet(*[os.path.join(f, "data") for f in folders])
        node = F.struct(*[F.col(c) for c in data.columns]).alias("nodeData")
        nodes = data.select(_member().alias("treeID"), node)
    trees.coalesce(1).write.mode(mode).parquet(os.path.join(path, "treesMetadata"))
    nodes.write.mode(mode).parquet(os.path.join(path, "data"))
    found = {
        "class": FOREST_CLASS,
        "timestamp": int(round(time.time() * 1000)),
        "sparkVersion": spark.version,
        "uid": f"{first['uid']}_forest",
        "paramMap": {**first.get("paramMap", {}), "numTrees": count * per},
        "defaultParamMap": first.get("defaultParamMap", {}),
        "numFeatures": num_features,
        "numClasses": num_classes,
        "numTrees": count * per,
    }
    text = spark.createDataFrame([(json.dumps(found, separators=(",", ":")),)], "value string")
    text.coalesce(1).write.mode(mode).text(os.path.join(path, "metadata"))


def read_forest(path: str) -> RandomForestClassificationModel:
    """The forest :func:`write_forest` wrote at ``path``."""
    return RandomForestClassificationModel.load(path)
