"""BorderlineSMOTE and ADASYN on Spark: bases in danger, safe rows give none, exact counts, the
measuring pass's weights (kept and released: tests/test_keeping.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyspark.sql import functions as F

from spark_smote import ADASYN, BorderlineSMOTE
from spark_smote.engine.columns import (
    CELL,
    CLS,
    KEY,
    OTHER_RANK,
    PART,
    RANK,
    TOTAL,
    WEIGHT,
    feature_names,
)
from spark_smote.engine.generation import measure_kernel
from spark_smote.engine.grouping import home_cells
from spark_smote.engine.planning import stored_copies
from spark_smote.engine.rows import other_rows
from spark_smote.kernels.adaptive import in_danger, other_share


def overlapping(n_major=400, n_minor=60, seed=0):
    """Two overlapping blobs: the minority has safe rows, rows in danger and noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for label, n, centre in ((0, n_major, 0.0), (1, n_minor, 1.8)):
        for v in rng.normal(centre, 1.0, size=(n, 2)):
            rows.append((len(rows), float(v[0]), float(v[1]), label))
    return rows


def exact_share(rows, m):
    """Per minority id: the share of majority rows among its m nearest rows of all classes."""
    x = np.array([[r[1], r[2]] for r in rows])
    y = np.array([r[3] for r in rows])
    out = {}
    for i, r in enumerate(rows):
        if r[3] != 1:
            continue
        d = ((x - x[i]) ** 2).sum(1)
        d[i] = np.inf
        nn = np.lexsort((np.arange(len(x)), d))[:m]
        out[r[0]] = (y[nn] != 1).mean()
    return out


@pytest.fixture(scope="module")
def table(spark):
    rows = overlapping()
    return rows, spark.createDataFrame(rows, ["id", "a", "b", "label"]).cache()


def counts(df):
    return {r.label: r["count"] for r in df.groupBy("label").count().collect()}


@pytest.mark.parametrize("kind", ["borderline-1", "borderline-2"])
def test_borderline_bases_are_in_danger(table, kind):
    rows, df = table
    share = exact_share(rows, 8)
    danger = {i for i, s in share.items() if in_danger(np.array([s]))[0]}
    assert 5 < len(danger) < len(share)  # the data has safe rows and rows in danger
    sm = BorderlineSMOTE(
        inputCols=["a", "b"], kNeighbors=4, mNeighbors=8, kind=kind, otherColumns="copy"
    )
    out = sm.setSyntheticCol("s").transform(df)
    assert counts(out) == {0: 400, 1: 400}
    bases = [r.id for r in out.filter("s").collect()]  # id copied from the base row
    assert len(bases) == 340 and set(bases) <= danger
    assert len(set(bases)) > len(danger) // 2  # drawn across the rows in danger


def test_adasyn_gives_nothing_to_safe_rows_and_more_to_exposed_ones(table):
    rows, df = table
    share = exact_share(rows, 5)
    out = ADASYN(inputCols=["a", "b"], nNeighbors=5, otherColumns="copy", syntheticCol="s")
    got = out.transform(df)
    assert counts(got) == {0: 400, 1: 400}
    bases = [r.id for r in got.filter("s").collect()]
    assert all(share[b] > 0 for b in bases)
    hits = np.bincount(bases, minlength=len(rows))
    exposed = [i for i, s in share.items() if s >= 0.8]
    mild = [i for i, s in share.items() if 0 < s <= 0.2]
    assert hits[exposed].mean() > 2 * hits[mild].mean()


def test_no_row_in_danger_is_a_clear_error(spark):
    rows = [(float(i), 0.0, 0) for i in range(50)] + [(100.0 + i, 0.0, 1) for i in range(10)]
    df = spark.createDataFrame(rows, ["a", "b", "label"])
    with pytest.raises(ValueError, match="BorderlineSMOTE: no row of class 1"):
        BorderlineSMOTE(inputCols=["a", "b"], kNeighbors=3, mNeighbors=4).transform(df).count()
    with pytest.raises(ValueError, match="ADASYN: no row of class 1"):
        ADASYN(inputCols=["a", "b"], nNeighbors=3).transform(df).count()


