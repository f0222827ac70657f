"""The rules of the cleaning under-samplers, on the rows of one cell (numpy only).

A cell holds rows of every class; its home rows are the queries, its guests only data.
:func:`edited_out` is the rule of Edited Nearest Neighbours, :func:`tomek_candidates` the half
of the Tomek-link rule one cell can decide (the other half needs the neighbour's own nearest
row, found in the neighbour's home cell).

Neighbours come from :func:`~spark_smote.kernels.knn.knn_in_cell` on rows in stable order:
among rows at exactly the same distance, the one first in that order (row hash, then features)
is the nearer.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from spark_smote.kernels.knn import knn_in_cell

KindSel = Literal["all", "mode"]
KIND_SEL = ("all", "mode")


def most_common(labels: np.ndarray) -> np.ndarray:
    """Per row of ``labels`` (non-negative class indices), the most common one; among equally
    common ones the smallest (as ``scipy.stats.mode``)."""
    n_rows, k = labels.shape
    if n_rows == 0:
        return np.empty(0, dtype=labels.dtype)
    width = int(labels.max()) + 1
    counts = np.zeros((n_rows, width), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(n_rows), k), labels.ravel()), 1)
    return counts.argmax(axis=1)  # argmax: the first (smallest) of the largest counts


def edited_out(own: np.ndarray, neighbours: np.ndarray, kind: KindSel) -> np.ndarray:
    """Which rows Edited Nearest Neighbours removes, from their class ``own`` and the classes
    of their nearest rows ``neighbours`` (``(rows, k)``): ``"all"`` removes a row unless all
    are of its class; ``"mode"`` unless the most common one is its class."""
    if kind == "all":
        return np.any(neighbours != own[:, None], axis=1)
    return most_common(neighbours) != own


def edited_in_cell(
    x: np.ndarray, y: np.ndarray, queries: np.ndarray, k: int, kind: KindSel
) -> np.ndarray:
    """Positions (among ``queries``) of the query rows of a cell that Edited Nearest Neighbours
    removes: their ``k`` nearest rows of the cell, themselves excluded, by :func:`edited_out`."""
    if len(queries) == 0:
        return np.empty(0, dtype=np.int64)
    idx, _ = knn_in_cell(x, queries, k)
    return np.flatnonzero(edited_out(y[queries], y[idx], kind))


def tomek_candidates(x: np.ndarray, y: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """``(positions among queries, their nearest rows)`` of the query rows of a cell whose
    nearest row (themselves excluded) is of another class, as a ``(2, n)`` array.

    Such a row is in a Tomek link when it is also its neighbour's nearest row.
    """
    if len(queries) == 0:
        return np.empty((2, 0), dtype=np.int64)
    nearest = knn_in_cell(x, queries, 1)[0][:, 0]
    mine = np.flatnonzero(y[nearest] != y[queries])
    return np.stack([mine, nearest[mine]])


def misclassified_neighbours(
    x: np.ndarray, y: np.ndarray, queries: np.ndarray, k: int, minority: int, cleaned: np.ndarray
) -> np.ndarray:
    """Rows of a cell that the Neighbourhood Cleaning Rule removes besides the edited ones: the
    ``k`` nearest rows (itself excluded) of each query row of class ``minority`` that a
    ``k``-nearest-neighbour vote misclassifies, when their class is in ``cleaned``.

    The vote is that of the row and its ``k - 1`` nearest rows (as imbalanced-learn's
    ``KNeighborsClassifier`` predicting rows it was fitted on, the row its own nearest); ties
    go to the smallest class. Returns positions among the cell's rows, each once.
    """
    mine = queries[y[queries] == minority]
    if len(mine) == 0:
        return np.empty(0, dtype=np.int64)
    idx, _ = knn_in_cell(x, mine, k)
    votes = np.concatenate([y[mine][:, None], y[idx[:, : k - 1]]], axis=1)
    wrong = most_common(votes) != minority
    near = np.unique(idx[wrong].ravel())
    return near[np.isin(y[near], cleaned)]


def occurrences(key: np.ndarray, key2: np.ndarray) -> np.ndarray:
    """Each row's place among the identical rows (the same ``KEY, KEY2``) of a cell in stable
    order, 0 for the first: with ``KEY, KEY2``, an identity that tells identical rows apart and
    is the same in every cell (identical rows are stored in the same cells, side by side in
    stable order)."""
    n = len(key)
    if n == 0:
        return np.empty(0, dtype=np.int32)
    first = np.ones(n, dtype=bool)
    first[1:] = (key[1:] != key[:-1]) | (key2[1:] != key2[:-1])
    at = np.arange(n)
    return (at - np.maximum.accumulate(np.where(first, at, 0))).astype(np.int32)
