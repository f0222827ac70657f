"""samplingStrategy resolution: pure Python, no Spark."""

import pytest

from spark_smote.strategy import check_class_sizes, check_sampling_strategy

COUNTS = {0: 100, 1: 10, 2: 40}


def over(strategy, counts):
    return check_sampling_strategy(strategy, counts, "over-sampling")


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
    assert over(strategy, COUNTS) == expected


def test_ratio_on_binary():
    assert over(0.5, {"a": 90, "b": 10}) == {"b": 35}
    assert over(1.0, {"a": 90, "b": 10}) == {"b": 80}


def test_ties_pick_smallest_label():
    counts = {"x": 10, "y": 10, "z": 5}
    # majority tie x/y -> x is the majority; y is raised to 10 (nothing to add), z to 10
    assert over("auto", counts) == {"z": 5}
    assert over("minority", {"b": 5, "a": 5, "c": 9}) == {"a": 4}
    assert over("not minority", {"b": 5, "a": 5, "c": 9}) == {"b": 4}


def test_ratio_needs_two_classes():
    with pytest.raises(ValueError, match="exactly two classes.*has 3"):
        over(0.5, COUNTS)


def test_ratio_that_adds_nothing():
    with pytest.raises(ValueError, match="asks for 9 rows of minority class 1.*already has 10"):
        over(0.09, {0: 100, 1: 10})


def test_dict_count_below_current():
    with pytest.raises(ValueError, match="asks for 5 rows of class 1, which already has 10"):
        over({1: 5}, COUNTS)


def test_dict_unknown_label():
    with pytest.raises(ValueError, match="names class 7, which is not in the label column"):
        over({7: 500}, COUNTS)


def test_one_class():
    with pytest.raises(ValueError, match="at least two classes"):
        over("auto", {1: 10})


def test_unknown_name():
    with pytest.raises(ValueError, match="'most' is not known"):
        over("most", COUNTS)


def test_class_too_small_for_k():
    with pytest.raises(
        ValueError, match="SMOTE: class 1 has 3 rows, but kNeighbors=5 needs at least 6"
    ):
        check_class_sizes({1: 10}, {0: 100, 1: 3}, 5)
    check_class_sizes({1: 10}, {0: 100, 1: 6}, 5)  # k + 1 rows are enough


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("auto", {0: 10, 2: 10}),
        ("not minority", {0: 10, 2: 10}),
        ("majority", {0: 10}),
        ("not majority", {2: 10}),
        ("all", {0: 10, 2: 10}),
        ({0: 30, 1: 10}, {0: 30}),
    ],
)
def test_under_sampling_forms(strategy, expected):
    assert check_sampling_strategy(strategy, COUNTS, "under-sampling") == expected


def test_under_sampling_ratio_and_errors():
    assert check_sampling_strategy(0.5, {0: 90, 1: 10}, "under-sampling") == {0: 20}
    with pytest.raises(ValueError, match="RandomUnderSampler: .*has only 10.*only removes rows"):
        check_sampling_strategy({1: 11}, COUNTS, "under-sampling", "RandomUnderSampler")
    with pytest.raises(ValueError, match="keeps 100 rows of majority class 0.*no rows"):
        check_sampling_strategy(0.1, {0: 100, 1: 10}, "under-sampling")
    with pytest.raises(ValueError, match="'minority' is not known"):
        check_sampling_strategy("minority", COUNTS, "under-sampling")


def test_clean_sampling_takes_names_or_a_list_of_labels():
    assert check_sampling_strategy("auto", COUNTS, "clean-sampling") == {0: 100, 2: 40}
    assert check_sampling_strategy("all", COUNTS, "clean-sampling") == COUNTS
    assert check_sampling_strategy("majority", COUNTS, "clean-sampling") == {0: 100}
    assert check_sampling_strategy([2, 1], COUNTS, "clean-sampling") == {1: 10, 2: 40}
    for bad in (0.5, {0: 10}, []):
        with pytest.raises(ValueError, match="TomekLinks: samplingStrategy must be a name"):
            check_sampling_strategy(bad, COUNTS, "clean-sampling", "TomekLinks")
    with pytest.raises(ValueError, match="names class 7, which is not in the label column"):
        check_sampling_strategy([0, 7], COUNTS, "clean-sampling", "TomekLinks")
    with pytest.raises(ValueError, match="SMOTE: samplingStrategy as a list of labels is for"):
        check_sampling_strategy([0], COUNTS, "over-sampling", "SMOTE")


def test_errors_name_the_sampler():
    with pytest.raises(ValueError, match="^ADASYN needs at least two classes"):
        check_sampling_strategy("auto", {1: 10}, "over-sampling", "ADASYN")
    with pytest.raises(ValueError, match="^SMOTENC: samplingStrategy asks for 5 rows"):
        check_sampling_strategy({1: 5}, COUNTS, "over-sampling", "SMOTENC")
