"""Generation passes: the ``applyInPandas`` functions that run the kernels on each group.

Each function here wraps a numpy kernel of :mod:`spark_smote.kernels` for one group of
:func:`~spark_smote.engine.grouping.cell_groups`: it checks the group against the plan, reads
the rows into arrays, seeds the kernel with ``(seed, stream, class, cell, part)`` and returns
the synthetic rows as a frame of :func:`generated_schema`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pyspark.ml.functions import array_to_vector
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import IntegralType, StructField, StructType

from spark_smote.engine.columns import (
    CELL,
    CENTROID_STREAM,
    CLS,
    KEY,
    KEY2,
    OTHER_RANK,
    PART,
    RANK,
    SV,
    TOTAL,
    WEIGHT,
    X,
    feature_names,
    field,
    other_names,
    per_class,
)
from spark_smote.engine.grouping import (
    arrived_group,
    check_output,
    generation_seed,
    group_index,
)
from spark_smote.engine.rows import stack_features
from spark_smote.engine.validation import FeatureSpec
from spark_smote.kernels.adaptive import generate_cell_adaptive, other_share
from spark_smote.kernels.cells import ClassCells
from spark_smote.kernels.centroids import kmeans_centres, nearest_rows
from spark_smote.kernels.knn import stable_order
from spark_smote.kernels.smote import generate_cell, generate_cell_nc
from spark_smote.kernels.smoten import generate_cell_n

#: ``share of other-class neighbours -> base weight`` of a row (Borderline-SMOTE, ADASYN)
Weigh = Callable[[np.ndarray], np.ndarray]
GroupKey = tuple[int, int, int]
GroupFunction = Callable[[tuple[Any, ...], pd.DataFrame], pd.DataFrame]


def generated_schema(dataset: DataFrame, dim: int, carried: Sequence[str]) -> StructType:
    """Schema of a generation pass: ``CLS``, the features, the carried columns (renamed)."""
    names = feature_names(dim)
    types = "double" if names != [X] else "array<double>"
    return StructType(
        [field(CLS, "int")]
        + [field(n, types) for n in names]
        + [
            StructField(n, dataset.schema[c].dataType, True)
            for c, n in zip(carried, other_names(carried), strict=True)
        ]
    )


def generated_frame(cls: int, new_x: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """The synthetic rows of a group as a frame of :func:`generated_schema` (without the
    carried columns)."""
    cls_col = np.full(len(new_x), cls, dtype=np.int32)
    if list(names) == [X]:
        return pd.DataFrame({CLS: cls_col, X: list(new_x)})
    out = pd.DataFrame(new_x, columns=list(names))
    out.insert(0, CLS, cls_col)
    return out


def synthetic_columns(
    spec: FeatureSpec,
    cells: Sequence[ClassCells],
    carried: Sequence[str],
    dim: int,
    sparse: bool = False,
) -> list[Column]:
    """The input's columns of generated rows (a frame of :func:`generated_schema` selected):
    the label of their class, the features in their input type (a Vector, or numeric columns;
    integral ones rounded), the ``carried`` columns, null for the others."""
    types = spec.types
    label_value = per_class(cells, lambda c: F.lit(c.label))
    out: dict[str, Column] = {spec.label: label_value.cast(types[spec.label])}
    names = feature_names(dim)
    if sparse:
        out[spec.columns[0]] = F.col(SV)  # from engine.sparse.to_vectors
    elif spec.vector:
        flat = names != [X]
        out[spec.columns[0]] = array_to_vector(
            F.array(*[F.col(n) for n in names]) if flat else F.col(X)
        )
    else:
        for i, c in enumerate(spec.columns):
            value = F.col(names[i]) if names != [X] else F.col(X)[i]
            if isinstance(types[c], IntegralType):
                value = F.round(value)
            out[c] = value.cast(types[c])
    internal = dict(zip(carried, other_names(carried), strict=True))
    for c in (*spec.categorical, *spec.others):
        out[c] = F.col(internal[c]) if c in internal else F.lit(None).cast(types[c])
    return [out[c].alias(c) for c in types]


def generation_kernel(
    cells: Sequence[ClassCells],
    seed: int,
    k: int,
    dim: int,
    carried: Sequence[str],
    penalties: Mapping[int, float] | None = None,
    n_cat: int = 0,
) -> Callable[[tuple[Any, ...], pd.DataFrame], pd.DataFrame]:
    """The ``applyInPandas`` function of one generation pass.

    ``carried`` are the internal names of the columns that travel with the rows: with
    ``penalties`` (SMOTE-NC, one per class index) the first ``n_cat`` of them are the
    categorical columns, voted by the neighbours; the rest are copied from the base row.
    """
    groups = group_index(cells)
    names = feature_names(dim)

    def kernel(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        cls, cell, part, slice_, group = arrived_group(groups, key, len(pdf))
        first, last, quota = group.piece(slice_)
        check_output(quota, group.max_out, cls, cell, part)
        x = stack_features(pdf, names, dim)
        keys = pdf[KEY].to_numpy(np.int64)
        home = pdf[RANK].to_numpy() == 0
        entropy = generation_seed(seed, cls, cell, part, slice_, group.slices)
        voted = None
        if penalties is not None:
            codes = np.column_stack(
                [pd.factorize(pdf[c], use_na_sentinel=False)[0] for c in carried[:n_cat]]
            )
            new_x, base, voted = generate_cell_nc(
                x, codes, keys, home, quota, k, penalties[cls], entropy, (first, last)
            )
        else:
            new_x, base = generate_cell(x, keys, home, quota, k, entropy, (first, last))
        out = generated_frame(cls, new_x, names)
        for j, c in enumerate(carried):
            rows = voted[:, j] if voted is not None and j < n_cat else base
            out[c] = pdf[c].iloc[rows].reset_index(drop=True)
        return out

    return kernel


# ---------------------------------------------------------------------- SMOTEN


def voted_schema(dataset: DataFrame, carried: Sequence[str]) -> StructType:
    """Schema of SMOTEN's generation pass: ``CLS`` and the carried columns (renamed): the
    categorical columns first, then any copied ones; no features (the embedding stays out)."""
    return StructType(
        [field(CLS, "int")]
        + [
            StructField(n, dataset.schema[c].dataType, True)
            for c, n in zip(carried, other_names(carried), strict=True)
        ]
    )


def smoten_kernel(
    cells: Sequence[ClassCells], seed: int, k: int, dim: int, n_cols: int, carried: Sequence[str]
) -> GroupFunction:
    """The ``applyInPandas`` function of SMOTEN: per group (rows in stable order), the rows of
    :func:`~spark_smote.kernels.smoten.generate_cell_n` from the embedding (the features) and
    the codes of the first ``n_cols`` carried columns (sorted values: ties vote the first),
    as a frame of :func:`voted_schema`; the other carried columns copied from the seed row."""
    groups = group_index(cells)
    names = feature_names(dim)
    internal = other_names(carried)

    def kernel(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        cls, cell, part, slice_, group = arrived_group(groups, key, len(pdf))
        first, last, quota = group.piece(slice_)
        check_output(quota, group.max_out, cls, cell, part)
        x = stack_features(pdf, names, dim)
        order = stable_order(pdf[KEY].to_numpy(np.int64), x)
        pdf, x = pdf.iloc[order].reset_index(drop=True), x[order]
        found = [pd.factorize(pdf[c], sort=True) for c in internal[:n_cols]]
        codes = np.column_stack([f[0] for f in found])
        home = pdf[RANK].to_numpy() == 0
        entropy = generation_seed(seed, cls, cell, part, slice_, group.slices)
        voted, base = generate_cell_n(x, codes, home, quota, k, n_cols, entropy, (first, last))
        out = pd.DataFrame({CLS: np.full(quota, cls, dtype=np.int32)})
        for j, c in enumerate(internal):
            if j < n_cols:
                out[c] = pd.Series(found[j][1]).take(voted[:, j]).reset_index(drop=True)
            else:
                out[c] = pdf[c].iloc[base].reset_index(drop=True)
        return out

    return kernel


# ---------------------------------------------------------------------- ClusterCentroids


def centroid_kernel(
    cells: Sequence[ClassCells], seed: int, dim: int, max_iter: int, hard: bool
) -> GroupFunction:
    """The ``applyInPandas`` function of ClusterCentroids: per group, k-means with exactly its
    quota of centroids on its rows (in stable order, seeded by ``(seed, stream, class, cell,
    part)``); the centroids as rows of :func:`generated_schema` (no carried columns), or with
    ``hard`` the identity ``KEY, KEY2`` of the row nearest to each centroid."""
    groups = group_index(cells)
    names = feature_names(dim)

    def kernel(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        cls, cell, part, _, group = arrived_group(groups, key, len(pdf))
        x = stack_features(pdf, names, dim)
        order = stable_order(pdf[KEY].to_numpy(np.int64), x)
        pdf, x = pdf.iloc[order].reset_index(drop=True), x[order]
        rng = np.random.default_rng(
            np.random.SeedSequence([seed, CENTROID_STREAM, cls, cell, part])
        )
        centres = kmeans_centres(x, group.quota, rng, max_iter)
        if not hard:
            return generated_frame(cls, centres, names)
        rows = nearest_rows(x, centres)
        return pd.DataFrame(
            {KEY: pdf[KEY].to_numpy(np.int64)[rows], KEY2: pdf[KEY2].to_numpy(np.int64)[rows]}
        )

    return kernel


# ---------------------------------------------------------------------- Borderline-SMOTE, ADASYN


def _cell_arrays(
    pdf: pd.DataFrame, names: list[str], dim: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A group's features, keys and ranks in :func:`stable_order`."""
    x = stack_features(pdf, names, dim)
    keys = pdf[KEY].to_numpy(np.int64)
    order = stable_order(keys, x)
    return x[order], keys[order], pdf[RANK].to_numpy()[order]


