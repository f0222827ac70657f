"""Class weights from class counts (pure Python): scikit-learn's ``"balanced"`` or given."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def class_weights(
    counts: Mapping[Any, int], class_weight: str | Mapping[Any, float], who: str
) -> dict[Any, float]:
    """``{label: weight}`` for every class of ``counts``.

    ``"balanced"``: scikit-learn's ``compute_class_weight("balanced")``, ``n_rows / (n_classes
    x n_rows_of_class)``; a mapping sets the named classes' weights, the others get 1.0. A
    mapping that names a class not in ``counts`` or a weight that is not a positive finite
    number is a ``ValueError`` naming ``classWeight``.
    """
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                f"{who}: classWeight {class_weight!r} is unknown; use 'balanced' or a dict "
                "{label: weight}."
            )
        total, n = sum(counts.values()), len(counts)
        return {label: total / (n * count) for label, count in counts.items()}
    unknown = [label for label in class_weight if label not in counts]
    if unknown:
        raise ValueError(
            f"{who}: classWeight names {unknown!r}, not classes of the data (classes: "
            f"{sorted(counts, key=repr)}); name only classes present."
        )
    for label, weight in class_weight.items():
        if not (isinstance(weight, (int, float)) and math.isfinite(weight) and weight > 0):
            raise ValueError(
                f"{who}: classWeight of class {label!r} is {weight!r}; weights must be positive "
                "finite numbers."
            )
    return {label: float(class_weight.get(label, 1.0)) for label in counts}
