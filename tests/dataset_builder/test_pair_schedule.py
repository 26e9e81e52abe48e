"""Pair schedule: one pair per scene while pairs last, then even reuse -- bounded, never neighbours, dev/test apart on request."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from rose_bench.dataset_builder.options import BuildError
from rose_bench.dataset_builder.pair_schedule import apportion, schedule_pairs
from rose_bench.dataset_builder.seeds import derive_rng
from rose_bench.dataset_builder.subset_specs import PairWeights


def _splits(total: int, dev: int, seed: int = 0) -> tuple[str, ...]:
    """A seeded interleaving of ``dev`` dev scenes among ``total`` (as the builder's split assignment does)."""
    chosen = set(derive_rng(seed, "test-splits").sample(range(total), dev))
    return tuple("dev" if i in chosen else "test" for i in range(total))


def _neighbour_repeats(chosen: list[int], splits: tuple[str, ...]) -> list[tuple[str, int]]:
    found = []
    for split in ("dev", "test"):
        seq = [c for c, s in zip(chosen, splits) if s == split]
        found += [(split, i) for i in range(1, len(seq)) if seq[i] == seq[i - 1]]
    return found


@pytest.mark.parametrize(
    "total, weights, caps, expected",
    [
        (10, {"a": 1, "b": 1}, None, {"a": 5, "b": 5}),
        (3, {"a": 1, "b": 1}, None, {"a": 2, "b": 1}),  # tie on the remainder: mapping order
        (221, {"a": 45, "b": 43, "c": 38}, None, {"a": 79, "b": 75, "c": 67}),
        (10, {"a": 8, "b": 1, "c": 1}, {"a": 3, "b": 10, "c": 10}, {"a": 3, "b": 4, "c": 3}),  # a capped, rest shared
        (5, {"a": 1, "b": 0}, None, {"a": 5, "b": 0}),
    ],
    ids=["even", "tie", "v01-like", "capped", "zero-weight"],
)
def test_apportion(total, weights, caps, expected) -> None:
    assert apportion(total, weights, caps) == expected


def test_apportion_refuses_more_than_the_caps_hold() -> None:
    with pytest.raises(BuildError, match="pair-use bound"):
        apportion(10, {"a": 1, "b": 1}, {"a": 3, "b": 3})


def test_enough_pairs_is_a_seeded_shuffle_prefix() -> None:
    splits = _splits(12, 3)
    first, bound = schedule_pairs(40, splits, 7, "ROSE-PixelEdit")
    order = list(range(40))
    derive_rng(7, "ROSE-PixelEdit", "pairs").shuffle(order)
    assert (first, bound) == (order[:12], 1)
    assert schedule_pairs(40, _splits(5, 1), 7, "ROSE-PixelEdit")[0] == order[:5]


@pytest.mark.parametrize(
    "n_pairs, total, dev, disjoint",
    [(7, 30, 8, False), (7, 30, 8, True), (2, 9, 3, False), (100, 412, 111, False), (100, 412, 111, True), (3, 4, 1, False)],
    ids=["7-for-30", "7-for-30-disjoint", "2-for-9", "scale-4", "scale-4-disjoint", "barely-short"],
)
def test_reuse_is_even_bounded_and_never_neighbouring(n_pairs, total, dev, disjoint) -> None:
    splits = _splits(total, dev)
    chosen, bound = schedule_pairs(n_pairs, splits, 3, "ROSE-ChineseGlyph", disjoint=disjoint)
    uses = Counter(chosen)
    assert len(chosen) == total and set(chosen) <= set(range(n_pairs))
    if not disjoint:
        assert bound == math.ceil(total / n_pairs)
        assert max(uses.values()) <= bound and max(uses.values()) - min(uses.values()) <= 1
        assert len(uses) == n_pairs
    assert _neighbour_repeats(chosen, splits) == []
    if disjoint:
        dev_pairs = {c for c, s in zip(chosen, splits) if s == "dev"}
        test_pairs = {c for c, s in zip(chosen, splits) if s == "test"}
        assert dev_pairs and test_pairs and not dev_pairs & test_pairs


def test_schedule_is_seeded() -> None:
    splits = _splits(30, 8)
    assert schedule_pairs(7, splits, 3, "ROSE-PixelEdit") == schedule_pairs(7, splits, 3, "ROSE-PixelEdit")
    assert schedule_pairs(7, splits, 3, "ROSE-PixelEdit") != schedule_pairs(7, splits, 4, "ROSE-PixelEdit")


WEIGHTS = PairWeights("h2_label", (("big", 60.0), ("mid", 30.0), ("one", 10.0), ("none", 5.0)), max_uses=4)
LABELS = ["big"] * 20 + ["mid"] * 3 + ["one"] + ["other"] * 5  # "none" has no pair, "other" has no weight


@pytest.mark.parametrize("disjoint", [False, True], ids=["shared", "disjoint"])
def test_category_weights_set_the_split_mix_within_the_use_bound(disjoint) -> None:
    splits = _splits(40, 10)
    chosen, bound = schedule_pairs(len(LABELS), splits, 5, "ROSE-EmojiContent", labels=LABELS, weights=WEIGHTS,
                                   disjoint=disjoint)
    assert bound == 4
    labels = [LABELS[c] for c in chosen]
    assert "other" not in labels and "none" not in labels
    uses = Counter(chosen)
    assert max(uses.values()) <= 4
    per_category = {c: [n for i, n in uses.items() if LABELS[i] == c] for c in ("big", "mid", "one")}
    for counts in per_category.values():  # even within a category
        assert max(counts) - min(counts) <= 1
    assert _neighbour_repeats(chosen, splits) == []
    if not disjoint:
        # 40 scenes by 60:30:10 ("none" has no pair): 24/12/4, exactly the caps of "mid" (3 x 4) and "one" (1 x 4)
        assert Counter(labels) == {"big": 24, "mid": 12, "one": 4}
        test = Counter(label for label, s in zip(labels, splits) if s == "test")
        assert test == apportion(30, {"big": 24, "mid": 12, "one": 4})


def test_a_short_category_hands_its_share_to_the_others() -> None:
    labels = ["big"] * 20 + ["mid"] * 2 + ["one"]  # mid: 2 pairs x 4 = 8 < 12; one: 4
    chosen, _ = schedule_pairs(len(labels), _splits(40, 10), 5, "ROSE-EmojiContent", labels=labels, weights=WEIGHTS)
    assert Counter(labels[c] for c in chosen) == {"big": 28, "mid": 8, "one": 4}


def test_a_one_pair_category_is_kept_apart_by_the_layout() -> None:
    weights = PairWeights("h2_label", (("a", 1.0), ("solo", 1.0)), max_uses=20)
    labels = ["a"] * 5 + ["solo"]
    splits = ("test",) * 20 + ("dev",) * 2
    chosen, _ = schedule_pairs(len(labels), splits, 9, "ROSE-EmojiStyle", labels=labels, weights=weights)
    assert Counter(labels[c] for c in chosen[:20]) == {"a": 10, "solo": 10}  # solo in every other test scene
    assert _neighbour_repeats(chosen, splits) == []


@pytest.mark.parametrize(
    "n_pairs, splits, labels, weights, message",
    [
        (0, ("dev", "test"), None, None, "offers no pairs"),
        (1, ("dev", "test", "test"), None, None, "1 usable pair but split test needs 2 scenes"),
        (3, ("dev", "test"), ["x", "y", "z"], WEIGHTS, "no pair has a h2_label with a weight"),
    ],
    ids=["no-pairs", "one-pair", "no-weighted-category"],
)
def test_impossible_schedules_are_build_errors(n_pairs, splits, labels, weights, message) -> None:
    with pytest.raises(BuildError, match=message):
        schedule_pairs(n_pairs, splits, 1, "ROSE-PixelEdit", labels=labels, weights=weights)
