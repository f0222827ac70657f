"""``python -m benchmarks <suite> [options]``: run one suite (see ``benchmarks/__init__.py``)."""

from __future__ import annotations

import importlib
import sys

SUITES = (
    "speed",
    "passes",
    "quality",
    "cleaning",
    "condensing",
    "adaptive",
    "prototypes",
    "ensembles",
    "remedies",
    "memory",
    "skew",
    "sparse",
    "report",
)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in SUITES:
        print(f"usage: python -m benchmarks {{{','.join(SUITES)}}} [options] (--help)")
        return 2
    importlib.import_module(f"benchmarks.{argv[0]}").main(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
