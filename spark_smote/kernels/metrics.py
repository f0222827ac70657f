"""Imbalance-aware classification metrics from one confusion matrix (numpy only).

Every metric is a function of the (weighted) confusion matrix over the labels present in the
true labels or the predictions, sorted: the counts of scikit-learn's ``confusion_matrix`` (sums
of sample weights when weighted). The conventions are those of imbalanced-learn 0.14 and
scikit-learn: a ratio whose denominator is 0 is 0 (scikit-learn's ``zero_division="warn"``
result), a class that is predicted but never true counts with recall 0 (so the G-mean is 0)
and is left out of the balanced accuracy. One deliberate difference: with weights, the true
negatives are the weight not in the class's row or column (imbalanced-learn issue 1180 mixes a
row count into them, so its weighted specificity can leave [0, 1]).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: the header of imbalanced-learn's report, per class
REPORT_COLUMNS = ("pre", "rec", "spe", "f1", "geo", "iba", "sup")
REPORT_TOTAL = "avg / total"


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` elementwise, 0 where ``den`` is 0."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den != 0)
    return out


@dataclass(frozen=True)
class Confusion:
    """A confusion matrix: ``matrix[i, j]`` rows (or weight) of true label ``labels[i]``
    predicted ``labels[j]``; ``labels`` sorted, every label true or predicted at least once."""

    labels: tuple[Any, ...]
    matrix: np.ndarray

    @classmethod
    def of(cls, pairs: Sequence[tuple[Any, Any, float]]) -> Confusion:
        """From ``(label, prediction, count or weight)`` triples (one per distinct pair)."""
        labels = tuple(sorted({p[0] for p in pairs} | {p[1] for p in pairs}))
        index = {label: i for i, label in enumerate(labels)}
        matrix = np.zeros((len(labels), len(labels)))
        for label, prediction, amount in pairs:
            matrix[index[label], index[prediction]] += amount
        return cls(labels, matrix)

    @property
    def tp(self) -> np.ndarray:
        return np.diag(self.matrix)

    @property
    def support(self) -> np.ndarray:
        """Rows (or weight) whose true label is each class."""
        return self.matrix.sum(axis=1)

    @property
    def predicted(self) -> np.ndarray:
        """Rows (or weight) predicted as each class."""
        return self.matrix.sum(axis=0)

    @property
    def total(self) -> float:
        return float(self.matrix.sum())

    def sensitivity(self) -> np.ndarray:
        """Recall per class: tp / (tp + fn)."""
        return _ratio(self.tp, self.support)

    def specificity(self) -> np.ndarray:
        """Per class: tn / (tn + fp)."""
        negatives = self.total - self.support
        false_positives = self.predicted - self.tp
        return _ratio(negatives - false_positives, negatives)

    def precision(self) -> np.ndarray:
        return _ratio(self.tp, self.predicted)

    def f1(self) -> np.ndarray:
        """2 tp / (2 tp + fp + fn) per class."""
        return _ratio(2 * self.tp, self.support + self.predicted)

    def index(self, label: Any) -> int:
        """The position of ``label`` (``ValueError`` if it is neither true nor predicted)."""
        try:
            return self.labels.index(label)
        except ValueError:
            raise ValueError(f"{label!r} is not among the labels {list(self.labels)}") from None


def geometric_mean(c: Confusion) -> float:
    """imbalanced-learn's ``geometric_mean_score`` (``average="multiclass"``): the geometric
    mean of the per-class recalls (0 as soon as one is 0)."""
    recall = c.sensitivity()
    if np.any(recall == 0):
        return 0.0
    return float(np.exp(np.mean(np.log(recall))))


def balanced_accuracy(c: Confusion) -> float:
    """scikit-learn's ``balanced_accuracy_score``: the mean recall of the true classes."""
    present = c.support > 0
    return float(np.mean(c.tp[present] / c.support[present]))