def _base_weights(
    x: np.ndarray,
    rank: np.ndarray,
    other_weight: float,
    m: int,
    weigh: Weigh,
) -> np.ndarray:
    """Per row of a group: its base weight (home rows only; guests and other classes: 0)."""
    other = rank == OTHER_RANK
    w = np.where(other, other_weight, 1.0)
    home = np.flatnonzero(rank == 0)
    out = np.zeros(len(x))
    out[home] = weigh(other_share(x, other.astype(float), w, home, m))
    return out


MEASURED_SCHEMA = (
    f"`{CLS}` int, `{CELL}` int, `{PART}` int, `{KEY}` long, `{WEIGHT}` double, `{TOTAL}` double"
)


def measure_kernel(
    names: Sequence[str], dim: int, m: int, weigh: Weigh, other_weights: Mapping[GroupKey, float]
) -> GroupFunction:
    """The ``applyInPandas`` function of the measuring pass (:data:`MEASURED_SCHEMA`): per
    group, the base weight of each of its home rows that has one, once per ``KEY`` (identical
    rows weigh the same), and on every row the group's total; a group without weight writes one
    row of weight 0. The generation pass joins the weights to its rows instead of searching
    the ``m`` nearest rows again."""
    names = list(names)

    def measure(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        cls, cell, part, _ = (int(v) for v in key)  # one slice: grouped without slices
        x, keys, rank = _cell_arrays(pdf, names, dim)
        w = _base_weights(x, rank, other_weights.get((cls, cell), 1.0), m, weigh)
        weighted = np.flatnonzero(w > 0)
        rows = weighted[np.unique(keys[weighted], return_index=True)[1]]
        if not len(rows):
            rows = np.zeros(1, dtype=np.int64)  # weight 0: only the total counts
        n = len(rows)
        return pd.DataFrame(
            {
                CLS: np.full(n, cls, dtype=np.int32),
                CELL: np.full(n, cell, dtype=np.int32),
                PART: np.full(n, part, dtype=np.int32),
                KEY: keys[rows],
                WEIGHT: w[rows],
                TOTAL: np.full(n, float(w.sum())),
            }
        )

    return measure


def n_slices_shared(quota: int, max_out: int) -> int:
    """Slices of an adaptive group's output: each draws from all its rows (weights are known
    only inside the group), at most ``max_out`` rows a slice."""
    return max(1, -(-quota // max_out))


def adaptive_slices(
    cells: Sequence[ClassCells], quotas: Mapping[GroupKey, int]
) -> dict[GroupKey, int]:
    """The adaptive groups whose measured quotas need more than one slice, and their slices."""
    max_out = {c.index: c.task.max_out for c in cells}
    out = {key: n_slices_shared(q, max_out[key[0]]) for key, q in quotas.items()}
    return {key: n for key, n in out.items() if n > 1}


def adaptive_generation_kernel(
    cells: Sequence[ClassCells],
    seed: int,
    k: int,
    dim: int,
    carried: Sequence[str],
    quotas: Mapping[GroupKey, int],
    towards_others: bool,
) -> GroupFunction:
    """The ``applyInPandas`` function of a Borderline-SMOTE / ADASYN generation pass: base rows
    drawn by the weight the measuring pass gave each home row (``WEIGHT``, joined by
    :func:`~spark_smote.engine.grouping.cell_groups`; none: 0) with
    :func:`~spark_smote.kernels.adaptive.generate_cell_adaptive`, ``carried`` columns copied
    from the base row. The other classes' rows come only when new rows may step towards them
    (``towards_others``). A group's ``quotas`` beyond what one call may write come
    in :func:`adaptive_slices`, each drawing its share from all the group's rows."""
    groups = group_index(cells)
    names = feature_names(dim)

    def generate(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
        own_rows = int((pdf[RANK].to_numpy() >= 0).sum())  # the class's rows; others on top
        cls, cell, part, slice_, group = arrived_group(groups, key, own_rows)
        total = quotas.get((cls, cell, part), 0)
        slices = n_slices_shared(total, group.max_out)
        quota = total * (slice_ + 1) // slices - total * slice_ // slices
        check_output(quota, group.max_out, cls, cell, part)
        rank = pdf[RANK].to_numpy()
        measured = pdf[WEIGHT].to_numpy(np.float64, na_value=0.0)
        new_x, base = generate_cell_adaptive(  # sorts the rows itself: base indexes pdf
            stack_features(pdf, names, dim),
            rank >= 0,
            pdf[KEY].to_numpy(np.int64),
            np.where(rank == 0, measured, 0.0),
            quota,
            k,
            generation_seed(seed, cls, cell, part, slice_, slices),
            towards_others,
        )
        out = generated_frame(cls, new_x, names)
        for c in carried:
            out[c] = pdf[c].iloc[base].reset_index(drop=True)
        return out

    return generate
