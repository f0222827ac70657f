"""spark-smote / jobs/oversample.py: settings, formats, refusals, summary, report, plot."""

from __future__ import annotations

import json
import os

import pytest
from pyspark.sql import functions as F

from spark_smote import (
    AllKNN,
    ClusterCentroids,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    NearMiss,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
    RepeatedEditedNearestNeighbours,
    SMOTETomek,
    TomekLinks,
)
from spark_smote.app.cli import build_parser, main, parse_strategy, resolve_settings
from spark_smote.app.io import guess_format
from spark_smote.app.job import build_sampler, read_input
from spark_smote.engine.columns import FLAG
from tests.conftest import blobs


def settings_for(argv, tmp_path=None):
    return resolve_settings(build_parser().parse_args(argv))


def test_precedence_cli_over_config_over_defaults(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[job]\nk = 3\nseed = 9\ninput_cols = ["a", "b"]\n[spark]\n"spark.x" = 4\n')
    settings, spark_conf = settings_for(
        ["--input", "in", "--output", "out", "--config", str(cfg), "--k", "7"]
    )
    assert settings["k"] == 7  # command line wins
    assert settings["seed"] == 9  # config beats default
    assert settings["input_cols"] == ["a", "b"]
    assert settings["max_bucket_size"] == 30_000  # default
    assert spark_conf == {"spark.x": "4"}


def test_shipped_config_is_valid_and_complete():
    path = os.path.join(os.path.dirname(__file__), "..", "conf", "oversample.toml")
    settings, spark_conf = settings_for(["--demo", "--config", path])
    assert settings["k"] == 5 and settings["strategy"] == "auto"
    assert spark_conf["spark.sql.session.timeZone"] == "UTC"


def test_strategy_parsing():
    assert parse_strategy("minority") == "minority"
    assert parse_strategy("0.5") == 0.5
    assert parse_strategy('{"1": 500, "fraud": 20}') == {1: 500, "fraud": 20}


def test_guess_format(tmp_path):
    assert guess_format("x/data.csv") == "csv"
    d = tmp_path / "t"
    d.mkdir()
    (d / "part-0000.snappy.orc").write_text("")
    assert guess_format(str(d)) == "orc"
    (tmp_path / "delta" / "_delta_log").mkdir(parents=True)
    assert guess_format(str(tmp_path / "delta")) == "delta"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--input", "a"], "give --output"),
        ([], "give --input"),
        (["--input", "d/x", "--output", "d/x/y"], "is the input or inside it"),
        (["--input", "a", "--output", "b", "--strategy", "{bad"], "not valid JSON"),
        (["--input", "a", "--output", "b", "--config", "/nonexistent.toml"], "cannot read config"),
    ],
)
def test_user_mistakes_give_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.fixture(scope="module")
def table(spark, tmp_path_factory):
    df = blobs(spark, {0: 80, 1: 12}, vector=False)
    root = tmp_path_factory.mktemp("inputs")
    paths = {}
    for fmt in ("parquet", "csv", "json", "orc"):
        paths[fmt] = str(root / f"in_{fmt}")
        writer = df.write.format(fmt)
        (writer.option("header", "true") if fmt == "csv" else writer).save(paths[fmt])
    return df, paths


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json", "orc"])
def test_job_reads_each_format_and_writes_parquet(spark, table, tmp_path, fmt, capsys):
    df, paths = table
    out = str(tmp_path / "out")
    argv = [
        "--input",
        paths[fmt],
        "--output",
        out,
        "--input-cols",
        "f0,f1,f2",
        "--k",
        "3",
        "--synthetic-col",
        "syn",
        "--seed",
        "5",
    ]
    if fmt != "parquet":
        argv += ["--format", fmt]
    assert main(argv) == 0
    assert "wrote 160 rows" in capsys.readouterr().out
    written = spark.read.parquet(out)
    assert {r.label: r["count"] for r in written.groupBy("label").count().collect()} == {
        0: 80,
        1: 80,
    }
    originals = written.filter("NOT syn").select(*df.columns)
    assert (
        originals.exceptAll(df.select(*[F.col(c).cast(t) for c, t in originals.dtypes])).count()
        == 0
    )
    assert written.columns == read_input(spark, paths[fmt], fmt).columns + ["syn"]


