"""imbalanced-learn's repeated cleaners on tables too big for their neighbour searches.

RepeatedEditedNearestNeighbours, AllKNN and the Neighbourhood Cleaning Rule search the exact
neighbours of every row of the cleaned classes once per pass (at 1M rows about 1,000 s a
search on 2 cores; RENN repeats it until nothing changes). Their decisions only need, for the
rows still in the table, their nearest rows still in the table. So one exact search of every
row's ``depth`` nearest rows of the whole table (scikit-learn, as imbalanced-learn searches)
answers every later search: a row's nearest remaining rows are the first remaining entries
of its list. Where a list runs out (more than ``depth - k`` of a row's nearest were removed),
that row is searched again by brute force among the remaining rows (squared distances as
``|b|^2 - 2 a.b``, the way scikit-learn's brute force computes them).

:func:`run` runs imbalanced-learn's own classes with their neighbour objects replaced by
:class:`ListedNeighbours` (its ENN builds them from an int; NCR's second step, a classifier on
the whole table, is left as it is). Without lists, :func:`run` runs them unchanged (the
``--whole`` reference), so that a test on a table both can hold shows the removed rows are the
same.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator

#: the table every ListedNeighbours answers from (set by :func:`listed`)
_TABLE: dict[str, Any] = {}


def _keys(x: np.ndarray) -> np.ndarray:
    """Each row's bytes, as one void scalar (how a row is found again in the table)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    return x.view(np.dtype((np.void, x.dtype.itemsize * x.shape[1]))).ravel()


class ListedNeighbours(BaseEstimator):
    """A NearestNeighbors for rows of the listed table, answered from their lists."""

    def __init__(self, n_neighbors: int = 5, n_jobs: int | None = None) -> None:
        self.n_neighbors = n_neighbors
        self.n_jobs = n_jobs

    def _ids(self, x: np.ndarray) -> np.ndarray:
        where = _TABLE["where"]
        return np.fromiter((where[k] for k in _keys(x).tolist()), dtype=np.int64, count=len(x))

    def fit(self, x: np.ndarray, y: object = None) -> ListedNeighbours:
        self.ids_ = self._ids(x)
        self.x_ = np.asarray(x, dtype=np.float64)
        self.norms_ = (self.x_**2).sum(axis=1)
        self.position_ = np.full(len(_TABLE["x"]), -1, dtype=np.int64)
        self.position_[self.ids_] = np.arange(len(self.ids_))
        return self

    def kneighbors(
        self, x: np.ndarray, n_neighbors: int | None = None, return_distance: bool = True
    ) -> np.ndarray:
        if return_distance:
            raise NotImplementedError("ListedNeighbours gives indices only")
        k = n_neighbors or self.n_neighbors
        lists = self.position_[_TABLE["lists"][self._ids(x)]]
        alive = lists >= 0
        rank = np.cumsum(alive, axis=1)
        out = np.empty((len(x), k), dtype=np.int64)
        short = rank[:, -1] < k
        full = np.flatnonzero(~short)
        picked = alive[full] & (rank[full] <= k)
        out[full] = lists[full][picked].reshape(len(full), k)
        again = np.flatnonzero(short)
        for start in range(0, len(again), 64):
            rows = again[start : start + 64]
            d = self.norms_[None, :] - 2.0 * (x[rows] @ self.x_.T)
            near = np.argpartition(d, k - 1, axis=1)[:, :k]
            order = np.take_along_axis(d, near, axis=1).argsort(axis=1, kind="stable")
            out[rows] = np.take_along_axis(near, order, axis=1)
        _TABLE["searched"] = int(_TABLE.get("searched", 0)) + len(again)
        return out

    def kneighbors_graph(self, *args: object, **kwargs: object) -> None:
        raise NotImplementedError


def search(x: np.ndarray, depth: int) -> tuple[np.ndarray, float]:
    """Every row's ``depth`` nearest rows of ``x`` (itself first) and the seconds it took."""
    from sklearn.neighbors import NearestNeighbors

    start = time.perf_counter()
    lists = NearestNeighbors(n_neighbors=depth).fit(x).kneighbors(x, return_distance=False)
    return lists.astype(np.int64), time.perf_counter() - start


@contextmanager
def listed(x: np.ndarray, lists: np.ndarray) -> Iterator[None]:
    """imbalanced-learn's ENN (and what builds on it) searching the lists of ``x``."""
    from imblearn.under_sampling._prototype_selection import _edited_nearest_neighbours as enn

    original = enn.check_neighbors_object

    def checked(name: str, nn: object, additional_neighbor: int = 0) -> object:
        if isinstance(nn, (int, np.integer)):
            return ListedNeighbours(n_neighbors=int(nn) + additional_neighbor)
        return original(name, nn, additional_neighbor)

    where = {key: i for i, key in enumerate(_keys(x).tolist())}
    _TABLE.update(x=x, lists=lists, where=where)
    enn.check_neighbors_object = checked
    try:
        yield
    finally:
        enn.check_neighbors_object = original
        _TABLE.clear()


class Reference(NamedTuple):
    """What :func:`run` measured of one imbalanced-learn sampler."""

    removed: np.ndarray  # a boolean per row
    seconds: float
    searched: int  # queries searched again by brute force (their list ran out)
    passes: int | None  # its ``n_iter_`` (repeated editing), else None


def run(
    x: np.ndarray,
    y: np.ndarray,
    name: str,
    params: dict[str, Any] | None = None,
    lists: np.ndarray | None = None,
) -> Reference:
    """imbalanced-learn's ``name`` (a class of ``imblearn.under_sampling``, with ``params``)
    on ``x, y``. With ``lists``, its neighbour searches are answered from them."""
    import imblearn.under_sampling as under

    stage = getattr(under, name)(**(params or {}))
    start = time.perf_counter()
    searched = 0
    if lists is None:
        stage.fit_resample(x, y)
    else:
        with listed(x, lists):
            stage.fit_resample(x, y)
            searched = int(_TABLE.get("searched", 0))
    seconds = time.perf_counter() - start
    removed = np.ones(len(y), dtype=bool)
    removed[stage.sample_indices_] = False
    return Reference(removed, seconds, searched, getattr(stage, "n_iter_", None))
