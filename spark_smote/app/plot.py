"""``--plot``: class counts before / after and a 2-D projection of a bounded sample."""

from __future__ import annotations

from typing import Any

import numpy as np
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from spark_smote.engine.columns import quote
from spark_smote.engine.validation import feature_spec
from spark_smote.params import _FeatureParams

#: Rows per class and kind (original / synthetic) drawn in the projection.
SAMPLE_ROWS = 500


def _sample(out: DataFrame, smote: _FeatureParams, label: Any, synthetic: bool) -> np.ndarray:
    spec = feature_spec(
        out.schema, smote.getFeaturesCol(), smote.getInputCols(), smote.getLabelCol(), None
    )
    rows = (
        out.filter(
            (F.col(quote(smote.getLabelCol())) == F.lit(label))
            & (F.col(quote(smote.getSyntheticCol())) == F.lit(synthetic))
        )
        .select(spec.as_array().alias("x"))
        .limit(SAMPLE_ROWS)
        .collect()
    )
    return np.array([r.x for r in rows], dtype=float) if rows else np.empty((0, 0))


def plot_summary(out: DataFrame, smote: _FeatureParams, summary: dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    classes = [c["label"] for c in summary["classes"]]
    fig, (bars, scatter) = plt.subplots(1, 2, figsize=(12, 5))
    pos = np.arange(len(classes))
    bars.bar(pos - 0.2, [c["before"] for c in summary["classes"]], 0.4, label="before")
    bars.bar(pos + 0.2, [c["after"] for c in summary["classes"]], 0.4, label="after")
    bars.set_xticks(pos, [str(c) for c in classes])
    bars.set_title("rows per class")
    bars.legend()

    samples = {(c, s): _sample(out, smote, c, s) for c in classes for s in (False, True)}
    stacked = np.vstack([v for v in samples.values() if len(v)])
    centre = stacked.mean(0)
    _, _, vt = np.linalg.svd(stacked - centre, full_matrices=False)
    axes = vt[:2].T if vt.shape[0] >= 2 else np.eye(stacked.shape[1], 2)
    for (label, synthetic), x in samples.items():
        if len(x):
            xy = (x - centre) @ axes
            scatter.scatter(
                xy[:, 0],
                xy[:, 1],
                s=6,
                alpha=0.5,
                marker="x" if synthetic else "o",
                label=f"{label} {'synthetic' if synthetic else 'original'}",
            )
    scatter.set_title(f"2-D projection (PCA) of up to {SAMPLE_ROWS} rows per group")
    scatter.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