def test_existing_output_needs_overwrite(table, tmp_path, capsys):
    _, paths = table
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("user data")
    argv = ["--input", paths["parquet"], "--output", str(out), "--input-cols", "f0,f1,f2"]
    assert main(argv) == 2
    assert "already exists" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "user data"
    assert main(argv + ["--mode", "overwrite", "--k", "3"]) == 0


def test_unreadable_input_and_bad_column(tmp_path, table, capsys):
    assert main(["--input", str(tmp_path / "missing"), "--output", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "spark-smote: error:" in err
    _, paths = table
    assert (
        main(
            [
                "--input",
                paths["parquet"],
                "--output",
                str(tmp_path / "o2"),
                "--input-cols",
                "f0,nope",
            ]
        )
        == 2
    )
    assert "'nope' is not in the input" in capsys.readouterr().err
    assert not (tmp_path / "o2").exists()  # nothing written


def test_report_plot_partitioning_and_demo(spark, tmp_path, capsys):
    out, report, plot = tmp_path / "o", tmp_path / "r.json", tmp_path / "p.png"
    argv = [
        "--demo",
        "--demo-rows",
        "3000",
        "--output",
        str(out),
        "--report",
        str(report),
        "--plot",
        str(plot),
        "--partition-by",
        "label",
        "--strategy",
        "0.5",
    ]
    assert main(argv) == 0
    summary = json.loads(report.read_text())
    before = {c["label"]: c["before"] for c in summary["classes"]}
    after = {c["label"]: c["after"] for c in summary["classes"]}
    assert after[1] == int(0.5 * before[0]) and after[0] == before[0]
    assert summary["rows_written"] == spark.read.parquet(str(out)).count()
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["label=0", "label=1"]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert "before" in printed and "after" in printed and "cells" in printed


@pytest.mark.parametrize(
    ("extra", "sampler", "expected"),
    [
        (["--categorical-cols", "colour"], "SMOTENC", {0: 80, 1: 80}),
        (
            ["--sampler", "borderline", "--m-neighbors", "6", "--kind", "borderline-2"],
            "BorderlineSMOTE",
            {0: 80, 1: 80},
        ),
        (["--sampler", "adasyn"], "ADASYN", {0: 80, 1: 80}),
        (
            ["--sampler", "kmeans-smote", "--n-clusters", "1", "--density-exponent", "1.5"],
            "KMeansSMOTE",
            {0: 80, 1: 80},
        ),
        (["--sampler", "random-over", "--shrinkage", "0.5"], "RandomOverSampler", {0: 80, 1: 80}),
        (["--sampler", "smoten", "--input-cols", "colour"], "SMOTEN", {0: 80, 1: 80}),
        (["--sampler", "random-under", "--replacement"], "RandomUnderSampler", {0: 12, 1: 12}),
    ],
)
def test_each_sampler_from_the_command_line(spark, tmp_path, capsys, extra, sampler, expected):
    df = blobs(spark, {0: 80, 1: 12}, vector=False, seed=3)  # blobs 3 apart: overlap them
    df = df.withColumn("f0", F.col("f0") - F.col("label") * 2.5).withColumn(
        "colour", F.when(F.col("id") % 3 == 0, "red").otherwise("blue")
    )
    df.write.parquet(str(tmp_path / "in"))
    out, report = str(tmp_path / "out"), tmp_path / "r.json"
    argv = ["--input", str(tmp_path / "in"), "--output", out, "--input-cols", "f0,f1,f2"]
    assert main([*argv, "--k", "3", "--report", str(report), *extra]) == 0
    written = spark.read.parquet(out)
    assert {r.label: r["count"] for r in written.groupBy("label").count().collect()} == expected
    summary = json.loads(report.read_text())
    assert summary["sampler"] == sampler
    assert {c["label"]: c["after"] for c in summary["classes"]} == expected
    assert written.columns == df.columns
    if sampler == "SMOTENC":
        assert {r.colour for r in written.collect()} == {"red", "blue"}


def test_sampler_settings_that_do_not_fit(tmp_path, capsys):
    argv = ["--demo", "--output", str(tmp_path / "o")]
    assert main([*argv, "--sampler", "adasyn", "--categorical-cols", "a"]) == 2
    assert "--categorical-cols needs --sampler smotenc" in capsys.readouterr().err
    settings, _ = settings_for(["--demo", "--categorical-cols", "a,b"])
    assert settings["sampler"] == "smotenc" and settings["categorical_cols"] == ["a", "b"]


@pytest.mark.newest  # engine logic, the same on every Spark version
@pytest.mark.parametrize(
    ("extra", "stage"),
    [
        (
            ["--sampler", "enn", "--n-neighbors", "4", "--kind-sel", "all", "--strategy", "[0]"],
            EditedNearestNeighbours(
                inputCols=["f0", "f1", "f2"], nNeighbors=4, kindSel="all", samplingStrategy=[0]
            ),
        ),
        (
            ["--sampler", "smote-tomek", "--k", "3"],
            SMOTETomek(inputCols=["f0", "f1", "f2"], kNeighbors=3),
        ),
        (
            ["--sampler", "renn", "--max-iter", "2", "--kind-sel", "mode"],
            RepeatedEditedNearestNeighbours(
                inputCols=["f0", "f1", "f2"], maxIter=2, kindSel="mode"
            ),
        ),
        (
            ["--sampler", "allknn", "--n-neighbors", "4", "--allow-minority"],
            AllKNN(inputCols=["f0", "f1", "f2"], nNeighbors=4, allowMinority=True),
        ),
        (
            ["--sampler", "ncr", "--threshold-cleaning", "0.1"],
            NeighbourhoodCleaningRule(inputCols=["f0", "f1", "f2"], thresholdCleaning=0.1),
        ),
        (
            ["--sampler", "nearmiss", "--near-miss-version", "3", "--n-neighbors-ver3", "2"],
            NearMiss(inputCols=["f0", "f1", "f2"], version=3, nNeighborsVer3=2),
        ),
        (
            ["--sampler", "cnn", "--n-seeds-s", "2"],
            CondensedNearestNeighbour(inputCols=["f0", "f1", "f2"], nSeedsS=2),
        ),
        (
            ["--sampler", "oss", "--n-neighbors", "3"],
            OneSidedSelection(inputCols=["f0", "f1", "f2"], nNeighbors=3),
        ),
        (
            ["--sampler", "cluster-centroids", "--voting", "hard", "--max-iter", "7"],
            ClusterCentroids(inputCols=["f0", "f1", "f2"], voting="hard", maxIter=7),
        ),
        (["--sampler", "tomek"], TomekLinks(inputCols=["f0", "f1", "f2"])),  # its own defaults
    ],
    ids="enn smote-tomek renn allknn ncr nearmiss cnn oss centroids tomek".split(),
)
def test_cleaning_samplers_from_the_command_line(spark, tmp_path, extra, stage):
    df = blobs(spark, {0: 80, 1: 12}, vector=False, seed=3)
    for f in ("f0", "f1", "f2"):  # the classes' blobs on top of each other
        df = df.withColumn(f, F.col(f) - F.col("label") * 2.5)
    df.write.parquet(str(tmp_path / "in"))
    out, report = str(tmp_path / "out"), tmp_path / "r.json"
    argv = ["--input", str(tmp_path / "in"), "--output", out, "--input-cols", "f0,f1,f2"]
    # the flags make the stage written out above: every param it defines has the same value
    # (the job adds the column that flags synthetic rows, dropped before the write)
    settings, _ = settings_for([*argv, *extra])
    built = build_sampler(settings, FLAG)
    assert type(built) is type(stage)
    for param in filter(stage.isDefined, stage.params):
        assert built.getOrDefault(param.name) == stage.getOrDefault(param), param.name
    assert main([*argv, "--report", str(report), *extra]) == 0
    written = spark.read.parquet(out)
    found = {r.label: r["count"] for r in written.groupBy("label").count().collect()}
    summary = json.loads(report.read_text())
    assert summary["sampler"] == type(stage).__name__
    assert {c["label"]: c["after"] for c in summary["classes"]} == found
    assert found[0] < 80  # rows of class 0 were removed
    assert written.columns == df.columns
