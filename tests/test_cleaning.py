"""TomekLinks, EditedNearestNeighbours, SMOTETomek and SMOTEENN on Spark: imbalanced-learn's
removed rows on one cell, close to them on many, untouched kept rows, errors, combinations."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import numpy as np
import pytest
from imblearn.under_sampling import EditedNearestNeighbours as ImbENN
from imblearn.under_sampling import TomekLinks as ImbTomek
from pyspark.sql import functions as F

from spark_smote import (
    SMOTE,
    SMOTEENN,
    EditedNearestNeighbours,
    SMOTETomek,
    TomekLinks,
)
from spark_smote.pipeline import Pipeline

COLS = ["a", "b", "c"]
NAMES = ["cat", "dog", "eel"]


def three_classes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.75, 0.17, 0.08])
    return rng.normal(size=(n, 3)) + 0.8 * y[:, None], y


@pytest.fixture(scope="module")
def small(spark):
    """900 rows, three string labels: one cell (below maxBucketSize)."""
    x, y = three_classes(900, 0)
    rows = [(i, *map(float, x[i]), NAMES[y[i]]) for i in range(len(y))]
    return x, y, spark.createDataFrame(rows, ["id", *COLS, "label"]).cache()


def kept_ids(df) -> list[int]:
    return sorted(r.id for r in df.select("id").collect())


def removed_by(reference, x, y) -> set[int]:
    """The rows ``reference`` removes, by class codes in the order of the names (its "mode"
    rejects strings: scipy's mode is numeric only); strategies name classes by code."""
    strategy = reference.sampling_strategy
    if isinstance(strategy, list):
        reference.set_params(sampling_strategy=[NAMES.index(c) for c in strategy])
    reference.fit_resample(x, y)
    return set(range(len(y))) - set(reference.sample_indices_.tolist())


@pytest.mark.parametrize("strategy", ["auto", "all", "majority", ["dog", "eel"]])
def test_tomek_links_on_one_cell_remove_what_imbalanced_learn_removes(small, strategy):
    x, y, df = small
    got = set(range(len(y))) - set(
        kept_ids(TomekLinks(inputCols=COLS, samplingStrategy=strategy).transform(df))
    )
    expected = removed_by(ImbTomek(sampling_strategy=strategy), x, y)
    assert expected and got == expected


@pytest.mark.parametrize(
    ("kind", "k", "strategy"), [("all", 3, "auto"), ("mode", 3, "not majority"), ("mode", 4, "all")]
)
def test_edited_nearest_neighbours_on_one_cell_remove_what_imbalanced_learn_removes(
    small, kind, k, strategy
):
    x, y, df = small
    enn = EditedNearestNeighbours(
        inputCols=COLS, nNeighbors=k, kindSel=kind, samplingStrategy=strategy
    )
    got = set(range(len(y))) - set(kept_ids(enn.transform(df)))
    expected = removed_by(ImbENN(n_neighbors=k, kind_sel=kind, sampling_strategy=strategy), x, y)
    assert expected and got == expected


@pytest.fixture(scope="module")
def larger(spark):
    """4,000 rows in cells of at most 500 rows (about 40 cells with the guests)."""
    x, y = three_classes(4000, 1)
    rows = [(i, *map(float, x[i]), NAMES[y[i]]) for i in range(len(y))]
    return x, y, spark.createDataFrame(rows, ["id", *COLS, "label"]).repartition(3).cache()


@pytest.mark.newest  # engine logic, the same on every Spark version
@pytest.mark.parametrize(
    ("stage", "reference"),
    [
        (TomekLinks(inputCols=COLS), ImbTomek()),
        (EditedNearestNeighbours(inputCols=COLS), ImbENN()),
    ],
)
def test_many_cells_are_close_to_exact_and_independent_of_partitioning(larger, stage, reference):
    x, y, df = larger
    stage = stage.copy().setMaxBucketSize(500).setNumHashTables(4)
    plan = stage.plan(df)
    groups = plan.cells[0].groups()
    assert plan.after is None and len(groups) > 8
    assert max(g.rows for g in groups) <= 500  # bounded, whatever the skew between classes
    assert sum(g.home for g in groups) == len(y)  # every row a query in one home cell
    out = stage.resample(df, plan)
    got = set(range(len(y))) - set(kept_ids(out))
    expected = removed_by(reference, x, y)
    hit = len(got & expected)
    assert hit / len(got) >= 0.95 and hit / len(expected) >= 0.95
    again = stage.transform(df.repartition(7, "label"))
    assert kept_ids(again) == kept_ids(out)


def nearest_in_searched_cells(x: np.ndarray, cells, searched: int, k: int) -> np.ndarray:
    """Brute force: each row's ``k`` nearest rows among the rows stored in its first
    ``searched`` cells that store it (its home cell and guest cells of rank < ``searched``)."""
    got = cells.hash.assign(x)
    ranks = np.arange(got.shape[1])[None, :]
    stored = np.where((got >= 0) & (ranks <= cells.keep[np.maximum(got, 0)]), got, -1)
    member = np.zeros((cells.hash.n_cells, len(x)), dtype=bool)
    row, rank = np.nonzero(stored >= 0)
    member[stored[row, rank], row] = True
    out = np.empty((len(x), k), dtype=np.int64)
    for i in range(len(x)):
        mine = stored[i, :searched]
        held = member[mine[mine >= 0]].any(axis=0)
        held[i] = False
        rows = np.flatnonzero(held)
        out[i] = rows[np.argsort(((x[rows] - x[i]) ** 2).sum(axis=1), kind="stable")[:k]]
    return out


@pytest.fixture(scope="module")
def with_copies(spark):
    """3,000 rows and a copy of 300 of them (identical rows: their own nearest rows)."""
    x, y = three_classes(3000, 2)
    x, y = np.concatenate([x, x[:300]]), np.concatenate([y, y[:300]])
    rows = [(i, *map(float, x[i]), NAMES[y[i]]) for i in range(len(y))]
    return x, y, spark.createDataFrame(rows, ["id", *COLS, "label"]).repartition(3).cache()


@pytest.mark.newest  # engine logic, the same on every Spark version
@pytest.mark.parametrize("searched", [1, 3])
def test_each_row_gets_its_nearest_rows_of_the_cells_it_is_searched_in(with_copies, searched):
    x, y, df = with_copies
    cells_of = {"maxBucketSize": 500, "numHashTables": 4, "numSearchedCells": searched}
    tomek = TomekLinks(inputCols=COLS, **cells_of)
    cells = tomek.plan(df).cells[0]
    assert cells.hash.n_cells > 8 and (cells.keep >= 2).all()  # rows searched in 3 cells
    assert searched == 1 or not np.array_equal(
        nearest_in_searched_cells(x, cells, 1, 4), nearest_in_searched_cells(x, cells, 3, 4)
    )  # three cells find nearer rows than the home cell alone
    nearest = nearest_in_searched_cells(x, cells, searched, 4)
    first = nearest[:, 0]
    linked = (y[first] != y) & (first[first] == np.arange(len(y))) & (y != 2)  # 2: minority
    assert set(range(len(y))) - set(kept_ids(tomek.transform(df))) == set(np.flatnonzero(linked))
    enn = EditedNearestNeighbours(inputCols=COLS, nNeighbors=4, kindSel="mode", **cells_of)
    votes = np.array([np.bincount(y[r], minlength=3).argmax() for r in nearest])
    edited = (votes != y) & (y != 2)
    assert set(range(len(y))) - set(kept_ids(enn.transform(df))) == set(np.flatnonzero(edited))


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_tomek_links_by_default_searches_the_three_cells_storing_a_row(with_copies):
    x, y, df = with_copies
    tomek = TomekLinks(inputCols=COLS, maxBucketSize=500)  # the other params: defaults
    cells = tomek.plan(df).cells[0]
    assert cells.hash.copies == 3 and cells.hash.n_cells > 8
    first = nearest_in_searched_cells(x, cells, 3, 1)[:, 0]
    linked = (y[first] != y) & (first[first] == np.arange(len(y))) & (y != 2)  # 2: minority
    assert set(range(len(y))) - set(kept_ids(tomek.transform(df))) == set(np.flatnonzero(linked))


def test_kept_rows_are_untouched_and_identical_rows_go_together(spark):
    xs = [(float(i), 0) for i in range(30)] + [(5.2, 1), (5.2, 1), (20.1, 1)]
    rows = [
        (x, c, i % 31, f"r{i}", Decimal("1.50"), [i, 2], {"k": i}) for i, (x, c) in enumerate(xs)
    ]
    schema = (
        "`x.1` double, label int, id long, s string, d decimal(5,2), arr array<int>, "
        "m map<string,int>"
    )
    df = spark.createDataFrame(rows, schema).withColumn("t", F.timestamp_seconds(F.col("id")))
    enn = EditedNearestNeighbours(inputCols=["x.1"], nNeighbors=2, samplingStrategy="all")
    out = enn.transform(df)
    assert out.schema == df.schema
    kept = sorted((tuple(r) for r in out.collect()), key=str)
    every = [tuple(r) for r in df.collect()]
    assert all(r in every for r in kept)
    # rows 5 and 6 have 5.2 among their 2 nearest; 20 and 21 have 20.1; the three class-1 rows
    # have a class-0 row among theirs
    assert sorted(r[0] for r in kept) == [float(i) for i in range(30) if i not in (5, 6, 20, 21)]


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        (TomekLinks(inputCols=COLS, samplingStrategy=0.5), "samplingStrategy"),
        (TomekLinks(inputCols=COLS, samplingStrategy={"cat": 10}), "samplingStrategy"),
        (TomekLinks(inputCols=COLS, samplingStrategy=["cat", "bird"]), "'bird'"),
        (TomekLinks(inputCols=COLS, samplingStrategy="minority"), "samplingStrategy"),
        (EditedNearestNeighbours(inputCols=COLS, nNeighbors=0), "nNeighbors"),
        (EditedNearestNeighbours(inputCols=COLS, kindSel="most"), "kindSel"),
        (EditedNearestNeighbours(inputCols=COLS, maxBucketSize=5), "maxBucketSize"),
        (EditedNearestNeighbours(inputCols=COLS, numSearchedCells=0), "numSearchedCells"),
        (TomekLinks(inputCols=COLS, numSearchedCells=-1), "numSearchedCells"),
        (EditedNearestNeighbours(inputCols=["a", "nope"]), "inputCols"),
        (SMOTEENN(inputCols=COLS, kindSel="most"), "kindSel"),
        (SMOTETomek(inputCols=COLS, samplingStrategy=["cat"]), "samplingStrategy"),
        (SMOTEENN(inputCols=COLS, numSearchedCells=0), "numSearchedCells"),
    ],
)
def test_bad_params_raise_before_any_output(small, stage, message):
    with pytest.raises(ValueError, match=message):
        stage.plan(small[2])


