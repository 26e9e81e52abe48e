"""Bridge diagnostics (protocol §9.1 global click, §9.2 matched local count)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rose_bench.scoring import contract as C
from rose_bench.scoring.bridges import (
    BridgeError,
    by_region_case,
    evaluate_global_click,
    evaluate_matched_count,
    infer_model,
    pair_global_click,
    pair_matched_count,
)
from rose_bench.scoring.grammar import CLICK, COUNT, format_answer
from rose_bench.scoring.grid import parse_cells
from rose_bench.scoring.io import InputError
from rose_bench.scoring.item import score_item

from rose_bench.cli import main as rose_main

from tests.support.fixtures import OFFICIAL_DIR as FIXTURES

GLYPH, ESTY, PEDIT = "ROSE-ChineseGlyph", "ROSE-EmojiStyle", "ROSE-PixelEdit"


def _load(name: str) -> list[dict]:
    with (FIXTURES / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def gclk_meta() -> list[dict]:
    return _load("global_click_metadata_test.jsonl")


@pytest.fixture(scope="module")
def mlcnt_meta() -> list[dict]:
    return _load("matched_local_count_metadata_test.jsonl")


def _close(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)


def _clicks(cells) -> str:
    return format_answer(CLICK, parse_cells(cells))


def _shift(cells: list[str]) -> list[str]:
    """Same number of cells, one moved by a column (location wrong, cardinality right)."""
    moved = sorted(parse_cells(cells))
    first = moved[0]
    moved[0] = type(first)(first.row, first.col + 1 if first.col > 1 else 2)
    return [c.key for c in moved]


# --- §9.1 global click -----------------------------------------------------------------------


def _main_row(meta, template, passed, *, model="m", item_id=None, **extra):
    return {
        "item_id": item_id or meta.get("source_item_id"), "scene_id": meta["scene_id"], "model": model,
        "rose_subset": meta["rose_subset"], "task_template": template, "pass": passed,
        "unified_soft": float(passed), **extra,
    }  # fmt: skip


@pytest.fixture(scope="module")
def gclk_case(gclk_meta):
    """Two Glyph + three E-Style T1B items with hand-chosen answers and main T1/T4 rows."""
    glyph = [r for r in gclk_meta if r["rose_subset"] == GLYPH and r["ground_truth_count"] >= 2][:2]
    esty = [r for r in gclk_meta if r["rose_subset"] == ESTY and r["ground_truth_count"] >= 1][:3]
    g1, g2 = glyph
    e1, e2, e3 = esty
    first = g1["ground_truth_clicks"][0]
    preds = [
        {"item_id": g1["item_id"], "raw_text": g1["answer"], "model": "m"},  # pass
        {"item_id": g2["item_id"], "raw_text": _clicks(_shift(g2["ground_truth_clicks"])), "model": "m"},  # card ok, loc wrong
        {"item_id": e1["item_id"], "raw_text": f"CLICK({e1['ground_truth_clicks'][0]}); " + e1["answer"], "model": "m"},  # dup
        {"item_id": e2["item_id"], "raw_text": e2["answer"], "model": "m"},
        {"item_id": e3["item_id"], "raw_text": e3["answer"], "model": "m"},
    ]
    assert first in g1["answer"]
    main = [
        _main_row(g1, C.T1, 1), _main_row(g2, C.T1, 1), _main_row(e1, C.T1, 0),
        _main_row(e2, C.T1, 1, item_id="RENAMED_T1"),  # paired through (subset, scene_id)
        # e3: no main row at all -> unpaired
        _main_row(g1, C.T1, 0, model="other"),  # another model's row is ignored
        _main_row(g1, C.T4, 1, item_id="g1_t4"), _main_row(g2, C.T4, 0, item_id="g2_t4"), _main_row(e1, C.T4, 1, item_id="e1_t4"),
    ]  # fmt: skip
    return glyph + esty, preds, main


def test_global_click_per_item_fields(gclk_case):
    meta, preds, main = gclk_case
    result = evaluate_global_click(meta, preds, main, model="m")
    rows = result.rows
    assert [r["item_id"] for r in rows] == sorted(p["item_id"] for p in preds)
    by_id = {r["item_id"]: r for r in rows}
    g1, g2, e1, e2, e3 = (by_id[p["item_id"]] for p in preds)
    assert list(g1)[-13:] == [
        "source_item_id", "bridge_type", "clean_action", "predicted_click_cardinality", "target_click_cardinality",
        "cardinality_error", "cardinality_abs_error", "cardinality_exact_nonstrict", "cardinality_exact",
        "base_gcnt_matched", "base_gcnt_item_id", "base_gcnt_pass", "base_gcnt_soft",
    ]  # fmt: skip
    assert (g1["pass"], g1["cardinality_exact"], g1["base_gcnt_pass"]) == (1, 1, 1)
    assert (g2["pass"], g2["cardinality_exact"], g2["cardinality_error"]) == (0, 1, 0)
    # a duplicated click: not clean, so strict cardinality fails even though the unique count matches
    assert (e1["clean_action"], e1["cardinality_exact_nonstrict"], e1["cardinality_exact"]) == (0, 1, 0)
    assert (e2["base_gcnt_matched"], e2["base_gcnt_item_id"], e2["base_gcnt_pass"]) == (1, "RENAMED_T1", 1)
    assert (e3["base_gcnt_matched"], e3["base_gcnt_item_id"], e3["base_gcnt_pass"], e3["base_gcnt_soft"]) == (0, None, None, None)
    assert g1["bridge_type"] is None and g1["source_item_id"] == g1["item_id"].removesuffix("__GCLK")
    assert [r["item_id"] for r in result.row_sets["error_cases"]] == sorted([g2["item_id"], e1["item_id"]])


def test_global_click_metrics_hand_computed(gclk_case):
    meta, preds, main = gclk_case
    result = evaluate_global_click(meta, preds, main, model="m")
    s = result.summary
    glyph, esty = s["by_subset"][GLYPH], s["by_subset"][ESTY]
    assert list(s["by_subset"]) == [GLYPH, ESTY]
    expected = {
        # key: (Glyph, E-Style, macro)
        "gclk_pass_rate": (0.5, 2 / 3, 7 / 12),
        "cardinality_exact_rate": (1.0, 2 / 3, 5 / 6),
        "location_exact_given_cardinality": (0.5, 1.0, 0.75),
        "gcnt_pass_rate": (1.0, 0.5, 0.75),
        "gclk_pass_on_paired": (0.5, 0.5, 0.5),
        "gclk_pass_given_gcnt_correct": (0.5, 1.0, 0.75),
        "gcnt_to_gclk_drop": (0.5, 0.0, 0.25),
        "both_correct_rate": (0.5, 0.5, 0.5),
        "gcnt_correct_gclk_wrong_rate": (0.5, 0.0, 0.25),
        "n_main_gcnt_matched": (2, 2, 2.0),
        "duplicate_click_sample_rate": (0.0, 1 / 3, 1 / 6),
    }
    for key, (g, e, macro) in expected.items():
        assert _close(glyph[key], g) and _close(esty[key], e) and _close(s["macro_equal_subset"][key], macro), key
    assert s["macro_equal_subset"]["n"] == 5 and s["macro_equal_subset"]["num_subsets"] == 2
    assert _close(s["micro_pooled"]["gclk_pass_rate"], 3 / 5)
    d = s["bridge_deltas"]
    assert _close(d["V-Clk"], 0.75) and _close(d["delta_C_to_G"], 7 / 12 - 0.75) and _close(d["delta_G_to_V"], 0.75 - 7 / 12)
    assert result.paper == {
        "Model": "m", "G-Cnt": 75.0, "G-Clk": 58.3, "G-Clk | G-Cnt correct": 75.0, "Card-Exact": 83.3,
        "Card-Exact | G-Cnt correct": 100.0, "Loc-Exact | Card-Exact": 75.0,
        "C-F1": round(100 * s["macro_equal_subset"]["click_f1_strict"], 1), "VALID": 100.0, "G-Cnt to G-Clk drop": 25.0,
    }  # fmt: skip


def test_global_click_main_model_and_digits(gclk_case):
    meta, preds, main = gclk_case
    other = evaluate_global_click(meta, preds, main, model="m", main_model="other", digits=2)
    assert other.summary["macro_equal_subset"]["n_main_gcnt_matched"] == 0.5  # Glyph 1 pair, E-Style 0
    assert other.paper["G-Cnt"] == 0.0 and other.paper["G-Clk"] == 58.33
    alone = evaluate_global_click(meta, preds, [], model="m")
    assert alone.paper["G-Cnt"] is None and alone.summary["bridge_deltas"]["V-Clk"] is None


@pytest.mark.parametrize(
    "source_item_id,main_item_id,main_scene,expected",
    [
        ("T1_A", "T1_A", "other_scene", "T1_A"),
        ("T1_A", "T1_X", "S1", "T1_X"),
        (None, "T1_X", "S1", "T1_X"),
        ("T1_A", "T1_X", "S2", None),
    ],
    ids=["by_source_item_id", "scene_fallback", "no_source_id_scene_fallback", "unpaired"],
)
def test_global_click_pairing(source_item_id, main_item_id, main_scene, expected):
    row = {"item_id": "b", "source_item_id": source_item_id, "rose_subset": GLYPH, "scene_id": "S1"}
    main = [{"item_id": main_item_id, "scene_id": main_scene, "rose_subset": GLYPH, "task_template": C.T1, "pass": 1}]
    pair_global_click([row], main)
    assert row["base_gcnt_item_id"] == expected and row["base_gcnt_matched"] == int(expected is not None)


# --- §9.2 matched local count --------------------------------------------------------------


def _t3_row(meta, *, passed, clean=True, unique=None, model="m", item_id=None, gt=None):
    gt_count = meta["ground_truth_count"] if gt is None else gt
    return {
        "item_id": item_id or meta["source_click_item_id"], "scene_id": meta["scene_id"], "model": model,
        "rose_subset": meta["rose_subset"], "task_template": C.T3, "pass": passed, "unified_soft": float(passed),
        "format_valid": int(clean), "invalid_coordinate_count": 0, "duplicate_click_count": 0,
        "pred_click_count_unique": gt_count if unique is None else unique, "gt_count": gt_count,
        "click_f1_strict": float(passed), "region_violation_count": 0,
    }  # fmt: skip


def _pick(rows, subset, case, *, skip=0):
    return [r for r in rows if r["rose_subset"] == subset and r["region_case"] == case][skip]


@pytest.fixture(scope="module")
def mlcnt_case(mlcnt_meta):
    a = _pick(mlcnt_meta, GLYPH, "zero")
    b = _pick(mlcnt_meta, GLYPH, "partial")
    c = _pick(mlcnt_meta, PEDIT, "all")
    d = _pick(mlcnt_meta, PEDIT, "partial")
    f = _pick(mlcnt_meta, PEDIT, "fallback_zero_wanted_partial")
    count = lambda m, k: {"item_id": m["item_id"], "raw_text": f"COUNT({k})", "model": "m"}
    preds = [
        count(a, 0), count(b, b["ground_truth_count"]), count(c, c["ground_truth_count"] + 1),
        count(d, d["ground_truth_count"]), count(f, 0),
    ]  # fmt: skip
    main = [
        _t3_row(a, passed=0, unique=1),  # clicked something in an empty region
        _t3_row(b, passed=1),
        _t3_row(c, passed=1),
        _t3_row(d, passed=0, clean=False, unique=0),
        _t3_row(f, passed=1, item_id="RENAMED_T3"),  # paired through (subset, scene_id)
        _t3_row(b, passed=0, model="other"),
    ]
    return [a, b, c, d, f], preds, main


def test_matched_count_pair_fields(mlcnt_case):
    meta, preds, main = mlcnt_case
    result = evaluate_matched_count(meta, preds, main, model="m")
    by_id = {r["item_id"]: r for r in result.rows}
    a, b, c, d, f = (by_id[m["item_id"]] for m in meta)
    assert list(b)[-15:] == [
        "source_item_id", "source_click_item_id", "bridge_type", "base_lclk_matched", "base_lclk_item_id",
        "base_lclk_pass", "base_lclk_soft", "base_lclk_format_valid", "base_lclk_clean_action", "base_lclk_gt_count",
        "base_lclk_pred_click_cardinality", "base_lclk_cardinality_exact", "base_lclk_click_f1_strict",
        "base_lclk_region_violation_count", "cross_task_cardinality_consistent",
    ]  # fmt: skip
    assert (a["pass"], a["base_lclk_cardinality_exact"], a["cross_task_cardinality_consistent"]) == (1, 0, 0)
    assert (b["pass"], b["base_lclk_cardinality_exact"], b["cross_task_cardinality_consistent"]) == (1, 1, 1)
    assert (c["pass"], c["base_lclk_pass"], c["cross_task_cardinality_consistent"]) == (0, 1, 0)
    assert (d["base_lclk_clean_action"], d["cross_task_cardinality_consistent"]) == (0, None)
    assert f["base_lclk_item_id"] == "RENAMED_T3"
    assert [r["item_id"] for r in result.row_sets["mlcnt_correct_lclk_wrong"]] == sorted([a["item_id"], d["item_id"]])
    assert [r["item_id"] for r in result.row_sets["error_cases"]] == [c["item_id"]]


def test_matched_count_metrics_hand_computed(mlcnt_case):
    meta, preds, main = mlcnt_case
    s = evaluate_matched_count(meta, preds, main, model="m").summary
    expected = {
        # key: (Glyph, P-Edit, macro)
        "mlcnt_pass_rate": (1.0, 2 / 3, 5 / 6),
        "lclk_pass_rate": (0.5, 2 / 3, 7 / 12),
        "lclk_pass_given_mlcnt_correct": (0.5, 0.5, 0.5),
        "transfer_failure_given_mlcnt_correct": (0.5, 0.5, 0.5),
        "lclk_cardinality_exact_rate": (0.5, 2 / 3, 7 / 12),
        "lclk_location_exact_given_cardinality": (1.0, 1.0, 1.0),
        "lclk_location_exact_given_cardinality_and_mlcnt_correct": (1.0, 1.0, 1.0),
        "mlcnt_to_lclk_drop": (0.5, 0.0, 0.25),
        "mlcnt_correct_lclk_wrong_rate": (0.5, 1 / 3, 5 / 12),
        "cross_task_cardinality_consistency_rate": (0.5, 0.5, 0.5),
        "lclk_valid_rate": (1.0, 2 / 3, 5 / 6),
    }
    glyph, pedit, macro = s["by_subset"][GLYPH], s["by_subset"][PEDIT], s["macro_equal_subset"]
    for key, (g, p, m) in expected.items():
        assert _close(glyph[key], g) and _close(pedit[key], p) and _close(macro[key], m), key


def test_matched_count_region_case_buckets(mlcnt_case):
    meta, preds, main = mlcnt_case
    result = evaluate_matched_count(meta, preds, main, model="m")
    cases = result.summary["by_region_case"]
    assert list(cases) == ["zero", "partial", "all", "fallback_zero_wanted_partial"]
    want = {
        # case: (mL-Cnt, L-Clk, L-Clk|mL-Cnt, Fail)
        "zero": (1.0, 0.0, 0.0, 1.0),
        "partial": (1.0, 0.5, 0.5, 0.5),
        "all": (0.0, 1.0, None, None),
        "fallback_zero_wanted_partial": (1.0, 1.0, 1.0, 0.0),
    }
    keys = ("mlcnt_pass_rate", "lclk_pass_rate", "lclk_pass_given_mlcnt_correct", "transfer_failure_given_mlcnt_correct")
    for case, values in want.items():
        macro = cases[case]["macro_equal_subset"]
        assert all(_close(macro[k], v) for k, v in zip(keys, values)), (case, [macro[k] for k in keys])
    assert list(cases["partial"]["by_subset"]) == [GLYPH, PEDIT]
    table = result.tables["by_region_case"]
    assert [(row["model"], row["region_case"]) for row in table] == [("m", c) for c in want]
    assert result.paper["mL-Cnt"] == 83.3 and result.paper["Transfer failure"] == 50.0


def test_region_case_order_puts_unknown_cases_last():
    rows = [
        {"rose_subset": GLYPH, "region_case": case, "pass": 1}
        for case in ("fallback_all_wanted_partial", "all", None, "zero", "partial")
    ]
    assert list(by_region_case(rows)) == ["zero", "partial", "all", "fallback_all_wanted_partial", "unknown"]


@pytest.mark.parametrize(
    "click_id,source_id,main_item_id,main_scene,expected",
    [
        ("T3_A", "T3_B", "T3_A", "x", "T3_A"),
        ("missing", "T3_B", "T3_B", "x", "T3_B"),
        (None, None, "T3_Z", "S1", "T3_Z"),
        ("missing", "missing2", "T3_Z", "S2", None),
    ],
    ids=["by_source_click_item_id", "by_source_item_id", "scene_fallback", "unpaired"],
)
def test_matched_count_pairing(click_id, source_id, main_item_id, main_scene, expected):
    row = {"item_id": "b", "source_click_item_id": click_id, "source_item_id": source_id, "rose_subset": GLYPH,
           "scene_id": "S1", "gt_count": 1, "pred_count": 1}  # fmt: skip
    main = [{"item_id": main_item_id, "scene_id": main_scene, "rose_subset": GLYPH, "task_template": C.T3, "pass": 1,
             "gt_count": 1, "format_valid": 1, "pred_click_count_unique": 1}]  # fmt: skip
    pair_matched_count([row], main)
    assert row["base_lclk_matched"] == int(expected is not None)
    assert row.get("base_lclk_item_id") == expected
    if expected is None:
        assert "base_lclk_pass" not in row  # unpaired rows carry only the flag, as the official script


def test_matched_count_gt_count_mismatch_aborts(mlcnt_case):
    meta, preds, main = mlcnt_case
    broken = [dict(r) for r in main]
    broken[1]["gt_count"] += 1
    with pytest.raises(BridgeError, match="disagree on gt_count"):
        evaluate_matched_count(meta, preds, broken, model="m")


# --- coverage / inputs -----------------------------------------------------------------------


def test_malformed_metadata_is_a_bridge_error(gclk_case):
    meta, preds, main = gclk_case
    broken = [dict(m) for m in meta]
    del broken[0]["rows"]
    with pytest.raises(BridgeError, match=f"{meta[0]['item_id']}.*rose validate"):
        evaluate_global_click(broken, preds, main, model="m")


def test_coverage_rules(gclk_case, mlcnt_case):
    meta, preds, main = gclk_case
    with pytest.raises(BridgeError, match="have no prediction"):
        evaluate_global_click(meta, preds[:3], main, model="m")
    partial = evaluate_global_click(meta, preds[:3] + [{"item_id": "extra", "raw_text": "DONE"}], main, model="m", allow_partial=True)
    cov = {k: partial.summary[k] for k in ("num_expected", "num_predictions_used", "num_missing", "num_extra")}
    assert cov == {"num_expected": 5, "num_predictions_used": 3, "num_missing": 2, "num_extra": 1}
    with pytest.raises(BridgeError, match="no prediction item_id matches"):
        evaluate_global_click(meta, [{"item_id": "x", "raw_text": "DONE"}], main, allow_partial=True)
    with pytest.raises(BridgeError, match="expected only T2B_COUNT_LOCAL_MATCHED"):
        evaluate_matched_count(meta, preds, main)
    # duplicate predictions: the last one wins and is counted
    dup = evaluate_global_click(meta, preds + [{**preds[1], "raw_text": meta[1]["answer"]}], main, model="m")
    assert dup.summary["num_duplicate_prediction_rows"] == 1 and dup.summary["by_subset"][GLYPH]["gclk_pass_rate"] == 1.0


@pytest.mark.parametrize(
    "rows,override,expected",
    [([{"model": "a"}, {"model": "a"}], "", "a"), ([{}], "", "model"), ([{"model": "a"}, {"model": "b"}], "x", "x")],
    ids=["single", "fallback", "override"],
)
def test_infer_model(rows, override, expected):
    assert infer_model(rows, override) == expected


def test_infer_model_refuses_several():
    with pytest.raises(InputError, match="several model names"):
        infer_model([{"model": "a"}, {"model": "b"}])
    with pytest.raises(InputError, match="several model names"):
        evaluate_global_click([], [{"item_id": "x", "model": "a"}, {"item_id": "y", "model": "b"}], [])


# --- fixture end to end ----------------------------------------------------------------------


def _as_main(meta: dict, template: str, mode: str, item_id: str) -> dict:
    """The main item a bridge row was derived from (protocol §4.5), rebuilt from the bridge row."""
    row = dict(meta, task_template=template, task_mode=mode, item_id=item_id)
    answer = format_answer(mode, parse_cells(meta["ground_truth_clicks"]), count=meta["ground_truth_count"])
    return dict(row, ground_truth_formal_answer=answer, answer=answer)


def _write(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_fixture_end_to_end_gold_answers_give_all_ones(tmp_path, gclk_meta, mlcnt_meta, capsys):
    main_t1 = [_as_main(m, C.T1, COUNT, m["source_item_id"]) for m in gclk_meta]
    main_t3 = [_as_main(m, C.T3, CLICK, m["source_click_item_id"]) for m in mlcnt_meta]
    per_item = [score_item(m, m["answer"], model="gold") for m in main_t1 + main_t3]
    main_dir = tmp_path / "main" / "run"
    main_dir.mkdir(parents=True)
    _write(main_dir / "per_item_eval.jsonl", per_item)

    for bridge, meta, name in [("global-click", gclk_meta, "gclk"), ("matched-local-count", mlcnt_meta, "mlcnt")]:
        meta_path = _write(tmp_path / f"{name}_metadata.jsonl", meta)
        pred_path = _write(tmp_path / f"{name}_pred.jsonl", [{"item_id": m["item_id"], "raw_text": m["answer"]} for m in meta])
        out = tmp_path / f"out_{name}"
        argv = ["bridge", bridge, "--metadata", str(meta_path), "--predictions", str(pred_path),
                "--main_per_item", str(tmp_path / "main"), "--out_dir", str(out), "--model", "gold"]  # fmt: skip
        assert rose_main(argv) == 0, capsys.readouterr().err
        table = json.loads(next(out.glob("*_paper_table.json")).read_text(encoding="utf-8"))
        drops = {"G-Cnt to G-Clk drop", "mL-Cnt to L-Clk drop", "Transfer failure"}
        assert all(v == (0.0 if k in drops else 100.0) for k, v in table.items() if k != "Model"), table
        assert table["Model"] == "gold"
        with next(out.glob("*_paper_table.csv")).open(encoding="utf-8-sig") as handle:
            assert next(iter(csv.DictReader(handle)))["Model"] == "gold"

    gout, mout = tmp_path / "out_gclk", tmp_path / "out_mlcnt"
    assert sorted(p.name for p in gout.iterdir()) == sorted([
        "per_item_global_click_eval.jsonl", "global_click_error_cases.jsonl", "global_click_summary.json",
        "global_click_by_subset.csv", "global_click_paper_table.csv", "global_click_paper_table.json",
    ])  # fmt: skip
    assert sorted(p.name for p in mout.iterdir()) == sorted([
        "per_item_matched_count_eval.jsonl", "matched_count_error_cases.jsonl", "mlcnt_correct_lclk_wrong.jsonl",
        "matched_count_summary.json", "matched_count_by_subset.csv", "matched_count_by_region_case.csv",
        "matched_count_paper_table.csv", "matched_count_paper_table.json",
    ])  # fmt: skip
    summary = json.loads((mout / "matched_count_summary.json").read_text(encoding="utf-8"))
    assert list(summary["by_region_case"]) == [
        "zero", "partial", "all", "fallback_all_wanted_partial", "fallback_partial_wanted_all",
        "fallback_zero_wanted_all", "fallback_zero_wanted_partial",
    ]  # fmt: skip
    assert all(v["macro_equal_subset"]["lclk_pass_given_mlcnt_correct"] == 1.0 for v in summary["by_region_case"].values())
    assert summary["num_predictions_used"] == 1112 and summary["macro_equal_subset"]["num_subsets"] == 5
    assert (gout / "global_click_error_cases.jsonl").read_text(encoding="utf-8") == ""


def test_cli_errors_exit_2_and_write_nothing(tmp_path, gclk_meta, mlcnt_meta, capsys):
    meta_path = _write(tmp_path / "m.jsonl", mlcnt_meta[:3])
    pred_path = _write(tmp_path / "p.jsonl", [{"item_id": m["item_id"], "raw_text": m["answer"]} for m in mlcnt_meta[:3]])
    main_path = _write(tmp_path / "per_item_eval.jsonl", [
        {**_t3_row(m, passed=1, model="model"), "gt_count": m["ground_truth_count"] + 1} for m in mlcnt_meta[:3]
    ])  # fmt: skip
    out = tmp_path / "out"
    argv = ["bridge", "matched-local-count", "--metadata", str(meta_path), "--predictions", str(pred_path),
            "--main_per_item", str(main_path), "--out_dir", str(out)]  # fmt: skip
    assert rose_main(argv) == 2
    assert "disagree on gt_count" in capsys.readouterr().err and not out.exists()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"item_id": "x", "raw_text": "COUNT(1)"}\n{oops\n', encoding="utf-8")
    argv[5] = str(bad)
    assert rose_main(argv) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl" in err and ":2" in err and not out.exists()


@pytest.mark.parametrize("layout", ["official_folder", "build_dir_parquet"])
def test_cli_metadata_directory_layouts(tmp_path, gclk_meta, layout, capsys):
    meta = gclk_meta[:20]
    root = tmp_path / "ds"
    if layout == "official_folder":
        root.mkdir()
        _write(root / "metadata_test.jsonl", meta)
    else:
        pa = pytest.importorskip("pyarrow")
        pq = pytest.importorskip("pyarrow.parquet")
        (root / "data" / "t1b").mkdir(parents=True)
        flat = [
            {**m, "region_params": json.dumps(m["region_params"]), "image_region_params": json.dumps(m["image_region_params"]),
             "image": {"bytes": b"\x89PNG\r\n\x1a\n", "path": m["image"]}}
            for m in meta
        ]  # fmt: skip
        pq.write_table(pa.Table.from_pylist(flat), root / "data" / "t1b" / "test-00000-of-00001.parquet")
    pred = _write(tmp_path / "p.jsonl", [{"item_id": m["item_id"], "raw_text": m["answer"]} for m in meta])
    out = tmp_path / "out"
    argv = ["bridge", "global-click", "--metadata", str(root), "--predictions", str(pred), "--out_dir", str(out)]
    assert rose_main(argv) == 0, capsys.readouterr().err
    paper = json.loads((out / "global_click_paper_table.json").read_text(encoding="utf-8"))
    assert paper["G-Clk"] == 100.0 and paper["G-Cnt"] is None
    assert rose_main([*argv[:-2], "--out_dir", str(tmp_path / "o2"), "--split", "dev"]) == 2
    assert "dev" in capsys.readouterr().err
