"""A real standalone cluster (a master, two workers of one core): spark-submit of
jobs/oversample.py, and outputs that survive a lost executor.

The cluster runs on 127.0.0.1, started with the ``spark-class`` launcher that ships in pyspark;
for spark-submit the package is shipped to the executors as a zip with ``--py-files``. The
fixture stops what it started; the lost-executor test kills only executor JVMs that its own
workers started.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pyspark
import pytest
from pyspark.sql import functions as F

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


class Cluster(NamedTuple):
    url: str
    workers: int  # registered with the master
    worker_pids: list[int]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    """The master's URL, the workers registered and their pids; every process is stopped
    afterwards."""
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
        workers = (logs / "master.log").read_text().count("Registering worker")
        yield Cluster(url, workers, [p.pid for p in procs[1:]])
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
    url, workers, _ = cluster
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


# ---------------------------------------------------------------- a lost executor (issue 35)


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process (Linux /proc)."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        out[int(stat.parent.name)] = int(fields[1])
    return out


def _is_executor(pid: int) -> bool:
    try:
        return b"CoarseGrainedExecutorBackend" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _ancestors(pid: int, parents: dict[int, int]) -> list[int]:
    chain = []
    while pid in parents and pid > 1:
        pid = parents[pid]
        chain.append(pid)
    return chain


def _executors(worker_pids: list[int]) -> list[int]:
    """The live executor JVMs that the cluster's workers started."""
    parents = _parents()
    return sorted(
        pid
        for pid in parents
        if _is_executor(pid) and set(_ancestors(pid, parents)) & set(worker_pids)
    )


def _executor_running(python_pid: int, worker_pids: list[int]) -> int:
    """The executor JVM whose task runs in the Python worker ``python_pid``."""
    parents = _parents()
    chain = _ancestors(python_pid, parents)
    executors = [pid for pid in chain if _is_executor(pid)]
    assert executors and set(chain) & set(worker_pids), "not an executor of this cluster"
    return executors[0]


def _errors(log: Path) -> str:
    """The driver's first error lines and its last lines."""
    lines = log.read_text().splitlines()
    first = [line for line in lines if "Exception" in line or "Error" in line][:5]
    return "\n".join([*first, "...", *lines[-30:]])


def _wait_for(path: Path, driver: subprocess.Popen, log: Path, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if driver.poll() is not None:
            pytest.fail(f"the driver exited ({driver.returncode}):\n{_errors(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"{path.name} not written in {seconds} s:\n{_errors(log)}")
        time.sleep(0.2)


@pytest.mark.newest
def test_outputs_survive_a_lost_executor(cluster, spark, tmp_path):
    """Samplers whose classes exceed maxBucketSize (so that planning keeps rows for the output;
    one per way of keeping) write the same rows when an executor is SIGKILLed between
    transform() and the write, and when one is killed while the outputs are written again, as
    without the kill (all samplers' outputs in one write each, so that two kills cover them
    all)."""
    from tests.lost_executor_driver import SAMPLERS, table

    out, control, log = tmp_path / "out", tmp_path / "control", tmp_path / "driver.log"
    control.mkdir()
    with open(log, "w") as sink:
        driver = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("lost_executor_driver.py")),
                cluster.url,
                str(out),
                str(control),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**_env(), "PYTHONPATH": str(ROOT)},
            cwd=tmp_path,
        )
        try:
            _wait_for(control / "transformed", driver, log)
            executors = _executors(cluster.worker_pids)
            assert len(executors) == 2, executors
            os.kill(executors[0], signal.SIGKILL)  # after transform(), before the write
            killed = [executors[0]]
            (control / "go").touch()

            _wait_for(control / "writing", driver, log)
            python_pid = int((control / "writing").read_text())
            executor = _executor_running(python_pid, cluster.worker_pids)
            os.kill(executor, signal.SIGKILL)  # while its task writes the outputs
            killed.append(executor)
            assert driver.wait(600) == 0, _errors(log)
        finally:
            if driver.poll() is None:
                driver.kill()
    assert len(set(killed)) == 2  # each kill hit a live executor of its own
    assert "written" in log.read_text()
    df = table(spark)
    runs = {run: spark.read.parquet(str(out / run)) for run in ("after", "during")}
    for name, sampler in SAMPLERS.items():
        # no executor lost (and the rows of any partitioning); a few thousand rows: compared here
        reference = sampler.transform(df)
        expected = Counter(tuple(r) for r in reference.collect())
        n = sum(expected.values())
        assert 0 < n < 5800 if name == "tomek" else n == 3 * 4000
        for run, found in runs.items():
            written = found.filter(F.col("sampler") == name).select(*reference.columns)
            assert Counter(tuple(r) for r in written.collect()) == expected, (name, run)
