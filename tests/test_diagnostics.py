"""neighbour_quality: exact where a class is one cell, better with more guest cells."""

from spark_smote import SMOTE
from spark_smote.diagnostics import neighbour_quality
from tests.conftest import blobs


def test_one_cell_is_exact(spark):
    df = blobs(spark, {0: 300, 1: 120}, dim=4, seed=1)
    (q,) = neighbour_quality(SMOTE(kNeighbors=4), df, sample_rows=60)
    assert q.label == 1 and q.cells == 1 and q.cell_max == 120
    assert q.recall_at_k == 1.0 and abs(q.distance_ratio - 1.0) < 1e-9 and q.short_of_k == 0.0


def test_split_cells_bounded_and_guests_help(spark):
    df = blobs(spark, {0: 1500, 1: 1200}, dim=6, seed=4)
    one, six = (
        neighbour_quality(SMOTE(kNeighbors=5, maxBucketSize=150, numHashTables=t), df, 200)[0]
        for t in (1, 6)
    )
    for q in (one, six):
        assert q.cells >= 10 and q.cell_min >= 6 and q.cell_max <= 150
        assert q.short_of_k == 0.0 and q.rows_sampled >= 150
        assert 0.0 < q.recall_at_k < 1.0 and q.distance_ratio >= 1.0
    assert six.recall_at_k > one.recall_at_k + 0.1
    assert six.distance_ratio < one.distance_ratio
