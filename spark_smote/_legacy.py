"""Module paths of earlier releases, kept importable so that their saved stages load.

A saved stage records its class by dotted path, and pyspark's readers import that path
(``DefaultParamsReader.loadParamsInstance``). 0.1 and 0.2 kept every sampler in a flat module
(``spark_smote.smote.SMOTE``, ``spark_smote.borderline.BorderlineSMOTE``, ...); since 0.3 a stage
saves under its public path (``spark_smote.SMOTE``). The old paths are served by a finder on
``sys.meta_path``: importing one gives a module whose attributes are the public names of
:mod:`spark_smote`. Nothing imports them otherwise; they are not for new code.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Sequence
from typing import Any

#: Module paths of 0.1 and 0.2 that saved stages name.
LEGACY_MODULES = frozenset(
    {
        "spark_smote.smote",
        "spark_smote.smotenc",
        "spark_smote.borderline",
        "spark_smote.adasyn",
        "spark_smote.random_sampling",
    }
)


class _LegacyModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds and loads the modules of :data:`LEGACY_MODULES`."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in LEGACY_MODULES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # the default module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__doc__ = f"Deprecated path of 0.1 / 0.2: {module.__name__}.X is spark_smote.X."

        def __getattr__(name: str) -> Any:
            return getattr(importlib.import_module("spark_smote"), name)

        module.__getattr__ = __getattr__  # type: ignore[method-assign]


def install() -> None:
    """Put the finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _LegacyModules) for f in sys.meta_path):
        sys.meta_path.append(_LegacyModules())
