"""KMeansSMOTE (Douzas, Bacao and Last 2018): SMOTE inside the k-means clusters where a class
is dense enough, its synthetic rows shared out by the clusters' sparsity."""

from __future__ import annotations

from typing import Any

import numpy as np
from pyspark import keyword_only
from pyspark.ml.param import Param, Params
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_smote.base import SamplingPlan
from spark_smote.engine.clusters import (
    CLUSTER,
    as_tasks,
    cluster_of,
    sampled_features,
)
from spark_smote.engine.columns import CLS, HASH_STREAM, uniform
from spark_smote.engine.keeping import Keeper
from spark_smote.engine.planning import kept_for_planning, plan_cells
from spark_smote.engine.rows import class_rows, features_of
from spark_smote.engine.validation import (
    FeatureSpec,
    check_copyable,
    check_densifiable,
    collect_stats,
)
from spark_smote.kernels.cells import ClassTask, output_rows
from spark_smote.kernels.centroids import kmeans_centres
from spark_smote.kernels.clusters import (
    cluster_weights,
    density_exponent,
    exact_shares,
    mean_distance,
    sparsity,
    valid_clusters,
)
from spark_smote.over_sampling.base import BaseSMOTE, _output_width
from spark_smote.params import DEFAULT_SEED, _KNeighborsParams, to_auto_or_float
from spark_smote.strategy import SamplingStrategy, check_sampling_strategy

#: rows of all classes the clusters are fitted on, at most (a seeded sample)
CLUSTER_SAMPLE = 100_000
#: rows of a class in a cluster its mean distance is measured on, at most (a seeded sample)
SPARSITY_SAMPLE = 2_000
#: Lloyd iterations of the clusters' k-means, at most
CLUSTER_ITERATIONS = 100


