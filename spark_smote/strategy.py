"""Resolve ``samplingStrategy`` into per-class counts, for every kind of sampler.

Pure Python, no Spark: the driver calls :func:`check_sampling_strategy` with the class counts of
one aggregation pass. As imbalanced-learn's function of the same name, one resolver serves the
three sampling types; what the numbers mean depends on the type:

- ``"over-sampling"``: ``{class: rows to add}``;
- ``"under-sampling"``: ``{class: rows to keep}``;
- ``"clean-sampling"``: ``{class: rows it has}`` for the classes a cleaner may remove rows from.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Literal

Label = Hashable
#: What users pass: a strategy name, a float ratio, ``{label: desired final count}``, or (cleaning
#: samplers) a list of the labels to clean.
SamplingStrategy = str | float | Mapping[Label, int] | Sequence[Label]
SamplingType = Literal["over-sampling", "under-sampling", "clean-sampling"]

#: The strategy names each sampling type takes (``"auto"`` first).
STRATEGY_NAMES: dict[str, tuple[str, ...]] = {
    "over-sampling": ("auto", "not majority", "minority", "not minority", "all"),
    "under-sampling": ("auto", "majority", "not minority", "not majority", "all"),
    "clean-sampling": ("auto", "majority", "not minority", "not majority", "all"),
}
#: What ``"auto"`` means for each sampling type.
_AUTO = {
    "over-sampling": "not majority",
    "under-sampling": "not minority",
    "clean-sampling": "not minority",
}


def majority(counts: Mapping[Label, int]) -> Label:
    """Largest class; ties pick the smallest label."""
    return min(counts, key=lambda c: (-counts[c], c))


def minority(counts: Mapping[Label, int]) -> Label:
    """Smallest class; ties pick the smallest label."""
    return min(counts, key=lambda c: (counts[c], c))


def _chosen(name: str, counts: Mapping[Label, int]) -> list[Label]:
    """The classes a strategy name selects (``name`` already checked and ``"auto"`` resolved)."""
    big, small = majority(counts), minority(counts)
    return {
        "majority": [big],
        "minority": [small],
        "not majority": [c for c in counts if c != big],
        "not minority": [c for c in counts if c != small],
        "all": list(counts),
    }[name]


def _named_classes(labels: Sequence[Label], counts: Mapping[Label, int], sampler: str) -> None:
    """Every label a strategy names is a class of the data."""
    for label in labels:
        if label not in counts:
            raise ValueError(
                f"{sampler}: samplingStrategy names class {label!r}, which is not in the label "
                f"column (classes present: {sorted(counts)})."
            )


def _targets(
    strategy: Mapping[Label, int], counts: Mapping[Label, int], over: bool, sampler: str
) -> dict[Label, int]:
    """A dict strategy, checked: every class exists, and counts only grow (over) or shrink."""
    _named_classes(list(strategy), counts, sampler)
    for label, target in strategy.items():
        have = counts[label]
        if over and target < have:
            raise ValueError(
                f"{sampler}: samplingStrategy asks for {target} rows of class {label!r}, which "
                f"already has {have}: {sampler} only adds rows. Ask for at least {have}."
            )
        if not over and target > have:
            raise ValueError(
                f"{sampler}: samplingStrategy asks for {target} rows of class {label!r}, which "
                f"has only {have}: {sampler} only removes rows. Ask for at most {have}."
            )
    return dict(strategy)


def _ratio(ratio: float, counts: Mapping[Label, int], over: bool, sampler: str) -> dict[Label, int]:
    """A float strategy (binary data): the minority raised to ``int(ratio * n_majority)``, or
    the majority cut to ``int(n_minority / ratio)``."""
    if len(counts) != 2:
        raise ValueError(
            f"{sampler}: samplingStrategy={ratio} (a float) needs exactly two classes, but the "
            f"label column has {len(counts)}: {sorted(counts)}. Use a dict {{label: count}} or "
            "a strategy name."
        )
    small, big = minority(counts), majority(counts)
    if over:
        target = int(ratio * counts[big])
        if target <= counts[small]:
            raise ValueError(
                f"{sampler}: samplingStrategy={ratio} asks for {target} rows of minority class "
                f"{small!r}, which already has {counts[small]}: no rows would be added. Use a "
                f"float above {counts[small] / counts[big]:.4f}."
            )
        return {small: target}
    target = int(counts[small] / ratio)
    if target >= counts[big]:
        raise ValueError(
            f"{sampler}: samplingStrategy={ratio} keeps {target} rows of majority class "
            f"{big!r}, which has {counts[big]}: no rows would be removed. Use a float above "
            f"{counts[small] / counts[big]:.4f}."
        )
    return {big: target}


def check_sampling_strategy(
    strategy: SamplingStrategy,
    counts: Mapping[Label, int],
    sampling_type: SamplingType,
    sampler: str = "SMOTE",
) -> dict[Label, int]:
    """Resolve ``strategy`` for the class ``counts``; errors name ``sampler``.

    Parameters
    ----------
    strategy : str, float, dict or list
        A name of :data:`STRATEGY_NAMES` for the sampling type (``"auto"``: ``"not majority"``
        when over-sampling, ``"not minority"`` otherwise); a float ``alpha`` for binary data
        (over: the minority raised to ``int(alpha * n_majority)``; under: the majority cut to
        ``int(n_minority / alpha)``); or a dict ``{label: desired final count}``. A cleaner
        takes a name or a list of labels.
    counts : mapping
        Rows per class, as counted in the data.
    sampling_type : {"over-sampling", "under-sampling", "clean-sampling"}
    sampler : str
        The sampler's name, for the error messages.

    Returns
    -------
    dict
        Over-sampling: ``{class: rows to add}`` (classes that gain rows); under-sampling:
        ``{class: rows to keep}`` (classes that lose rows); clean-sampling: ``{class: rows}`` of
        the classes the cleaner may remove rows from.

    Examples
    --------
    >>> check_sampling_strategy("auto", {0: 90, 1: 10, 2: 30}, "over-sampling")
    {1: 80, 2: 60}
    >>> check_sampling_strategy(0.5, {0: 90, 1: 10}, "over-sampling")
    {1: 35}
    >>> check_sampling_strategy("auto", {0: 90, 1: 10, 2: 30}, "under-sampling")
    {0: 10, 2: 10}
    >>> check_sampling_strategy(0.5, {0: 90, 1: 10}, "under-sampling")
    {0: 20}
    >>> check_sampling_strategy("auto", {0: 90, 1: 10, 2: 30}, "clean-sampling")
    {0: 90, 2: 30}
    >>> check_sampling_strategy([1, 2], {0: 90, 1: 10, 2: 30}, "clean-sampling")
    {1: 10, 2: 30}
    """
    if len(counts) < 2:
        raise ValueError(
            f"{sampler} needs at least two classes, but the label column holds only "
            f"{sorted(counts)}."
        )
    names = STRATEGY_NAMES[sampling_type]
    over = sampling_type == "over-sampling"
    if isinstance(strategy, str):
        if strategy not in names:
            more = "" if sampling_type == "clean-sampling" else ", a float or a dict {label: count}"
            raise ValueError(
                f"{sampler}: samplingStrategy {strategy!r} is not known; use one of "
                f"{', '.join(repr(n) for n in names)}{more}."
            )
        chosen = _chosen(_AUTO[sampling_type] if strategy == "auto" else strategy, counts)
        if sampling_type == "clean-sampling":
            return {c: counts[c] for c in chosen}
        level = counts[majority(counts)] if over else counts[minority(counts)]
        targets = {c: level for c in chosen}
    elif sampling_type == "clean-sampling":
        if isinstance(strategy, Mapping) or not isinstance(strategy, Sequence) or not strategy:
            raise ValueError(
                f"{sampler}: samplingStrategy must be a name "
                f"({', '.join(repr(n) for n in names)}) or a list of labels for a cleaning "
                f"sampler, got {strategy!r}: a cleaner removes the rows its rule finds, it does "
                "not aim at counts."
            )
        _named_classes(strategy, counts, sampler)
        return {c: counts[c] for c in sorted(set(strategy))}
    elif isinstance(strategy, Sequence):
        raise ValueError(
            f"{sampler}: samplingStrategy as a list of labels is for cleaning samplers; give a "
            "dict {label: count} or a name."
        )
    elif isinstance(strategy, Mapping):
        targets = _targets(strategy, counts, over, sampler)
    else:
        targets = _ratio(float(strategy), counts, over, sampler)
    if over:
        return {c: n - counts[c] for c, n in targets.items() if n > counts[c]}
    return {c: n for c, n in targets.items() if n < counts[c]}


def check_class_sizes(
    to_generate: Mapping[Label, int],
    counts: Mapping[Label, int],
    k_neighbors: int,
    param: str = "kNeighbors",
    sampler: str = "SMOTE",
) -> None:
    """Every class to oversample needs more than ``k_neighbors`` rows."""
    for label in to_generate:
        if counts[label] <= k_neighbors:
            raise ValueError(
                f"{sampler}: class {label!r} has {counts[label]} rows, but {param}={k_neighbors} "
                f"needs at least {k_neighbors + 1}. Lower {param} or leave this class out of "
                "samplingStrategy."
            )
