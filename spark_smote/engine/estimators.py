"""Spark ML estimators inside spark_smote's stages: the checks a Spark classifier needs of
its input, copies of an estimator with params set, seeds per member or fold, a member's sample
kept for its fit, fits in parallel threads (as ``CrossValidator`` runs them). Used by the
ensembles and by samplers that fit a classifier (``InstanceHardnessThreshold``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.pool import ThreadPool
from typing import Any

import numpy as np
from pyspark.ml import Estimator, Model
from pyspark.ml.param import Params
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from spark_smote.engine.columns import MEMBER
from spark_smote.engine.keeping import own_plan, persisted_or_none
from spark_smote.engine.validation import label_counts

#: rows per partition of a member's kept sample, at most (see :func:`kept_sample`)
SAMPLE_PARTITION_ROWS = 1_000_000


def member_seed(seed: int, member: int) -> int:
    """The seed of member ``member`` (a non-negative int from ``(seed, member)``)."""
    return int(np.random.SeedSequence([seed, member]).generate_state(1)[0] & 0x7FFFFFFF)


def class_counts(dataset: DataFrame, label_col: str, who: str) -> dict[int, int]:
    """Rows per class, checking that the labels are the numbers 0 .. k-1 of k >= 2 classes, as
    Spark's classifiers need (one aggregation pass)."""
    counts = label_counts(dataset, label_col, who)
    labels = sorted(counts)
    numeric = all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in labels)
    if not numeric or [float(c) for c in labels] != [float(i) for i in range(len(labels))]:
        shown = labels[:10]
        raise ValueError(
            f"{who}: labelCol column {label_col!r} must hold the class indices 0 .. k-1, got "
            f"{shown}{' ...' if len(labels) > 10 else ''}; index the labels with "
            "pyspark.ml.feature.StringIndexer first."
        )
    if len(labels) < 2:
        raise ValueError(
            f"{who}: labelCol column {label_col!r} holds one class only ({labels}); an "
            "classifier needs at least two."
        )
    return {int(c): n for c, n in counts.items()}


def configured(stage: Params, **values: Any) -> Any:
    """A copy of ``stage`` with each of ``values`` set where it has that param (None: left)."""
    extra = {stage.getParam(k): v for k, v in values.items() if v is not None and stage.hasParam(k)}
    return stage.copy(extra)


@contextmanager
def kept_sample(rows: DataFrame) -> Iterator[DataFrame]:
    """A member's sample kept for its fit and released after: chosen once by one pass at the
    input's parallelism (a count), then read by every pass of the fit (a tree's levels,
    boosting's rounds) from at most ``ceil(rows / SAMPLE_PARTITION_ROWS)`` partitions, so that
    a small sample costs one task per pass, not a filter of the whole input in one task per
    input partition (a one-tree member at 1M rows: 3.4 s -> 1.5 s). Where the session refuses
    caching, the sample as it is (each pass chooses it again)."""
    kept = persisted_or_none(rows, None)
    if kept is None:
        yield rows
        return
    try:
        n_rows = kept.count()
        yield kept.coalesce(max(1, math.ceil(n_rows / SAMPLE_PARTITION_ROWS)))
    finally:
        kept.unpersist()


@contextmanager
def kept_samples(stacked: DataFrame) -> Iterator[Callable[[int], DataFrame] | None]:
    """A batch of members' samples (:func:`~spark_smote.engine.member_draws.member_samples`)
    kept for their fits and released after: written by one pass, then member ``i``'s rows
    read by every pass of its fit from the cache's column batches of that member only (sorted
    by member: the others' batches are skipped by their statistics) in one task. Yields
    ``sample(i)``, or None where the session refuses caching (draw each member alone then:
    a pass over every member's samples per pass of each fit would cost the batch many times).
    """
    kept = persisted_or_none(own_plan(stacked), None)
    if kept is None:
        yield None
        return
    try:
        kept.count()
        yield lambda i: kept.filter(F.col(MEMBER) == i).drop(MEMBER).coalesce(1)
    finally:
        kept.unpersist()


def fit_members(
    fits: Sequence[Callable[[], Model]], parallelism: int, session: SparkSession
) -> list[Model]:
    """Run ``fits`` in up to ``parallelism`` threads (as ``CrossValidator`` does); the models
    in the order of ``fits``. Over Spark Connect each thread runs with ``session`` active (a
    thread of its own has none, and Spark ML's remote calls need it)."""
    if parallelism <= 1 or len(fits) <= 1:
        return [fit() for fit in fits]
    if type(session).__module__.startswith("pyspark.sql.connect"):
        from pyspark.util import inheritable_thread_target

        fits = [inheritable_thread_target(session)(fit) for fit in fits]
    with ThreadPool(processes=min(parallelism, len(fits))) as pool:
        return pool.map(lambda fit: fit(), fits)


def check_probabilistic(estimator: Any, param: str, who: str) -> None:
    """``ValueError`` unless ``estimator`` is an Estimator with a ``probabilityCol``."""
    if not isinstance(estimator, Estimator) or not estimator.hasParam("probabilityCol"):
        raise ValueError(
            f"{who}: {param} must be a probabilistic Spark ML classifier (an Estimator with "
            f"probabilityCol, e.g. DecisionTreeClassifier), got {type(estimator).__name__}."
        )