class KMeansSMOTE(BaseSMOTE, _KNeighborsParams):
    """KMeansSMOTE on Spark, as imbalanced-learn's ``KMeansSMOTE``: the rows of all classes are
    clustered (k-means, ``nClusters``); each class to oversample gets its synthetic rows in the
    clusters where it is at least ``clusterBalanceThreshold`` of the rows (``"auto"``: half its
    share of all rows to generate) and has at least ``kNeighbors + 1`` rows, shared out by the
    clusters' sparsity (the mean distance between its rows there to the ``densityExponent``,
    ``"auto"``: ``log_1.6(n)^1.8 * 0.16`` of its ``n`` rows there, per row), and made by SMOTE
    among its rows of the same cluster.

    Unlike imbalanced-learn: the class totals are exact (the shares are rounded to sum to the
    count asked for; imbalanced-learn rounds each up, issue 1186); a cluster whose class rows
    coincide has sparsity 0 and no NaN (when all do, the shares follow the rows); a class with
    no cluster that qualifies is a ``ValueError`` naming it, before any output.

    At scale: the clusters are fitted on a seeded sample of at most 100,000 rows of all classes
    (k-means++ seeds, Lloyd iterations; imbalanced-learn's ``MiniBatchKMeans`` sees every row),
    every row then goes to its nearest cluster (one pass counts the rows per cluster and class),
    and the mean distance of a class's rows in a cluster is measured on a seeded sample of at
    most 2,000 of them (exact below). A class's rows in one cluster are a task of the cell
    engine, as a class is for SMOTE: one cell up to ``maxBucketSize`` rows (exact neighbours),
    else bounded cells with guests.

    Examples
    --------
    >>> from spark_smote import KMeansSMOTE
    >>> rows = [(float(i % 10), float(i // 10), 0) for i in range(100)]
    >>> rows += [(0.2 * i, 0.5, 1) for i in range(10)]
    >>> df = spark.createDataFrame(rows, ["a", "b", "label"])
    >>> sampler = KMeansSMOTE(inputCols=["a", "b"], nClusters=4, clusterBalanceThreshold=0.1)
    >>> out = sampler.transform(df)
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 100), (1, 100)]
    """

    nClusters: Param[int] = Param(
        Params._dummy(), "nClusters", "number of k-means clusters of all rows (>= 1)"
    )
    clusterBalanceThreshold: Param[Any] = Param(
        Params._dummy(),
        "clusterBalanceThreshold",
        "a cluster is oversampled for a class when the class is at least this share of its "
        "rows; 'auto': half the class's share of all rows to generate",
        typeConverter=to_auto_or_float,
    )
    densityExponent: Param[Any] = Param(
        Params._dummy(),
        "densityExponent",
        "exponent of the mean distance in a cluster's sparsity; 'auto': log_1.6(n)^1.8 * 0.16 "
        "of the class's n rows in the cluster",
        typeConverter=to_auto_or_float,
    )

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        kNeighbors: int = 2,
        nClusters: int = 8,
        clusterBalanceThreshold: str | float = "auto",
        densityExponent: str | float = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        otherColumns: str = "null",
    ) -> None:
        super().__init__()
        self._setDefault(
            kNeighbors=2, nClusters=8, clusterBalanceThreshold="auto", densityExponent="auto"
        )
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        inputCols: list[str] | None = None,
        labelCol: str = "label",
        samplingStrategy: SamplingStrategy = "auto",
        kNeighbors: int = 2,
        nClusters: int = 8,
        clusterBalanceThreshold: str | float = "auto",
        densityExponent: str | float = "auto",
        seed: int = DEFAULT_SEED,
        syntheticCol: str | None = None,
        maxBucketSize: int = 30_000,
        numHashTables: int = 6,
        otherColumns: str = "null",
    ) -> KMeansSMOTE:
        """Sets params for this KMeansSMOTE."""
        return self._set(**self._input_kwargs)

    def getNClusters(self) -> int:
        """Gets the value of nClusters or its default value."""
        return int(self.getOrDefault(self.nClusters))

    def setNClusters(self, value: int) -> KMeansSMOTE:
        """Sets the value of :py:attr:`nClusters`."""
        return self._set(nClusters=value)

    def getClusterBalanceThreshold(self) -> str | float:
        """Gets the value of clusterBalanceThreshold or its default value."""
        return self.getOrDefault(self.clusterBalanceThreshold)

    def setClusterBalanceThreshold(self, value: str | float) -> KMeansSMOTE:
        """Sets the value of :py:attr:`clusterBalanceThreshold`."""
        return self._set(clusterBalanceThreshold=value)

    def getDensityExponent(self) -> str | float:
        """Gets the value of densityExponent or its default value."""
        return self.getOrDefault(self.densityExponent)

    def setDensityExponent(self, value: str | float) -> KMeansSMOTE:
        """Sets the value of :py:attr:`densityExponent`."""
        return self._set(densityExponent=value)

    def _neighbours(self) -> tuple[str, int]:
        return "kNeighbors", self.getKNeighbors()

    def _validate_params(self) -> None:
        super()._validate_params()
        name = type(self).__name__
        if self.getNClusters() < 1:
            raise ValueError(f"{name}: nClusters must be at least 1, got {self.getNClusters()}.")
        for param in ("clusterBalanceThreshold", "densityExponent"):
            value = self.getOrDefault(param)
            if value != "auto" and not value >= 0:
                raise ValueError(f"{name}: {param} must be 'auto' or a number >= 0, got {value}.")

    def plan(self, dataset: DataFrame) -> SamplingPlan:
        """Validate ``dataset``; fit the clusters (a sampling pass), count the rows per cluster
        and class (one pass), measure the sparsity of the clusters that qualify (a sampling
        pass), and return the counts before and after and the cells of every (class, cluster)
        that gets synthetic rows.

        Raises ``ValueError`` naming the param, column or class on bad input (a class with no
        cluster that qualifies among them), before any output.
        """
        name = type(self).__name__
        spec = self._spec(dataset)
        if self.getOtherColumns() == "copy":
            check_copyable(dataset.schema, spec)
        stats = collect_stats(dataset, spec, name)
        check_densifiable(spec, stats, name)
        to_generate = check_sampling_strategy(
            self.getSamplingStrategy(), stats.counts, "over-sampling", name
        )
        after = {c: n + to_generate.get(c, 0) for c, n in stats.counts.items()}
        to_generate = {c: n for c, n in to_generate.items() if n > 0}
        if not to_generate:
            return SamplingPlan(name, stats.counts, after, [], spec, stats)
        labels, dim, seed = sorted(stats.counts), stats.dim, self.getSeed()
        everything = [ClassTask(i, c, stats.counts[c], 0) for i, c in enumerate(labels)]
        all_rows = class_rows(dataset, spec, everything, dim)
        n_all = sum(stats.counts.values())
        sample = sampled_features(all_rows, n_all, dim, seed, CLUSTER_SAMPLE)
        rng = np.random.default_rng(np.random.SeedSequence([seed, HASH_STREAM, len(labels)]))
        centres = kmeans_centres(sample, self.getNClusters(), rng, CLUSTER_ITERATIONS)
        clustered = all_rows.withColumn(CLUSTER, cluster_of(centres, dim))
        counts = np.zeros((len(labels), len(centres)), dtype=np.int64)
        for r in clustered.groupBy(CLS, CLUSTER).count().collect():
            counts[r[CLS], r[CLUSTER]] = r["count"]
        shares = self._shares(clustered, counts, labels, to_generate, dim)
        tasks, index = [], {}
        for (cls, cluster), n_new in sorted(shares.items()):
            if n_new > 0:
                index[(cls, cluster)] = len(tasks)
                label = labels[cls]
                width = output_rows(_output_width(spec, stats, label, False))
                tasks.append(ClassTask(len(tasks), label, int(counts[cls, cluster]), n_new, width))
        keeper = Keeper()
        rows = self._task_rows(dataset, spec, labels, dim, centres, index)
        rows = kept_for_planning(rows, tasks, self.getMaxBucketSize(), keeper)
        cells = plan_cells(
            rows,
            tasks,
            dim,
            seed,
            self.getMaxBucketSize(),
            self.getNumHashTables(),
            self.getKNeighbors(),
        )
        found = {"centres": centres, "index": index}
        return SamplingPlan(
            name, stats.counts, after, cells, spec, stats, False, rows, dataset, keeper, found
        )

    def _shares(
        self,
        clustered: DataFrame,
        counts: np.ndarray,
        labels: list[Any],
        to_generate: dict[Any, int],
        dim: int,
    ) -> dict[tuple[int, int], int]:
        """Synthetic rows per ``(class index, cluster)``: the clusters that qualify for each
        class, their sparsity (measured on a seeded sample per cluster: one pass), the rows
        shared out exactly."""
        total = sum(to_generate.values())
        sizes = counts.sum(axis=0)
        k = self.getKNeighbors()
        chosen: dict[int, np.ndarray] = {}
        for c, n in to_generate.items():
            cls = labels.index(c)
            threshold = self.getClusterBalanceThreshold()
            limit = n / total / 2 if threshold == "auto" else float(threshold)
            if len(sizes) == 1:  # one cluster: it always qualifies (as imbalanced-learn's)
                limit = -np.inf
            found = valid_clusters(counts[cls], sizes, limit, k)
            if len(found) == 0:
                raise ValueError(
                    f"{type(self).__name__}: no cluster has enough rows of class {c!r} (at "
                    f"least {limit:.4g} of its rows and kNeighbors + 1 = {k + 1}); lower "
                    "clusterBalanceThreshold or raise nClusters."
                )
            chosen[cls] = found
        rate = {  # plain Python numbers: Spark Connect takes no numpy scalars in a Column
            (int(cls), int(j)): float(min(1.0, SPARSITY_SAMPLE / counts[cls, j]))
            for cls, js in chosen.items()
            for j in js
        }
        hit = None
        for (cls, j), p in rate.items():
            cond = (F.col(CLS) == cls) & (F.col(CLUSTER) == j) & (uniform(self.getSeed() + 2) < p)
            hit = cond if hit is None else hit | cond
        assert hit is not None
        got = clustered.filter(hit).collect()
        given = self.getDensityExponent()
        out: dict[tuple[int, int], int] = {}
        for cls, js in chosen.items():
            sparse = []
            for j in js:
                mine = [r for r in got if r[CLS] == cls and r[CLUSTER] == j]
                x = features_of(mine, dim)
                n_rows = int(counts[cls, j])
                exponent = density_exponent(n_rows, None if given == "auto" else float(given))
                sparse.append(sparsity(mean_distance(x), n_rows, exponent) if len(x) > 1 else 0.0)
            weights = cluster_weights(np.array(sparse), counts[cls, js])
            for j, n_new in zip(js, exact_shares(to_generate[labels[cls]], weights), strict=True):
                out[(cls, int(j))] = int(n_new)
        return out

    def _task_rows(
        self,
        dataset: DataFrame,
        spec: FeatureSpec,
        labels: list[Any],
        dim: int,
        centres: np.ndarray,
        index: dict[tuple[int, int], int],
    ) -> DataFrame:
        """The rows of each (class, cluster) that gets synthetic rows, ``CLS`` = its task."""
        classes = sorted({cls for cls, _ in index})
        tasks = [ClassTask(cls, labels[cls], 0, 0) for cls in classes]
        rows = class_rows(dataset, spec, tasks, dim, self._row_columns(spec))
        return as_tasks(rows.withColumn(CLUSTER, cluster_of(centres, dim)), index)

    def _rows(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        if plan.rows is not None and plan.source is dataset:
            return plan.rows
        assert plan.spec is not None and plan.stats is not None
        found = plan.found
        return self._task_rows(
            dataset,
            plan.spec,
            sorted(plan.before),
            plan.stats.dim,
            found["centres"],
            found["index"],
        )

    def _synthesize(self, dataset: DataFrame, plan: SamplingPlan) -> DataFrame:
        return self._generate(dataset, plan)
