"""Numpy kernels for sparse rows: a seeded sketch for hashing, exact kNN and SMOTE in one cell.

No Spark and no scipy here. Rows are held as :class:`Csr` (compressed sparse rows); every cost
grows with the non-zeros and the rows of a cell, never with the vectors' dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spark_smote.kernels.knn import block_rows, candidates_per_query, smallest_per_row
from spark_smote.kernels.smote import draw

#: Width of the sketch that the cell hash is fitted on and assigns by.
SKETCH_DIM = 32
#: (query entry, cell entry) pairs multiplied at once, at most: bounds the memory of a block of
#: sparse dot products whatever columns the rows share (16 bytes a pair: 64 MiB).
_PAIRS = 1 << 22


@dataclass(frozen=True)
class Csr:
    """Rows ``i`` hold ``values[indptr[i]:indptr[i + 1]]`` at columns ``indices[...]``
    (sorted and distinct within a row, as in a Spark ``SparseVector``)."""

    indptr: np.ndarray  # (rows + 1,) int64
    indices: np.ndarray  # (nnz,) int64
    values: np.ndarray  # (nnz,) float64

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def lengths(self) -> np.ndarray:
        return np.diff(self.indptr)

    def row_of_entries(self) -> np.ndarray:
        """The row of every stored entry."""
        return np.repeat(np.arange(self.n_rows), self.lengths())

    def take(self, rows: np.ndarray) -> Csr:
        """The rows ``rows``, in that order."""
        lengths = self.lengths()[rows]
        entries = _ranges(self.indptr[rows], lengths)
        return Csr(_indptr(lengths), self.indices[entries], self.values[entries])

    def squared_norms(self) -> np.ndarray:
        return _row_sums(self.values * self.values, self.indptr)

    def to_dense(self, dim: int) -> np.ndarray:
        out = np.zeros((self.n_rows, dim))
        out[self.row_of_entries(), self.indices] = self.values
        return out


def csr_from_lists(indices: list[np.ndarray], values: list[np.ndarray]) -> Csr:
    """A :class:`Csr` from one array of indices and one of values per row."""
    lengths = np.fromiter((len(i) for i in indices), dtype=np.int64, count=len(indices))
    indptr = _indptr(lengths)
    if len(indices) == 0 or indptr[-1] == 0:
        return Csr(indptr, np.zeros(0, dtype=np.int64), np.zeros(0))
    return Csr(
        indptr,
        np.concatenate(indices).astype(np.int64, copy=False),
        np.concatenate(values).astype(np.float64, copy=False),
    )


def _indptr(lengths: np.ndarray) -> np.ndarray:
    """Row pointers of rows of ``lengths`` entries."""
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])``, vectorised."""
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(total)


