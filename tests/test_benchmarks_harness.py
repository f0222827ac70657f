"""The benchmark harness: one table of samplers, the docs' page made from the result files."""

from __future__ import annotations

import importlib

import pytest

from benchmarks import report
from benchmarks.__main__ import SUITES
from benchmarks.catalog import FLOORS, SAMPLERS


def test_the_benchmarks_page_is_what_the_report_makes_of_the_results():
    text, plots = report.render()
    assert report.PAGE.read_text() == text, "run `python -m benchmarks report` and commit"
    for name in plots:
        assert (report.PLOTS / name).is_file(), name
    for section in report.SECTIONS:
        assert f"## {section.title}" in text


def test_the_page_quotes_the_medians_of_its_files():
    doc = {
        "samplers": {
            "rows": {
                "1000": {
                    "floor_median": {"over": 2.0},
                    "samplers": {
                        "SMOTE": {"median": {"spark": 5.0, "imblearn": 20.0}},
                        "SMOTE-1table": {"median": {"spark": 4.0, "imblearn": 20.0}},
                    },
                }
            }
        }
    }
    table, plots = report.render_smote([doc])
    assert "| 1,000 | 5.0 s | 4.0 s | 2.0 s | 20.0 s | 2.50x | 4.00x |" in table
    assert list(plots) == ["smote_by_rows.png"]


def test_every_sampler_of_the_catalog_has_its_counterpart_and_floor(spark):
    """(``spark``: a stage's Spark ML estimator, e.g. the instance-hardness forest, needs it.)"""
    pytest.importorskip("imblearn")
    for name, entry in SAMPLERS.items():
        stage = entry.stage(["a", "b"])
        stage = stage.stages[-1] if entry.vector else stage  # after its VectorAssembler
        assert type(stage).__name__ == entry.cls, name
        assert entry.floor in FLOORS, name
        if entry.imblearn is not None:
            scope: dict = {}
            exec(entry.imblearn, scope)  # the statement the speed suite's child runs
            assert hasattr(scope["s"], "fit_resample"), name


def test_every_suite_has_an_entry():
    for suite in SUITES:
        assert callable(importlib.import_module(f"benchmarks.{suite}").main), suite


def test_listed_neighbours_give_imbalanced_learns_own_removed_rows():
    """The 1M reference of the repeated cleaners: their code with searches answered from one
    search's lists removes the same rows; short lists (depth 6) run out and search again."""
    pytest.importorskip("imblearn")
    import numpy as np

    from benchmarks import listed_neighbours

    rng = np.random.default_rng(7)
    y = np.repeat([0, 1, 2], [200, 900, 1400])
    x = rng.normal(size=(len(y), 5)) + 0.8 * y[:, None]
    searched = {}
    for depth in (6, 40):
        lists, _ = listed_neighbours.search(x, depth)
        searched[depth] = 0
        for name in [
            "EditedNearestNeighbours",
            "RepeatedEditedNearestNeighbours",
            "AllKNN",
            "NeighbourhoodCleaningRule",
        ]:
            plain = listed_neighbours.run(x, y, name)
            got = listed_neighbours.run(x, y, name, lists=lists)
            assert plain.searched == 0 and plain.removed.sum() > 50, name
            np.testing.assert_array_equal(got.removed, plain.removed, f"{name}, depth {depth}")
            assert got.passes == plain.passes, name  # repeated editing's n_iter_, else None
            searched[depth] += got.searched
    assert searched[6] > 10 * searched[40]
