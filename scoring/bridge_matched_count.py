"""Matched local count bridge (protocol §9.2): the T3 region asked as a count (T2B).

mL-Cnt and L-Clk see the identical region and target set, so L-Clk† (L-Clk
among pairs whose count was right) isolates count-to-click transfer.  Each T2B
row is paired with the model's main T3 row; a pair that disagrees on the
target count means the bridge and the main run come from different builds.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Mapping, Sequence

from . import contract as C
from .bridge_pipeline import (
    BridgeError,
    BridgeResult,
    BridgeSpec,
    click_cardinality,
    find_main,
    is_one,
    macro_summary,
    main_indexes,
    mean_over,
    run_bridge,
    share,
    where_one,
)
from .numeric import difference, mean

__all__ = [
    "MATCHED_COUNT",
    "MATCHED_COUNT_NOTES",
    "MATCHED_COUNT_PAPER_COLUMNS",
    "REGION_CASE_ORDER",
    "matched_count_extras",
    "pair_matched_count",
    "summarize_matched_count",
    "by_region_case",
    "evaluate_matched_count",
]

Row = Mapping[str, Any]

REGION_CASE_ORDER: tuple[str, ...] = C.REGION_CASES  # the order of the region-case buckets

MATCHED_COUNT_NOTES = {
    "mL-Cnt": "Strict COUNT PASS on the same numeric region and target set as the paired main T3 item.",
    "L-Clk|mL-Cnt correct": "Main T3 exact-set PASS over pairs whose matched local count passed.",
    "Transfer failure": "1 - L-Clk|mL-Cnt correct.",
}

# paper-table column -> macro key
MATCHED_COUNT_PAPER_COLUMNS = {
    "mL-Cnt": "mlcnt_pass_rate",
    "L-Clk": "lclk_pass_rate",
    "L-Clk | mL-Cnt correct": "lclk_pass_given_mlcnt_correct",
    "Card-Exact": "lclk_cardinality_exact_rate",
    "Card-Exact | mL-Cnt correct": "lclk_cardinality_exact_given_mlcnt_correct",
    "Loc-Exact | Card-Exact": "lclk_location_exact_given_cardinality",
    "Loc-Exact | Card & mL-Cnt": "lclk_location_exact_given_cardinality_and_mlcnt_correct",
    "C-F1": "lclk_click_f1_strict",
    "mL-Cnt VALID": "mlcnt_valid_rate",
    "L-Clk VALID": "lclk_valid_rate",
    "mL-Cnt to L-Clk drop": "mlcnt_to_lclk_drop",
    "Transfer failure": "transfer_failure_given_mlcnt_correct",
}

# metrics that need paired rows: all None when no bridge row found its main T3 row
_PAIRED_KEYS: tuple[str, ...] = (
    "lclk_pass_rate", "lclk_soft", "lclk_valid_rate", "lclk_cardinality_exact_rate",
    "lclk_location_exact_given_cardinality", "lclk_click_f1_strict", "mlcnt_to_lclk_drop",
    "lclk_pass_given_mlcnt_correct", "transfer_failure_given_mlcnt_correct",
    "lclk_cardinality_exact_given_mlcnt_correct", "lclk_click_f1_given_mlcnt_correct",
    "lclk_location_exact_given_cardinality_and_mlcnt_correct",
    "cross_task_cardinality_consistency_rate", "both_correct_rate", "mlcnt_correct_lclk_wrong_rate",
)


def matched_count_extras(ev: Row, meta: Row) -> dict[str, Any]:
    """Source ids of one scored T2B item (appended after the §7.5 fields)."""
    return {
        "source_item_id": meta.get("source_item_id"),
        "source_click_item_id": meta.get("source_click_item_id"),
        "bridge_type": meta.get("bridge_type"),
    }


def _paired_fields(row: Row, base: Row) -> dict[str, Any]:
    """The main T3 result attached to one bridge row."""
    clean, predicted, gt_count, exact = click_cardinality(base)
    bridge_count = row.get("pred_count")
    return {
        "base_lclk_matched": 1,
        "base_lclk_item_id": base.get("item_id"),
        "base_lclk_pass": int(base.get("pass") or 0),
        "base_lclk_soft": base.get("unified_soft"),
        "base_lclk_format_valid": int(base.get("format_valid") or 0),
        "base_lclk_clean_action": clean,
        "base_lclk_gt_count": gt_count,
        "base_lclk_pred_click_cardinality": predicted,
        "base_lclk_cardinality_exact": exact,
        "base_lclk_click_f1_strict": base.get("click_f1_strict"),
        "base_lclk_region_violation_count": base.get("region_violation_count"),
        "cross_task_cardinality_consistent": (
            int(int(bridge_count) == predicted) if bridge_count is not None and clean == 1 else None
        ),
    }


def pair_matched_count(rows: Sequence[dict], main_rows: Sequence[Row]) -> None:
    """Attach the model's main T3 row (by source_click_item_id, source_item_id, then (subset, scene_id)); in place.

    Raises BridgeError when a pair disagrees on the target count: then the
    bridge and the main run were not built from the same scenes.
    """
    by_item, by_scene = main_indexes(main_rows, C.T3)
    mismatches: list[str] = []
    for row in rows:
        base = find_main(row, by_item, by_scene, ("source_click_item_id", "source_item_id"))
        if base is None:
            row["base_lclk_matched"] = 0
            continue
        fields = _paired_fields(row, base)
        if int(row.get("gt_count") or 0) != fields["base_lclk_gt_count"]:
            mismatches.append(
                f"{row.get('item_id')} ({row.get('gt_count')}) vs {base.get('item_id')} ({fields['base_lclk_gt_count']})"
            )
        row.update(fields)
    if mismatches:
        raise BridgeError(
            f"{len(mismatches)} bridge/T3 pairs disagree on gt_count, e.g. {mismatches[0]} "
            "(fix: use the main per-item rows scored on the same dataset build as the bridge metadata)"
        )


def _both(row: Row) -> bool:
    return is_one(row.get("pass")) and is_one(row.get("base_lclk_pass"))


def _count_only(row: Row) -> bool:
    return is_one(row.get("pass")) and not is_one(row.get("base_lclk_pass"))


def summarize_matched_count(rows: Sequence[Row]) -> dict[str, Any]:
    """Bridge metrics of one group of scored, paired T2B rows (``{"n": 0}`` when empty)."""
    if not rows:
        return {"n": 0}
    paired = where_one(rows, "base_lclk_matched")
    count_ok = where_one(paired, "pass")
    card = where_one(paired, "base_lclk_cardinality_exact")
    count_ok_card = where_one(count_ok, "base_lclk_cardinality_exact")
    comparable = [r for r in paired if r.get("cross_task_cardinality_consistent") is not None]
    parsed = [r for r in rows if r.get("pred_count") is not None]
    out: dict[str, Any] = {
        "n": len(rows),
        "mlcnt_pass_rate": mean_over(rows, "pass"),
        "mlcnt_soft": mean_over(rows, "unified_soft"),
        "mlcnt_valid_rate": mean_over(rows, "format_valid"),
        "mlcnt_count_mae": mean(r.get("count_mae") for r in parsed),
        "mlcnt_count_bias": mean(r.get("count_bias") for r in parsed),
        "n_main_lclk_matched": len(paired),
        "n_mlcnt_correct": len(count_ok),
    }
    if not paired:
        return {**out, **dict.fromkeys(_PAIRED_KEYS)}
    mlcnt, lclk = mean_over(paired, "pass"), mean_over(paired, "base_lclk_pass")
    out.update(
        {
            "mlcnt_pass_on_paired": mlcnt,
            "lclk_pass_rate": lclk,
            "lclk_soft": mean_over(paired, "base_lclk_soft"),
            "lclk_valid_rate": mean_over(paired, "base_lclk_format_valid"),
            "lclk_cardinality_exact_rate": mean_over(paired, "base_lclk_cardinality_exact"),
            "lclk_location_exact_given_cardinality": mean_over(card, "base_lclk_pass"),
            "lclk_click_f1_strict": mean_over(paired, "base_lclk_click_f1_strict"),
            "mlcnt_to_lclk_drop": difference(mlcnt, lclk),
            "both_correct_rate": share(paired, _both),
            "mlcnt_correct_lclk_wrong_rate": share(paired, _count_only),
            "cross_task_cardinality_consistency_rate": mean_over(comparable, "cross_task_cardinality_consistent"),
        }
    )
    conditioned = mean_over(count_ok, "base_lclk_pass")
    out.update(
        {
            "lclk_pass_given_mlcnt_correct": conditioned,
            "transfer_failure_given_mlcnt_correct": None if conditioned is None else 1.0 - conditioned,
            "lclk_cardinality_exact_given_mlcnt_correct": mean_over(count_ok, "base_lclk_cardinality_exact"),
            "lclk_click_f1_given_mlcnt_correct": mean_over(count_ok, "base_lclk_click_f1_strict"),
            "lclk_location_exact_given_cardinality_and_mlcnt_correct": mean_over(count_ok_card, "base_lclk_pass"),
        }
    )
    return out


def _subset_sort_key(subset: str) -> tuple[int, str]:
    return (C.SUBSET_ORDER.index(subset), "") if subset in C.SUBSET_ORDER else (len(C.SUBSET_ORDER), subset)


def by_region_case(rows: Sequence[Row]) -> dict[str, dict[str, Any]]:
    """Raw ``region_case`` buckets (zero, partial, all, then the rest sorted), each macro over its subsets."""
    buckets: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        buckets[str(row.get("region_case") or "unknown")][str(row.get("rose_subset"))].append(row)
    order = [c for c in REGION_CASE_ORDER if c in buckets] + sorted(c for c in buckets if c not in REGION_CASE_ORDER)
    out = {}
    for case in order:
        subsets = {s: summarize_matched_count(buckets[case][s]) for s in sorted(buckets[case], key=_subset_sort_key)}
        out[case] = {"macro_equal_subset": macro_summary(subsets), "by_subset": subsets}
    return out


def _region_case_table(model: str, summary: Mapping[str, Any]) -> dict[str, list[dict]]:
    cases = summary["by_region_case"]
    return {"by_region_case": [{"model": model, "region_case": c, **v["macro_equal_subset"]} for c, v in cases.items()]}


def _transfer_failure(row: Row) -> bool:
    """Counted right, then clicked wrong on the same region."""
    return row.get("pass") == 1 and row.get("base_lclk_matched") == 1 and row.get("base_lclk_pass") != 1


MATCHED_COUNT = BridgeSpec(
    template=C.T2B,
    extras=matched_count_extras,
    pair=pair_matched_count,
    summarize=summarize_matched_count,
    paper_columns=MATCHED_COUNT_PAPER_COLUMNS,
    notes=MATCHED_COUNT_NOTES,
    summary_head={"source_task_template": C.T3},
    details=lambda rows, macro, main: {"by_region_case": by_region_case(rows)},
    row_sets={"mlcnt_correct_lclk_wrong": _transfer_failure},
    tables=_region_case_table,
)


def evaluate_matched_count(
    metadata_rows: Sequence[Row], prediction_rows: Sequence[Row], main_rows: Sequence[Row], **options: Any
) -> BridgeResult:
    """The whole §9.2 analysis (options as `bridge_pipeline.run_bridge`)."""
    return run_bridge(MATCHED_COUNT, metadata_rows, prediction_rows, main_rows, **options)
