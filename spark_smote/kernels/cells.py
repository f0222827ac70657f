"""Plans of the cell engine: which cells a class has, how many rows each group holds and writes.

Numpy and plain Python only: the Spark side (:mod:`spark_smote.engine.cells`) counts rows and
calls :func:`bound_cells`; the kernels and the driver read the resulting :class:`ClassCells`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from spark_smote.kernels.hashing import CellHash, single_cell

#: Average rows (home + guests) of a cell, as a share of ``maxBucketSize``.
CELL_FILL = 0.6

#: Sample rows per cell for fitting the hash, and the bounds of a class's sample.
SAMPLE_PER_CELL = 300
SAMPLE_MIN, SAMPLE_MAX = 20_000, 200_000

#: A class of at most this many values (rows x features) reaches the driver whole in the
#: sampling pass (16 MB of doubles at most), which then counts its cells itself: no counting
#: pass over rows the driver already holds.
HELD_VALUES = 2_000_000

#: Counting passes at most: a cell too crowded (more home rows than ``maxBucketSize``) gets a
#: second level of k-means and a recount, up to ``SPLIT_ROUNDS`` times; cells too small for
#: ``k`` are removed and the rows recounted.
SPLIT_ROUNDS = 2

MAX_PLAN_ROUNDS = 12


#: Synthetic rows one Python call writes at most (output of a group beyond it comes in slices).
OUTPUT_ROWS = 100_000
#: Values (rows x width) one Python call writes at most: wide rows get fewer rows per slice.
OUTPUT_VALUES = 1 << 22


def output_rows(width: int) -> int:
    """Synthetic rows one Python call may write when each holds about ``width`` values."""
    return max(1, min(OUTPUT_ROWS, OUTPUT_VALUES // max(1, width)))


def n_slices(home: int, quota: int, max_out: int) -> int:
    """Slices a group's output is made in so that none writes more than ``max_out`` rows.

    While a home row needs at most ``max_out`` synthetic rows, the slices split the home rows
    into runs and each writes the rows of its run (quotas in proportion to home rows, as the
    groups of a class); beyond that (a few rows raised a thousandfold), every slice draws from
    all home rows (:meth:`Group.piece`).
    """
    if quota <= max_out:
        return 1
    if quota > max_out * home:
        return -(-quota // max_out)
    per_slice = max_out * home // quota  # home rows a slice may take: ceil(Q * c / H) <= max_out
    return -(-home // per_slice)


@dataclass(frozen=True)
class ClassTask:
    """A class to work on: its position among all labels (part of every seed), its rows, the
    synthetic rows it needs and the most one Python call may write (:func:`output_rows`)."""

    index: int
    label: Any
    n_rows: int
    n_new: int
    max_out: int = OUTPUT_ROWS


@dataclass(frozen=True)
class Group:
    """The rows of a cell, or of a part of a cell cut for its size, and what they generate.

    Its output is made in ``slices`` Python calls (``applyInPandas`` groups), each holding all
    ``rows`` and writing at most ``max_out`` synthetic rows (:meth:`piece`).
    """

    cell: int
    part: int
    home: int  # rows whose home is this group (queries, base rows)
    rows: int  # home rows + guest rows
    quota: int  # synthetic rows to generate
    max_out: int = OUTPUT_ROWS
    slices: int = 1

    @property
    def shared(self) -> bool:
        """Whether every slice draws from all home rows (more rows per home row than a call
        writes); otherwise each slice has a run of home rows of its own."""
        return self.quota > self.max_out * self.home

    def piece(self, s: int) -> tuple[int, int, int]:
        """``(first, last, quota)`` of slice ``s``: it draws base rows among the group's home
        rows ``first .. last - 1`` (in stable order) and writes ``quota`` rows. The quotas of
        the slices sum to the group's; none exceeds ``max_out``."""
        n, h, q = self.slices, self.home, self.quota
        if n == 1:
            return 0, h, q
        if self.shared:
            return 0, h, q * (s + 1) // n - q * s // n
        first, last = h * s // n, h * (s + 1) // n
        return first, last, q * last // h - q * first // h


