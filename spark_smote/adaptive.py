"""What Borderline-SMOTE and ADASYN share: SMOTE whose base rows depend on the classes around
them, measured with the rows of other classes stored in each class's cells as data.

Two passes over the cells: the first measures, per group, the total base weight of its home
rows (from each row's share of other-class rows among its nearest rows); the driver splits the
class's synthetic rows among the groups in proportion (exact total); the second draws base
rows with probability proportional to their weight and interpolates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame

from spark_smote.engine import (
    CLS,
    GENERATION_STREAM,
    KEY,
    OTHER_RANK,
    RANK,
    ClassCells,
    ClassTask,
    cell_groups,
    class_rows,
    feature_names,
    group_index,
    other_names,
    other_rows,
    others_in_cells,
    stack_features,
)
from spark_smote.kernel import generate_cell_adaptive, other_share, stable_order
from spark_smote.smote import SMOTE, generated_frame, generated_schema
from spark_smote.validation import FeatureSpec

#: ``share of other-class neighbours -> base weight`` of a row
Weigh = Callable[[np.ndarray], np.ndarray]
GroupKey = tuple[int, int, int]


def _cell_arrays(
    pdf: pd.DataFrame, names: list[str], dim: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """A group's features, keys and ranks in :func:`stable_order` (and the frame, reordered)."""
    x = stack_features(pdf, names, dim)
    keys = pdf[KEY].to_numpy(np.int64)
    order = stable_order(keys, x)
    return x[order], keys[order], pdf[RANK].to_numpy()[order], pdf.iloc[order]


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


class _AdaptiveSMOTE(SMOTE):
    """SMOTE whose base rows are weighted by their neighbourhood (private base)."""

    _dense_rows_only = True  # other-class rows and shares are measured on dense rows

    def _neighbourhood(self) -> int:
        """Rows of all classes a row's share of other classes is measured on."""
        raise NotImplementedError

    def _weigh(self) -> Weigh:
        raise NotImplementedError

    def _towards_others(self) -> bool:
        return False

    def _synthesize(
        self, dataset: DataFrame, spec: FeatureSpec, tasks: list[ClassTask], dim: int
    ) -> DataFrame:
        seed, k, m = self.getSeed(), self.getKNeighbors(), self._neighbourhood()
        carried = list(spec.others) if self.getOtherColumns() == "copy" else []
        internal = other_names(carried)
        rows = class_rows(dataset, spec, tasks, dim, carried)
        cells = self._cells(rows, tasks, dim)
        others, weights = others_in_cells(
            other_rows(dataset, spec, tasks, dim),
            cells,
            dim,
            seed,
            self.getMaxBucketSize(),
            internal,
        )
        grouped = cell_groups(rows, cells, dim, seed, others)
        names = feature_names(dim)
        weigh, towards = self._weigh(), self._towards_others()
        groups = group_index(cells)

        def measure(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
            cls, cell, part = (int(v) for v in key)
            x, _, rank, _ = _cell_arrays(pdf, names, dim)
            w = _base_weights(x, rank, weights.get((cls, cell), 1.0), m, weigh)
            return pd.DataFrame(
                {CLS: [cls], "cell": [cell], "part": [part], "weight": [float(w.sum())]}
            )

        schema = f"`{CLS}` int, cell int, part int, weight double"
        measured = {
            (r[CLS], r["cell"], r["part"]): r["weight"]
            for r in grouped.applyInPandas(measure, schema).collect()
        }
        quotas = _quotas(cells, measured, type(self).__name__)

        def generate(key: tuple[Any, ...], pdf: pd.DataFrame) -> pd.DataFrame:
            cls, cell, part = (int(v) for v in key)
            own_rows = int((pdf[RANK].to_numpy() >= 0).sum())
            if own_rows != groups[(cls, cell, part)].rows:  # a broken invariant
                raise RuntimeError(f"cell {cell}.{part} of class {cls}: {own_rows} rows")
            x, keys, rank, sorted_pdf = _cell_arrays(pdf, names, dim)
            w = _base_weights(x, rank, weights.get((cls, cell), 1.0), m, weigh)
            new_x, base = generate_cell_adaptive(
                x,
                rank >= 0,
                keys,
                w,
                quotas.get((cls, cell, part), 0),
                k,
                (seed, GENERATION_STREAM, cls, cell, part),
                towards,
            )
            out = generated_frame(cls, new_x, names)
            for c in internal:
                out[c] = sorted_pdf[c].iloc[base].reset_index(drop=True)
            return out

        generated = grouped.applyInPandas(generate, generated_schema(dataset, dim, carried))
        return generated.select(*self._output_columns(spec, cells, carried, dim))


def _quotas(
    cells: Sequence[ClassCells], measured: dict[GroupKey, float], sampler: str
) -> dict[GroupKey, int]:
    """Split each class's ``n_new`` among its groups in proportion to their base weight."""
    out: dict[GroupKey, int] = {}
    for c in cells:
        keys = sorted(k for k in measured if k[0] == c.index)
        w = np.array([max(0.0, measured[k]) for k in keys])
        total = w.sum()
        if total <= 0:
            raise ValueError(
                f"{sampler}: no row of class {c.label!r} has neighbours of another class "
                "where it needs them (no row in danger / no other-class neighbour), so there "
                "is nothing to generate from. Use SMOTE for this class, or leave it out of "
                "samplingStrategy."
            )
        cum = np.floor(c.n_new * np.cumsum(w) / total).astype(np.int64)
        cum[-1] = c.n_new
        q = np.diff(np.concatenate([[0], cum]))
        out.update({k: int(n) for k, n in zip(keys, q, strict=True)})
    return out
