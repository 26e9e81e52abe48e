"""Aggregation (protocol §8.1–§8.5): macro over subsets, missing groups, §11.1 consistency relations."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from rose_bench.scoring import aggregate as agg
from rose_bench.scoring.contract import SUBSET_ORDER, TEMPLATE_ORDER, TEMPLATE_SHORT
from rose_bench.scoring.grammar import format_answer
from rose_bench.scoring.grid import Cell
from rose_bench.scoring.item import score_item

VECTORS_DIR = Path(__file__).resolve().parent / "vectors" / "official_run"

MODES = {
    "T1_COUNT_GLOBAL": ("COUNT", "GLOBAL", {}),
    "T2_COUNT_LOCAL_NUMERIC": ("COUNT", "ROW_RANGE", {"r1": 1, "r2": 3}),
    "T3_CLICK_LOCAL_NUMERIC": ("CLICK", "COL_RANGE", {"c1": 2, "c2": 4}),
    "T4_CLICK_VISUAL_REGION": ("CLICK", "VISUAL_REGION", {"r1": 2, "r2": 5, "c1": 1, "c2": 4}),
    "T5_CLICK_COUNT_EXCLUSION": ("CLICK_COUNT", "EXCLUSION",
                                 {"exclude_type": "RECTANGLE", "exclude_params": {"r1": 1, "r2": 2, "c1": 1, "c2": 6}}),
}


def _inside(template: str, cell: Cell) -> bool:
    _, rtype, p = MODES[template]
    if rtype == "GLOBAL":
        return True
    if rtype == "ROW_RANGE":
        return p["r1"] <= cell.row <= p["r2"]
    if rtype == "COL_RANGE":
        return p["c1"] <= cell.col <= p["c2"]
    if rtype == "VISUAL_REGION":
        return p["r1"] <= cell.row <= p["r2"] and p["c1"] <= cell.col <= p["c2"]
    return not (cell.row <= 2)  # exclusion of rows 1-2


def synthetic_split(scenes_per_subset: dict[str, int], seed: int, skill: dict[str, float]) -> list[dict]:
    """Per-item rows of a balanced split (every scene has T1..T5) with template-dependent accuracy."""
    rng = random.Random(seed)
    rows = []
    for subset, n_scenes in scenes_per_subset.items():
        for s in range(n_scenes):
            targets = {Cell(rng.randint(1, 6), rng.randint(1, 6)) for _ in range(rng.randint(1, 5))}
            for template in TEMPLATE_ORDER:
                mode, rtype, params = MODES[template]
                gold = sorted(c for c in targets if _inside(template, c))
                meta = {
                    "item_id": f"{subset}-{s}-{template}", "scene_id": f"{subset}-{s}", "rose_subset": subset,
                    "task_template": template, "task_mode": mode, "region_type": rtype, "region_params": params,
                    "rows": 6, "cols": 6, "ground_truth_count": len(gold), "ground_truth_clicks": [c.key for c in gold],
                    "all_target_cells": [c.key for c in targets], "region_target_cells": [c.key for c in gold],
                }
                if rng.random() < skill[template]:
                    text = format_answer(mode, gold, len(gold))
                else:
                    text = rng.choice(["COUNT(9)", "DONE", "CLICK(R1,C1); SUBMIT(1)", "no idea",
                                       format_answer(mode, targets, len(targets))])
                rows.append(score_item(meta, text, model="synthetic"))
    return rows


SKILL = {"T1_COUNT_GLOBAL": 0.9, "T2_COUNT_LOCAL_NUMERIC": 0.7, "T3_CLICK_LOCAL_NUMERIC": 0.4,
         "T4_CLICK_VISUAL_REGION": 0.35, "T5_CLICK_COUNT_EXCLUSION": 0.2}
# unequal subset sizes, like the real split (301/221/221/221/148 test scenes)
SIZES = dict(zip(SUBSET_ORDER, (30, 22, 22, 22, 15), strict=True))


@pytest.fixture(scope="module")
def balanced_rows():
    return synthetic_split(SIZES, seed=11, skill=SKILL)


def test_consistency_relations_of_11_1(balanced_rows):
    t1, t2 = agg.table1(balanced_rows), agg.table2(balanced_rows)
    primary = agg.primary_table(balanced_rows)
    template_mean = sum(t2[TEMPLATE_SHORT[t]] for t in TEMPLATE_ORDER) / 5
    assert template_mean == pytest.approx(t1["Avg. PASS"], abs=1e-12)
    assert t2["Avg. PASS"] == pytest.approx(t1["Avg. PASS"], abs=1e-12)
    family = (primary["Glyph"] + 2 * primary["Emoji"] + 2 * primary["Pixel"]) / 5
    assert family == pytest.approx(primary["Avg."], abs=1e-12)
    assert primary["Avg."] == t1["Avg. PASS"] and primary["VALID"] == t1["VALID"]
    assert [primary[c] for c in agg.PRIMARY_COLUMNS[:5]] == [t2[TEMPLATE_SHORT[t]] for t in TEMPLATE_ORDER]
    # ... and the split is skewed enough that the macro average differs from the item mean
    assert abs(t1["Avg. PASS"] - agg.summary_for(balanced_rows)["pass_rate"]) > 1e-4


def test_macro_over_subsets_is_not_item_mean():
    rows = [{"rose_subset": SUBSET_ORDER[0], "task_template": TEMPLATE_ORDER[0], "pass": 1, "unified_soft": 1.0,
             "format_valid": 1}]
    rows += [{"rose_subset": SUBSET_ORDER[1], "task_template": TEMPLATE_ORDER[0], "pass": 0, "unified_soft": 0.5,
              "format_valid": 1}] * 3
    t1 = agg.table1(rows)
    assert t1["Avg. PASS"] == 0.5 and agg.summary_for(rows)["pass_rate"] == 0.25
    assert t1["Avg. SOFT"] == 0.75
    assert t1["by_subset"][SUBSET_ORDER[2]] == {"n": 0, "PASS": None, "SOFT": None, "VALID": None}
    assert agg.table2(rows)["G-Cnt"] == 0.5
    assert agg.primary_table(rows)["Emoji"] == 0.0 and agg.primary_table(rows)["Pixel"] is None


def test_missing_groups_are_none_not_zero(balanced_rows):
    only_t1 = [r for r in balanced_rows if r["task_template"] == TEMPLATE_ORDER[0]]
    t2 = agg.table2(only_t1)
    assert t2["L-Cnt"] is None and t2["L-Clk"] is None and t2["C-F1"] is None and t2["R-OK"] is None
    assert t2["Avg. PASS"] == t2["G-Cnt"]  # mean over the templates that have rows (official)
    gap = agg.perception_action_gap(only_t1)
    assert gap["Action Avg."] is None and gap["gap"] is None and gap["fig1"]["delta"] is None
    assert gap["Counting Avg."] == t2["G-Cnt"]
    summary = agg.summary_for(only_t1)
    assert summary["n_click_applicable"] == 0 and summary["click_f1"] is None and summary["region_ok_rate"] is None
    assert summary["global_default_error_rate"] is None and summary["exclusion_failure_rate"] is None
    assert agg.summary_for([]) == {"n": 0}
    cond = agg.scene_conditioned_action(only_t1)
    assert cond["macro"] == {"L-Clk": None, "V-Clk": None, "Excl. C+S": None, "Action Avg.": None}


def test_summary_keys_in_official_order(balanced_rows):
    assert list(agg.summary_for(balanced_rows)) == [
        "n", "pass_rate", "unified_soft", "valid_rate", "format_error_rate", "api_error_rate",
        "n_count_applicable", "count_exact_rate", "count_mae_parsed", "count_bias_parsed", "count_soft",
        "n_click_applicable", "click_exact_set_rate", "click_exact_set_strict_rate", "click_precision",
        "click_recall", "click_f1", "click_f1_strict", "click_iou", "click_iou_strict", "region_ok_rate",
        "region_violation_sample_rate", "invalid_coordinate_sample_rate", "duplicate_click_sample_rate",
        "over_click_sample_rate", "under_click_sample_rate", "near_miss_rate", "n_submit_applicable",
        "submit_exact_rate", "click_submit_consistency_rate", "global_default_error_rate", "n_exclusion",
        "exclusion_failure_rate",
    ]


def test_perception_action_gap_by_hand(balanced_rows):
    t2 = agg.table2(balanced_rows)
    gap = agg.perception_action_gap(balanced_rows)
    counting = (t2["G-Cnt"] + t2["L-Cnt"]) / 2
    action = (t2["L-Clk"] + t2["V-Clk"] + t2["Excl. C+S"]) / 3
    assert gap["Counting Avg."] == pytest.approx(counting)
    assert gap["Action Avg."] == pytest.approx(action)
    assert gap["gap"] == pytest.approx(counting - action) and gap["gap"] > 0
    assert gap["fig1"] == {"G-Cnt": t2["G-Cnt"], "V-Clk": t2["V-Clk"], "delta": t2["V-Clk"] - t2["G-Cnt"]}


def _row(subset, scene, template, passed):
    return {"rose_subset": subset, "scene_id": scene, "task_template": template, "pass": passed}


def test_scene_conditioned_action_by_hand():
    glyph, estyle = SUBSET_ORDER[0], SUBSET_ORDER[1]
    t1, t3, t4, t5 = (TEMPLATE_ORDER[i] for i in (0, 2, 3, 4))
    rows = [
        _row(glyph, "a", t1, 1), _row(glyph, "a", t3, 1), _row(glyph, "a", t4, 0), _row(glyph, "a", t5, 1),
        _row(glyph, "b", t1, 1), _row(glyph, "b", t3, 0), _row(glyph, "b", t4, 0),
        _row(glyph, "c", t1, 0), _row(glyph, "c", t3, 1), _row(glyph, "c", t4, 1), _row(glyph, "c", t5, 1),
        _row(estyle, "x", t1, 1), _row(estyle, "x", t3, 1), _row(estyle, "x", t4, 1), _row(estyle, "x", t5, 0),
    ]
    cond = agg.scene_conditioned_action(rows)
    g = cond["by_subset"][glyph]
    assert g["n_t1_correct_scenes"] == 2
    assert g["L-Clk"] == {"n": 2, "pass_rate": 0.5}
    assert g["V-Clk"] == {"n": 2, "pass_rate": 0.0}
    assert g["Excl. C+S"] == {"n": 1, "pass_rate": 1.0}
    assert cond["by_subset"][SUBSET_ORDER[4]] == {
        "n_t1_correct_scenes": 0, "L-Clk": {"n": 0, "pass_rate": None}, "V-Clk": {"n": 0, "pass_rate": None},
        "Excl. C+S": {"n": 0, "pass_rate": None}}
    macro = cond["macro"]
    assert macro["L-Clk"] == 0.75 and macro["V-Clk"] == 0.5 and macro["Excl. C+S"] == 0.5
    assert macro["Action Avg."] == pytest.approx((0.75 + 0.5 + 0.5) / 3)


def test_percentage_tree():
    tree = {"n": 3, "pass_rate": 0.123456789, "PASS": 1, "C-F1": None, "note": "x",
            "by": [{"coverage_rate": 0.5, "expected": 2}], "Avg. SOFT": 0.5}
    assert agg.percentage_tree(tree) == {"n": 3, "pass_rate": 12.3457, "PASS": 100.0, "C-F1": None, "note": "x",
                                         "by": [{"coverage_rate": 50.0, "expected": 2}], "Avg. SOFT": 50.0}


def test_mean_skips_none_and_text():
    assert agg.mean([1, None, "", 0, True]) == pytest.approx(2 / 3)
    assert agg.mean([None, "x"]) is None


def test_group_summary_sorted_by_string_key():
    rows = [{"task_mode": "CLICK", "pass": 1}, {"task_mode": "COUNT", "pass": 0}, {"task_mode": None, "pass": 1}]
    assert list(agg.group_summary(rows, "task_mode")) == ["CLICK", "COUNT", "None"]


def test_golden_official_summary_numbers():
    """Aggregates of the official per-item rows equal the official summary exactly."""
    rows = [json.loads(line) for line in (VECTORS_DIR / "expected" / "per_item_eval.jsonl").open()]
    expected = json.loads((VECTORS_DIR / "expected" / "evaluation_summary.json").read_text(encoding="utf-8"))
    assert agg.summary_for(rows) == expected["overall"]
    for key, field in (("by_subset", "rose_subset"), ("by_template", "task_template"),
                       ("by_task_mode", "task_mode"), ("by_region_type", "region_type")):
        assert agg.group_summary(rows, field) == expected[key]
    paper = {"table1": agg.table1(rows), "table2": agg.table2(rows),
             "scene_conditioned_action_available_rows": agg.scene_conditioned_action(rows)}
    assert paper == expected["paper_metrics"]
    assert agg.percentage_tree(paper) == expected["paper_metrics_percent"]
