"""The whole Spark suite over Spark Connect, and the Databricks example as a plain script.

Classic and Connect sessions cannot live in one process, so the Connect run is a child pytest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPARK_MODULES = [
    "test_smote.py",
    "test_persistence.py",
    "test_pipeline.py",
    "test_engine.py",
    "test_diagnostics.py",
    "test_inputs.py",
    "test_smotenc.py",
    "test_random_sampling.py",
    "test_adaptive.py",
    "test_keeping.py",
    "test_cli.py",
    "test_sparse.py",
    "test_release_compat.py",
    "test_cleaning.py",
    "test_metrics.py",
    "test_weighting.py",
    "test_ensemble.py",
    "test_repeated_cleaning.py",
    "test_function_sampler.py",
    "test_instance_hardness.py",
    "test_near_miss.py",
    "test_condensing.py",
    "test_cluster_centroids.py",
    "test_kmeans_smote.py",
    "test_smoten.py",
]

#: what the Connect child run of this suite covers: where Connect differs most from classic
#: (ML persistence, odd column names and types, stages of the last release). CI's
#: pyspark-client run (.ci/run) takes every module of SPARK_MODULES over Connect, Pipelines and
#: the cleaners included; this child keeps the first environment's suite short.
CONNECT_CHILD_MODULES = [
    "test_persistence.py",
    "test_inputs.py",
    "test_release_compat.py",
]

pytestmark = pytest.mark.slow


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYSPARK_PYTHON"] = sys.executable
    return env


@pytest.mark.connect
def test_spark_suite_over_spark_connect():
    if os.environ.get("SPARK_SMOTE_TEST_CONNECT") == "1":
        pytest.fail("already the Connect run: tests/test_modes.py must not recurse")
    env = {**_clean_env(), "SPARK_SMOTE_TEST_CONNECT": "1"}
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *[str(ROOT / "tests" / m) for m in CONNECT_CHILD_MODULES],
    ]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    tail = "\n".join(run.stdout.splitlines()[-40:])
    assert run.returncode == 0, tail
    passed = re.search(r"(\d+) passed", run.stdout)
    assert passed and int(passed.group(1)) >= 30, tail
    assert "failed" not in run.stdout.splitlines()[-1]


def test_databricks_example_runs_as_a_script(tmp_path):
    path = ROOT / "examples" / "databricks_smote.py"
    assert path.read_text().startswith("# Databricks notebook source")
    run = subprocess.run(
        [sys.executable, str(path)],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    recall = float(re.search(r"fraud recall on the untouched test set: ([0-9.]+)", run.stdout)[1])
    assert recall > 0.5
