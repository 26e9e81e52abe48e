"""Global-click bridge (protocol §9.1): the T1 scene asked as "click all odd cells" (T1B).

Separates *finding* the targets (G-Cnt) from *pointing at* them (G-Clk) and
from pointing inside a cued region (V-Clk): ΔC→G = G-Clk − G-Cnt,
ΔG→V = V-Clk − G-Clk.  Each T1B row is paired with the model's main T1 row of
the same scene; V-Clk is the Table-2 T4 PASS of the model's main rows.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from . import contract as C
from .aggregate import table2
from .bridge_pipeline import (
    BridgeResult, BridgeSpec, click_cardinality, find_main, is_one, main_indexes, mean_over, run_bridge, share, where_one,
)
from .numeric import difference

__all__ = [
    "GLOBAL_CLICK",
    "GLOBAL_CLICK_NOTES",
    "GLOBAL_CLICK_PAPER_COLUMNS",
    "global_click_extras",
    "pair_global_click",
    "summarize_global_click",
    "evaluate_global_click",
]

Row = Mapping[str, Any]

GLOBAL_CLICK_NOTES = {
    "G-Clk": "Strict exact-set PASS for clicking every odd cell of the whole grid.",
    "Card-Exact": "The clean answer's number of unique in-grid clicks equals the target count.",
    "Loc-Exact|Card-Exact": "Exact-set PASS among items with the right click cardinality.",
    "G-Clk|G-Cnt correct": "Bridge PASS on paired scenes whose main T1 count passed.",
    "delta_C_to_G": "G-Clk - G-Cnt (macro values).",
    "delta_G_to_V": "V-Clk - G-Clk, V-Clk = Table-2 T4 PASS of the main per-item rows.",
}

# paper-table column -> macro key
GLOBAL_CLICK_PAPER_COLUMNS = {
    "G-Cnt": "gcnt_pass_rate",
    "G-Clk": "gclk_pass_rate",
    "G-Clk | G-Cnt correct": "gclk_pass_given_gcnt_correct",
    "Card-Exact": "cardinality_exact_rate",
    "Card-Exact | G-Cnt correct": "cardinality_exact_given_gcnt_correct",
    "Loc-Exact | Card-Exact": "location_exact_given_cardinality",
    "C-F1": "click_f1_strict",
    "VALID": "valid_rate",
    "G-Cnt to G-Clk drop": "gcnt_to_gclk_drop",
}


def global_click_extras(ev: Row, meta: Row) -> dict[str, Any]:
    """Cardinality fields of one scored T1B item (appended after the §7.5 fields)."""
    clean, predicted, target, exact = click_cardinality(ev)
    return {
        "source_item_id": meta.get("source_item_id"),
        "bridge_type": meta.get("bridge_type"),
        "clean_action": clean,
        "predicted_click_cardinality": predicted,
        "target_click_cardinality": target,
        "cardinality_error": predicted - target,
        "cardinality_abs_error": abs(predicted - target),
        "cardinality_exact_nonstrict": int(predicted == target),
        "cardinality_exact": exact,
    }


def pair_global_click(rows: Sequence[dict], main_rows: Sequence[Row]) -> None:
    """Attach the main T1 result of the same scene (by source_item_id, else (subset, scene_id)); in place."""
    by_item, by_scene = main_indexes(main_rows, C.T1)
    for row in rows:
        base = find_main(row, by_item, by_scene, ("source_item_id",))
        row.update(
            {
                "base_gcnt_matched": int(base is not None),
                "base_gcnt_item_id": base.get("item_id") if base else None,
                "base_gcnt_pass": int(base.get("pass") or 0) if base else None,
                "base_gcnt_soft": base.get("unified_soft") if base else None,
            }
        )


def summarize_global_click(rows: Sequence[Row]) -> dict[str, Any]:
    """Bridge metrics of one group of scored, paired T1B rows (``{"n": 0}`` when empty)."""
    if not rows:
        return {"n": 0}
    card = where_one(rows, "cardinality_exact")
    paired = where_one(rows, "base_gcnt_matched")
    gcnt_ok = where_one(paired, "base_gcnt_pass")
    out: dict[str, Any] = {
        "n": len(rows),
        "gclk_pass_rate": mean_over(rows, "pass"),
        "gclk_soft": mean_over(rows, "unified_soft"),
        "valid_rate": mean_over(rows, "format_valid"),
        "api_error_rate": mean_over(rows, "api_error"),
        "cardinality_exact_rate": mean_over(rows, "cardinality_exact"),
        "cardinality_exact_nonstrict_rate": mean_over(rows, "cardinality_exact_nonstrict"),
        "cardinality_mae": mean_over(rows, "cardinality_abs_error"),
        "cardinality_bias": mean_over(rows, "cardinality_error"),
        "location_exact_given_cardinality": mean_over(card, "pass"),
        "click_precision": mean_over(rows, "click_precision"),
        "click_recall": mean_over(rows, "click_recall"),
        "click_f1_strict": mean_over(rows, "click_f1_strict"),
        "click_iou_strict": mean_over(rows, "click_iou_strict"),
        "invalid_coordinate_sample_rate": share(rows, lambda r: (r.get("invalid_coordinate_count") or 0) > 0),
        "duplicate_click_sample_rate": share(rows, lambda r: (r.get("duplicate_click_count") or 0) > 0),
        "n_cardinality_exact": len(card),
        "n_main_gcnt_matched": len(paired),
        "n_main_gcnt_correct": len(gcnt_ok),
    }
    gcnt, gclk = mean_over(paired, "base_gcnt_pass"), mean_over(paired, "pass")
    out.update(
        {
            "gcnt_pass_rate": gcnt,
            "gclk_pass_on_paired": gclk,
            "gclk_minus_gcnt": difference(gclk, gcnt),
            "gcnt_to_gclk_drop": difference(gcnt, gclk),
            "both_correct_rate": share(paired, lambda r: is_one(r.get("base_gcnt_pass")) and is_one(r.get("pass"))),
            "gcnt_correct_gclk_wrong_rate": share(
                paired, lambda r: is_one(r.get("base_gcnt_pass")) and not is_one(r.get("pass"))
            ),
            "gclk_pass_given_gcnt_correct": mean_over(gcnt_ok, "pass"),
            "cardinality_exact_given_gcnt_correct": mean_over(gcnt_ok, "cardinality_exact"),
            "click_f1_given_gcnt_correct": mean_over(gcnt_ok, "click_f1_strict"),
        }
    )
    return out


def _deltas(rows: Sequence[dict], macro: Mapping[str, Any], main: Sequence[Row]) -> dict[str, Any]:
    """The summary's "bridge_deltas": G-Cnt -> G-Clk -> V-Clk (V-Clk from the main rows' Table 2)."""
    v_clk = table2(main).get(C.TEMPLATE_SHORT[C.T4]) if main else None
    return {
        "bridge_deltas": {
            "G-Cnt": macro.get("gcnt_pass_rate"),
            "G-Clk": macro.get("gclk_pass_rate"),
            "V-Clk": v_clk,
            "delta_C_to_G": difference(macro.get("gclk_pass_rate"), macro.get("gcnt_pass_rate")),
            "delta_G_to_V": difference(v_clk, macro.get("gclk_pass_rate")),
        }
    }


GLOBAL_CLICK = BridgeSpec(
    template=C.T1B,
    extras=global_click_extras,
    pair=pair_global_click,
    summarize=summarize_global_click,
    paper_columns=GLOBAL_CLICK_PAPER_COLUMNS,
    notes=GLOBAL_CLICK_NOTES,
    details=_deltas,
)


def evaluate_global_click(
    metadata_rows: Sequence[Row], prediction_rows: Sequence[Row], main_rows: Sequence[Row], **options: Any
) -> BridgeResult:
    """The whole §9.1 analysis (options as `bridge_pipeline.run_bridge`)."""
    return run_bridge(GLOBAL_CLICK, metadata_rows, prediction_rows, main_rows, **options)
