"""The region-case vocabulary of the row contract: labels, the achieved case, the case of a count."""

from __future__ import annotations

import re

import pytest

from rose_bench.scoring.contract import REGION_CASE_PATTERN, achieved_case, region_case_label, region_case_of


@pytest.mark.parametrize(
    "achieved, wanted, label",
    [("zero", "zero", "zero"), ("zero", "partial", "fallback_zero_wanted_partial"), ("all", "partial", "fallback_all_wanted_partial")],
)
def test_case_labels(achieved: str, wanted: str, label: str) -> None:
    assert region_case_label(achieved, wanted) == label
    assert re.fullmatch(REGION_CASE_PATTERN, label) and achieved_case(label) == achieved


@pytest.mark.parametrize(
    "label, achieved",
    [("zero", "zero"), ("partial", "partial"), ("fallback_zero_wanted_partial", "zero"), ("fallback_partial_wanted_all", "partial")],
)
def test_achieved_case(label, achieved) -> None:
    assert achieved_case(label) == achieved


@pytest.mark.parametrize("label", ["fallback_zero", "fallback__wanted_all", "some", "fallback_many_wanted_all"])
def test_malformed_labels_are_refused(label) -> None:
    with pytest.raises(ValueError, match="malformed region_case"):
        achieved_case(label)


@pytest.mark.parametrize("inside, targets, case", [(0, 3, "zero"), (1, 3, "partial"), (3, 3, "all")],
                         ids=["zero", "partial", "all"])
def test_region_case_of(inside, targets, case) -> None:
    assert region_case_of(inside, targets) == case
