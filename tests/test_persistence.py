"""Params, copy, save/load, and SMOTE inside a pyspark Pipeline."""

from __future__ import annotations

import pytest
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.feature import VectorAssembler

from spark_smote import SMOTE
from spark_smote.params import DEFAULT_SEED
from tests.conftest import CONNECT, blobs


def test_defaults_and_fixed_seed():
    s = SMOTE()
    assert s.getSeed() == DEFAULT_SEED == SMOTE().getSeed()
    assert (s.getKNeighbors(), s.getSamplingStrategy(), s.getOtherColumns()) == (5, "auto", "null")
    assert s.getMaxBucketSize() >= 10_000
    assert s.getInputCols() is None and s.getSyntheticCol() is None and s.getBucketLength() is None


def test_setters_return_self_and_copy_is_independent():
    s = SMOTE().setKNeighbors(3).setSamplingStrategy({1: 10}).setSyntheticCol("syn")
    assert isinstance(s, SMOTE) and s.getKNeighbors() == 3
    c = s.copy({s.kNeighbors: 7})
    assert c.getKNeighbors() == 7 and s.getKNeighbors() == 3
    assert c.getSamplingStrategy() == {1: 10} and c.uid == s.uid


def test_strategy_type_errors():
    with pytest.raises(TypeError, match="samplingStrategy"):
        SMOTE(samplingStrategy=True)
    with pytest.raises(TypeError, match="samplingStrategy"):
        SMOTE(samplingStrategy={(1, 2): 3})


@pytest.mark.parametrize(
    "strategy", ["minority", 0.75, {1: 100, 2: 50}, {1.0: 10}, {"a": 5, "b": 7}]
)
def test_save_load_restores_every_param(tmp_path, spark, strategy):
    s = SMOTE(
        inputCols=["x", "y"],
        labelCol="cls",
        kNeighbors=3,
        samplingStrategy=strategy,
        seed=7,
        syntheticCol="syn",
        otherColumns="copy",
        maxBucketSize=20_000,
        numHashTables=2,
        bucketLength=2.5,
    )
    path = str(tmp_path / "smote")
    s.save(path)
    loaded = SMOTE.load(path)
    assert loaded.uid == s.uid
    for p in s.params:
        assert loaded.isSet(p) == s.isSet(p), p.name
        if s.isDefined(p):
            assert loaded.getOrDefault(p.name) == s.getOrDefault(p), p.name
    got = loaded.getSamplingStrategy()
    assert got == strategy and type(got) is type(strategy)
    if isinstance(strategy, dict):
        assert [type(k) for k in got] == [type(k) for k in strategy]
    s.write().overwrite().save(path)  # overwrite works
    assert SMOTE.load(path).getKNeighbors() == 3


def test_pipeline_with_smote_fits_saves_and_loads(tmp_path, spark):
    df = blobs(spark, {0: 60, 1: 12}, vector=False)
    pipe = Pipeline(
        stages=[
            VectorAssembler(inputCols=["f0", "f1", "f2"], outputCol="features"),
            SMOTE(kNeighbors=3, syntheticCol="syn", samplingStrategy={1: 40}),
        ]
    )
    model = pipe.fit(df)
    path = str(tmp_path / "pm")
    model.save(path)
    loaded = PipelineModel.load(path)
    assert isinstance(loaded.stages[1], SMOTE)
    assert loaded.stages[1].getSamplingStrategy() == {1: 40}
    a = sorted(tuple(r.features) for r in model.transform(df).filter("syn").collect())
    b = sorted(tuple(r.features) for r in loaded.transform(df).filter("syn").collect())
    assert len(a) == 28 and a == b
    pipe.write().overwrite().save(str(tmp_path / "p"))
    assert isinstance(Pipeline.load(str(tmp_path / "p")).getStages()[1], SMOTE)


def test_saved_metadata_has_sparks_layout_and_loads_with_pyspark(tmp_path, spark):
    from pyspark.ml.util import DefaultParamsReader

    s = SMOTE(kNeighbors=4, samplingStrategy={1: 30})
    path = str(tmp_path / "s")
    s.save(path)
    ctx = spark if CONNECT else spark.sparkContext  # pyspark 3.5 reads through a SparkContext
    meta = DefaultParamsReader.loadMetadata(path, ctx)
    assert meta["class"] == "spark_smote.SMOTE" and meta["uid"] == s.uid
    assert meta["paramMap"]["kNeighbors"] == 4 and meta["defaultParamMap"]["seed"] == DEFAULT_SEED
    assert meta["sparkVersion"] == spark.version
    loaded = DefaultParamsReader.loadParamsInstance(path, ctx)
    assert isinstance(loaded, SMOTE) and loaded.getSamplingStrategy() == {1: 30}


def test_save_refuses_an_existing_path_without_overwrite(tmp_path, spark):
    path = str(tmp_path / "s")
    SMOTE(kNeighbors=3).save(path)
    with pytest.raises(Exception, match="(?i)already exists"):
        SMOTE(kNeighbors=9).save(path)
    assert SMOTE.load(path).getKNeighbors() == 3
    SMOTE(kNeighbors=9).write().overwrite().save(path)
    assert SMOTE.load(path).getKNeighbors() == 9


def test_load_refuses_another_class(tmp_path, spark):
    path = str(tmp_path / "va")
    VectorAssembler(inputCols=["a"], outputCol="v").save(path)
    with pytest.raises(ValueError, match="VectorAssembler"):
        SMOTE.load(path)


def test_every_sampler_has_a_chaining_setter_per_param():
    from spark_smote import ADASYN, SMOTENC, BorderlineSMOTE, RandomOverSampler, RandomUnderSampler

    for cls in (SMOTE, SMOTENC, BorderlineSMOTE, ADASYN, RandomOverSampler, RandomUnderSampler):
        s = cls().setSeed(3).setLabelCol("y").setSamplingStrategy({1: 5})
        assert type(s) is cls and (s.getSeed(), s.getLabelCol()) == (3, "y")
        for p in s.params:
            assert hasattr(s, "set" + p.name[0].upper() + p.name[1:]), (cls.__name__, p.name)
