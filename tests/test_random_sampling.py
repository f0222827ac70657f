"""RandomOverSampler and RandomUnderSampler: exact counts, whole rows, seeds, blocks, errors."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from pyspark.ml.linalg import Vectors
from pyspark.sql import functions as F

import spark_smote.engine.draws as draws
import spark_smote.kernels.draws as draw_kernels
from spark_smote import SMOTE, RandomOverSampler, RandomUnderSampler
from spark_smote.pipeline import Pipeline
from tests.test_pipeline import FITS, RecordingEstimator, assembler, imbalanced


def counts(df, label="label"):
    return {r[label]: r["count"] for r in df.groupBy(label).count().collect()}


def rows_of(df):
    return Counter(tuple(r) for r in df.collect())


@pytest.fixture(scope="module")
def table(spark):
    df = spark.range(2000).select(
        F.col("id"),
        F.sin("id").alias("x"),
        (F.col("id") % 7).cast("int").alias("k"),
        F.when(F.col("id") % 20 == 0, 2).when(F.col("id") % 5 == 0, 1).otherwise(0).alias("label"),
    )
    return df.cache()  # classes 0: 1600, 1: 300, 2: 100


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("auto", {0: 1600, 1: 1600, 2: 1600}),
        ("minority", {0: 1600, 1: 300, 2: 1600}),
        ({1: 500, 2: 101}, {0: 1600, 1: 500, 2: 101}),
    ],
)
def test_over_sampler_counts_and_copies_are_whole_rows(table, strategy, expected):
    out = RandomOverSampler(samplingStrategy=strategy, syntheticCol="s").transform(table)
    assert counts(out) == expected
    original = rows_of(table)
    assert rows_of(out.filter("NOT s").drop("s")) == original
    copies = out.filter("s").drop("s").collect()
    assert all(tuple(r) in original for r in copies)  # every column as in the row drawn


@pytest.fixture(params=["profiled", "blocks"])
def draw_path(request, monkeypatch):
    """Draws with replacement made from the driver's profile, or (no profile fits) in blocks
    of at most 40 rows (class 2 in 3 blocks, class 1 in 8)."""
    monkeypatch.setattr(draws, "BLOCK_ROWS", 40)
    if request.param == "blocks":
        monkeypatch.setattr(draws, "PROFILE_DRAWS", 0)
    return request.param


def test_over_sampler_draws_with_replacement_uniformly(table, draw_path):
    out = RandomOverSampler(samplingStrategy={2: 100 + 5000}, syntheticCol="s").transform(table)
    ids = Counter(r.id for r in out.filter("s").collect())
    assert sum(ids.values()) == 5000 and len(ids) == 100  # every row drawn, some many times
    # 5000 draws over 100 rows: 50 each on average; a multinomial stays within +-25 of it
    assert 25 < min(ids.values()) and max(ids.values()) < 75


def test_over_sampler_same_rows_whatever_the_partitioning(table, draw_path):
    ros = RandomOverSampler(syntheticCol="s", seed=3)
    a = rows_of(ros.transform(table).filter("s"))
    b = rows_of(ros.transform(table.repartition(7, "x")).filter("s"))
    assert a == b
    assert a != rows_of(ros.copy({ros.seed: 4}).transform(table).filter("s"))


def test_smoothed_bootstrap(table):
    ros = RandomOverSampler(inputCols=["x", "k"], shrinkage=2.0, syntheticCol="s")
    out = ros.transform(table)
    assert counts(out) == {0: 1600, 1: 1600, 2: 1600}
    assert dict(out.dtypes)["k"] == "int"
    base = {r.id: r for r in table.collect()}
    copies = out.filter("s AND label = 2").collect()
    noise = np.array([r.x - base[r.id].x for r in copies])
    cls = np.array([r.x for r in base.values() if r.label == 2])
    h = (4 / (4 * 2000)) ** (1 / 6)
    assert noise.std() == pytest.approx(2.0 * h * cls.std(), rel=0.1)
    assert all(float(r.k) == round(r.k) for r in copies)


def test_smoothed_bootstrap_on_vectors(spark):
    rows = [(Vectors.dense([float(i), float(i % 3)]), int(i < 10), i) for i in range(60)]
    df = spark.createDataFrame(rows, ["features", "label", "id"])
    out = RandomOverSampler(shrinkage=1.0, syntheticCol="s").transform(df).filter("s")
    got = out.collect()
    assert len(got) == 40 and all(len(r.features) == 2 for r in got)
    assert any(r.features[0] != float(r.id) for r in got)


def test_without_shrinkage_features_are_not_needed(spark):
    df = spark.createDataFrame([("a", 0)] * 9 + [("b", 1)] * 2, ["word", "label"])
    assert counts(RandomOverSampler().transform(df)) == {0: 9, 1: 9}


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("auto", {0: 100, 1: 100, 2: 100}),
        ("majority", {0: 100, 1: 300, 2: 100}),
        ("not majority", {0: 1600, 1: 100, 2: 100}),
        ("all", {0: 100, 1: 100, 2: 100}),
        ({0: 700, 1: 0}, {0: 700, 2: 100}),
    ],
)
def test_under_sampler_counts_and_rows_unchanged(table, strategy, expected, monkeypatch):
    # every first window misses its cut (it lies above all hashes): the search widens them
    rounds = []

    def missing_first(n_rows, n_draws, round_=0):
        rounds.append(round_)
        if round_ == 0:
            return draw_kernels.HASH_MAX - 1, draw_kernels.HASH_MAX
        return draw_kernels.hash_window(n_rows, n_draws, round_)

    monkeypatch.setattr(draws, "hash_window", missing_first)
    out = RandomUnderSampler(samplingStrategy=strategy).transform(table)
    assert counts(out) == expected
    assert 1 in rounds
    kept = rows_of(out)
    original = rows_of(table)
    assert all(original[r] == 1 and n == 1 for r, n in kept.items())  # no row twice


def test_under_sampler_float_on_binary(spark):
    df = imbalanced(spark, n=1000)
    n_min = counts(df)[1]
    assert counts(RandomUnderSampler(samplingStrategy=0.5).transform(df)) == {
        0: 2 * n_min,
        1: n_min,
    }


def test_under_sampler_is_uniform_and_seeded(table):
    rus = RandomUnderSampler(samplingStrategy={0: 400})
    a = rus.transform(table).filter("label = 0")
    ids = np.array([r.id for r in a.collect()])
    # 400 of 1600 majority ids: each quarter of the id range holds about 100
    quarters = np.bincount(ids * 4 // 2000, minlength=4)
    assert (np.abs(quarters - 100) < 35).all(), quarters
    b = rus.transform(table.repartition(5, "k")).filter("label = 0")
    assert rows_of(a) == rows_of(b)
    c = rus.setSeed(7).transform(table).filter("label = 0")
    assert len(set(rows_of(a)) & set(rows_of(c))) < 200  # another seed, other rows (~100 shared)


def test_under_sampler_exact_among_identical_rows(spark):
    # the majority is 30 distinct rows, each 100 times: every cut falls among identical rows
    df = spark.range(3100).select(
        F.when(F.col("id") < 3000, F.col("id") % 30).otherwise(F.col("id")).alias("x"),
        (F.col("id") >= 3000).cast("int").alias("label"),
    )
    for n in (100, 1234, 2999):
        out = RandomUnderSampler(samplingStrategy={0: n}).transform(df.repartition(3))
        assert counts(out) == {0: n, 1: 100}
        kept = Counter(r.x for r in out.filter("label = 0").collect())
        assert all(0 <= x < 30 for x in kept) and max(kept.values()) <= 100
        again = RandomUnderSampler(samplingStrategy={0: n}).transform(df.repartition(7, "x"))
        assert rows_of(again) == rows_of(out)


def test_under_sampler_with_replacement(table, draw_path):
    rus = RandomUnderSampler(samplingStrategy={0: 1000, 1: 200}, replacement=True)
    out = rus.transform(table)
    assert counts(out) == {0: 1000, 1: 200, 2: 100}
    ids = Counter(r.id for r in out.filter("label = 0").collect())
    # 1000 draws of 1600 rows with replacement: 1600 (1 - (1 - 1/1600)^1000) = 743.6 distinct
    # rows expected (standard deviation about 11), repeated up to 5 or 6 times
    assert 700 < len(ids) < 790 and 3 < max(ids.values()) < 9, (len(ids), max(ids.values()))
    quarters = np.bincount(np.array(list(ids.elements())) * 4 // 2000, minlength=4)
    assert (np.abs(quarters - 250) < 60).all(), quarters  # uniform over the id range
    assert rows_of(rus.transform(table.repartition(5, "k"))) == rows_of(out)
    assert rows_of(rus.setSeed(9).transform(table)) != rows_of(out)


def test_draws_with_replacement_on_both_paths_at_once(table, monkeypatch):
    # class 1's 200 draws fit the profile, class 0's 1,000 do not: one output of both paths
    monkeypatch.setattr(draws, "PROFILE_DRAWS", 500)
    rus = RandomUnderSampler(samplingStrategy={0: 1000, 1: 200}, replacement=True)
    out = rus.transform(table)
    assert counts(out) == {0: 1000, 1: 200, 2: 100}
    assert rows_of(rus.transform(table.repartition(3, "x"))) == rows_of(out)


def test_smote_then_under_sampling_in_one_pipeline(spark):
    df = imbalanced(spark, n=800)
    before = counts(df)
    pipe = Pipeline(
        stages=[
            assembler(),
            SMOTE(kNeighbors=3, samplingStrategy={1: 2 * before[1]}),
            RandomUnderSampler(samplingStrategy=0.5),
            RecordingEstimator(),
        ]
    )
    model = pipe.fit(df)
    assert FITS[-1] == {0: 4 * before[1], 1: 2 * before[1]}
    assert [type(s).__name__ for s in model.stages] == ["VectorAssembler", "RecordingModel"]


def test_persistence(tmp_path, spark):
    ros = RandomOverSampler(inputCols=["a"], shrinkage=0.5, samplingStrategy={1: 9}, seed=4)
    ros.save(str(tmp_path / "ros"))
    got = RandomOverSampler.load(str(tmp_path / "ros"))
    assert (got.getShrinkage(), got.getSamplingStrategy(), got.getSeed()) == (0.5, {1: 9}, 4)
    rus = RandomUnderSampler(samplingStrategy="majority", replacement=True)
    rus.save(str(tmp_path / "rus"))
    got = RandomUnderSampler.load(str(tmp_path / "rus"))
    assert got.getReplacement() and got.getSamplingStrategy() == "majority"


@pytest.mark.parametrize(
    ("sampler", "match"),
    [
        (RandomUnderSampler(samplingStrategy="minority"), "not known to RandomUnderSampler"),
        (RandomUnderSampler(samplingStrategy={0: 5000}), "has only 1600"),
        (RandomUnderSampler(labelCol="nope"), "labelCol: column 'nope'"),
        (RandomOverSampler(samplingStrategy="majority"), "not known to RandomOverSampler"),
        (RandomOverSampler(shrinkage=-1.0), "shrinkage must be"),
        (RandomOverSampler(shrinkage=1.0, inputCols=["x", "nope"]), "inputCols: column 'nope'"),
        (RandomOverSampler(syntheticCol="x"), "syntheticCol: column 'x' already exists"),
    ],
)
def test_errors(table, sampler, match):
    with pytest.raises(ValueError, match=match):
        sampler.transform(table)


def test_random_samplers_plan_before_and_after(table):
    over = RandomOverSampler(samplingStrategy={1: 500}).plan(table)
    assert over.sampler == "RandomOverSampler" and over.cells == []
    assert over.changed == {1: 500} and over.after[1] == 500
    under = RandomUnderSampler(samplingStrategy="majority").plan(table)
    minority = min(under.before.values())
    assert under.changed == {max(under.before, key=under.before.get): minority}
    out = RandomUnderSampler(samplingStrategy="majority").resample(table, under)
    counts = dict(out.groupBy("label").count().collect())
    assert counts == under.after
