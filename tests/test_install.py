"""Installing without pyspark: the kernels import and pass their tests; the samplers say what
to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the path finder, minus pyspark: as on a machine with no pyspark installed
HIDE_PYSPARK = (
    "import sys, importlib.machinery as m\n"
    "class NoSpark:\n"
    "    @classmethod\n"
    "    def find_spec(cls, name, path=None, target=None):\n"
    "        if name == 'pyspark' or name.startswith('pyspark.'):\n"
    "            return None\n"
    "        return m.PathFinder.find_spec(name, path, target)\n"
    "sys.meta_path = [NoSpark if f is m.PathFinder else f for f in sys.meta_path]\n"
)
#: the tests of what runs without Spark
KERNEL_TESTS = [
    "test_kernel.py",
    "test_kernel_nc.py",
    "test_kernel_adaptive.py",
    "test_sparse_kernel.py",
    "test_hashing.py",
    "test_strategy.py",
    "test_kernel_cleaning.py",
    "test_kernel_metrics.py",
]


def _without_pyspark(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HIDE_PYSPARK + code], cwd=ROOT, capture_output=True, text=True
    )


def test_a_sampler_without_any_pyspark_names_the_fix():
    run = _without_pyspark("from spark_smote import SMOTE\n")
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: spark_smote needs Spark's Python API")
    assert "spark-smote[spark]" in last and "pyspark-client" in last


def test_the_kernels_import_and_pass_their_tests_without_pyspark():
    run = _without_pyspark(
        "import pkgutil, importlib, spark_smote.kernels as k\n"
        "for info in pkgutil.iter_modules(k.__path__, 'spark_smote.kernels.'):\n"
        "    importlib.import_module(info.name)\n"
        "import spark_smote.strategy\n"
        "assert not any(n.startswith('pyspark') for n in sys.modules), 'pyspark was imported'\n"
        "import pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', "
        + ", ".join(repr(f"tests/{m}") for m in KERNEL_TESTS)
        + "]))\n"
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert " passed" in run.stdout.splitlines()[-1] and "failed" not in run.stdout


def test_the_version_is_the_installed_one_and_in_the_changelog():
    from importlib.metadata import version

    import spark_smote

    assert version("spark-smote") == spark_smote.__version__
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## {spark_smote.__version__}" in changelog
