"""The examples in the docstrings run (doctest), on the shared session."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import spark_smote

#: modules that only exist to keep old paths importable: nothing to run
SKIP = {"spark_smote._legacy"}


def _modules() -> list[str]:
    found = ["spark_smote"]
    for info in pkgutil.walk_packages(spark_smote.__path__, "spark_smote."):
        if info.name not in SKIP:
            found.append(info.name)
    return found


def test_every_docstring_example_runs(spark):
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    ran = []
    for name in _modules():
        module = importlib.import_module(name)
        for test in finder.find(module, name, globs={**vars(module), "spark": spark}):
            if test.examples:
                runner.run(test)
                ran.append(test.name)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring examples failed (see the output above)"
    # every sampler's class docstring has an example, and it ran
    samplers = ("SMOTE", "SMOTENC", "BorderlineSMOTE", "ADASYN", "TomekLinks")
    cleaners = ("EditedNearestNeighbours", "RepeatedEditedNearestNeighbours", "AllKNN")
    others = ("NeighbourhoodCleaningRule", "InstanceHardnessThreshold", "FunctionSampler")
    others += ("make_imbalance",)
    for cls in (*samplers, *cleaners, *others, "SMOTETomek", "SMOTEENN"):
        assert any(t.endswith(f".{cls}") for t in ran), cls
    assert any(t.endswith("RandomOverSampler") for t in ran)
    assert any(t.endswith("RandomUnderSampler") for t in ran)
    assert any(t.endswith("pipeline.Pipeline") for t in ran)
    assert any(t.endswith("check_sampling_strategy") for t in ran)
