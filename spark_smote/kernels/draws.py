"""Seeded counts of whole-row draws (random over- and under-sampling), numpy only."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Draws made at once, at most: bounds the memory of :func:`bootstrap_counts` (32 MiB) whatever
#: the oversampling ratio.
DRAW_CHUNK = 1 << 22


def bootstrap_counts(n_rows: int, n_draws: int, seed: tuple[int, ...]) -> np.ndarray:
    """How often each of ``n_rows`` rows is drawn in ``n_draws`` uniform draws with replacement
    (a seeded multinomial: the counts sum to ``n_draws``).

    The draws are made in chunks of :data:`DRAW_CHUNK` from one generator: the same numbers as
    one call would give, in bounded memory.
    """
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    counts = np.zeros(n_rows, dtype=np.int64)
    for start in range(0, n_draws, DRAW_CHUNK):
        chosen = rng.integers(0, n_rows, min(DRAW_CHUNK, n_draws - start))
        counts += np.bincount(chosen, minlength=n_rows)
    return counts


#: Draws whose profile the driver makes at once, at most (all classes together): bounds the
#: memory of :func:`draw_profile` and of the counts a pass carries (16 MiB).
PROFILE_DRAWS = 1 << 22


def draw_profile(n_rows: int, n_draws: int, seed: tuple[int, ...]) -> np.ndarray:
    """How often each *distinct* row is drawn in ``n_draws`` uniform draws with replacement
    from ``n_rows``, in a seeded random order (positive counts summing to ``n_draws``; their
    number is how many distinct rows the draw holds).

    Given to the rows of a uniformly chosen subset of that size, one count each, these are a
    with-replacement draw: its counts are exchangeable, so which rows get which does not matter
    as long as the rows are a uniform choice. Memory: ``n_draws`` integers.
    """
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    _, counts = np.unique(rng.integers(0, n_rows, n_draws), return_counts=True)
    return rng.permutation(counts).astype(np.int32)


def block_quotas(block_rows: np.ndarray, n_draws: int, seed: tuple[int, ...]) -> np.ndarray:
    """Draws per block so that ``n_draws`` rows drawn with replacement from all blocks are
    uniform over rows: a multinomial over the blocks' sizes (the quotas sum to ``n_draws``)."""
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    rows = np.asarray(block_rows, dtype=np.int64)
    return rng.multinomial(n_draws, rows / rows.sum())


#: The range of a seeded row hash (Spark's ``xxhash64``: a signed 64-bit integer).
HASH_MIN, HASH_MAX = -(1 << 63), (1 << 63) - 1
#: Standard deviations of a class's count below the expected threshold that the first window
#: covers (missing it has a chance below 1e-14); a missed window is widened by :data:`WIDEN`.
WINDOW_SIGMAS = 8.0
WIDEN = 16


@dataclass(frozen=True)
class Cut:
    """Where the ``n_draws`` smallest row hashes of a class end: the rows hashed below
    ``value`` are kept, and of those hashed exactly ``value`` all (``inclusive``) or ``ties``.
    Rows sharing a hash are identical rows (or a 2^-64 collision)."""

    value: int
    inclusive: bool = False
    ties: int = 0


def hash_window(n_rows: int, n_draws: int, round_: int = 0) -> tuple[int, int]:
    """``(lo, hi)``: the hashes around the expected ``n_draws``-th smallest of ``n_rows``
    uniform row hashes, wide enough to hold it but for a chance below 1e-14 (``round_`` > 0:
    :data:`WIDEN` times wider per round, up to the whole range)."""
    p = n_draws / n_rows
    spread = WINDOW_SIGMAS * math.sqrt(n_rows * p * (1.0 - p)) + 16.0
    width = spread * WIDEN**round_ / n_rows * 2.0**64
    centre = HASH_MIN + p * 2.0**64
    return max(HASH_MIN, int(centre - width)), min(HASH_MAX, int(centre + width))


def hash_cut(
    n_draws: int, lo: int, below: int, values: np.ndarray, counts: np.ndarray
) -> Cut | None:
    """The :class:`Cut` of a class from its window ``[lo, hi]``: ``below`` (its rows hashed
    below ``lo``) and the distinct hashes in the window, ``values``, with their rows
    ``counts``; ``None`` when the cut is outside the window."""
    need = n_draws - below
    if need == 0:
        return Cut(lo)
    order = np.argsort(values)
    values, counts = np.asarray(values)[order], np.asarray(counts)[order]
    upto = np.cumsum(counts)
    if need < 0 or len(upto) == 0 or need > upto[-1]:
        return None
    i = int(np.searchsorted(upto, need))  # the first value whose rows reach need
    before = int(upto[i] - counts[i])
    if need == upto[i]:
        return Cut(int(values[i]), inclusive=True)
    return Cut(int(values[i]), ties=need - before)
