"""What a transform keeps for its later passes: kept once, the same rows where the session
refuses (recomputed), released with the output (a loop that drops its outputs piles up
nothing), by ``release`` and at the end of a Pipeline's fit."""

from __future__ import annotations

import gc
from collections.abc import Callable

import numpy as np
import pytest
from pyspark import StorageLevel
from pyspark.ml import Estimator
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_smote import (
    ADASYN,
    SMOTE,
    SMOTEN,
    SMOTENC,
    BorderlineSMOTE,
    ClusterCentroids,
    KMeansSMOTE,
    Pipeline,
    Sampler,
    release,
)
from spark_smote.engine.keeping import Keeper

COLS = ["a", "b"]
#: name -> (sampler, how many results one transform keeps, how many of them its output reads).
#: Kept: the rows of a class above maxBucketSize and Borderline-SMOTE's / ADASYN's measured
#: weights; the output reads both. (Their other-class rows are held, not kept: see
#: test_the_other_classes_rows_are_held_for_the_measuring_pass_only.)
SAMPLERS: dict[str, tuple[Callable[[], Sampler], int, int]] = {
    "smote, one cell": (lambda: SMOTE(inputCols=COLS), 0, 0),
    "smote": (lambda: SMOTE(inputCols=COLS, maxBucketSize=100, otherColumns="copy"), 1, 1),
    "smotenc": (
        lambda: SMOTENC(inputCols=COLS, categoricalCols=["colour"], maxBucketSize=100),
        1,
        1,
    ),
    "borderline-2": (
        lambda: BorderlineSMOTE(
            inputCols=COLS, kind="borderline-2", maxBucketSize=100, otherColumns="copy"
        ),
        2,
        2,
    ),
    "adasyn": (lambda: ADASYN(inputCols=COLS, maxBucketSize=100), 2, 2),
}


@pytest.fixture(scope="module")
def table(spark):
    rng = np.random.default_rng(5)
    rows = []
    for label, n, centre in ((0, 1500, 0.0), (1, 300, 1.5)):
        for a, b in rng.normal(centre, 1.0, size=(n, 2)):
            rows.append((len(rows), float(a), float(b), "red" if len(rows) % 3 else "blue", label))
    return spark.createDataFrame(rows, ["id", "a", "b", "colour", "label"])


class KeptByTransform:
    """Spies on :meth:`Keeper.keep`: the frames each call kept, and whether they still are
    (the session's cache, asked through the DataFrame API: classic and Connect alike)."""

    def __init__(self) -> None:
        self.keep = Keeper.keep
        self.made: list[DataFrame] = []
        self.now: list[bool] = []

    def __call__(self, keeper: Keeper, rows: DataFrame, now: bool = True) -> DataFrame:
        out = self.keep(keeper, rows, now)
        self.made.append(out)
        self.now.append(now)
        return out

    def still_kept(self, calls: slice = slice(None)) -> int:
        """How many of the results of ``calls`` (all by default) are still kept."""
        gc.collect()
        return sum(_cached(frame) for frame in self.made[calls])


def _cached(frame: DataFrame) -> bool:
    level = frame.storageLevel
    return level.useDisk or level.useMemory


@pytest.fixture
def spy(monkeypatch) -> KeptByTransform:
    spied = KeptByTransform()
    monkeypatch.setattr(Keeper, "keep", lambda self, rows, now=True: spied(self, rows, now))
    return spied


def _refuse_caching(monkeypatch, frame_type) -> None:
    def refuse(self, *args, **kwargs):
        raise RuntimeError("[NOT_SUPPORTED_WITH_SERVERLESS] PERSIST TABLE is not supported")

    monkeypatch.setattr(frame_type, "persist", refuse)


@pytest.mark.parametrize("name", SAMPLERS)
def test_kept_once_and_the_same_rows_where_the_session_refuses(table, monkeypatch, spy, name):
    make, n_kept, _ = SAMPLERS[name]
    sampler = make().setSyntheticCol("s").setSeed(11)
    out = sampler.transform(table)
    assert len(spy.made) == n_kept and spy.still_kept() == n_kept
    kept = sorted(out.filter("s").collect())
    _refuse_caching(monkeypatch, type(table))
    recomputed = sorted(sampler.transform(table).filter("s").collect())
    assert len(kept) == 1200 and kept == recomputed


#: the samplers whose planning reads the rows of a class (above maxBucketSize) that the output
#: reads too
PLANNERS: dict[str, Callable[[], Sampler]] = {
    "smote": lambda: SMOTE(inputCols=COLS, maxBucketSize=100),
    "smoten": lambda: SMOTEN(inputCols=["colour", "shade"], kNeighbors=2, maxBucketSize=100),
    "kmeans-smote": lambda: KMeansSMOTE(
        inputCols=COLS, nClusters=2, clusterBalanceThreshold=0.0, maxBucketSize=60
    ),
    "cluster-centroids": lambda: ClusterCentroids(inputCols=COLS, maxBucketSize=100),
}


