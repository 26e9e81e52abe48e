"""Sampling: template parsing, proportional seats, and a seeded stratified order."""

from __future__ import annotations

from collections import Counter

import pytest

from rose_bench.human.sample import ItemKey, allocate, parse_templates, stratified_sample
from rose_bench.scoring.contract import SUBSET_ORDER, T1, T3, T4, TEMPLATE_ORDER


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, TEMPLATE_ORDER),
        ("", TEMPLATE_ORDER),
        ("t4,t1", (T1, T4)),
        ("T4_CLICK_VISUAL_REGION, t3 ,", (T3, T4)),
        ("T1,t1", (T1,)),
    ],
    ids=["default", "empty", "configs-reordered", "full-name-and-spaces", "case-and-duplicate"],
)
def test_parse_templates(text, expected) -> None:
    assert parse_templates(text) == expected


@pytest.mark.parametrize("text", ["t6", "t1b", ",", "count"], ids=["unknown", "bridge", "only-commas", "composite"])
def test_parse_templates_refuses(text) -> None:
    with pytest.raises(ValueError, match="fix:"):
        parse_templates(text)


@pytest.mark.parametrize(
    "sizes, n, expected",
    [
        ([5, 5, 5, 5], 4, [1, 1, 1, 1]),
        ([5, 5, 5, 5], 6, [2, 2, 1, 1]),
        ([10, 30], 4, [1, 3]),
        ([1, 1, 98], 3, [0, 0, 3]),
        ([3, 3], 6, [3, 3]),
        ([3, 3], 0, [0, 0]),
    ],
    ids=["even", "ties-to-earlier", "proportional", "small-strata", "everything", "nothing"],
)
def test_allocate(sizes, n, expected) -> None:
    assert allocate(sizes, n) == expected


def test_allocate_refuses_more_than_there_is() -> None:
    with pytest.raises(ValueError):
        allocate([2, 2], 5)


def _keys(per_stratum: int) -> list[ItemKey]:
    return [ItemKey(f"S{a}T{b}I{i}", s, t) for a, s in enumerate(SUBSET_ORDER) for b, t in enumerate(TEMPLATE_ORDER)
            for i in range(per_stratum)]


def test_sample_is_stratified_seeded_and_shuffled() -> None:
    keys = _keys(8)
    by_id = {k.item_id: k for k in keys}
    chosen = stratified_sample(keys, 50, seed=3)
    assert len(chosen) == len(set(chosen)) == 50
    strata = Counter((by_id[i].rose_subset, by_id[i].task_template) for i in chosen)
    assert set(strata.values()) == {2} and len(strata) == 25
    assert stratified_sample(list(reversed(keys)), 50, seed=3) == chosen  # input order does not matter
    assert stratified_sample(keys, 50, seed=4) != chosen
    assert chosen != sorted(chosen, key=[k.item_id for k in keys].index)  # not in stratum order