def index_balanced_accuracy(c: Confusion, alpha: float) -> float:
    """imbalanced-learn's ``make_index_balanced_accuracy(alpha, squared=True)`` of
    ``geometric_mean_score``: ``(1 + alpha (mean sensitivity - mean specificity)) G^2``
    (macro means; for two classes they are equal, so the IBA is G^2)."""
    dominance = np.mean(c.sensitivity()) - np.mean(c.specificity())
    return float((1 + alpha * dominance) * geometric_mean(c) ** 2)


def macro_f1(c: Confusion) -> float:
    """scikit-learn's ``f1_score(average="macro")``."""
    return float(np.mean(c.f1()))


def matthews_correlation(c: Confusion) -> float:
    """scikit-learn's ``matthews_corrcoef`` (multiclass R_K; 0 when undefined)."""
    t, p, n = c.support, c.predicted, c.total
    cov_tp = float(np.trace(c.matrix)) * n - float(t @ p)
    cov_pp = n * n - float(p @ p)
    cov_tt = n * n - float(t @ t)
    if cov_pp * cov_tt == 0:
        return 0.0
    return cov_tp / float(np.sqrt(cov_tt * cov_pp))


def per_class(c: Confusion, alpha: float) -> dict[str, np.ndarray]:
    """imbalanced-learn's report columns per class: precision, recall, specificity, f1, the
    class's geometric mean sqrt(rec x spe), its IBA ``(1 + alpha (rec - spe)) geo^2`` and
    its support."""
    rec, spe = c.sensitivity(), c.specificity()
    geo = np.sqrt(rec * spe)
    iba = (1 + alpha * (rec - spe)) * geo**2
    values = (c.precision(), rec, spe, c.f1(), geo, iba, c.support)
    return dict(zip(REPORT_COLUMNS, values, strict=True))


def _support(value: float, weighted: bool) -> int | float:
    return float(value) if weighted else int(round(value))


def report_dict(c: Confusion, alpha: float, weighted: bool) -> dict[str, Any]:
    """imbalanced-learn's ``classification_report_imbalanced(..., output_dict=True)``: per class
    (named ``str(label)``) its columns, then ``avg_<column>`` (support-weighted means) and
    ``total_support``."""
    columns = per_class(c, alpha)
    support = columns["sup"]
    out: dict[str, Any] = {}
    for i, label in enumerate(c.labels):
        row: dict[str, Any] = {name: float(columns[name][i]) for name in REPORT_COLUMNS[:-1]}
        row["sup"] = _support(support[i], weighted)
        out[str(label)] = row
    for name in REPORT_COLUMNS[:-1]:
        out[f"avg_{name}"] = float(np.average(columns[name], weights=support))
    out["total_support"] = _support(support.sum(), weighted)
    return out


def report_text(c: Confusion, alpha: float, digits: int, weighted: bool) -> str:
    """imbalanced-learn's ``classification_report_imbalanced`` text: a header, a line per
    class, and the support-weighted ``avg / total`` line."""
    found = report_dict(c, alpha, weighted)
    names = [str(label) for label in c.labels]
    width = max(*(len(n) for n in names), len(REPORT_TOTAL), digits)

    def line(first: str, cells: Sequence[str]) -> str:
        return first.rjust(width) + "  " + " ".join(cell.rjust(9) for cell in cells) + "\n"

    def cells(values: Sequence[float], support: float) -> list[str]:
        return [f"{v:.{digits}f}" for v in values] + [f"{support}"]

    text = line("", REPORT_COLUMNS) + "\n"
    for name in names:
        row = found[name]
        text += line(name, cells([row[k] for k in REPORT_COLUMNS[:-1]], row["sup"]))
    averages = [found[f"avg_{k}"] for k in REPORT_COLUMNS[:-1]]
    return text + "\n" + line(REPORT_TOTAL, cells(averages, found["total_support"]))
