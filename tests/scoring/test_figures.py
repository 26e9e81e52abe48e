"""scoring.figures: the figure table names real aggregate values, each computed once."""

from __future__ import annotations

import pytest

from rose_bench.scoring import aggregate
from rose_bench.scoring.figures import FIGURE, FIGURES, SOURCES, compute_figures
from rose_bench.scoring.item import score_item

from tests.support.fixtures import GLOBAL_CLICK, MATCHED_COUNT, fixture_rows


def test_table_is_well_formed():
    assert len(FIGURE) == len(FIGURES)
    assert set(SOURCES) == {"table1", "table2", "perception_action_gap"}
    assert [f.name for f in FIGURES if not f.higher_is_better] == ["gap"]


@pytest.fixture(scope="module")
def scored() -> list[dict]:
    rows = list(fixture_rows(GLOBAL_CLICK)[:40]) + list(fixture_rows(MATCHED_COUNT)[:40])
    answers = ["", "COUNT(1)", "DONE"]
    return [score_item(row, row["answer"] if i % 2 else answers[i % 3]) for i, row in enumerate(rows)]


def test_figures_are_the_aggregate_values(scored):
    got = compute_figures(scored)
    for figure in FIGURES:
        assert got[figure.name] == getattr(aggregate, figure.source)(scored)[figure.key], figure.name
    assert 0 < got["pass"] < 1 and got["g_cnt"] is None  # bridge rows only: no T1 row behind G-Cnt


def test_no_rows_gives_none_not_zero():
    assert set(compute_figures([]).values()) == {None}
