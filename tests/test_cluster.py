"""spark-submit of jobs/oversample.py on a real standalone cluster (a master, two workers).

The cluster runs on 127.0.0.1, started with the ``spark-class`` launcher that ships in pyspark;
the package is shipped to the executors as a zip with ``--py-files``. The fixture stops what it
started.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyspark
import pytest

ROOT = Path(__file__).resolve().parents[1]
SPARK_HOME = Path(pyspark.__file__).parent

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SPARK_HOME=str(SPARK_HOME),
        PYSPARK_PYTHON=sys.executable,
        PYSPARK_DRIVER_PYTHON=sys.executable,
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_MASTER_OPTS="-XX:+UseSerialGC",
        SPARK_WORKER_OPTS="-XX:+UseSerialGC",
    )
    env.pop("SPARK_REMOTE", None)
    env.pop("SPARK_CONNECT_MODE_ENABLED", None)
    return env


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[tuple[str, int]]:
    """``(master_url, workers_registered)``; every process is stopped afterwards."""
    logs = tmp_path_factory.mktemp("cluster")
    port, ui = _free_port(), _free_port()
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    procs: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> None:
        out = open(logs / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        procs.append(
            subprocess.Popen(
                [spark_class, *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=_env(),
                cwd=logs,
                start_new_session=True,
            )
        )

    try:
        start(
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(ui),
        )
        _wait_for_port(port, 60)
        url = f"spark://127.0.0.1:{port}"
        for i in range(2):
            start(
                f"worker{i}",
                "org.apache.spark.deploy.worker.Worker",
                "--cores",
                "1",
                "--memory",
                "2g",
                "--webui-port",
                str(_free_port()),
                "--work-dir",
                str(logs / f"work{i}"),
                url,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = (logs / "master.log").read_text()
            if text.count("Registering worker") >= 2:
                break
            time.sleep(0.5)
        yield url, (logs / "master.log").read_text().count("Registering worker")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()


def _package_zip(dest: Path) -> Path:
    path = dest / "spark_smote.zip"
    with zipfile.ZipFile(path, "w") as z:
        for f in (ROOT / "spark_smote").rglob("*.py"):
            z.write(f, f.relative_to(ROOT))
    return path


def _executor_python(dest: Path) -> Path:
    """A Python for executors that cannot see the installed spark_smote.

    ``-S`` skips ``site``, so the editable install's ``.pth`` is not read; third-party packages
    come from site-packages on PYTHONPATH, and spark_smote only from the ``--py-files`` zip.
    """
    path = dest / "executor-python"
    site = sysconfig.get_paths()["purelib"]
    path.write_text(
        f'#!/bin/sh\nexport PYTHONPATH="$PYTHONPATH:{site}"\nexec {sys.executable} -S "$@"\n'
    )
    path.chmod(0o755)
    return path


def test_executor_python_cannot_import_the_installed_package(tmp_path):
    run = subprocess.run(
        [str(_executor_python(tmp_path)), "-c", "import spark_smote"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(),
    )
    assert run.returncode != 0 and "No module named 'spark_smote'" in run.stderr


def test_spark_submit_on_standalone_cluster(cluster, spark, tmp_path):
    url, workers = cluster
    assert workers == 2
    from tests.conftest import blobs

    data = blobs(spark, {"ok": 300, "fraud": 40}, dim=4, vector=False)
    src, out, report = tmp_path / "in", tmp_path / "out", tmp_path / "report.json"
    data.write.parquet(str(src))
    cmd = [
        str(SPARK_HOME / "bin" / "spark-submit"),
        "--master",
        url,
        "--total-executor-cores",
        "2",
        "--executor-cores",
        "1",
        "--executor-memory",
        "1g",
        "--py-files",
        str(_package_zip(tmp_path)),
        "--conf",
        f"spark.pyspark.python={_executor_python(tmp_path)}",
        "--conf",
        f"spark.pyspark.driver.python={sys.executable}",
        str(ROOT / "jobs" / "oversample.py"),
        "--config",
        str(ROOT / "conf" / "oversample.toml"),
        "--input",
        str(src),
        "--output",
        str(out),
        "--input-cols",
        "f0,f1,f2,f3",
        "--k",
        "4",
        "--synthetic-col",
        "syn",
        "--report",
        str(report),
    ]
    run = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "wrote 600 rows" in run.stdout
    # the work ran on the cluster's executors, not in a local-mode driver
    assert "Granted executor ID" in run.stderr or "Executor added" in run.stderr
    written = spark.read.parquet(str(out))
    counts = {r.label: r["count"] for r in written.groupBy("label").count().collect()}
    assert counts == {"ok": 300, "fraud": 300}
    assert written.filter("NOT syn").drop("syn").exceptAll(data).count() == 0
    assert written.columns == data.columns + ["syn"]
    assert [f.dataType for f in written.schema][:-1] == [f.dataType for f in data.schema]
