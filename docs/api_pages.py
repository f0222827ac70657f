"""Writes the API reference pages (``docs/api/*.rst``) from the public names of spark_smote:
each class with its docstring, its own methods, and a table of every param (name, default,
meaning) read from an instance; each function with its docstring."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

#: page -> (title, intro, public dotted names)
PAGES: dict[str, tuple[str, str, list[str]]] = {
    "over_sampling": (
        "Over-sampling",
        "SMOTE and its family, and random over-sampling.",
        [
            "spark_smote.SMOTE",
            "spark_smote.SMOTENC",
            "spark_smote.BorderlineSMOTE",
            "spark_smote.ADASYN",
            "spark_smote.KMeansSMOTE",
            "spark_smote.SMOTEN",
            "spark_smote.RandomOverSampler",
        ],
    ),
    "under_sampling": (
        "Under-sampling and cleaning",
        "Random under-sampling, the cleaning samplers on the cross-class engine, the instance "
        "hardness threshold, NearMiss, CNN, One-Sided Selection and ClusterCentroids.",
        [
            "spark_smote.RandomUnderSampler",
            "spark_smote.TomekLinks",
            "spark_smote.EditedNearestNeighbours",
            "spark_smote.RepeatedEditedNearestNeighbours",
            "spark_smote.AllKNN",
            "spark_smote.NeighbourhoodCleaningRule",
            "spark_smote.InstanceHardnessThreshold",
            "spark_smote.NearMiss",
            "spark_smote.CondensedNearestNeighbour",
            "spark_smote.OneSidedSelection",
            "spark_smote.ClusterCentroids",
        ],
    ),
    "combine": (
        "Combinations and your own sampler",
        "SMOTE followed by a cleaner; a function as a sampler; make_imbalance.",
        [
            "spark_smote.SMOTETomek",
            "spark_smote.SMOTEENN",
            "spark_smote.FunctionSampler",
            "spark_smote.datasets.make_imbalance",
        ],
    ),
    "metrics": (
        "Metrics and class weights",
        "Imbalance-aware metrics as a Spark ML Evaluator, the report, class weights.",
        [
            "spark_smote.metrics.ImbalancedClassificationEvaluator",
            "spark_smote.metrics.classification_report_imbalanced",
            "spark_smote.ClassWeighter",
        ],
    ),
    "ensemble": (
        "Balanced ensembles",
        "Spark ML estimators whose members are Spark's own models.",
        [
            "spark_smote.ensemble.BalancedRandomForestClassifier",
            "spark_smote.ensemble.BalancedRandomForestClassificationModel",
            "spark_smote.ensemble.BalancedBaggingClassifier",
            "spark_smote.ensemble.BalancedBaggingClassificationModel",
            "spark_smote.ensemble.EasyEnsembleClassifier",
            "spark_smote.ensemble.EasyEnsembleClassificationModel",
            "spark_smote.ensemble.RUSBoostClassifier",
            "spark_smote.ensemble.RUSBoostClassificationModel",
            "spark_smote.ensemble.AdaBoostClassifier",
            "spark_smote.ensemble.AdaBoostClassificationModel",
            "spark_smote.ensemble.EnsembleModel",
        ],
    ),
    "core": (
        "Pipelines, plans and kept data",
        "The sampler base class, its plan, the pipeline that applies samplers while fitting, "
        "and the release of what an output keeps.",
        [
            "spark_smote.Sampler",
            "spark_smote.SamplingPlan",
            "spark_smote.pipeline.Pipeline",
            "spark_smote.release",
        ],
    ),
}


def _resolve(dotted: str) -> object:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def params_table(cls: type) -> list[str]:
    """An rst list-table of the params of an instance of ``cls`` (none: no table)."""
    try:
        instance = cls()
    except TypeError:  # an abstract base: its subclasses list the params
        return []
    params = sorted(getattr(instance, "params", []), key=lambda p: p.name)
    if not params:
        return []
    rows = [".. list-table:: Params", "   :header-rows: 1", "   :widths: 20 20 60", ""]
    rows += ["   * - name", "     - default", "     - meaning"]
    for p in params:
        default = repr(instance.getOrDefault(p)) if instance.hasDefault(p) else "(none)"
        rows += [f"   * - ``{p.name}``", f"     - ``{_cell(default)}``", f"     - {_cell(p.doc)}"]
    return [*rows, ""]


def page(title: str, intro: str, names: list[str]) -> str:
    """The rst text of one API page."""
    out = [title, "=" * len(title), "", intro, ""]
    for dotted in names:
        obj = _resolve(dotted)
        if inspect.isclass(obj):
            out += [
                f".. autoclass:: {dotted}",
                "   :members:",
                "   :exclude-members: " + ", ".join(_param_attributes(obj)),
                "",
            ]
            out += params_table(obj)
        else:
            out += [f".. autofunction:: {dotted}", ""]
    return "\n".join(out) + "\n"


def _param_attributes(cls: type) -> list[str]:
    """The class attributes that are Params (the table lists them), and pyspark internals."""
    from pyspark.ml.param import Param

    found = [n for n, v in vars(cls).items() if isinstance(v, Param)]
    return [*found, "setParams"] if found else ["setParams"]


def write(folder: Path) -> None:
    """Write ``index.rst`` and one page per family into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, intro, names) in PAGES.items():
        (folder / f"{name}.rst").write_text(page(title, intro, names))
    toc = "\n".join(f"   {name}" for name in PAGES)
    (folder / "index.rst").write_text(
        "API reference\n=============\n\nGenerated from the docstrings; every public class with "
        f"its params.\n\n.. toctree::\n   :maxdepth: 1\n\n{toc}\n"
    )