@pytest.mark.newest  # engine logic, the same on every Spark version
def test_many_cells_and_a_twenty_times_larger_majority(spark):
    rng = np.random.default_rng(4)
    minority = rng.normal(1.0, 1.0, size=(600, 2))
    majority = rng.normal(0.0, 1.5, size=(12_000, 2))
    rows = [(float(a), float(b), 1) for a, b in minority]
    rows += [(float(a), float(b), 0) for a, b in majority]
    df = spark.createDataFrame(rows, ["a", "b", "label"])
    sm = BorderlineSMOTE(inputCols=["a", "b"], kNeighbors=3, maxBucketSize=200, syntheticCol="s")
    cells = sm.plan(df).cells
    assert len(cells[0].groups()) >= 3
    a = sm.transform(df).filter("s").select("a", "b").collect()
    b = sm.transform(df.repartition(3, "a")).filter("s").select("a", "b").collect()
    assert len(a) == 11_400 and sorted(a) == sorted(b)
    ad = ADASYN(inputCols=["a", "b"], maxBucketSize=200, samplingStrategy={1: 1000})
    assert counts(ad.transform(df)) == {0: 12_000, 1: 1000}


def test_other_class_rows_are_hashed_to_the_home_cell_alone(spark):
    rng = np.random.default_rng(6)
    rows = [(float(a), float(b), 1) for a, b in rng.normal(1.0, 1.0, size=(600, 2))]
    rows += [(float(a), float(b), 0) for a, b in rng.normal(0.0, 1.5, size=(3_000, 2))]
    df = spark.createDataFrame(rows, ["a", "b", "label"])
    plan = ADASYN(inputCols=["a", "b"], maxBucketSize=200).plan(df)
    assert plan.spec is not None and plan.stats is not None
    dim, cells = plan.stats.dim, plan.cells
    others = other_rows(df, plan.spec, [c.task for c in cells], dim)
    home = home_cells(others, cells, dim).select(KEY, CELL).collect()
    hashes = {c.index: c.hash for c in cells}
    copies = stored_copies(others, hashes, None, cells[0].hash.copies, dim)
    first = copies.filter(F.col(RANK) == 0).select(KEY, CELL).collect()
    assert len(home) == 3_000 and sorted(home) == sorted(first)
    assert len({r[CELL] for r in home}) == cells[0].hash.n_cells > 1


def test_persistence_and_param_errors(tmp_path, table):
    _, df = table
    b = BorderlineSMOTE(kNeighbors=3, mNeighbors=7, kind="borderline-2", seed=5)
    b.save(str(tmp_path / "b"))
    got = BorderlineSMOTE.load(str(tmp_path / "b"))
    assert (got.getKNeighbors(), got.getMNeighbors(), got.getKind()) == (3, 7, "borderline-2")
    a = ADASYN(nNeighbors=4)
    a.save(str(tmp_path / "a"))
    assert ADASYN.load(str(tmp_path / "a")).getNNeighbors() == 4
    with pytest.raises(ValueError, match="kind must be"):
        BorderlineSMOTE(inputCols=["a", "b"], kind="borderline-3").transform(df)
    with pytest.raises(ValueError, match="mNeighbors must be"):
        BorderlineSMOTE(inputCols=["a", "b"], mNeighbors=0).transform(df)
    with pytest.raises(ValueError, match="needs at least 401"):
        ADASYN(inputCols=["a", "b"], nNeighbors=400, samplingStrategy="all").transform(df)
    assert df.filter(F.col("label") == 1).count() == 60  # the input is untouched


def test_the_measuring_pass_writes_each_weighted_home_row_once_and_the_group_total():
    rng = np.random.default_rng(2)
    x = np.vstack([rng.normal(0.0, 1.0, (30, 2)), rng.normal(0.8, 1.0, (40, 2))])
    x[1] = x[0]  # identical rows share a key and weigh the same
    pdf = pd.DataFrame(x, columns=feature_names(2))
    pdf[KEY] = np.arange(len(x), dtype=np.int64)
    pdf.loc[1, KEY] = 0
    pdf[RANK] = np.r_[np.zeros(20), np.ones(10), np.full(40, OTHER_RANK)].astype(np.int32)
    measure = measure_kernel(feature_names(2), 2, 6, lambda share: share, {})
    got = measure((3, 4, 0, 0), pdf)
    share = other_share(x, (pdf[RANK] == OTHER_RANK).to_numpy(float), np.ones(70), np.arange(20), 6)
    weighted = sorted(set(np.flatnonzero(share > 0)) - {1})  # row 1 is row 0's twin
    assert sorted(got[KEY]) == weighted and len(weighted) > 5
    assert np.allclose(got.set_index(KEY)[WEIGHT].sort_index(), share[weighted])
    assert np.allclose(got[TOTAL], share.sum()) and set(got[CLS]) == {3}
    assert set(got[CELL]) == {4} and set(got[PART]) == {0}
