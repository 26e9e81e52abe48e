"""Per-item scoring (protocol §7): official vectors, conventions, diagnostics, golden official rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rose_bench.scoring.grid import Exclusion, GlobalRegion, RowRange
from rose_bench.scoring.item import ITEM_FIELDS, region_of, score_item

VECTORS_DIR = Path(__file__).resolve().parent / "vectors" / "official_run"


def t5_item(**overrides):
    """§7.6: 4x4 grid, excluded rows 1-2, targets R1C1 (excluded) and R3C1; gold {R3C1}."""
    meta = {
        "item_id": "SYN_T5", "scene_id": "SYN_SCENE", "split": "test", "rose_subset": "ROSE-ChineseGlyph",
        "task_template": "T5_CLICK_COUNT_EXCLUSION", "task_mode": "CLICK_COUNT", "region_type": "EXCLUSION",
        "region_params": {"exclude_type": "ROW_RANGE", "exclude_params": {"r1": 1, "r2": 2}},
        "rows": 4, "cols": 4, "ground_truth_count": 1, "ground_truth_clicks": ["R3,C1"],
        "all_target_cells": ["R1,C1", "R3,C1"], "region_target_cells": ["R3,C1"],
        "ground_truth_formal_answer": "CLICK(R3,C1); SUBMIT(1)",
    }
    meta.update(overrides)
    return meta


# protocol §7.6 table: text, PASS, SOFT (3 dp), VALID, region_ok, exclusion_failure, global_default_error
SPEC_76 = [
    ("CLICK(R3,C1); SUBMIT(1)", 1, 1.000, 1, 1, 0, 0),
    ("CLICK(R3,C1); SUBMIT(2)", 0, 0.500, 1, 1, 0, 1),
    ("CLICK(R1,C1); CLICK(R3,C1); SUBMIT(2)", 0, 0.722, 1, 0, 1, 1),
    ("CLICK(R3,C1); DONE; SUBMIT(1)", 0, 0.667, 0, 1, 0, 0),
    ("CLICK(R3,C1); CLICK(R3,C1); SUBMIT(1)", 0, 0.667, 1, 1, 0, 0),
    ("I think", 0, 0.000, 0, 1, 0, 0),
]


@pytest.mark.parametrize("text,passed,soft,valid,region_ok,excl,gde", SPEC_76, ids=[v[0] for v in SPEC_76])
@pytest.mark.parametrize("params_form", ["dict", "json-string"])
def test_spec_7_6_vectors(text, passed, soft, valid, region_ok, excl, gde, params_form):
    meta = t5_item()
    if params_form == "json-string":
        meta["region_params"] = json.dumps(meta["region_params"], separators=(",", ":"))
    row = score_item(meta, text)
    assert (row["pass"], round(row["unified_soft"], 3), row["format_valid"]) == (passed, soft, valid)
    assert (row["region_ok"], row["exclusion_failure"], row["global_default_error"]) == (region_ok, excl, gde)
    assert row["region_cell_count"] == 8
    assert row["out_region_target_cells"] == ["R1,C1"]


def test_keys_and_order_are_official():
    row = score_item(t5_item(), "SUBMIT(0)", model="m")
    assert tuple(row) == ITEM_FIELDS
    assert len(ITEM_FIELDS) == 70
    assert row["model"] == "m" and row["rose_split"] == "test"


def click_item(gold, targets=None, rows=5, cols=5, region=("GLOBAL", {}), template="T3_CLICK_LOCAL_NUMERIC"):
    targets = gold if targets is None else targets
    return {
        "item_id": "SYN_CLICK", "task_template": template, "task_mode": "CLICK", "region_type": region[0],
        "region_params": region[1], "rows": rows, "cols": cols, "ground_truth_count": len(gold),
        "ground_truth_clicks": gold, "all_target_cells": targets, "region_target_cells": gold,
    }


def count_item(gt, n_targets, template="T2_COUNT_LOCAL_NUMERIC", region=("ROW_RANGE", {"r1": 1, "r2": 2})):
    targets = [f"R{i},C1" for i in range(1, n_targets + 1)]
    return {
        "item_id": "SYN_COUNT", "task_template": template, "task_mode": "COUNT", "region_type": region[0],
        "region_params": region[1], "rows": 9, "cols": 3, "ground_truth_count": gt,
        "ground_truth_clicks": targets[:gt], "all_target_cells": targets, "region_target_cells": targets[:gt],
    }


# (id, meta, text, expected subset of fields)
CASES = [
    # empty-set conventions: both empty -> 1, one empty -> 0
    ("empty-both", click_item([]), "DONE",
     {"pass": 1, "click_precision": 1.0, "click_recall": 1.0, "click_f1": 1.0, "click_iou": 1.0,
      "click_f1_strict": 1.0, "unified_soft": 1.0}),
    ("empty-pred", click_item(["R1,C1"]), "DONE",
     {"pass": 0, "click_precision": 0.0, "click_recall": 0.0, "click_f1": 0.0, "click_iou": 0.0,
      "under_click_count": 1, "missed_target_count": 1}),
    ("empty-gold", click_item([]), "CLICK(R1,C1); DONE",
     {"pass": 0, "click_f1": 0.0, "click_iou": 0.0, "over_click_count": 1, "false_positive_count": 1}),
    # invalid answer: non-strict metrics still computed on the (empty) pred set, strict zeroed
    ("invalid-zero-target", click_item([]), "CLICK(R1,C1)\nDONE",
     {"format_valid": 0, "parse_error": "missing_DONE", "click_f1": 1.0, "click_f1_strict": 0.0,
      "click_iou_strict": 0.0, "click_exact_set": 1, "click_exact_set_strict": 0, "region_ok": 1, "pass": 0}),
    ("invalid-token-keeps-clicks", click_item(["R1,C1", "R2,C2"]), "CLICK(R1,C1); CLICK(2,2); DONE",
     {"format_valid": 0, "pred_clicks_all": ["R1,C1"], "click_precision": 1.0, "click_recall": 0.5,
      "click_f1_strict": 0.0, "unified_soft": 0.0}),
    # out-of-grid clicks: excluded from the set, recorded, not clean
    ("out-of-grid", click_item(["R1,C1"]), "CLICK(R1,C1); CLICK(R6,C1); CLICK(R0,C3); DONE",
     {"format_valid": 1, "pass": 0, "pred_clicks_invalid": ["R6,C1", "R0,C3"], "invalid_coordinate_count": 2,
      "pred_clicks_valid": ["R1,C1"], "click_exact_set": 1, "click_exact_set_strict": 0, "click_f1": 1.0,
      "click_f1_strict": 0.0, "pred_click_count_raw": 3, "pred_click_count_valid": 1}),
    # duplicates: set equal, but not clean
    ("duplicate", click_item(["R1,C1"]), "CLICK(R1,C1); CLICK(R1,C1); DONE",
     {"pass": 0, "duplicate_click_count": 1, "pred_click_count_unique": 1, "click_f1": 1.0, "click_f1_strict": 0.0}),
    # string-sorted output lists
    ("string-sorted", click_item(["R2,C3", "R10,C1"], rows=12, cols=12), "CLICK(R10,C1); CLICK(R2,C3); DONE",
     {"pass": 1, "gt_clicks": ["R10,C1", "R2,C3"], "pred_clicks_valid_unique": ["R10,C1", "R2,C3"],
      "pred_clicks_all": ["R10,C1", "R2,C3"]}),
    # near miss: missed gold with a prediction at L1 <= 1
    ("near-miss", click_item(["R3,C3", "R5,C5"]), "CLICK(R3,C4); CLICK(R1,C1); DONE",
     {"near_miss_count": 1, "near_miss_rate": 0.5, "missed_target_count": 2, "false_positive_count": 2}),
    # region violation and distractor hit on a local item
    ("region-violation",
     click_item(["R1,C1"], targets=["R1,C1", "R4,C4"], region=("ROW_RANGE", {"r1": 1, "r2": 2})),
     "CLICK(R1,C1); CLICK(R4,C4); DONE",
     {"region_violation_count": 1, "region_ok": 0, "outside_distractor_hit_count": 1, "global_default_error": 1,
      "exclusion_failure": 0, "region_cell_count": 10}),
    # out-of-grid clicks are not region violations (only in-grid clicks are checked)
    ("oob-not-violation", click_item(["R1,C1"], region=("ROW_RANGE", {"r1": 1, "r2": 1})),
     "CLICK(R1,C1); CLICK(R9,C9); DONE", {"region_violation_count": 0, "region_ok": 1}),
    # global default: not on T1/bridges, and not when gold already equals all targets
    ("gde-gold-equals-all", click_item(["R1,C1"]), "CLICK(R1,C1); DONE", {"global_default_error": 0}),
    ("gde-bridge", click_item(["R1,C1"], targets=["R1,C1", "R2,C2"], template="T1B_CLICK_GLOBAL"),
     "CLICK(R1,C1); CLICK(R2,C2); DONE", {"global_default_error": 0}),
    # COUNT items
    ("count-right", count_item(2, 4), "COUNT(2)",
     {"pass": 1, "pred_count": 2, "count_exact": 1, "count_mae": 0, "count_bias": 0, "count_soft": 1.0,
      "unified_soft": 1.0, "global_default_error": 0}),
    ("count-global", count_item(2, 4), "COUNT(4)",
     {"pass": 0, "count_exact": 0, "count_mae": 2, "count_bias": 2, "unified_soft": 1 / 3,
      "global_default_error": 1}),
    ("count-t1-no-gde", count_item(2, 4, template="T1_COUNT_GLOBAL"), "COUNT(4)", {"global_default_error": 0}),
    ("count-unparsed", count_item(2, 4), "two",
     {"pred_count": None, "count_exact": 0, "count_mae": None, "count_bias": None, "count_soft": 0.0,
      "unified_soft": 0.0, "invalid_action_tokens": ["two"]}),
    ("count-exclusion",
     count_item(2, 4, region=("EXCLUSION", {"exclude_type": "ROW_RANGE", "exclude_params": {"r1": 1, "r2": 2}})),
     "COUNT(4)", {"exclusion_failure": 1, "region_cell_count": 21}),
    # CLICK_COUNT: SUBMIT counted even when clicks are malformed
    ("submit-with-bad-click", t5_item(), "CLICK(R3,C1); CLICK(x); SUBMIT(1)",
     {"format_valid": 0, "pred_count": 1, "submit_count": 1, "submit_exact": 1, "click_submit_consistency": 1,
      "count_soft": 1.0, "click_f1_strict": 0.0}),
    ("missing-submit", t5_item(), "CLICK(R3,C1); DONE",
     {"pred_count": None, "submit_count": None, "submit_exact": 0, "click_submit_consistency": 0,
      "count_exact": 0, "count_soft": 0.0, "unified_soft": 0.0}),
    ("submit-zero-on-nonempty", t5_item(), "SUBMIT(0)",
     {"click_submit_consistency": 1, "submit_exact": 0, "pass": 0, "unified_soft": (0 + 0.5 + 1) / 3}),
    # api errors
    ("api-error", t5_item(), None, {"api_error": 0, "parse_error": "empty", "raw_text": None}),
    # unknown task mode: nothing applies
    ("unknown-mode", click_item(["R1,C1"]) | {"task_mode": "WEIRD"}, "CLICK(R1,C1); DONE",
     {"parse_error": "unknown_task_mode:WEIRD", "pass": 0, "unified_soft": 0.0, "click_applicable": 0,
      "count_applicable": 0, "click_f1": None, "pred_count": None, "pred_click_count_raw": 0}),
    # fallbacks: empty all_target_cells -> target_cells; empty region_target_cells -> ground_truth_clicks
    ("target-fallbacks",
     click_item(["R1,C1"], targets=[]) | {"target_cells": [[2, 2], [1, 1]], "region_target_cells": []},
     "DONE", {"all_target_cells": ["R1,C1", "R2,C2"], "region_target_cells": ["R1,C1"],
              "out_region_target_cells": ["R2,C2"]}),
    # ground_truth_count null -> 0
    ("gt-count-null", click_item([]) | {"ground_truth_count": None}, "DONE", {"gt_count": 0, "pass": 1}),
    # region not clipped: 2x2 rectangle hanging over the corner of a 5x5 grid counts 4 cells
    ("unclipped-region", click_item([], region=("RECTANGLE", {"r1": 5, "r2": 6, "c1": 5, "c2": 6})), "DONE",
     {"region_cell_count": 4}),
]


@pytest.mark.parametrize("meta,text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_item_cases(meta, text, expected):
    row = score_item(meta, text)
    for key, value in expected.items():
        assert row[key] == pytest.approx(value) if isinstance(value, float) else row[key] == value, key


@pytest.mark.parametrize(
    "error,flag", [(None, 0), ("", 0), ("None", 0), ("timeout", 1), ({"code": 429}, 1)],
    ids=["none", "empty", "None-string", "text", "unhashable"],
)
def test_api_error_flag(error, flag):
    row = score_item(t5_item(), None, api_error_text=error)
    assert row["api_error"] == flag and row["api_error_text"] == error


def test_count_rows_have_none_click_diagnostics():
    row = score_item(count_item(1, 2), "COUNT(1)")
    none_keys = [
        "invalid_coordinate_count", "duplicate_click_count", "click_exact_set", "click_exact_set_strict",
        "click_precision", "click_recall", "click_f1", "click_f1_strict", "click_iou", "click_iou_strict",
        "submit_count", "submit_exact", "click_submit_consistency", "region_violation_count", "region_ok",
        "outside_distractor_hit_count", "missed_target_count", "false_positive_count", "over_click_count",
        "under_click_count", "near_miss_count", "near_miss_rate",
    ]
    assert {k: row[k] for k in none_keys} == dict.fromkeys(none_keys)
    # ... while the raw click tallies and lists are 0 / [] (official behaviour)
    assert (row["pred_click_count_raw"], row["pred_click_count_valid"], row["pred_click_count_unique"]) == (0, 0, 0)
    assert row["pred_clicks_all"] == [] and row["gt_clicks"] == ["R1,C1"]
    assert (row["count_applicable"], row["click_applicable"], row["submit_applicable"]) == (1, 0, 0)


@pytest.mark.parametrize("radius,expected", [(0, 0), (1, 1), (2, 2)], ids=["r0", "r1", "r2"])
def test_near_miss_radius(radius, expected):
    row = score_item(click_item(["R3,C3", "R5,C5"]), "CLICK(R3,C4); CLICK(R4,C4); DONE", near_miss_l1=radius)
    assert row["near_miss_count"] == expected


@pytest.mark.parametrize(
    "meta,error",
    [
        (click_item([]) | {"region_type": "HEXAGON"}, ValueError),
        (click_item([]) | {"region_type": "ROW_RANGE", "region_params": {"r1": 1}}, ValueError),
        (click_item([]) | {"region_params": "{not json"}, ValueError),
        ({k: v for k, v in click_item([]).items() if k != "rows"}, KeyError),
        (click_item(["R1C1"]), ValueError),
    ],
    ids=["unknown-region", "missing-param", "bad-json", "no-rows", "bad-label"],
)
def test_bad_metadata_raises(meta, error):
    with pytest.raises(error):
        score_item(meta, "DONE")


EXCLUDE_ROWS = {"exclude_type": "ROW_RANGE", "exclude_params": {"r1": 1, "r2": 2}}


@pytest.mark.parametrize(
    "rtype,params,expected",
    [
        ("ROW_RANGE", {"r1": 2, "r2": 3}, RowRange(2, 3)),
        ("ROW_RANGE", '{"r1": 2, "r2": 3}', RowRange(2, 3)),  # the Parquet form: a JSON string
        ("ROW_RANGE", {"r1": True, "r2": 3.0}, RowRange(1, 3)),  # equal as cache keys to {"r1": 1, "r2": 3}
        ("EXCLUSION", EXCLUDE_ROWS, Exclusion(RowRange(1, 2))),
        ("EXCLUSION", {"exclude_type": "EXCLUSION", "exclude_params": EXCLUDE_ROWS}, Exclusion(Exclusion(RowRange(1, 2)))),
        ("EXCLUSION", {"exclude_type": "EXCLUSION", "exclude_params": {"exclude_type": "EXCLUSION",
                                                                        "exclude_params": EXCLUDE_ROWS}},
         Exclusion(Exclusion(Exclusion(RowRange(1, 2))))),  # nested too deep for a cache key: built uncached
        ("ROW_RANGE", {"r1": [2], "r2": 3}, ValueError),  # a list value: not a cache key, refused as uncached
        ("ROW_RANGE", {"r1": "x", "r2": 3}, ValueError),
        ("GLOBAL", None, GlobalRegion()),
        ("GLOBAL", 7, ValueError),
    ],
    ids=["dict", "json-string", "bool-float", "exclusion", "nested-exclusion", "deep-exclusion", "list-value", "not-int", "none",
         "number"],
)
def test_region_of_cached_or_not(rtype, params, expected):
    """Regions are built once per distinct parameters; every form still gives the region (or the error) it did."""
    for _ in range(2):  # the second call is answered by the cache (or refused again)
        meta = {"region_type": rtype, "region_params": params}
        if expected is ValueError:
            with pytest.raises(ValueError):
                region_of(meta)
        else:
            assert region_of(meta) == expected


def _golden():
    meta = {json.loads(l)["item_id"]: json.loads(l) for l in (VECTORS_DIR / "metadata_test.jsonl").open()}
    preds = {json.loads(l)["item_id"]: json.loads(l) for l in (VECTORS_DIR / "predictions.jsonl").open()}
    expected = [json.loads(l) for l in (VECTORS_DIR / "expected" / "per_item_eval.jsonl").open()]
    return [(meta[e["item_id"]], preds[e["item_id"]], e) for e in expected]


def test_golden_official_rows_field_by_field():
    """Rows written by the official evaluator, reproduced key for key, value for value, type for type."""
    golden = _golden()
    assert len(golden) == 87
    for meta, pred, expected in golden:
        row = score_item(
            meta, pred.get("raw_text"), model=pred["model"] if "model" in pred else "gpt55none",
            api_error_text=pred.get("error"),
        )
        assert list(row) == list(expected)
        mismatches = {k: (row[k], expected[k]) for k in expected
                      if row[k] != expected[k] or type(row[k]) is not type(expected[k])}
        assert not mismatches, (meta["item_id"], mismatches)
