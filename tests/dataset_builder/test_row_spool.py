"""Row spool: rows come back exactly, in item_id order, filtered by template and split; nothing else stays in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from rose_bench.dataset_builder.row_spool import RowSpool
from rose_bench.dataset_builder.summary import BuildSummary

from tests.support import writer as ws


@pytest.fixture
def spool(tmp_path: Path):
    spool = RowSpool(tmp_path / "rows.pickle")
    yield spool
    spool.close()


def test_rows_come_back_exactly_in_item_id_order(spool) -> None:
    rows = list(reversed(ws.scene_rows()))
    for row in rows:
        spool.add(row)
    assert len(spool) == len(rows) and rows[0]["item_id"] in spool and "nope" not in spool
    back = list(spool.rows(spool.ids()))
    assert back == sorted(rows, key=lambda r: r["item_id"])
    assert [list(r) for r in back] == [list(r) for r in sorted(rows, key=lambda r: r["item_id"])]  # key order kept


@pytest.mark.parametrize("template, split", [("T3_CLICK_LOCAL_NUMERIC", "test"), ("T1_COUNT_GLOBAL", "dev"), (None, "dev")])
def test_ids_filter_by_template_and_split(spool, template, split) -> None:
    rows = ws.scene_rows()
    for row in rows:
        spool.add(row)
    want = sorted(r["item_id"] for r in rows if (template is None or r["task_template"] == template) and r["split"] == split)
    assert want and [r["item_id"] for r in spool.rows(spool.ids(template, split))] == want


def test_a_stored_row_is_a_copy(spool) -> None:
    row = dict(ws.scene_rows()[0], target_cells=[[1, 2]])
    spool.add(row)
    row["target_cells"].append([3, 4])
    assert next(spool.rows(spool.ids()))["target_cells"] == [[1, 2]]


def test_one_pass_summary_counts_what_the_rows_say() -> None:
    """The streaming summary against figures computed here directly from the row list."""
    from collections import Counter

    rows = sorted(ws.scene_rows(), key=lambda r: r["item_id"])
    summary = BuildSummary.of(rows)
    counts = summary.counts()
    assert counts["total_rows"] == len(rows)
    assert counts["total_scenes"] == len({(r["rose_subset"], r["scene_id"]) for r in rows if r["task_template"].startswith("T1_")})
    stats = summary.statistics()
    for subset, per in stats["per_subset"].items():
        t1 = [r for r in rows if r["rose_subset"] == subset and r["task_template"] == "T1_COUNT_GLOBAL"]
        assert per["grid_size_profile"] == {k: v for k, v in sorted(Counter(r["grid_size_profile"] for r in t1).items())}
        assert sum(per["difficulty"].values()) == len(t1)
    t3 = [r for r in rows if r["task_template"] == "T3_CLICK_LOCAL_NUMERIC"]
    assert stats["per_template"]["T3_CLICK_LOCAL_NUMERIC"]["region_case"] == dict(sorted(Counter(r["region_case"] for r in t3).items()))
    assert summary.row_key_order()[rows[0]["rose_subset"]][rows[0]["task_template"]] == list(rows[0])
