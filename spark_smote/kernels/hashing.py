"""The learned hash: k-means cells fitted on a sample of one class, in numpy (no Spark).

A :class:`CellHash` maps each row to its ``copies`` nearest cells, nearest first: the first is
the row's *home* (where it is a query and gets its synthetic rows), the others are *guest* cells
(where it is only data, so that queries near a cell's border still find their neighbours).
Cells are k-means centroids; a class that needs many cells gets a two-level k-means tree, and a
row then compares itself with the leaves of its ``probe`` nearest top cells only, so that hashing
costs ``O(sqrt(cells))`` per row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from spark_smote.kernels.knn import power_of_two_scale

#: Up to this many cells, one flat k-means; above it, a two-level tree.
FLAT_MAX_CELLS = 256
#: Top cells whose leaves a row compares itself with, in a tree.
TREE_PROBE = 3
#: Lloyd iterations at most (k-means stops earlier once no assignment changes).
MAX_ITERATIONS = 25
#: Levels of re-splitting inside :func:`split_cells`.
SPLIT_DEPTH = 3
#: Doubles per candidate matrix when hashing (2 MiB): bounds the memory of
#: :meth:`CellHash.assign` and keeps its arrays in cache (1.07-1.6x faster than 32 MiB on
#: Spark's 10,000-row Arrow batches, docs/results/history.md).
_CHUNK_VALUES = 1 << 18


@dataclass(frozen=True)
class CellHash:
    """k-means cells of one class.

    ``tops`` ``(t, d)``: first-level centroids; ``leaves`` ``(c, d)``: the cells; ``children``
    ``(t, w)``: leaf ids of each top cell, then ``-1`` padding (always after the ids, which
    :meth:`assign` relies on). A flat hash has one leaf per top cell (``tops is leaves``). The
    centroids live in the space of ``x * scale`` (:func:`power_of_two_scale` of the sample: 1.0
    but for values near the float64 limits).
    """

    tops: np.ndarray
    leaves: np.ndarray
    children: np.ndarray
    copies: int
    scale: float = 1.0

    @property
    def n_cells(self) -> int:
        return len(self.leaves)

    def assign(self, x: np.ndarray) -> np.ndarray:
        """``(m, copies)`` cell ids of each row of ``x``, nearest first, ``-1`` where the hash
        has fewer cells than ``copies``.

        Candidates come from a matrix product; the few kept per row are then ranked by sums of
        squared differences computed row by row, so that a row's cells do not depend on which
        other rows share its batch.
        """
        m = len(x)
        out = np.full((m, self.copies), -1, dtype=np.int32)
        if self.n_cells == 1:  # one cell: no arithmetic, whatever the values
            out[:, 0] = 0
            return out
        if self.scale != 1.0:
            x = x * self.scale
        probe = min(len(self.tops), max(self.copies, TREE_PROBE))
        spare = min(self.copies + 2, self.n_cells)
        chunk = max(1, _CHUNK_VALUES // (probe * self.children.shape[1] + len(self.tops)))
        top_sq = np.einsum("ij,ij->i", self.tops, self.tops)
        leaf_sq = np.einsum("ij,ij->i", self.leaves, self.leaves)
        for start in range(0, m, chunk):
            xs = x[start : start + chunk]
            rows = np.arange(len(xs))[:, None]
            top_d = top_sq[None, :] - 2.0 * xs @ self.tops.T
            near = _smallest(top_d, probe)
            cand = self.children[near].reshape(len(xs), -1)  # (rows, width), -1 padded
            if spare < cand.shape[1]:  # a tree: keep the nearest leaves of the top cells
                approx = self._leaf_products(xs, near)
                approx += leaf_sq[cand]
                approx[cand < 0] = np.inf
                cand = np.take_along_axis(cand, _smallest(approx, spare), 1)
            diff = xs[:, None, :] - self.leaves[np.maximum(cand, 0)]
            exact = np.einsum("mcd,mcd->mc", diff, diff)
            exact[cand < 0] = np.inf
            order = np.lexsort((cand, exact), axis=1)[:, : self.copies]
            got = cand[rows, order]
            got[np.isinf(exact[rows, order])] = -1
            out[start : start + len(xs), : got.shape[1]] = got
        return out

    def _leaf_products(self, xs: np.ndarray, near: np.ndarray) -> np.ndarray:
        """``-2 x . leaf`` for each row of ``xs`` and each leaf of its top cells ``near``, laid
        out as ``children[near]`` flattened (padding: 0). One matrix product per top cell over
        the rows that probe it: no ``(rows, leaves, d)`` gather (that gather moved most of the
        hashing time through memory: 1.7-5x slower, docs/results/history.md)."""
        if self.tops is self.leaves:  # flat: each top cell is its own leaf
            return -2.0 * np.einsum("md,mpd->mp", xs, self.leaves[near])
        probe, width = near.shape[1], self.children.shape[1]
        live = (self.children >= 0).sum(axis=1)  # each top cell's leaves come first
        out = np.zeros((len(xs), probe, width))
        pairs = np.argsort(near.ravel(), kind="stable")  # (row, probe) pairs by top cell
        bounds = np.searchsorted(near.ravel()[pairs], np.arange(len(self.tops) + 1))
        for t in np.flatnonzero(np.diff(bounds)):
            rows, which = np.divmod(pairs[bounds[t] : bounds[t + 1]], probe)
            leaves = self.leaves[self.children[t, : live[t]]]
            out[rows, which, : live[t]] = -2.0 * (xs[rows] @ leaves.T)
        return out.reshape(len(xs), probe * width)


def _smallest(d: np.ndarray, s: int) -> np.ndarray:
    """Column indices of the ``s`` smallest values per row (``s`` small: repeated argmin,
    several times faster than a row-wise ``argpartition``)."""
    if s >= d.shape[1]:
        return np.broadcast_to(np.arange(d.shape[1]), d.shape).copy()
    d = d.copy()
    rows = np.arange(len(d))
    out = np.empty((len(d), s), dtype=np.int64)
    for j in range(s):
        out[:, j] = np.argmin(d, axis=1)
        d[rows, out[:, j]] = np.inf
    return out


def _squared_distances(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    diff = x[:, None, :] - centres[None, :, :]
    return np.einsum("mcd,mcd->mc", diff, diff)


def single_cell(dim: int) -> CellHash:
    """The hash of a class small enough to be one cell (exact neighbours)."""
    centre = np.zeros((1, dim))
    return CellHash(centre, centre, np.zeros((1, 1), dtype=np.int64), 1)


def kmeans(
    x: np.ndarray, weights: np.ndarray, n_clusters: int, rng: np.random.Generator
) -> np.ndarray:
    """Weighted k-means (k-means++ start, Lloyd iterations); returns the non-empty centroids.

    ``weights`` are row multiplicities (a sampled row may stand for many identical rows).
    """
    n_clusters = min(n_clusters, len(x))
    centres = _kmeans_plus_plus(x, weights, n_clusters, rng)
    labels = np.full(len(x), -1)
    sq = np.einsum("ij,ij->i", x, x)
    for _ in range(MAX_ITERATIONS):
        d = sq[:, None] - 2.0 * x @ centres.T + np.einsum("ij,ij->i", centres, centres)[None, :]
        new = np.argmin(d, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        mass = np.bincount(labels, weights, minlength=len(centres))
        sums = np.zeros_like(centres)
        np.add.at(sums, labels, x * weights[:, None])
        alive = mass > 0
        centres = sums[alive] / mass[alive, None]
        if not alive.all():
            labels = np.full(len(x), -1)  # ids moved: force another assignment
    return centres


def _kmeans_plus_plus(
    x: np.ndarray, weights: np.ndarray, n_clusters: int, rng: np.random.Generator
) -> np.ndarray:
    """k-means++ seeding, each row's chance proportional to weight times squared distance."""
    chosen = [int(rng.choice(len(x), p=weights / weights.sum()))]
    closest = np.einsum("ij,ij->i", x - x[chosen[0]], x - x[chosen[0]])
    for _ in range(1, n_clusters):
        mass = weights * closest
        total = mass.sum()
        if total <= 0:  # fewer distinct rows than clusters
            break
        nxt = int(rng.choice(len(x), p=mass / total))
        chosen.append(nxt)
        diff = x - x[nxt]
        closest = np.minimum(closest, np.einsum("ij,ij->i", diff, diff))
    return x[chosen].astype(np.float64, copy=True)


