"""Resolve ``samplingStrategy`` into the number of rows to generate per class.

Pure Python, no Spark: the driver calls :func:`resolve_sampling_strategy` with the class
counts of one aggregation pass.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

Label = Hashable
#: What users pass: a strategy name, a float ratio, or ``{label: desired final count}``.
SamplingStrategy = str | float | Mapping[Label, int]

STRATEGY_NAMES = ("auto", "not majority", "minority", "not minority", "all")
#: Names an under-sampler takes: ``"auto"`` is ``"not minority"`` there.
UNDER_STRATEGY_NAMES = ("auto", "majority", "not minority", "not majority", "all")


def _majority(counts: Mapping[Label, int]) -> Label:
    """Largest class; ties pick the smallest label."""
    return min(counts, key=lambda c: (-counts[c], c))


def _minority(counts: Mapping[Label, int]) -> Label:
    """Smallest class; ties pick the smallest label."""
    return min(counts, key=lambda c: (counts[c], c))


def _from_name(name: str, counts: Mapping[Label, int]) -> dict[Label, int]:
    n_majority = counts[_majority(counts)]
    if name in ("auto", "not majority"):
        chosen = [c for c in counts if c != _majority(counts)]
    elif name == "minority":
        chosen = [_minority(counts)]
    elif name == "not minority":
        chosen = [c for c in counts if c != _minority(counts)]
    elif name == "all":
        chosen = list(counts)
    else:
        raise ValueError(
            f"samplingStrategy {name!r} is not known; use one of {', '.join(STRATEGY_NAMES)}, "
            "a float in (0, 1] or a dict {label: count}."
        )
    return {c: n_majority - counts[c] for c in chosen}


def _from_ratio(ratio: float, counts: Mapping[Label, int]) -> dict[Label, int]:
    if len(counts) != 2:
        raise ValueError(
            f"samplingStrategy={ratio} (a float) needs exactly two classes, but the label column "
            f"has {len(counts)}: {sorted(counts)}. Use a dict {{label: count}} or a strategy name."
        )
    minority, majority = _minority(counts), _majority(counts)
    target = int(ratio * counts[majority])
    if target <= counts[minority]:
        raise ValueError(
            f"samplingStrategy={ratio} asks for {target} rows of minority class {minority!r}, "
            f"which already has {counts[minority]}: no rows would be added. "
            f"Use a float above {counts[minority] / counts[majority]:.4f}."
        )
    return {minority: target - counts[minority]}


def _from_dict(targets: Mapping[Label, int], counts: Mapping[Label, int]) -> dict[Label, int]:
    out: dict[Label, int] = {}
    for label, target in targets.items():
        if label not in counts:
            raise ValueError(
                f"samplingStrategy names class {label!r}, which is not in the label column "
                f"(classes present: {sorted(counts)})."
            )
        if target < counts[label]:
            raise ValueError(
                f"samplingStrategy asks for {target} rows of class {label!r}, which already has "
                f"{counts[label]}: SMOTE only adds rows. Ask for at least {counts[label]}."
            )
        out[label] = target - counts[label]
    return out


def resolve_sampling_strategy(
    strategy: SamplingStrategy, counts: Mapping[Label, int]
) -> dict[Label, int]:
    """Return ``{class: rows to generate}`` for the classes that get new rows.

    Parameters
    ----------
    strategy : str, float or dict
        ``"auto"`` (= ``"not majority"``), ``"minority"``, ``"not minority"``, ``"all"``; a float
        ``alpha`` (binary data: minority raised to ``int(alpha * n_majority)``); or a dict
        ``{label: desired final count}``.
    counts : mapping
        Rows per class, as counted in the data.

    Examples
    --------
    >>> resolve_sampling_strategy("auto", {0: 90, 1: 10, 2: 30})
    {1: 80, 2: 60}
    >>> resolve_sampling_strategy(0.5, {0: 90, 1: 10})
    {1: 35}
    """
    if len(counts) < 2:
        raise ValueError(
            f"SMOTE needs at least two classes, but the label column holds only {sorted(counts)}."
        )
    if isinstance(strategy, str):
        result = _from_name(strategy, counts)
    elif isinstance(strategy, Mapping):
        result = _from_dict(strategy, counts)
    else:
        result = _from_ratio(float(strategy), counts)
    return {c: n for c, n in result.items() if n > 0}


def check_class_sizes(
    to_generate: Mapping[Label, int], counts: Mapping[Label, int], k_neighbors: int
) -> None:
    """Every class to oversample needs more than ``k_neighbors`` rows."""
    for label in to_generate:
        if counts[label] <= k_neighbors:
            raise ValueError(
                f"Class {label!r} has {counts[label]} rows, but kNeighbors={k_neighbors} needs at "
                f"least {k_neighbors + 1}. Lower kNeighbors or leave this class out of "
                "samplingStrategy."
            )


def resolve_under_sampling(
    strategy: SamplingStrategy, counts: Mapping[Label, int]
) -> dict[Label, int]:
    """Return ``{class: rows to keep}`` for the classes an under-sampler reduces.

    ``"auto"`` = ``"not minority"`` (every class but the minority cut to the minority count),
    ``"majority"``, ``"not majority"``, ``"all"`` (to the minority count); a float ``alpha``
    (binary data: the majority cut to ``int(n_minority / alpha)``); or a dict
    ``{label: desired final count}``, not above the current count.

    Examples
    --------
    >>> resolve_under_sampling("auto", {0: 90, 1: 10, 2: 30})
    {0: 10, 2: 10}
    >>> resolve_under_sampling(0.5, {0: 90, 1: 10})
    {0: 20}
    """
    if len(counts) < 2:
        raise ValueError(
            "under-sampling needs at least two classes, but the label column holds only "
            f"{sorted(counts)}."
        )
    minority, majority = _minority(counts), _majority(counts)
    n_min = counts[minority]
    if isinstance(strategy, str):
        chosen = {
            "auto": [c for c in counts if c != minority],
            "not minority": [c for c in counts if c != minority],
            "majority": [majority],
            "not majority": [c for c in counts if c != majority],
            "all": list(counts),
        }.get(strategy)
        if chosen is None:
            raise ValueError(
                f"samplingStrategy {strategy!r} is not an under-sampling strategy; use one of "
                f"{', '.join(UNDER_STRATEGY_NAMES)}, a float in (0, 1] or a dict {{label: count}}."
            )
        result = {c: n_min for c in chosen}
    elif isinstance(strategy, Mapping):
        result = {}
        for label, target in strategy.items():
            if label not in counts:
                raise ValueError(
                    f"samplingStrategy names class {label!r}, which is not in the label column "
                    f"(classes present: {sorted(counts)})."
                )
            if target > counts[label]:
                raise ValueError(
                    f"samplingStrategy asks for {target} rows of class {label!r}, which has only "
                    f"{counts[label]}: an under-sampler only removes rows. Ask for at most "
                    f"{counts[label]}."
                )
            result[label] = target
    else:
        if len(counts) != 2:
            raise ValueError(
                f"samplingStrategy={strategy} (a float) needs exactly two classes, but the label "
                f"column has {len(counts)}: {sorted(counts)}. Use a dict or a strategy name."
            )
        target = int(n_min / float(strategy))
        if target >= counts[majority]:
            raise ValueError(
                f"samplingStrategy={strategy} keeps {target} rows of majority class "
                f"{majority!r}, which has {counts[majority]}: no rows would be removed. Use a "
                f"float above {n_min / counts[majority]:.4f}."
            )
        result = {majority: target}
    return {c: n for c, n in result.items() if n < counts[c]}
