"""SAMME's learner weight (pure Python), as scikit-learn's SAMME AdaBoost."""

from __future__ import annotations

import math


def samme_weight(error: float, n_classes: int, learning_rate: float) -> float | None:
    """The weight of a learner of weighted error ``error`` among ``n_classes`` classes:
    ``learning_rate * (log((1 - error) / error) + log(n_classes - 1))``; 1.0 for a perfect
    learner (``error <= 0``, as scikit-learn); None for one no better than chance
    (``error >= 1 - 1 / n_classes``), which boosting leaves out."""
    if error <= 0:
        return 1.0
    if error >= 1.0 - 1.0 / n_classes:
        return None
    return learning_rate * (math.log((1.0 - error) / error) + math.log(n_classes - 1.0))
