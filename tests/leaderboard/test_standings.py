"""Observed ranks: 1 + the rows strictly better, ties share a rank, a missing figure ranks last."""

from __future__ import annotations

import pytest

from rose_bench.leaderboard.standings import competition_ranks

# (id, headline figure per row, expected rank per row)
RANKS = [
    ("distinct", {"a": 0.9, "b": 0.5, "c": 0.7}, {"a": 1, "b": 3, "c": 2}),
    ("ties-share-a-rank", {"a": 0.5, "b": 0.9, "c": 0.5}, {"a": 2, "b": 1, "c": 2}),
    ("missing-ranks-last", {"a": None, "b": 0.0, "c": 0.4}, {"a": 3, "b": 2, "c": 1}),
    ("nan-ranks-last", {"a": float("nan"), "b": 0.1}, {"a": 2, "b": 1}),
    ("all-missing", {"a": None, "b": float("nan")}, {"a": 1, "b": 1}),
    ("empty", {}, {}),
]


@pytest.mark.parametrize("values, expected", [c[1:] for c in RANKS], ids=[c[0] for c in RANKS])
def test_competition_ranks(values, expected) -> None:
    assert competition_ranks(values) == expected
