"""Columnar aggregation (``aggregate.RowTable``) gives bit-identical figures to the row-by-row definitions.

``RowTable.mean`` must equal ``numeric.mean`` over the same rows in the same
order -- including None/""/unparseable values (skipped), bools, NaN, -0.0 and
sums whose rounding depends on the order -- and every table must be the same
whether it is given the list of rows or a shared ``RowTable``.
"""

from __future__ import annotations

import json
import random

import pytest

from rose_bench.scoring import aggregate as agg
from rose_bench.scoring.contract import SUBSET_ORDER, TEMPLATE_ORDER
from rose_bench.scoring.numeric import mean

ODD_VALUES = [None, "", "0.25", "abc", True, False, 0, 1, 3, -0.0, 0.1, 1 / 3, 2.5, -7, 1e-17, 1e16, float("nan")]

COLUMNS = {
    "whole numbers": [0, 1, 1, 0, 1, None, 1, True, False],
    "order-sensitive floats": [1e16, 1.0, -1e16, 1.0, 0.1, 0.2, 0.3, 1e-8] * 7,
    "thirds": [1 / 3] * 10 + [2 / 3] * 7,
    "all missing": [None, "", "x"],
    "negative zeros": [-0.0, -0.0, None],
    "nan": [0.5, float("nan"), 1.0],
    "strings": ["1", "0.5", " 2 ", "1e3", "nope", ""],
    "huge integers": [2**60, 2**60, 1, -(2**60)],
}


@pytest.mark.parametrize("values", COLUMNS.values(), ids=COLUMNS.keys())
def test_row_table_mean_is_numeric_mean_bit_for_bit(values) -> None:
    rows = [{"x": v} for v in values]
    table = agg.RowTable(rows)
    rng = random.Random(len(values))
    subsets = [table.all, list(range(len(rows)))] + [sorted(rng.sample(range(len(rows)), k)) for k in (0, 1, len(rows) // 2)]
    for idx in subsets:
        want = mean(rows[i]["x"] for i in idx)
        got = table.mean("x", idx)
        assert json.dumps(got) == json.dumps(want)  # same bits, NaN and -0.0 included


def _odd_rows(n: int, seed: int) -> list[dict]:
    """Scored-row shaped dicts with odd values sprinkled over the metric columns."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        row = {key: rng.choice([0, 1, None, 0.5, 1 / 3]) for key in agg.TABLE_KEYS}
        row.update(
            rose_subset=rng.choice(SUBSET_ORDER + ("ROSE-Other", None)),
            task_template=rng.choice(TEMPLATE_ORDER),
            task_mode=rng.choice(["COUNT", "CLICK", "CLICK_COUNT", None]),
            region_type=rng.choice(["GLOBAL", "EXCLUSION", "ROW_RANGE", 3]),
            scene_id=f"S{rng.randint(1, n // 4 + 1)}",
        )
        for key in rng.sample(agg.TABLE_KEYS[5:], 5):
            value = rng.choice(ODD_VALUES)
            row[key] = value if not key.endswith("_count") or not isinstance(value, str) else None
        if rng.random() < 0.1:
            row.pop(rng.choice(agg.TABLE_KEYS), None)  # rows missing a key read it as None
        rows.append(row)
    return rows


TABLES = {
    "summary_for": agg.summary_for,
    "by_subset": lambda r: agg.group_summary(r, "rose_subset"),
    "by_region_type": lambda r: agg.group_summary(r, "region_type"),
    "by_scene": lambda r: agg.group_summary(r, "scene_id"),
    "table1": agg.table1,
    "table2": agg.table2,
    "primary_table": agg.primary_table,
    "perception_action_gap": agg.perception_action_gap,
    "scene_conditioned_action": agg.scene_conditioned_action,
    "macro_click_f1": lambda r: agg.macro_over_subsets(r, lambda row: row.get("click_applicable") == 1, "click_f1"),
}


@pytest.mark.parametrize("name", TABLES, ids=TABLES.keys())
def test_tables_over_a_shared_row_table_equal_tables_over_the_rows(name: str) -> None:
    rows = _odd_rows(400, seed=3)
    table = agg.RowTable(rows)
    assert json.dumps(TABLES[name](table)) == json.dumps(TABLES[name](rows))


def test_groups_are_sorted_as_strings_and_keep_row_order() -> None:
    rows = [{"k": v} for v in ["b", 10, "a", 2, None, "b", 10]]
    groups = agg.RowTable(rows).groups("k")
    assert list(groups) == sorted(str(r["k"]) for r in {str(r["k"]): r for r in rows}.values())
    assert groups == {"10": [1, 6], "2": [3], "None": [4], "a": [2], "b": [0, 5]}