@dataclass(frozen=True)
class ClassCells:
    """The cells of one class and how each is bounded.

    ``home[c]``: rows whose home is cell ``c``; ``guests[c, r - 1]``: rows with cell ``c`` as
    their ``r``-th guest cell; ``keep[c]``: guest ranks stored in ``c`` (``-1``: the cell has
    no home rows, so nothing is stored); ``parts[c]``: groups the home rows of ``c`` are cut
    into (more than one only when they alone exceed ``maxBucketSize``; then no guests).
    """

    task: ClassTask
    hash: CellHash
    home: np.ndarray
    guests: np.ndarray
    keep: np.ndarray
    parts: np.ndarray

    @property
    def index(self) -> int:
        return self.task.index

    @property
    def label(self) -> Any:
        return self.task.label

    @property
    def n_rows(self) -> int:
        return self.task.n_rows

    @property
    def n_new(self) -> int:
        return self.task.n_new

    def groups(self) -> list[Group]:
        """Every group of the class, with quotas proportional to home rows that sum to
        ``n_new`` exactly."""
        out, done = [], 0
        n, n_new = self.n_rows, self.n_new
        for c in np.flatnonzero(self.home > 0):
            h, s = int(self.home[c]), int(self.parts[c])
            guests = int(self.guests[c, : max(0, int(self.keep[c]))].sum())
            for p in range(s):
                size = -(-(p + 1) * h // s) - -(-p * h // s)
                quota = n_new * (done + size) // n - n_new * done // n
                max_out = self.task.max_out
                slices = n_slices(size, quota, max_out)
                out.append(Group(int(c), p, size, size + guests, quota, max_out, slices))
                done += size
        return out


def plan_single(task: ClassTask, dim: int) -> ClassCells:
    """A class of at most ``maxBucketSize`` rows: one cell, exact neighbours."""
    return ClassCells(
        task,
        single_cell(dim),
        np.array([task.n_rows]),
        np.zeros((1, 0), dtype=np.int64),
        np.zeros(1, dtype=np.int64),
        np.ones(1, dtype=np.int64),
    )


def bound_cells(
    task: ClassTask, hash_: CellHash, counts: np.ndarray, max_size: int, k: int
) -> tuple[ClassCells, np.ndarray]:
    """Bound each cell from its counts ``(cells, copies)`` (column ``r``: rows with the cell
    as their rank-``r`` cell). Returns the bounded cells and the cells too small for ``k``
    neighbours (to remove)."""
    home, guests = counts[:, 0], counts[:, 1:]
    fill = home[:, None] + np.cumsum(guests, axis=1)  # rows stored with guest ranks 1..r
    keep = (fill <= max_size).sum(axis=1)  # fill grows with r: ranks that fit
    keep = np.where(home > max_size, 0, keep)
    keep = np.where(home == 0, -1, keep)
    parts = np.where(home > max_size, -(-home // max_size), 1)
    stored = home + np.array([guests[c, : max(0, keep[c])].sum() for c in range(len(home))])
    tiny = np.flatnonzero((home > 0) & (stored <= k))
    return ClassCells(task, hash_, home, guests, keep, parts), tiny


def held_whole(task: ClassTask, dim: int) -> bool:
    """Whether planning reads every row of ``task`` to the driver (:data:`HELD_VALUES`)."""
    return task.n_rows * dim <= HELD_VALUES


def count_cells(cell_hash: CellHash, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Rows per (cell, rank) of the rows ``x`` with weights ``w`` (identical rows collapsed):
    the ``(cells, copies)`` counts a counting pass over those rows gives."""
    got = cell_hash.assign(x)
    counts = np.zeros((cell_hash.n_cells, cell_hash.copies), dtype=np.int64)
    for r in range(got.shape[1]):
        stored = got[:, r] >= 0
        counts[:, r] = np.bincount(got[stored, r], w[stored], cell_hash.n_cells).round()
    return counts


def n_cells_for(n_rows: int, copies: int, max_size: int) -> int:
    """Cells of a class: on average ``CELL_FILL * max_size`` rows with the guests."""
    return max(copies, math.ceil(n_rows * copies / (CELL_FILL * max_size)))
