"""Seeded counts of whole-row draws (random over- and under-sampling), numpy only."""

from __future__ import annotations

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


def block_quotas(
    block_rows: np.ndarray, n_draws: int, replace: bool, seed: tuple[int, ...]
) -> np.ndarray:
    """Draws per block so that ``n_draws`` rows drawn from all blocks are uniform over rows.

    With replacement a multinomial over the blocks' sizes; without, a multivariate
    hypergeometric (never more than a block's rows). Either way the quotas sum to ``n_draws``.
    """
    rng = np.random.default_rng(np.random.SeedSequence(list(seed)))
    rows = np.asarray(block_rows, dtype=np.int64)
    if replace:
        return rng.multinomial(n_draws, rows / rows.sum())
    if n_draws > rows.sum():
        raise ValueError(f"cannot draw {n_draws} of {rows.sum()} rows without replacement")
    return rng.multivariate_hypergeometric(rows, n_draws)