@pytest.mark.parametrize("name", sorted(PLANNERS))
def test_the_rows_planning_reads_are_stored_by_its_sampling_pass(table, spy, name):
    """No pass of their own: kept lazily, stored by the first pass that reads them (planning's
    sampling pass), then read by its counting pass and the output: the rows a transform
    writes."""
    data = table.withColumn("shade", F.col("id") % 5)
    sampler = PLANNERS[name]().setSeed(6)
    plan = sampler.plan(data)
    assert spy.now == [False] and plan.rows is spy.made[0]
    out = sorted(sampler.resample(data, plan).collect(), key=repr)  # soft centroids: nulls
    assert out == sorted(sampler.transform(data).collect(), key=repr)


@pytest.mark.parametrize("name", ["borderline-2", "adasyn"])
def test_the_other_classes_rows_are_held_for_the_measuring_pass_only(table, monkeypatch, name):
    """Hashed once into the cells, persisted on disk for the counting and measuring passes and
    released before ``transform`` returns (what borderline-2's output reads of them again is
    recomputed), while what the output reads stays kept; where the session refuses caching,
    the same rows."""
    frame_type = type(table)
    persist = frame_type.persist
    persisted: list[tuple[DataFrame, tuple]] = []

    def spy_persist(self, *args, **kwargs):
        out = persist(self, *args, **kwargs)
        persisted.append((out, args))
        return out

    monkeypatch.setattr(frame_type, "persist", spy_persist)
    sampler = SAMPLERS[name][0]().setSyntheticCol("s").setSeed(4)
    out = sampler.transform(table)
    # the class rows (kept), the other classes' hashed rows (held), the measured weights (kept)
    assert [args for _, args in persisted] == [(StorageLevel.DISK_ONLY,)] * 3
    assert [_cached(frame) for frame, _ in persisted] == [True, False, True]
    held = sorted(out.filter("s").collect())
    _refuse_caching(monkeypatch, frame_type)
    assert len(held) == 1200 and held == sorted(sampler.transform(table).filter("s").collect())


@pytest.mark.parametrize("name", ["smote", "adasyn"])
def test_nothing_kept_piles_up_when_a_loop_drops_the_outputs(table, spy, name):
    """A CrossValidator fits the stage many times: what each transform kept lives while its
    output does, and goes with it."""
    make, n_kept, n_read = SAMPLERS[name]
    sampler, runs = make(), 3
    for seed in range(runs):
        out = sampler.setSeed(seed).transform(table)
        assert out.count() == 3000
        assert len(spy.made) == (seed + 1) * n_kept
        assert spy.still_kept(slice(-n_kept, None)) == n_kept  # while the output lives
        assert spy.still_kept() == n_kept  # the earlier outputs' went with them
        del out
    assert spy.still_kept() == 0


def test_release_frees_at_once_and_the_output_still_reads_the_same_rows(table, spy):
    sampler = SAMPLERS["adasyn"][0]().setSyntheticCol("s").setSeed(3)
    out = sampler.transform(table)
    before = sorted(out.filter("s").collect())
    assert spy.still_kept() == 2
    release(out)
    assert spy.still_kept() == 0
    assert sorted(out.filter("s").collect()) == before  # computed again from the input
    release(table)  # holds nothing: nothing to do


def test_pipeline_keeps_the_samplers_rows_while_it_fits_and_releases_them(table, spy):
    from pyspark.ml.feature import VectorAssembler

    seen: list[int] = []

    class Spy(Estimator):
        """Records how many kept results are still kept when the last stage fits."""

        def _fit(self, dataset):
            seen.append(spy.still_kept())
            return VectorAssembler(inputCols=COLS, outputCol="v2")

    stages = [
        SAMPLERS["smote"][0](),
        VectorAssembler(inputCols=COLS, outputCol="v1"),  # derives a new DataFrame
        Spy(),
    ]
    Pipeline(stages=stages).fit(table)
    assert seen == [1] and spy.still_kept() == 0


def test_resample_reads_the_kept_rows_only_for_the_dataframe_of_the_plan(table):
    smote = SAMPLERS["smote"][0]().setSyntheticCol("s")
    plan = smote.plan(table)
    assert plan.rows is not None and plan.source is table
    resampled = sorted(smote.resample(table, plan).filter("s").collect())
    assert len(resampled) == 1200
    assert resampled == sorted(smote.transform(table).filter("s").collect())
    with pytest.raises(Exception, match="rows, expected"):  # another DataFrame's rows
        smote.resample(table.filter("id % 7 != 0"), plan).count()
