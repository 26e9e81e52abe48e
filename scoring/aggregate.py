"""Group summaries and paper tables over per-item records (protocol §8.1–§8.5).

Pure functions of the §7.5 rows produced by ``item.score_item``.  Two
conventions from the official evaluator matter for reproducing its numbers:

* means skip None (a metric that does not apply to a row is not a zero), and a
  group with no applicable rows gives None, never 0;
* paper averages are *macro over visual subsets that have rows* — each subset
  weighs the same although subsets differ in size — so they are not item means.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Mapping, Optional, Sequence

from .contract import ACTION_TEMPLATES, SUBSET_ORDER, T1, T4, TEMPLATE_ORDER, TEMPLATE_SHORT
from .numeric import difference, mean, percent

__all__ = [
    "mean",
    "summary_for",
    "group_summary",
    "macro_over_subsets",
    "table1",
    "table2",
    "primary_table",
    "perception_action_gap",
    "scene_conditioned_action",
    "percentage_tree",
    "PERCENT_KEYS",
    "PRIMARY_COLUMNS",
]

Row = Mapping[str, Any]

# Non-"rate" keys whose values are fractions and are shown as percentages.
PERCENT_KEYS = frozenset(
    {"PASS", "SOFT", "VALID", "Avg. PASS", "Avg. SOFT", "C-F1", "R-OK", *TEMPLATE_SHORT.values(), "Action Avg."}
)

# Column names of the README/paper primary table (§8.4; paper spells Excl-CS).
PRIMARY_COLUMNS: tuple[str, ...] = (
    "G-Cnt", "L-Cnt", "L-Clk", "V-Clk", "Excl-CS", "Glyph", "Emoji", "Pixel", "Avg.", "VALID",
)
_PRIMARY_TEMPLATE_COLUMN = dict(zip(TEMPLATE_ORDER, PRIMARY_COLUMNS[:5], strict=True))
_SUBSET_FAMILIES: dict[str, tuple[str, ...]] = {  # primary-table columns: ChineseGlyph | the two Emoji | the two Pixel
    "Glyph": SUBSET_ORDER[:1],
    "Emoji": SUBSET_ORDER[1:3],
    "Pixel": SUBSET_ORDER[3:5],
}


def _positive_share(rows: Sequence[Row], key: str) -> Optional[float]:
    return mean(int((row.get(key) or 0) > 0) for row in rows)


def summary_for(rows: Sequence[Row]) -> dict:
    """§8.1 group summary; keys and order are the official ones ({"n": 0} when empty)."""
    if not rows:
        return {"n": 0}
    count_rows = [r for r in rows if r.get("count_applicable") == 1]
    click_rows = [r for r in rows if r.get("click_applicable") == 1]
    submit_rows = [r for r in rows if r.get("submit_applicable") == 1]
    exclusion_rows = [r for r in rows if r.get("region_type") == "EXCLUSION"]
    parsed_count_rows = [r for r in count_rows if r.get("pred_count") is not None]

    def over(group: Sequence[Row], key: str) -> Optional[float]:
        return mean(r.get(key) for r in group)

    return {
        "n": len(rows),
        "pass_rate": over(rows, "pass"),
        "unified_soft": over(rows, "unified_soft"),
        "valid_rate": over(rows, "format_valid"),
        "format_error_rate": over(rows, "format_error"),
        "api_error_rate": over(rows, "api_error"),
        "n_count_applicable": len(count_rows),
        "count_exact_rate": over(count_rows, "count_exact"),
        "count_mae_parsed": over(parsed_count_rows, "count_mae"),
        "count_bias_parsed": over(parsed_count_rows, "count_bias"),
        "count_soft": over(count_rows, "count_soft"),
        "n_click_applicable": len(click_rows),
        "click_exact_set_rate": over(click_rows, "click_exact_set"),
        "click_exact_set_strict_rate": over(click_rows, "click_exact_set_strict"),
        "click_precision": over(click_rows, "click_precision"),
        "click_recall": over(click_rows, "click_recall"),
        "click_f1": over(click_rows, "click_f1"),
        "click_f1_strict": over(click_rows, "click_f1_strict"),
        "click_iou": over(click_rows, "click_iou"),
        "click_iou_strict": over(click_rows, "click_iou_strict"),
        "region_ok_rate": over(click_rows, "region_ok"),
        "region_violation_sample_rate": _positive_share(click_rows, "region_violation_count"),
        "invalid_coordinate_sample_rate": _positive_share(click_rows, "invalid_coordinate_count"),
        "duplicate_click_sample_rate": _positive_share(click_rows, "duplicate_click_count"),
        "over_click_sample_rate": _positive_share(click_rows, "over_click_count"),
        "under_click_sample_rate": _positive_share(click_rows, "under_click_count"),
        "near_miss_rate": over(click_rows, "near_miss_rate"),
        "n_submit_applicable": len(submit_rows),
        "submit_exact_rate": over(submit_rows, "submit_exact"),
        "click_submit_consistency_rate": over(submit_rows, "click_submit_consistency"),
        "global_default_error_rate": over([r for r in rows if r.get("task_template") != T1], "global_default_error"),
        "n_exclusion": len(exclusion_rows),
        "exclusion_failure_rate": over(exclusion_rows, "exclusion_failure"),
    }


def group_summary(rows: Sequence[Row], key: str) -> dict[str, dict]:
    """``summary_for`` per value of ``key`` (stringified), keys sorted as strings."""
    buckets: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        buckets[str(row.get(key))].append(row)
    return {value: summary_for(bucket) for value, bucket in sorted(buckets.items())}


def _by_subset(rows: Sequence[Row]) -> dict[str, list[Row]]:
    buckets: dict[str, list[Row]] = {s: [] for s in SUBSET_ORDER}
    for row in rows:
        subset = row.get("rose_subset")
        if subset in buckets:
            buckets[subset].append(row)
    return buckets


def macro_over_subsets(rows: Sequence[Row], selector: Callable[[Row], bool], key: str) -> Optional[float]:
    """Mean over subsets (that have selected rows) of the item mean of ``key``."""
    per_subset = (mean(r.get(key) for r in group if selector(r)) for group in _by_subset(rows).values())
    return mean(per_subset)


def table1(rows: Sequence[Row]) -> dict:
    """§8.2: per-subset item-mean PASS/SOFT/VALID plus their macro averages."""
    by_subset = {
        subset: {
            "n": len(group),
            "PASS": mean(r.get("pass") for r in group),
            "SOFT": mean(r.get("unified_soft") for r in group),
            "VALID": mean(r.get("format_valid") for r in group),
        }
        for subset, group in _by_subset(rows).items()
    }
    return {
        "by_subset": by_subset,
        "Avg. PASS": mean(rec["PASS"] for rec in by_subset.values()),
        "Avg. SOFT": mean(rec["SOFT"] for rec in by_subset.values()),
        "VALID": mean(rec["VALID"] for rec in by_subset.values()),
    }


def _is_click(row: Row) -> bool:
    return row.get("click_applicable") == 1


def table2(rows: Sequence[Row]) -> dict:
    """§8.3: template PASS, C-F1, R-OK (each macro over subsets) and their Avg. PASS."""
    template_pass = {
        TEMPLATE_SHORT[t]: macro_over_subsets(rows, lambda r, t=t: r.get("task_template") == t, "pass")
        for t in TEMPLATE_ORDER
    }
    return {
        **template_pass,
        "C-F1": macro_over_subsets(rows, _is_click, "click_f1_strict"),
        "R-OK": macro_over_subsets(rows, _is_click, "region_ok"),
        "Avg. PASS": mean(template_pass.values()),
    }


def primary_table(rows: Sequence[Row]) -> dict:
    """§8.4 README table: template PASS, Glyph/Emoji/Pixel family PASS, Avg., VALID."""
    t1, t2 = table1(rows), table2(rows)
    out: dict[str, Optional[float]] = {
        column: t2[TEMPLATE_SHORT[template]] for template, column in _PRIMARY_TEMPLATE_COLUMN.items()
    }
    for family, subsets in _SUBSET_FAMILIES.items():
        out[family] = mean(t1["by_subset"][s]["PASS"] for s in subsets)
    out["Avg."] = t1["Avg. PASS"]
    out["VALID"] = t1["VALID"]
    return out


def perception_action_gap(rows: Sequence[Row]) -> dict:
    """§8.5: Counting Avg. (G-Cnt, L-Cnt), Action Avg. (L-Clk, V-Clk, Excl-CS), gap Δ = Counting − Action;
    and the Fig. 1 pair G-Cnt ("Per.") / V-Clk ("Act.") with Δ = V-Clk − G-Cnt."""
    t2 = table2(rows)
    counting = mean(t2[TEMPLATE_SHORT[t]] for t in TEMPLATE_ORDER[:2])
    action = mean(t2[TEMPLATE_SHORT[t]] for t in ACTION_TEMPLATES)
    per, act = t2[TEMPLATE_SHORT[T1]], t2[TEMPLATE_SHORT[T4]]
    return {
        "Counting Avg.": counting,
        "Action Avg.": action,
        "gap": difference(counting, action),
        "fig1": {"G-Cnt": per, "V-Clk": act, "delta": difference(act, per)},
    }


def scene_conditioned_action(rows: Sequence[Row]) -> dict:
    """§8.5 (evaluator key ``scene_conditioned_action_available_rows``): action PASS on
    scenes whose T1 passed, per subset, then macro over subsets per template."""
    by_subset: dict[str, dict] = {}
    for subset, group in _by_subset(rows).items():
        solved = {str(r.get("scene_id")) for r in group if r.get("task_template") == T1 and r.get("pass") == 1}
        record: dict[str, Any] = {"n_t1_correct_scenes": len(solved)}
        for template in ACTION_TEMPLATES:
            matched = [r for r in group if r.get("task_template") == template and str(r.get("scene_id")) in solved]
            record[TEMPLATE_SHORT[template]] = {"n": len(matched), "pass_rate": mean(r.get("pass") for r in matched)}
        by_subset[subset] = record
    macro = {
        TEMPLATE_SHORT[t]: mean(rec[TEMPLATE_SHORT[t]]["pass_rate"] for rec in by_subset.values())
        for t in ACTION_TEMPLATES
    }
    return {
        "by_subset": by_subset,
        "macro": {**macro, "Action Avg.": mean(macro.values())},
        "note": (
            "Computed only from scenes for which both sampled T1 and action rows are "
            "available. A random partial run may have a small denominator."
        ),
    }


def percentage_tree(value: Any, digits: int = 4) -> Any:
    """Copy of ``value`` with rate-like numbers (key contains "rate", or a table column
    name) as percentages rounded to ``digits``; counts stay as they are."""
    if isinstance(value, list):
        return [percentage_tree(v, digits) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, child in value.items():
        if isinstance(child, (dict, list)):
            out[key] = percentage_tree(child, digits)
        elif child is not None and isinstance(child, (int, float)) and ("rate" in key.lower() or key in PERCENT_KEYS):
            out[key] = percent(child, digits)
        else:
            out[key] = child
    return out
