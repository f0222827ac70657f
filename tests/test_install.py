"""Installing without pyspark: importing spark_smote says what to install."""

from __future__ import annotations

import subprocess
import sys


def test_import_without_any_pyspark_names_the_fix():
    hide = (  # the path finder, minus pyspark: as on a machine with no pyspark installed
        "import sys, importlib.machinery as m\n"
        "class NoSpark:\n"
        "    @classmethod\n"
        "    def find_spec(cls, name, path=None, target=None):\n"
        "        if name == 'pyspark' or name.startswith('pyspark.'):\n"
        "            return None\n"
        "        return m.PathFinder.find_spec(name, path, target)\n"
        "sys.meta_path = [NoSpark if f is m.PathFinder else f for f in sys.meta_path]\n"
        "import spark_smote\n"
    )
    run = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: spark_smote needs Spark's Python API")
    assert "spark-smote[spark]" in last and "pyspark-client" in last