def _row_sums(v: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per row, the sum of its entries of ``v`` (``(nnz,)`` or ``(nnz, w)``), each row summed on
    its own (so a row's result never depends on the rows beside it)."""
    out = np.zeros((len(indptr) - 1, *v.shape[1:]))
    full = np.flatnonzero(np.diff(indptr) > 0)
    if len(full):
        out[full] = np.add.reduceat(v, indptr[full], axis=0)
    return out


# ------------------------------------------------------------------------------ the sketch


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: well-spread 64-bit values from consecutive integers."""
    z = (z + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def sketch(rows: Csr, seed: int, width: int = SKETCH_DIM) -> np.ndarray:
    """A seeded random projection of each row to ``width`` dimensions: ``(rows, width)``.

    Column ``c`` of the input adds ``±value / sqrt(width)`` to each output, the sign drawn by a
    hash of ``(seed, c, output)``: no projection matrix is stored, the same column always has
    the same signs, and distances are kept in expectation (Johnson-Lindenstrauss).
    """
    with np.errstate(over="ignore"):
        salt = _mix(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]
        cols = rows.indices.astype(np.uint64)[:, None] * np.uint64(width)
        bits = _mix((cols + np.arange(width, dtype=np.uint64)[None, :]) ^ salt)
    signs = 1.0 - 2.0 * (bits >> np.uint64(63)).astype(np.float64)
    return _row_sums(signs * rows.values[:, None], rows.indptr) / np.sqrt(width)


# ------------------------------------------------------------------------------ neighbours


@dataclass(frozen=True)
class _ByColumn:
    """A cell's entries sorted by column: what a query's entries are matched against."""

    columns: np.ndarray
    rows: np.ndarray
    values: np.ndarray

    @staticmethod
    def of(cell: Csr) -> _ByColumn:
        order = np.argsort(cell.indices, kind="stable")
        return _ByColumn(cell.indices[order], cell.row_of_entries()[order], cell.values[order])


def _dot_block(cell: Csr, by_col: _ByColumn, queries: np.ndarray) -> np.ndarray:
    """``(len(queries), m)`` dot products of the rows ``queries`` with every row of the cell,
    summed over the columns they share, at most :data:`_PAIRS` products at a time."""
    m = cell.n_rows
    lengths = cell.lengths()[queries]
    entries = _ranges(cell.indptr[queries], lengths)
    q_local = np.repeat(np.arange(len(queries)), lengths)
    cols = cell.indices[entries]
    lo = np.searchsorted(by_col.columns, cols, "left")
    hits = np.searchsorted(by_col.columns, cols, "right") - lo
    dot = np.zeros(len(queries) * m)
    done = np.concatenate([[0], np.cumsum(hits)])
    start = 0
    while start < len(entries):  # chunks of whole entries with at most _PAIRS products
        stop = max(start + 1, int(np.searchsorted(done, done[start] + _PAIRS, "right")) - 1)
        part = slice(start, stop)
        pos = _ranges(lo[part], hits[part])
        target = np.repeat(q_local[part] * m, hits[part]) + by_col.rows[pos]
        weight = np.repeat(cell.values[entries[part]], hits[part]) * by_col.values[pos]
        dot += np.bincount(target, weight, minlength=len(dot))
        start = stop
    return dot.reshape(len(queries), m)


def knn_sparse(cell: Csr, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``k`` nearest rows of ``cell`` to the rows ``queries``, each query itself excluded.

    Returns ``(indices, squared_distances)``, both ``(len(queries), k)``, nearest first (ties by
    index). ``|x_q - x_j|^2 = |x_q|^2 + |x_j|^2 - 2 x_q . x_j`` in float64, the dot products from
    the columns the rows share; a block of queries holds its distances and one buffer of the
    same size (together at most the dense kernel's 128 MiB, for cells up to 2^19 rows) and at
    most :data:`_PAIRS` column products.
    """
    m = cell.n_rows
    spare = candidates_per_query(m, k)
    sq = cell.squared_norms()
    by_col = _ByColumn.of(cell)
    cand = np.empty((len(queries), spare), dtype=np.int64)
    dist = np.empty((len(queries), spare))
    # float64, and a product buffer beside each block: a quarter of the float32 kernel's queries
    block = block_rows(4 * m)
    for start in range(0, len(queries), block):
        q = queries[start : start + block]
        d = _dot_block(cell, by_col, q)
        d *= -2.0
        d += sq[None, :]
        d[np.arange(len(q)), q] = np.inf
        c = smallest_per_row(d, spare)
        cand[start : start + len(q)] = c
        dist[start : start + len(q)] = np.take_along_axis(d, c, 1) + sq[q][:, None]
    dist = np.maximum(dist, 0.0)  # rounding can take a distance of 0 just below it
    order = np.lexsort((cand, dist), axis=1)[:, :k]
    return np.take_along_axis(cand, order, 1), np.take_along_axis(dist, order, 1)


# ------------------------------------------------------------------------------ generation


def interpolate(rows: Csr, base: np.ndarray, towards: np.ndarray, gap: np.ndarray) -> Csr:
    """Rows ``x_b + u * (x_t - x_b)`` for ``b, t, u`` in ``base, towards, gap``.

    Each new row is stored on the union of the two rows' columns; entries that come out exactly
    zero (e.g. a column of ``x_t`` only, with ``u = 0``) are dropped.
    """
    a, b = rows.take(base), rows.take(towards)
    new_of = np.concatenate([a.row_of_entries(), b.row_of_entries()])
    cols = np.concatenate([a.indices, b.indices])
    from_a = np.concatenate([a.values, np.zeros(len(b.values))])
    from_b = np.concatenate([np.zeros(len(a.values)), b.values])
    width = int(cols.max(initial=0)) + 1
    unique, slot = np.unique(new_of * width + cols, return_inverse=True)
    va = np.bincount(slot, from_a, minlength=len(unique))
    vb = np.bincount(slot, from_b, minlength=len(unique))
    row, col = np.divmod(unique, width)
    value = va + gap[row] * (vb - va)
    keep = value != 0
    row, col, value = row[keep], col[keep], value[keep]
    return Csr(_indptr(np.bincount(row, minlength=len(base))), col.astype(np.int64), value)


def generate_cell_sparse(
    rows: Csr,
    sketches: np.ndarray,
    row_keys: np.ndarray,
    home: np.ndarray,
    n_new: int,
    k: int,
    seed: tuple[int, ...],
    homes: tuple[int, int] | None = None,
) -> tuple[Csr, np.ndarray]:
    """SMOTE rows for one cell of sparse rows; the sparse twin of
    :func:`spark_smote.kernels.smote.generate_cell` (``homes``: one slice of the output).

    The rows are put in a stable order by ``row_keys`` (ties by their ``sketches``), base rows
    are drawn among the home rows, neighbours searched exactly among all the cell's rows.
    Returns the new rows and, per new row, the position in ``rows`` of its base row.
    """
    order, base, pick, gap, copy_of = draw(sketches, row_keys, home, n_new, k, seed, homes)
    ordered = rows.take(order)
    bases, inverse = np.unique(copy_of[base], return_inverse=True)
    if len(bases):
        neighbours = knn_sparse(ordered, bases, k)[0][inverse, pick]
    else:
        neighbours = np.empty(0, dtype=np.int64)
    return interpolate(ordered, base, neighbours, gap), order[base]
