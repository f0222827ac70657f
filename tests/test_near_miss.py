"""NearMiss on Spark: imbalanced-learn's kept rows on one cell (versions 1, 2, 3), exact counts
everywhere (version 3 filled where imbalanced-learn returns fewer), close on many cells, the same
rows for any partitioning, exact selection among tied scores, persistence, errors."""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pytest
from imblearn.under_sampling import NearMiss as ImbNearMiss

from spark_smote import NearMiss
from spark_smote.engine import selection
from spark_smote.engine.columns import CLS, KEY, KEY2, ORDER
from spark_smote.engine.draws import ClassDraw
from spark_smote.engine.selection import smallest_scores

COLS = ["a", "b", "c"]


def three_classes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    return rng.normal(size=(n, 3)) + 0.7 * y[:, None], y


@pytest.fixture(scope="module")
def table(spark):
    """1,200 rows of three classes (minority 2, about 120 rows): one cell by default."""
    x, y = three_classes(1200, 4)
    rows = [(i, *map(float, x[i]), int(y[i])) for i in range(len(y))]
    return x, y, spark.createDataFrame(rows, ["id", *COLS, "label"]).cache()


def kept_ids(df) -> list[int]:
    return sorted(r.id for r in df.select("id").collect())


def imblearn_kept(x, y, **params) -> list[int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # version 3: "fewer samples than asked"
        sampler = ImbNearMiss(**params)
        sampler.fit_resample(x, y)
    return sorted(sampler.sample_indices_.tolist())


@pytest.mark.parametrize(
    ("version", "strategy"),
    [
        (1, "auto"),
        *[  # engine logic, the same on every Spark version: newest classic only
            pytest.param(v, s, marks=pytest.mark.newest)
            for v, s in [(2, "auto"), (3, "auto"), (1, "all"), (2, {0: 300, 1: 150}), (3, {0: 200})]
        ],
    ],
)
def test_one_cell_keeps_what_imbalanced_learn_keeps(table, version, strategy):
    x, y, df = table
    got = kept_ids(
        NearMiss(inputCols=COLS, version=version, samplingStrategy=strategy).transform(df)
    )
    expected = imblearn_kept(x, y, version=version, sampling_strategy=strategy)
    if version == 3 and len(expected) < len(got):  # imbalanced-learn ran out of candidates
        assert set(expected) < set(got)
    else:
        assert got == expected
    minority = int(np.argmin(np.bincount(y)))
    want = strategy if isinstance(strategy, dict) else None
    counts = Counter(y[got].tolist())
    for c, n in Counter(y.tolist()).items():
        if want is not None:
            assert counts[c] == want.get(c, n)
        else:
            assert counts[c] == (n if c == minority else np.bincount(y)[minority])


def distance_sums(x, ref, k, farthest=False):
    d = np.sqrt(((x[:, None, :] - ref[None, :, :]) ** 2).sum(axis=2))
    d.sort(axis=1)
    return (d[:, -k:] if farthest else d[:, :k]).sum(axis=1)


def test_version_3_fills_from_the_largest_scores_outside_its_candidates(spark):
    """Two minority rows with 1 candidate each leave imbalanced-learn 2 rows short of 4: the
    two non-candidates of largest score fill the count."""
    rng = np.random.default_rng(2)
    majority = rng.normal(size=(40, 2)) * 3.0
    minority = np.array([[0.1, 0.2], [0.3, -0.4], [2.0, 2.0], [-2.0, 1.0]])
    x = np.vstack([majority, minority])
    y = np.array([0] * 40 + [1] * 4)
    rows = [(i, float(x[i, 0]), float(x[i, 1]), int(y[i])) for i in range(len(y))]
    df = spark.createDataFrame(rows, ["id", "a", "b", "label"])
    stage = NearMiss(inputCols=["a", "b"], version=3, nNeighbors=2, nNeighborsVer3=1)
    got = [i for i in kept_ids(stage.transform(df)) if y[i] == 0]
    cands = sorted(set(np.argmin(((majority[None] - minority[:, None]) ** 2).sum(2), axis=1)))
    assert len(cands) < 4 and len(got) == 4 and set(cands) <= set(got)
    score = distance_sums(majority, minority, 2)
    others = [i for i in np.argsort(-score, kind="stable") if i not in cands]
    assert sorted(got) == sorted(cands + others[: 4 - len(cands)])


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_many_cells_give_exact_counts_close_to_the_exact_result_for_any_partitioning(table):
    x, y, df = table
    stage = NearMiss(inputCols=COLS, version=1, maxBucketSize=40, numHashTables=3)
    got = kept_ids(stage.transform(df))
    assert stage.plan(df).cells[0].hash.n_cells > 1
    assert kept_ids(stage.transform(df.repartition(5, "b"))) == got
    expected = imblearn_kept(x, y, version=1)
    assert Counter(y[got].tolist()) == Counter(y[expected].tolist())
    assert len(set(got) & set(expected)) >= 0.9 * len(expected)


def test_identical_rows_keep_exact_counts(spark):
    rows = [(float(i % 5), 0) for i in range(60)] + [(2.2, 1), (2.6, 1), (4.1, 1)]
    df = spark.createDataFrame(rows, ["x", "label"])
    out = NearMiss(inputCols=["x"], nNeighbors=1, samplingStrategy={0: 7}).transform(df)
    kept = sorted(r.x for r in out.filter("label = 0").collect())
    assert kept == [4.0] * 7  # 12 copies at distance 0.1 from 4.1: exactly 7 of them


def test_selection_is_exact_among_tied_scores_and_coarse_brackets(spark, monkeypatch):
    monkeypatch.setattr(selection, "MIN_ACCURACY", 20)  # a bracket far wider than usual
    rng = np.random.default_rng(5)
    n = 3000
    order = rng.integers(0, 40, n)  # heavy ties
    cls = rng.integers(0, 2, n)
    keys = rng.integers(-(2**62), 2**62, (n, 2))
    rows = [
        (int(c), int(o), int(k1), int(k2)) for c, o, (k1, k2) in zip(cls, order, keys, strict=True)
    ]
    df = spark.createDataFrame(rows, [CLS, ORDER, KEY, KEY2])
    want = {0: 377, 1: 1}
    draws = [ClassDraw(c, c, int((cls == c).sum()), want[c]) for c in (0, 1)]
    got = {(r[KEY], r[KEY2]) for r in smallest_scores(df, draws).collect()}
    expected = set()
    for c in (0, 1):
        mine = sorted((o, k1, k2) for cc, o, k1, k2 in rows if cc == c)
        expected |= {(k1, k2) for _, k1, k2 in mine[: want[c]]}
    assert got == expected


def test_saved_and_loaded(table, tmp_path):
    _, _, df = table
    stage = NearMiss(inputCols=COLS, version=3, nNeighbors=2, nNeighborsVer3=4, seed=3)
    stage.save(str(tmp_path / "nm"))
    loaded = NearMiss.load(str(tmp_path / "nm"))
    assert (loaded.getVersion(), loaded.getNNeighbors(), loaded.getNNeighborsVer3()) == (3, 2, 4)
    assert kept_ids(loaded.transform(df)) == kept_ids(stage.transform(df))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"version": 4}, "version must be 1, 2 or 3"),
        ({"nNeighborsVer3": 0}, "nNeighborsVer3 must be at least 1"),
        ({"nNeighbors": 200}, "minority class 2 has"),
        ({"version": 2, "maxBucketSize": 100}, "raise maxBucketSize or use version 1 or 3"),
        ({"inputCols": ["a", "nope"]}, "nope"),
        ({"samplingStrategy": {0: 5000}}, "5000"),
    ],
)
def test_bad_input_is_refused_before_any_output(table, params, message):
    _, _, df = table
    stage = NearMiss(**{"inputCols": COLS, **params})
    with pytest.raises(ValueError, match=message):
        stage.plan(df)
