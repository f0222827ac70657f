"""What a transform keeps for its later passes: kept once, the same rows where the session
refuses (recomputed), released with the output (a loop that drops its outputs piles up
nothing)."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Callable

import numpy as np
import pytest
from pyspark import StorageLevel

from spark_smote import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE, Sampler
from tests.conftest import CONNECT

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


@pytest.mark.parametrize("name", SAMPLERS)
def test_kept_once_and_the_same_rows_where_the_session_refuses(table, monkeypatch, name):
    make, n_kept, _ = SAMPLERS[name]
    sampler = make().setSyntheticCol("s").setSeed(11)
    frame_type, keep = type(table), type(table).localCheckpoint
    calls = []

    def spied(self, *args, **kwargs):
        calls.append(1)
        return keep(self, *args, **kwargs)

    monkeypatch.setattr(frame_type, "localCheckpoint", spied)
    kept = sorted(sampler.transform(table).filter("s").collect())
    assert len(calls) == n_kept

    def refuse(self, *args, **kwargs):
        raise RuntimeError("[NOT_SUPPORTED_WITH_SERVERLESS] LOCAL CHECKPOINT is not supported")

    monkeypatch.setattr(frame_type, "localCheckpoint", refuse)
    recomputed = sorted(sampler.transform(table).filter("s").collect())
    assert len(kept) == 1200 and kept == recomputed


@pytest.mark.parametrize("name", ["borderline-2", "adasyn"])
def test_the_other_classes_rows_are_held_for_the_measuring_pass_only(table, monkeypatch, name):
    """Hashed once into the cells, persisted on disk for the counting and measuring passes and
    released before ``transform`` returns (what borderline-2's output reads of them again is
    recomputed); where the session refuses caching, the same rows."""
    frame_type = type(table)
    persist, unpersist = frame_type.persist, frame_type.unpersist
    calls = []

    def spy_persist(self, *args, **kwargs):
        calls.append(("persist", *args))
        return persist(self, *args, **kwargs)

    def spy_unpersist(self, *args, **kwargs):
        calls.append(("unpersist",))
        return unpersist(self, *args, **kwargs)

    monkeypatch.setattr(frame_type, "persist", spy_persist)
    monkeypatch.setattr(frame_type, "unpersist", spy_unpersist)
    sampler = SAMPLERS[name][0]().setSyntheticCol("s").setSeed(4)
    out = sampler.transform(table)
    assert calls == [("persist", StorageLevel.DISK_ONLY), ("unpersist",)]
    held = sorted(out.filter("s").collect())

    def refuse(self, *args, **kwargs):
        raise RuntimeError("[NOT_SUPPORTED_WITH_SERVERLESS] PERSIST TABLE is not supported")

    monkeypatch.setattr(frame_type, "persist", refuse)
    assert len(held) == 1200 and held == sorted(sampler.transform(table).filter("s").collect())


def _persisted(spark) -> set[int]:
    """Ids of the RDDs a classic session keeps (after a JVM GC: what is unreachable goes)."""
    spark.sparkContext._jvm.System.gc()
    return set(spark.sparkContext._jsc.getPersistentRDDs().keySet().toArray())


class KeptByTransform:
    """Spies on ``localCheckpoint``: what each call kept (the new persisted RDDs on classic
    Spark; the cached relation, weakly, over Connect) and whether it is still kept."""

    def __init__(self, spark, frame_type) -> None:
        self.spark, self.keep = spark, frame_type.localCheckpoint
        self.made: list[set[int] | weakref.ref] = []  # one entry per call

    def __call__(self, frame, *args, **kwargs):
        before = None if CONNECT else _persisted(self.spark)
        out = self.keep(frame, *args, **kwargs)
        if CONNECT:
            self.made.append(weakref.ref(out._plan))  # a CachedRemoteRelation
        else:
            self.made.append(_persisted(self.spark) - before)
        return out

    def still_kept(self, calls: slice = slice(None)) -> int:
        """How many of the results of ``calls`` (all by default) are still kept."""
        gc.collect()
        if CONNECT:
            return sum(ref() is not None for ref in self.made[calls])
        persisted = _persisted(self.spark)
        return sum(bool(ids & persisted) for ids in self.made[calls])


@pytest.mark.parametrize("name", ["smote", "adasyn"])
def test_nothing_kept_piles_up_when_a_loop_drops_the_outputs(spark, table, monkeypatch, name):
    """A CrossValidator fits the stage many times: what each transform kept goes with its
    output. Classic Spark may hold the last transform's until the next one runs (measured: a
    loop of any length keeps one transform's at most), so the check is on all the others."""
    spy = KeptByTransform(spark, type(table))
    monkeypatch.setattr(type(table), "localCheckpoint", lambda self, *a, **k: spy(self, *a, **k))
    make, n_kept, n_read = SAMPLERS[name]
    sampler, runs = make(), 3
    for seed in range(runs):
        out = sampler.setSeed(seed).transform(table)
        assert out.count() == 3000
        assert len(spy.made) == (seed + 1) * n_kept
        # what the output reads is kept while it lives
        assert spy.still_kept(slice(-n_kept, None)) >= n_read
        del out
    earlier = slice(0, (runs - 1) * n_kept)
    deadline = time.monotonic() + 60
    while spy.still_kept(earlier) and time.monotonic() < deadline:
        time.sleep(0.5)  # classic Spark releases them from a cleaner thread after a JVM GC
    assert spy.still_kept(earlier) == 0
    if CONNECT:
        assert spy.still_kept() == 0  # the client's references are exact: all went


def test_resample_reads_the_kept_rows_only_for_the_dataframe_of_the_plan(table):
    smote = SAMPLERS["smote"][0]().setSyntheticCol("s")
    plan = smote.plan(table)
    assert plan.rows is not None and plan.source is table
    resampled = sorted(smote.resample(table, plan).filter("s").collect())
    assert len(resampled) == 1200
    assert resampled == sorted(smote.transform(table).filter("s").collect())
    with pytest.raises(Exception, match="rows, expected"):  # another DataFrame's rows
        smote.resample(table.filter("id % 7 != 0"), plan).count()
