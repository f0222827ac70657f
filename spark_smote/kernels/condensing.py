"""Condensing rules on the rows of one group (numpy only): One-Sided Selection's first step and
Hart's Condensed Nearest Neighbour, each for one class against the minority.

The set ``C`` a row is classified by holds the minority rows first, then the class's seed rows,
then (CNN) the rows added to it, in that order: among rows at the same distance the one first in
``C`` is the nearer (as scikit-learn's neighbours rank by index). A ``k``-nearest vote between
the two classes of ``C`` goes to the class with more of the ``k`` nearest; a tie to
``tie_to_minority`` (scikit-learn's: the smaller label).
"""

from __future__ import annotations

import numpy as np

from spark_smote.kernels.nearmiss import k_nearest


def _votes_for_class(d_min: np.ndarray, d_own: np.ndarray, k: int) -> np.ndarray:
    """Per row, how many of its ``k`` nearest rows of ``C`` are of its own class, from its
    sorted distances to ``C``'s minority rows ``d_min`` and own-class rows ``d_own`` (each up
    to ``k`` columns; a minority row first among equal distances)."""
    if k == 1 and d_min.shape[1] == d_own.shape[1] == 1:  # own only if strictly nearer
        return (d_own[:, 0] < d_min[:, 0]).astype(np.int64)
    both = np.concatenate([d_min, d_own], axis=1)
    order = np.argsort(both, axis=1, kind="stable")[:, :k]  # stable: minority columns first
    return (order >= d_min.shape[1]).sum(axis=1)


def misclassified(votes: np.ndarray, k: int, tie_to_minority: bool) -> np.ndarray:
    """Whether a ``k``-nearest vote with ``votes`` for the row's own class misclassifies it."""
    against = k - votes
    return (against > votes) | ((against == votes) & tie_to_minority)


def one_sided_kept(
    xs: np.ndarray, x_min: np.ndarray, x_seeds: np.ndarray, k: int, tie_to_minority: bool
) -> np.ndarray:
    """One-Sided Selection's first step: which rows ``xs`` of a class a ``k``-nearest
    classifier fitted on ``C`` = the minority rows ``x_min`` and the class's seed rows
    ``x_seeds`` misclassifies (those are kept, with the seeds)."""
    k = min(k, len(x_min) + len(x_seeds))
    d_min = k_nearest(xs, x_min, k)[1]
    d_own = k_nearest(xs, x_seeds, k)[1]
    return misclassified(_votes_for_class(d_min, d_own, k), k, tie_to_minority)


def condensed_kept(
    xs: np.ndarray,
    x_min: np.ndarray,
    x_seeds: np.ndarray,
    seed_rows: np.ndarray,
    k: int,
    tie_to_minority: bool,
) -> np.ndarray:
    """Hart's Condensed Nearest Neighbour for the rows ``xs`` of one class (in their order),
    starting from ``C`` = the minority rows ``x_min`` and the class's seed rows ``x_seeds``
    (``seed_rows``: the positions in ``xs`` of those among them): which rows of ``xs`` end in
    ``C`` (the seeds among them).

    Each row in turn that is not known to be well classified is classified by its ``k``
    nearest rows of ``C``; a misclassified row joins ``C``. As imbalanced-learn's speed-up,
    after each addition every row is classified again and the rows classified well then are
    skipped for good.

    A row joins ``C`` only with the row's own class, so a row's vote only gains once it is well
    classified: it stays so. Hence only the *live* rows (after the last addition, not in ``C``,
    misclassified) are ever classified again, and each is added in turn when the loop reaches
    it unless an addition before it taught ``C`` to classify it: an addition costs one distance
    and one vote per live row, and the live rows shrink as ``C`` grows (the same rows as
    classifying every row again after each addition). Memory: the ``k`` nearest distances of
    every row to each class of ``C``, and the live rows' features.
    """
    n = len(xs)
    in_c = np.zeros(n, dtype=bool)
    in_c[seed_rows] = True
    k = min(k, len(x_min) + len(x_seeds) + n)
    d_min = k_nearest(xs, x_min, k)[1]
    d_own = np.full((n, k), np.inf)
    near = k_nearest(xs, x_seeds, k)[1]
    d_own[:, : near.shape[1]] = near
    wrong = misclassified(_votes_for_class(d_min, d_own, k), k, tie_to_minority)
    live = np.flatnonzero(wrong & ~in_c)  # in order; each array below: the live rows'
    x_live, min_live, own_live = xs[live], d_min[live], d_own[live]
    while len(live):
        in_c[live[0]] = True
        diff = x_live[1:] - x_live[0]
        d_new = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        live, x_live, min_live, own_live = live[1:], x_live[1:], min_live[1:], own_live[1:]
        if k == 1:
            np.minimum(own_live[:, 0], d_new, out=own_live[:, 0])
        else:  # the added row comes after the rows already in C at the same distance
            merged = np.concatenate([own_live, d_new[:, None]], axis=1)
            own_live = np.sort(merged, axis=1, kind="stable")[:, :k]
        still = misclassified(_votes_for_class(min_live, own_live, k), k, tie_to_minority)
        if not still.all():
            live, x_live = live[still], x_live[still]
            min_live, own_live = min_live[still], own_live[still]
    return in_c
