"""Data set helpers: ``make_imbalance``, as imbalanced-learn's ``imblearn.datasets``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pyspark.sql import DataFrame

from spark_smote.engine.draws import drawn
from spark_smote.engine.validation import label_counts
from spark_smote.params import DEFAULT_SEED
from spark_smote.strategy import check_sampling_strategy


def make_imbalance(
    dataset: DataFrame,
    samplingStrategy: Mapping[Any, int] | Callable[[dict[Any, int]], Mapping[Any, int]],
    labelCol: str = "label",
    seed: int = DEFAULT_SEED,
) -> DataFrame:
    """``dataset`` with the classes of ``samplingStrategy`` cut to exactly the counts it gives,
    as imbalanced-learn's ``make_imbalance``: the rows kept are chosen uniformly by a seeded
    row hash (those of :class:`~spark_smote.RandomUnderSampler`: the same seed gives the same
    rows whatever the partitioning); the other classes and every kept row are untouched.

    ``samplingStrategy``: a dict ``{label: count}`` (counts not above the class's), or a
    function of the dict of class counts that returns one. Costs a counting pass and the cut
    pass of the classes cut.

    Examples
    --------
    >>> from spark_smote.datasets import make_imbalance
    >>> df = spark.createDataFrame([(float(i), i % 2) for i in range(100)], ["x", "label"])
    >>> out = make_imbalance(df, {1: 5})
    >>> sorted((r.label, r["count"]) for r in out.groupBy("label").count().collect())
    [(0, 50), (1, 5)]
    """
    who = "make_imbalance"
    counts = label_counts(dataset, labelCol, who)
    strategy = samplingStrategy(dict(counts)) if callable(samplingStrategy) else samplingStrategy
    if not isinstance(strategy, Mapping):
        raise ValueError(
            f"{who}: samplingStrategy must be a dict {{label: count}} or a function returning "
            f"one, got {strategy!r}."
        )
    wanted = check_sampling_strategy(dict(strategy), counts, "under-sampling", who)
    wanted = {c: n for c, n in wanted.items() if n != counts[c]}
    return drawn(dataset, labelCol, counts, wanted, seed, replacement=False)
