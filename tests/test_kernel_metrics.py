"""The metrics kernel against imbalanced-learn and scikit-learn (no Spark): every metric and
the report on binary, three-class and weighted cases, a class never predicted and a class
never true."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import numpy as np
import pytest

from spark_smote.kernels import metrics as m

imblearn_metrics = pytest.importorskip("imblearn.metrics")
sk = pytest.importorskip("sklearn.metrics")


def _confusion(y, p, w=None) -> m.Confusion:
    w = np.ones(len(y)) if w is None else w
    pairs: dict[tuple, float] = {}
    for a, b, c in zip(y.tolist(), p.tolist(), w.tolist(), strict=True):
        pairs[(a, b)] = pairs.get((a, b), 0.0) + c
    return m.Confusion.of([(a, b, c) for (a, b), c in pairs.items()])


CASES = ["binary", "three", "never predicted", "never true"]


def _case(name: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(CASES.index(name))
    n = 300
    if name == "binary":
        y = (rng.random(n) < 0.1).astype(int)
        p = np.where(rng.random(n) < 0.8, y, 1 - y)
    elif name == "three":
        y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
        p = np.where(rng.random(n) < 0.7, y, rng.choice(3, size=n))
    elif name == "never predicted":  # class 2 is true but never predicted
        y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
        p = np.where(y == 2, 0, np.where(rng.random(n) < 0.8, y, 1 - y))
    elif name == "never true":  # class 3 is predicted but never true
        y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
        p = np.where(rng.random(n) < 0.9, y, 3)
    else:
        raise KeyError(name)
    return y, p


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name", CASES)
def test_every_metric_equals_the_reference(name, weighted):
    y, p = _case(name)
    w = np.random.default_rng(3).uniform(0.1, 3.0, len(y)) if weighted else None
    c = _confusion(y, p, w)
    assert c.labels == tuple(sorted(set(y) | set(p)))
    kw = {"sample_weight": w}
    with np.errstate(all="ignore"), _quiet():
        assert m.geometric_mean(c) == pytest.approx(
            imblearn_metrics.geometric_mean_score(y, p, **kw)
        )
        assert m.balanced_accuracy(c) == pytest.approx(sk.balanced_accuracy_score(y, p, **kw))
        assert m.macro_f1(c) == pytest.approx(sk.f1_score(y, p, average="macro", **kw))
        assert m.matthews_correlation(c) == pytest.approx(sk.matthews_corrcoef(y, p, **kw))
        sens, spec, _ = imblearn_metrics.sensitivity_specificity_support(y, p, average=None, **kw)
        assert c.sensitivity() == pytest.approx(sens)
        if not weighted:  # imbalanced-learn's weighted specificity mixes counts (issue 1180)
            assert c.specificity() == pytest.approx(spec)
            iba = imblearn_metrics.make_index_balanced_accuracy(alpha=0.1, squared=True)(
                imblearn_metrics.geometric_mean_score
            )
            assert m.index_balanced_accuracy(c, 0.1) == pytest.approx(iba(y, p))


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The references warn on 0/0 (a class never predicted or never true)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_weighted_specificity_is_a_ratio_of_weights_within_0_and_1():
    y, p = _case("three")
    w = np.random.default_rng(4).uniform(0.0, 50.0, len(y))
    c = _confusion(y, p, w)
    for k, label in enumerate(c.labels):
        negatives = y != label
        expected = w[negatives & (p != label)].sum() / w[negatives].sum()
        assert c.specificity()[k] == pytest.approx(expected)
        assert 0.0 <= c.specificity()[k] <= 1.0
    # weights that are whole numbers are the rows repeated: the reference then agrees
    reps = np.random.default_rng(5).integers(1, 4, len(y))
    with _quiet():
        spec = imblearn_metrics.specificity_score(
            np.repeat(y, reps), np.repeat(p, reps), average=None
        )
    assert _confusion(y, p, reps.astype(float)).specificity() == pytest.approx(spec)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("digits", [2, 4])
def test_the_report_equals_imbalanced_learns(name, digits):
    y, p = _case(name)
    c = _confusion(y, p)
    with _quiet():
        text = imblearn_metrics.classification_report_imbalanced(y, p, digits=digits, alpha=0.2)
        found = imblearn_metrics.classification_report_imbalanced(y, p, alpha=0.2, output_dict=True)
    assert m.report_text(c, 0.2, digits, weighted=False) == text
    ours = m.report_dict(c, 0.2, weighted=False)
    assert set(ours) == set(found)
    for key, value in found.items():
        if isinstance(value, dict):
            assert set(ours[key]) == set(value)
            for column, v in value.items():
                assert ours[key][column] == pytest.approx(v), (key, column)
        else:
            assert ours[key] == pytest.approx(value), key


def test_float_labels_are_named_as_imbalanced_learn_names_them():
    y, p = _case("binary")
    y, p = y.astype(float), p.astype(float)
    with _quiet():
        text = imblearn_metrics.classification_report_imbalanced(y, p)
    assert m.report_text(_confusion(y, p), 0.1, 2, weighted=False) == text
    assert "1.0" in text


def test_a_label_not_in_the_matrix_is_refused():
    c = _confusion(np.array([0, 1]), np.array([0, 1]))
    assert c.index(1.0) == 1
    with pytest.raises(ValueError, match="not among the labels"):
        c.index(7)
