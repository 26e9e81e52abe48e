"""scoring.numeric: the one mean, difference and percent conversion (None conventions of the official evaluator)."""

from __future__ import annotations

import pytest

from rose_bench.scoring.numeric import difference, format_percent, mean, number, percent


@pytest.mark.parametrize(
    "values,expected",
    [([1, 0, 1, 0], 0.5), ([1, None, 0], 0.5), ([], None), ([None, ""], None), (["1", "x", 0.5], 0.75),
     ([True, False], 0.5), ((v for v in (2, 4)), 3.0)],
    ids=["ints", "none-skipped", "empty", "nothing-numeric", "strings-parsed-or-skipped", "bools", "generator"],
)
def test_mean(values, expected):
    assert mean(values) == expected


@pytest.mark.parametrize("value,expected", [(None, None), ("", None), ("2.5", 2.5), ("x", None), ([1], None), (3, 3.0)],
                         ids=["none", "blank", "text-number", "text", "list", "int"])
def test_number(value, expected):
    assert number(value) == expected


@pytest.mark.parametrize("a,b,expected", [(0.5, 0.25, 0.25), (None, 0.1, None), (0.1, None, None), (1, 2, -1.0)],
                         ids=["both", "left-missing", "right-missing", "ints-as-floats"])
def test_difference(a, b, expected):
    assert difference(a, b) == expected and (expected is None or isinstance(difference(a, b), float))


@pytest.mark.parametrize(
    "value,digits,number_form,text_form",
    [(0.123456, 1, 12.3, "12.3"), (0.123456, 4, 12.3456, "12.3456"), (None, 1, None, "--"), (1, 0, 100.0, "100"),
     (2 / 3, 2, 66.67, "66.67")],
    ids=["one-decimal", "four-decimals", "missing", "int", "thirds"],
)
def test_percent_number_and_text(value, digits, number_form, text_form):
    assert percent(value, digits) == number_form
    assert format_percent(value, digits) == text_form
    assert format_percent(value, digits, suffix="%") == (text_form if value is None else text_form + "%")


@pytest.mark.parametrize("value,missing,text", [(float("nan"), "--", "--"), (None, "–", "–"), (float("nan"), "n/a", "n/a"),
                                                (0.5, "–", "50.0")],
                         ids=["nan", "none-dash", "nan-custom", "value-ignores-missing"])
def test_format_percent_missing_mark(value, missing, text):
    assert format_percent(value, missing=missing) == text
