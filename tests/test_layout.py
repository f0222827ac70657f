"""The layers of ARCHITECTURE.md, checked on the source: who imports whom, and no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "spark_smote"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module -> the modules it imports when it is imported: its top-level import statements
    (``TYPE_CHECKING`` blocks and imports inside functions left out); ``from package import
    module`` counts as importing the module."""
    modules = {_module(p) for p in ROOT.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        names: set[str] = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules
                names.update(subs or {node.module})
        found[_module(path)] = names
    return found


IMPORTS = _imports()


def _ours(names: set[str]) -> set[str]:
    return {n for n in names if n == "spark_smote" or n.startswith("spark_smote.")}


def test_no_import_cycle():
    graph = {m: {n for n in _ours(names) if n in IMPORTS} for m, names in IMPORTS.items()}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in graph[m]:
            assert state.get(n) != 1, " -> ".join([*path, m, n])
            if n not in state:
                visit(n, [*path, m])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [])


def test_kernels_import_numpy_and_kernels_only():
    for m, names in IMPORTS.items():
        if m.startswith("spark_smote.kernels"):
            third_party = {n.split(".")[0] for n in names} - {"__future__", "numpy", "spark_smote"}
            assert third_party <= {"math", "dataclasses", "typing", "collections"}, (m, names)
            assert all(n.startswith("spark_smote.kernels") for n in _ours(names)), (m, names)


def test_each_layer_imports_only_the_layers_below():
    below = {
        "spark_smote.engine": ("spark_smote.engine", "spark_smote.kernels"),
        "spark_smote.strategy": (),
        "spark_smote.app": ("spark_smote.",),
    }
    for m, names in IMPORTS.items():
        for layer, allowed in below.items():
            if m.startswith(layer):
                for n in _ours(names):
                    assert n.startswith(allowed), (m, n)
        if not m.startswith("spark_smote.app"):
            assert not any(n.startswith("spark_smote.app") for n in names), m
