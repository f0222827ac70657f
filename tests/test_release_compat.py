"""Stages saved by 0.2 (tests/data/release_0.2, made by its make.py) load and give the same rows."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from pyspark.ml import PipelineModel
from pyspark.ml.util import DefaultParamsReader

import spark_smote
from spark_smote import ADASYN, SMOTE, Pipeline
from tests.conftest import CONNECT

DATA = Path(__file__).resolve().parent / "data" / "release_0.2"
ROWS = json.loads((DATA / "rows.json").read_text())
# Rows promised for good: "smote" and "smotenc" (classes within one cell: exact SMOTE). The
# others (several cells, Borderline, ADASYN, the random samplers) may change when the engine
# changes; such a change says so in CHANGELOG.md and updates their entries of rows.json.


@pytest.fixture(scope="module")
def data(spark):
    rows = json.loads((DATA / "input.json").read_text())
    return spark.createDataFrame(rows).select("id", "f0", "f1", "f2", "colour", "label")


def _ctx(spark):
    return spark if CONNECT else spark.sparkContext  # pyspark 3.5 reads through a SparkContext


def _rows(df) -> list[dict]:
    """Rows as 0.2's make.py wrote them (JSON drops null fields), in a fixed order."""
    got = [{k: v for k, v in r.asDict().items() if v is not None} for r in df.collect()]
    return sorted(got, key=json.dumps)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_a_stage_saved_by_0_2_loads_with_pyspark_and_gives_the_same_rows(spark, data, name):
    path = str(DATA / "stages" / name)
    meta = DefaultParamsReader.loadMetadata(path, _ctx(spark))
    assert meta["class"].startswith("spark_smote.") and meta["class"].count(".") == 2
    stage = DefaultParamsReader.loadParamsInstance(path, _ctx(spark))  # resolves the old path
    public = getattr(spark_smote, meta["class"].rsplit(".", 1)[1])
    assert type(stage) is public and stage.uid == meta["uid"]
    assert type(public.load(path)) is public  # and the class's own reader
    assert _rows(stage.transform(data)) == ROWS[name]


def test_adasyn_of_0_2_drops_the_kneighbors_it_never_read():
    loaded = ADASYN.load(str(DATA / "stages" / "adasyn"))
    assert loaded.getNNeighbors() == 4 and loaded.getSeed() == 9
    assert not loaded.hasParam("kNeighbors")


def test_pipelines_saved_by_0_2_load(spark, data):
    model = PipelineModel.load(str(DATA / "stages" / "pyspark_pipeline_model"))
    assert [type(s).__name__ for s in model.stages] == ["VectorAssembler", "SMOTE"]
    assert isinstance(model.stages[1], SMOTE) and model.stages[1].getSeed() == 2
    counts = dict(model.transform(data).groupBy("label").count().collect())
    assert counts == {0: 90, 1: 90, 2: 90}
    pipe = Pipeline.load(str(DATA / "stages" / "spark_smote_pipeline"))
    assert isinstance(pipe, Pipeline)
    names = [type(s).__name__ for s in pipe.getStages()]
    assert names == ["VectorAssembler", "SMOTE", "LogisticRegression"]
    fitted = pipe.fit(data)
    assert fitted.transform(data).count() == data.count()  # SMOTE left out of the model


def test_old_module_paths_import_the_public_classes():
    for old, name in [
        ("spark_smote.smote", "SMOTE"),
        ("spark_smote.smotenc", "SMOTENC"),
        ("spark_smote.borderline", "BorderlineSMOTE"),
        ("spark_smote.adasyn", "ADASYN"),
        ("spark_smote.random_sampling", "RandomOverSampler"),
        ("spark_smote.random_sampling", "RandomUnderSampler"),
    ]:
        assert getattr(importlib.import_module(old), name) is getattr(spark_smote, name)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("spark_smote.no_such_module")


@pytest.mark.parametrize(
    "name",
    ["SMOTE", "SMOTENC", "BorderlineSMOTE", "ADASYN", "RandomOverSampler", "RandomUnderSampler"],
)
def test_stages_save_under_their_public_path(spark, tmp_path, name):
    cls = getattr(spark_smote, name)
    path = str(tmp_path / name)
    cls(seed=5).save(path)
    assert DefaultParamsReader.loadMetadata(path, _ctx(spark))["class"] == f"spark_smote.{name}"
    loaded = DefaultParamsReader.loadParamsInstance(path, _ctx(spark))
    assert type(loaded) is cls and loaded.getSeed() == 5
