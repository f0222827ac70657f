"""samplingStrategy resolution: pure Python, no Spark."""

import pytest

from spark_smote.strategy import check_class_sizes, resolve_sampling_strategy

COUNTS = {0: 100, 1: 10, 2: 40}


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("auto", {1: 90, 2: 60}),
        ("not majority", {1: 90, 2: 60}),
        ("minority", {1: 90}),
        ("not minority", {2: 60}),
        ("all", {1: 90, 2: 60}),
        ({1: 50}, {1: 40}),
        ({1: 500, 0: 100}, {1: 490}),
    ],
)
def test_strategy_forms(strategy, expected):
    assert resolve_sampling_strategy(strategy, COUNTS) == expected


def test_ratio_on_binary():
    assert resolve_sampling_strategy(0.5, {"a": 90, "b": 10}) == {"b": 35}
    assert resolve_sampling_strategy(1.0, {"a": 90, "b": 10}) == {"b": 80}


def test_ties_pick_smallest_label():
    counts = {"x": 10, "y": 10, "z": 5}
    # majority tie x/y -> x is the majority; y is raised to 10 (nothing to add), z to 10
    assert resolve_sampling_strategy("auto", counts) == {"z": 5}
    assert resolve_sampling_strategy("minority", {"b": 5, "a": 5, "c": 9}) == {"a": 4}
    assert resolve_sampling_strategy("not minority", {"b": 5, "a": 5, "c": 9}) == {"b": 4}


def test_ratio_needs_two_classes():
    with pytest.raises(ValueError, match="exactly two classes.*has 3"):
        resolve_sampling_strategy(0.5, COUNTS)


def test_ratio_that_adds_nothing():
    with pytest.raises(ValueError, match="asks for 9 rows of minority class 1.*already has 10"):
        resolve_sampling_strategy(0.09, {0: 100, 1: 10})


def test_dict_count_below_current():
    with pytest.raises(ValueError, match="asks for 5 rows of class 1, which already has 10"):
        resolve_sampling_strategy({1: 5}, COUNTS)


def test_dict_unknown_label():
    with pytest.raises(ValueError, match="names class 7, which is not in the label column"):
        resolve_sampling_strategy({7: 500}, COUNTS)


def test_one_class():
    with pytest.raises(ValueError, match="at least two classes"):
        resolve_sampling_strategy("auto", {1: 10})


def test_unknown_name():
    with pytest.raises(ValueError, match="'most' is not known"):
        resolve_sampling_strategy("most", COUNTS)


def test_class_too_small_for_k():
    with pytest.raises(ValueError, match="Class 1 has 3 rows, but kNeighbors=5 needs at least 6"):
        check_class_sizes({1: 10}, {0: 100, 1: 3}, 5)
    check_class_sizes({1: 10}, {0: 100, 1: 6}, 5)  # k + 1 rows are enough
