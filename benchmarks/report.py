"""Merge benchmark result files into one table (Markdown) and one plot (PNG).

    python benchmarks/report.py results_1m_4m.json results_10m.json results_20m.json \
        --plot docs/bench.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench import plot, table


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("files", nargs="+")
    p.add_argument("--plot", required=True)
    args = p.parse_args()
    merged: dict = {"rows": {}}
    for f in args.files:
        merged["rows"].update(json.loads(Path(f).read_text())["rows"])
    merged["rows"] = dict(sorted(merged["rows"].items(), key=lambda kv: int(kv[0])))
    print(table(merged))
    plot(merged, Path(args.plot))


if __name__ == "__main__":
    main()
