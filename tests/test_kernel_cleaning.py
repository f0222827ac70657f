"""The cleaning rules on one cell, against imbalanced-learn's TomekLinks and
EditedNearestNeighbours (numpy only)."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.under_sampling import EditedNearestNeighbours as ImbENN
from imblearn.under_sampling import TomekLinks as ImbTomek

from spark_smote.kernels.cleaning import (
    edited_in_cell,
    edited_out,
    misclassified_neighbours,
    most_common,
    occurrences,
    tomek_candidates,
)


def overlapping(n: int = 900, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    x = rng.normal(size=(n, 4)) + 0.7 * y[:, None]
    return x, y


def test_most_common_picks_the_smallest_of_equally_common_classes():
    labels = np.array([[2, 1, 2, 1], [0, 3, 3, 1], [4, 4, 4, 0], [1, 2, 3, 0]])
    assert most_common(labels).tolist() == [1, 3, 4, 0]


def test_edited_out_rules():
    own = np.array([0, 0, 1])
    nn = np.array([[0, 0, 1], [0, 0, 0], [0, 1, 0]])
    assert edited_out(own, nn, "all").tolist() == [True, False, True]
    assert edited_out(own, nn, "mode").tolist() == [False, False, True]


@pytest.mark.parametrize("kind", ["all", "mode"])
@pytest.mark.parametrize("k", [1, 3, 5])
def test_edited_in_one_cell_removes_what_imbalanced_learn_removes(kind, k):
    x, y = overlapping()
    targeted = np.isin(y, [0, 2])  # as samplingStrategy=[0, 2]
    queries = np.flatnonzero(targeted)
    removed = queries[edited_in_cell(x, y, queries, k, kind)]
    ref = ImbENN(sampling_strategy=[0, 2], n_neighbors=k, kind_sel=kind).fit(x, y)
    ref.fit_resample(x, y)
    expected = np.setdiff1d(np.arange(len(y)), ref.sample_indices_)
    assert len(expected) > 20
    assert removed.tolist() == expected.tolist()


@pytest.mark.parametrize(("k", "threshold"), [(3, 0.5), (5, 0.5), (3, 2.5)])
def test_neighbourhood_cleaning_in_one_cell_removes_what_imbalanced_learn_removes(k, threshold):
    from imblearn.under_sampling import NeighbourhoodCleaningRule as ImbNCR

    x, y = overlapping(seed=2)
    counts = np.bincount(y)
    queries = np.arange(len(y))
    targeted = np.flatnonzero(y != 2)  # "auto": all but the minority (class 2)
    cleaned = np.array([c for c in (0, 1) if counts[c] > threshold * counts[2]])
    edited = targeted[edited_in_cell(x, y, targeted, k, "mode")]
    near = misclassified_neighbours(x, y, queries, k, 2, cleaned)
    assert len(np.setdiff1d(near, edited)) > 0  # the second rule removes rows of its own
    ref = ImbNCR(n_neighbors=k, threshold_cleaning=threshold)
    ref.fit_resample(x, y)
    expected = np.setdiff1d(np.arange(len(y)), ref.sample_indices_)
    assert np.union1d(edited, near).tolist() == expected.tolist()


def test_tomek_candidates_and_their_mutual_pairs_are_imbalanced_learns_links():
    x, y = overlapping(seed=1)
    queries = np.arange(len(y))
    mine, nearest = tomek_candidates(x, y, queries)
    assert np.all(y[mine] != y[nearest])
    near = dict(zip(mine.tolist(), nearest.tolist(), strict=True))
    linked = sorted(i for i, j in near.items() if near.get(j) == i)
    ref = ImbTomek(sampling_strategy="all")
    ref.fit_resample(x, y)
    expected = np.setdiff1d(np.arange(len(y)), ref.sample_indices_)
    assert len(expected) > 10
    assert linked == expected.tolist()


def test_no_queries_no_work():
    x, y = overlapping(50)
    none = np.empty(0, dtype=np.int64)
    assert edited_in_cell(x, y, none, 3, "all").size == 0
    assert tomek_candidates(x, y, none).shape == (2, 0)


def test_identical_rows_are_told_apart_by_their_place_among_their_copies():
    key = np.array([3, 3, 3, 5, 5, 7, 7], dtype=np.int64)
    key2 = np.array([1, 1, 1, 2, 2, 8, 9], dtype=np.int64)  # the last two differ in KEY2
    assert occurrences(key, key2).tolist() == [0, 1, 2, 0, 1, 0, 0]
    assert occurrences(key[:0], key2[:0]).tolist() == []