def test_a_table_smaller_than_the_neighbourhood_is_refused(spark):
    df = spark.createDataFrame([(1.0, 0), (2.0, 1), (3.0, 0)], ["a", "label"])
    with pytest.raises(ValueError, match="nNeighbors=3 needs at least 4"):
        EditedNearestNeighbours(inputCols=["a"]).transform(df)


@pytest.mark.newest  # engine logic, the same on every Spark version
@pytest.mark.parametrize(
    ("combined", "cleaner"),
    [
        (SMOTETomek(inputCols=COLS, syntheticCol="new", seed=5), TomekLinks),
        (
            SMOTEENN(inputCols=COLS, syntheticCol="new", seed=5, kindSel="mode"),
            EditedNearestNeighbours,
        ),
    ],
)
def test_combinations_are_smote_then_the_cleaner(small, combined, cleaner):
    df = small[2]
    smote = SMOTE(
        **{p.name: v for p, v in combined.extractParamMap().items() if SMOTE().hasParam(p.name)}
    )
    extra = (
        {"nNeighbors": combined.getNNeighbors(), "kindSel": combined.getKindSel()}
        if cleaner is EditedNearestNeighbours
        else {}
    )
    clean = cleaner(
        inputCols=COLS,
        samplingStrategy="all",
        seed=5,
        maxBucketSize=combined.getMaxBucketSize(),
        **extra,
    )
    assert combined.copy({combined.numSearchedCells: 3})._cleaner().getNumSearchedCells() == 3
    expected = Counter(tuple(r) for r in clean.transform(smote.transform(df)).collect())
    got = Counter(tuple(r) for r in combined.transform(df).collect())
    assert got == expected
    assert any(r[-1] for r in got) and any(not r[-1] for r in got)  # syntheticCol survives
    assert sum(got.values()) < len(small[1]) + sum(c.n_new for c in smote.plan(df).cells)


def test_cleaners_are_fit_only_pipeline_stages_and_persist(small, tmp_path):
    df = small[2]
    enn = EditedNearestNeighbours(
        inputCols=COLS, kindSel="mode", nNeighbors=4, samplingStrategy=["cat"]
    )
    enn.write().overwrite().save(str(tmp_path / "enn"))
    loaded = EditedNearestNeighbours.load(str(tmp_path / "enn"))
    assert loaded.extractParamMap() == {
        loaded.getParam(p.name): v for p, v in enn.extractParamMap().items()
    }
    assert loaded.getSamplingStrategy() == ["cat"]
    model = Pipeline(stages=[loaded]).fit(df)
    assert model.transform(df).count() == df.count()  # not applied when scoring
