"""RepeatedEditedNearestNeighbours, AllKNN and NeighbourhoodCleaningRule on Spark:
imbalanced-learn's removed rows on one cell, close to them on many, the stopping rules,
persistence, errors."""

from __future__ import annotations

import ast

import numpy as np
import pytest
from imblearn.under_sampling import AllKNN as ImbAllKNN
from imblearn.under_sampling import NeighbourhoodCleaningRule as ImbNCR
from imblearn.under_sampling import RepeatedEditedNearestNeighbours as ImbRENN

from spark_smote import AllKNN, NeighbourhoodCleaningRule, RepeatedEditedNearestNeighbours
from spark_smote.engine import planning
from spark_smote.pipeline import Pipeline
from spark_smote.under_sampling import repeated_editing
from spark_smote.under_sampling.repeated_editing import editing_stops
from tests.test_cleaning import COLS, kept_ids, removed_by, small, three_classes  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def _table(spark, x, y):
    rows = [(i, *map(float, x[i]), int(y[i])) for i in range(len(y))]
    return spark.createDataFrame(rows, ["id", *COLS, "label"])


def _removed(stage, df, n):
    return set(range(n)) - set(kept_ids(stage.transform(df)))


@pytest.mark.parametrize(
    ("stage", "reference"),
    [
        (RepeatedEditedNearestNeighbours(inputCols=COLS), ImbRENN()),
        (
            RepeatedEditedNearestNeighbours(inputCols=COLS, kindSel="mode", nNeighbors=5),
            ImbRENN(kind_sel="mode", n_neighbors=5),
        ),
        (
            RepeatedEditedNearestNeighbours(inputCols=COLS, maxIter=2, samplingStrategy="all"),
            ImbRENN(max_iter=2, sampling_strategy="all"),
        ),
        (AllKNN(inputCols=COLS), ImbAllKNN()),
        (
            AllKNN(inputCols=COLS, nNeighbors=5, kindSel="mode", allowMinority=True),
            ImbAllKNN(n_neighbors=5, kind_sel="mode", allow_minority=True),
        ),
        (NeighbourhoodCleaningRule(inputCols=COLS), ImbNCR()),
        (
            NeighbourhoodCleaningRule(inputCols=COLS, nNeighbors=5, thresholdCleaning=3.0),
            ImbNCR(n_neighbors=5, threshold_cleaning=3.0),
        ),
        (
            NeighbourhoodCleaningRule(inputCols=COLS, samplingStrategy=["dog"]),
            ImbNCR(sampling_strategy=["dog"]),
        ),
    ],
    ids=lambda s: repr(s) if not hasattr(s, "uid") else type(s).__name__,
)
def test_one_cell_removes_what_imbalanced_learn_removes(small, stage, reference):  # noqa: F811
    x, y, df = small
    got = _removed(stage, df, len(y))
    expected = removed_by(reference, x, y)
    assert expected and got == expected