def fit_cell_hash(
    sample: np.ndarray, weights: np.ndarray, n_cells: int, copies: int, seed: tuple[int, ...]
) -> CellHash:
    """Fit ``n_cells`` cells to a weighted sample of a class: flat k-means, or a two-level tree
    (``ceil(sqrt(n_cells))`` top cells, each cut into cells in proportion to its weight)."""
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    sample = np.asarray(sample, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    scale = power_of_two_scale(sample)
    if scale != 1.0:
        sample = sample * scale
    if n_cells <= FLAT_MAX_CELLS:
        centres = kmeans(sample, weights, n_cells, rng)
        ids = np.arange(len(centres), dtype=np.int64)[:, None]
        return CellHash(centres, centres, ids, copies, scale)
    tops = kmeans(sample, weights, math.ceil(math.sqrt(n_cells)), rng)
    top_of = np.argmin(_squared_distances(sample, tops), axis=1)
    total = weights.sum()
    leaves: list[np.ndarray] = []
    groups: list[np.ndarray] = []
    for t in range(len(tops)):
        rows = top_of == t
        want = max(1, round(n_cells * weights[rows].sum() / total))
        found = kmeans(sample[rows], weights[rows], want, rng) if rows.any() else tops[t : t + 1]
        groups.append(np.arange(len(leaves), len(leaves) + len(found)))
        leaves.extend(found)
    width = max(len(g) for g in groups)
    children = np.full((len(tops), width), -1, dtype=np.int64)
    for t, g in enumerate(groups):
        children[t, : len(g)] = g
    return CellHash(tops, np.vstack(leaves), children, copies, scale)


def without_cells(hash_: CellHash, dead: np.ndarray) -> CellHash:
    """The same hash with the cells ``dead`` removed (their rows go to their next cells);
    the remaining cells are renumbered in order."""
    keep = np.setdiff1d(np.arange(hash_.n_cells), dead)
    new_id = np.full(hash_.n_cells, -1, dtype=np.int64)
    new_id[keep] = np.arange(len(keep))
    mapped = np.where(hash_.children >= 0, new_id[np.maximum(hash_.children, 0)], -1)
    # keep each top cell's live children first, padding last
    order = np.argsort(mapped < 0, axis=1, kind="stable")
    children = np.take_along_axis(mapped, order, 1)
    flat = hash_.tops is hash_.leaves
    leaves = hash_.leaves[keep]
    if flat:
        ids = np.arange(len(keep), dtype=np.int64)[:, None]
        return CellHash(leaves, leaves, ids, hash_.copies, hash_.scale)
    live = (children >= 0).any(axis=1)
    return CellHash(hash_.tops[live], leaves, children[live], hash_.copies, hash_.scale)


def _split(
    x: np.ndarray, weights: np.ndarray, n: int, rng: np.random.Generator, depth: int
) -> list[np.ndarray]:
    """k-means into ``n`` centres; a centre that still holds more than twice its share of the
    weight (a tight crowd beside a few far rows: k-means++ spends its centres on the far rows)
    is split again, ``depth`` levels at most."""
    found = kmeans(x, weights, n, rng)
    if len(found) < 2 or depth == 0:
        return list(found)
    share = weights.sum() / n
    label = np.argmin(_squared_distances(x, found), axis=1)
    out: list[np.ndarray] = []
    for j, centre in enumerate(found):
        mine = label == j
        mass = weights[mine].sum()
        if mass > 2 * share:
            out.extend(_split(x[mine], weights[mine], math.ceil(mass / share), rng, depth - 1))
        else:
            out.append(centre)
    return out


def split_cells(
    hash_: CellHash,
    cells: np.ndarray,
    parts: np.ndarray,
    sample: np.ndarray,
    weights: np.ndarray,
    seed: tuple[int, ...],
) -> CellHash:
    """The same hash with each cell ``cells[i]`` replaced by about ``parts[i]`` cells, fitted
    by k-means on the sample rows whose home it is (a second level for a cell that attracts too
    many rows). A cell whose sample rows are all identical stays as it is. The first new cell
    keeps the old id; the others are appended."""
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    home = hash_.assign(sample)[:, 0]
    sample = sample * hash_.scale if hash_.scale != 1.0 else sample  # the centroids' space
    leaves = list(hash_.leaves)
    added: dict[int, list[int]] = {}
    for cell, n in zip(cells, parts, strict=True):
        rows = home == cell
        if not rows.any():
            continue
        found = _split(sample[rows], weights[rows], int(n), rng, SPLIT_DEPTH)
        if len(found) < 2:
            continue
        leaves[cell] = found[0]
        added[int(cell)] = list(range(len(leaves), len(leaves) + len(found) - 1))
        leaves.extend(found[1:])
    if not added:
        return hash_
    new_leaves = np.vstack(leaves)
    if hash_.tops is hash_.leaves:
        ids = np.arange(len(new_leaves), dtype=np.int64)[:, None]
        return CellHash(new_leaves, new_leaves, ids, hash_.copies, hash_.scale)
    groups = [[int(c) for c in row if c >= 0] for row in hash_.children]
    for g in groups:
        g.extend(i for c in list(g) for i in added.get(c, []))
    children = np.full((len(groups), max(map(len, groups))), -1, dtype=np.int64)
    for t, g in enumerate(groups):
        children[t, : len(g)] = g
    return CellHash(hash_.tops, new_leaves, children, hash_.copies, hash_.scale)