def _binary(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping classes, 70:30: repeated editing runs 6 to 11 passes."""
    rng = np.random.default_rng(seed)
    y = rng.choice(2, size=n, p=[0.7, 0.3])
    return rng.normal(size=(n, 3)) + 1.0 * y[:, None], y


@pytest.mark.newest  # engine passes, the same on every Spark version
@pytest.mark.parametrize("seed", [0, 5])
def test_one_cell_on_random_tables(spark, seed):
    x, y = _binary(1500, seed)
    df = _table(spark, x, y).cache()
    pairs = [
        (RepeatedEditedNearestNeighbours(inputCols=COLS), ImbRENN()),
        (AllKNN(inputCols=COLS, nNeighbors=4), ImbAllKNN(n_neighbors=4)),
        (NeighbourhoodCleaningRule(inputCols=COLS), ImbNCR()),
    ]
    for stage, reference in pairs:
        reference.fit_resample(x, y)
        expected = set(range(len(y))) - set(reference.sample_indices_.tolist())
        assert _removed(stage, df, len(y)) == expected, type(stage).__name__


def test_stopping_rules():
    original = {0: 50, 1: 30, 2: 10}
    assert not editing_stops(original, {0: 40, 1: 25, 2: 10}, original, minority_rule=True)
    assert editing_stops(original, {0: 40, 1: 9, 2: 10}, original, minority_rule=True)
    assert not editing_stops(original, {0: 40, 1: 9, 2: 10}, original, minority_rule=False)
    assert editing_stops(original, {0: 40, 1: 25}, original, minority_rule=False)  # class gone
    # the minority among equal counts: the smallest label (class 1 here, not 2)
    tied = {0: 50, 1: 10, 2: 10}
    assert not editing_stops(tied, {0: 40, 1: 3, 2: 12}, tied, minority_rule=True)
    assert editing_stops(tied, {0: 40, 1: 12, 2: 3}, tied, minority_rule=True)


@pytest.mark.newest  # engine passes, the same on every Spark version (classic: plan sizes)
def test_renn_runs_until_nothing_is_removed(spark, monkeypatch, caplog):
    x, y = _binary(1500, 5)
    df = _table(spark, x, y).cache()
    reference = ImbRENN(max_iter=50)
    reference.fit_resample(x, y)
    assert 5 < reference.n_iter_ < 50  # several passes, stopped by the "nothing removed" rule
    leaves = []  # of each pass's plan: a pass reads the last one twice, the cuts bound it
    counted = repeated_editing.class_counts_of

    def spy(rows, label):
        leaves.append(rows._jdf.queryExecution().logical().collectLeaves().size())
        return counted(rows, label)

    monkeypatch.setattr(repeated_editing, "class_counts_of", spy)
    with caplog.at_level("INFO", logger=repeated_editing.__name__):
        got = _removed(RepeatedEditedNearestNeighbours(inputCols=COLS, maxIter=50), df, len(y))
    passes = [r.getMessage() for r in caplog.records if r.name == repeated_editing.__name__]
    assert len(passes) == reference.n_iter_  # one line per pass, as imbalanced-learn counts
    labels, totals = np.unique(y, return_counts=True)
    left = {
        int(c): int(n) - int((y[sorted(got)] == c).sum())
        for c, n in zip(labels, totals, strict=True)
    }
    assert ast.literal_eval(passes[-1].split(" -> ")[1]) == left  # the last pass's: the output's
    assert len(leaves) > repeated_editing.PASSES_PER_CUT + 1
    assert max(leaves) <= 2**repeated_editing.PASSES_PER_CUT  # 2 ** passes without the cuts
    assert got == set(range(len(y))) - set(reference.sample_indices_.tolist())
    three = _removed(RepeatedEditedNearestNeighbours(inputCols=COLS, maxIter=3), df, len(y))
    assert three < got  # three passes remove some of them
    reference = ImbRENN(max_iter=3)
    reference.fit_resample(x, y)
    assert three == set(range(len(y))) - set(reference.sample_indices_.tolist())


@pytest.fixture(scope="module")
def larger(spark):
    x, y = three_classes(4000, 1)
    return x, y, _table(spark, x, y).repartition(3).cache()


@pytest.mark.newest  # engine passes, the same on every Spark version
@pytest.mark.parametrize(
    ("stage", "reference"),
    [
        (AllKNN(inputCols=COLS), ImbAllKNN()),
        (NeighbourhoodCleaningRule(inputCols=COLS), ImbNCR()),
    ],
    ids=["allknn", "ncr"],
)
def test_many_cells_are_close_to_exact_and_independent_of_partitioning(larger, stage, reference):
    x, y, df = larger
    stage = stage.copy().setMaxBucketSize(500).setNumHashTables(4)
    assert len(stage.plan(df).cells[0].groups()) > 8
    out = stage.transform(df)
    got = set(range(len(y))) - set(kept_ids(out))
    reference.fit_resample(x, y)
    expected = set(range(len(y))) - set(reference.sample_indices_.tolist())
    hit = len(got & expected)
    assert hit / len(got) >= 0.93 and hit / len(expected) >= 0.93, (hit, len(got), len(expected))
    assert kept_ids(stage.transform(df.repartition(5, "a"))) == kept_ids(out)


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        (RepeatedEditedNearestNeighbours(inputCols=COLS, maxIter=0), "maxIter"),
        (RepeatedEditedNearestNeighbours(inputCols=COLS, nNeighbors=0), "nNeighbors"),
        (AllKNN(inputCols=COLS, kindSel="most"), "kindSel"),
        (AllKNN(inputCols=COLS, samplingStrategy=0.5), "samplingStrategy"),
        (NeighbourhoodCleaningRule(inputCols=COLS, thresholdCleaning=-1.0), "thresholdCleaning"),
        (NeighbourhoodCleaningRule(inputCols=["a", "nope"]), "inputCols"),
    ],
)
def test_bad_params_raise_before_any_output(small, stage, message):  # noqa: F811
    with pytest.raises(ValueError, match=message):
        stage.plan(small[2])


@pytest.mark.parametrize(
    "stage",
    [
        RepeatedEditedNearestNeighbours(inputCols=COLS, maxIter=7, kindSel="mode"),
        AllKNN(inputCols=COLS, nNeighbors=2, allowMinority=True),
        NeighbourhoodCleaningRule(inputCols=COLS, thresholdCleaning=0.8, nNeighbors=4),
    ],
    ids=["renn", "allknn", "ncr"],
)
def test_persisted_and_fit_only_in_a_pipeline(small, tmp_path, stage):  # noqa: F811
    df = small[2]
    stage.write().overwrite().save(str(tmp_path / "stage"))
    loaded = type(stage).load(str(tmp_path / "stage"))
    assert loaded.extractParamMap() == {
        loaded.getParam(p.name): v for p, v in stage.extractParamMap().items()
    }
    assert kept_ids(loaded.transform(df)) == kept_ids(stage.transform(df))
    model = Pipeline(stages=[loaded]).fit(df)
    assert model.transform(df).count() == df.count()  # not applied when scoring


@pytest.mark.newest  # engine passes, the same on every Spark version
def test_renn_passes_search_the_first_passes_cells(spark, monkeypatch):
    # cells learned anew for each pass moved the approximate neighbourhoods at their borders
    # from pass to pass, and the passes went on removing rows there (precision 0.80 here)
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.15).astype(int)
    x = rng.normal(size=(2000, 6)) + 0.7 * y[:, None]
    names = [f"c{i}" for i in range(6)]
    rows = [(i, *map(float, x[i]), int(y[i])) for i in range(len(y))]
    df = spark.createDataFrame(rows, ["id", *names, "label"]).repartition(3).cache()
    samples = []
    sample = planning.sample
    monkeypatch.setattr(planning, "sample", lambda *a: samples.append(1) or sample(*a))
    renn = RepeatedEditedNearestNeighbours(inputCols=names, maxBucketSize=400, numHashTables=4)
    out = renn.transform(df)
    reference = ImbRENN()
    reference.fit_resample(x, y)
    assert reference.n_iter_ > 3
    assert samples == [1]  # one sampling pass: the plan's
    got = set(range(len(y))) - set(kept_ids(out))
    expected = set(range(len(y))) - set(reference.sample_indices_.tolist())
    hit = len(got & expected)
    assert hit / len(got) >= 0.93 and hit / len(expected) >= 0.93, (hit, len(got), len(expected))
    assert kept_ids(renn.transform(df.repartition(5, "c0"))) == kept_ids(out)


@pytest.mark.newest  # engine passes, the same on every Spark version
def test_later_passes_search_only_the_cells_that_changed(spark, monkeypatch, caplog):
    # a cell none of whose rows the last pass removed (and bounded as before) would remove
    # nothing, and the counts of the cells less the removed rows' are those of a counting
    # pass: the rows are those of every cell searched and counted in every pass
    x, y = _binary(3000, 1)
    df = _table(spark, x, y).cache()
    renn = RepeatedEditedNearestNeighbours(inputCols=COLS, maxBucketSize=300, numHashTables=3)
    counting = []
    count = planning._count
    monkeypatch.setattr(planning, "_count", lambda *a: counting.append(1) or count(*a))
    with caplog.at_level("INFO", logger=repeated_editing.__name__):
        got = kept_ids(renn.transform(df))
    lines = [r.getMessage() for r in caplog.records if r.name == repeated_editing.__name__]
    searched = [tuple(map(int, m.split(", ")[1].split(" cells")[0].split(" of "))) for m in lines]
    assert len(searched) > 3 and searched[0][0] == searched[0][1] > 5  # the first: all of them
    assert all(n <= total for n, total in searched) and searched[-1][0] < searched[-1][1]
    assert len(counting) < len(lines) - 1  # later passes count their cells from the removed
    monkeypatch.setattr(repeated_editing._RepeatedEditing, "_searched", lambda *a: None)
    monkeypatch.setattr(repeated_editing._Searched, "counted", lambda *a: None)
    caplog.clear()
    counting.clear()
    with caplog.at_level("INFO", logger=repeated_editing.__name__):
        assert kept_ids(renn.transform(df)) == got
    assert len([r for r in caplog.records if r.name == repeated_editing.__name__]) == len(lines)
    assert len(counting) >= len(lines) - 1  # a counting pass for each later pass
