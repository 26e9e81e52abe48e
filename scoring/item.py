"""Score one prediction against one metadata row: the per-item record of protocol §7.

The record has exactly the official evaluator's keys, order, value types and
None/0 conventions, so ``per_item_eval.jsonl`` files from either tool can be
diffed line for line.  Notable official behaviours kept on purpose:

* clicks are split into in-grid and out-of-grid *before* any set comparison;
* non-strict click metrics and region diagnostics use the in-grid click set
  even when the answer was grammatically invalid (so an empty or prose answer
  is "region-compliant");
* region cells are not clipped to the grid (``region_cell_count`` may exceed
  the grid for malformed regions);
* the SUBMIT value counts for CLICK_COUNT items even when a CLICK token was bad;
* ``pred_click_count_*`` and the click lists are filled (0 / []) on COUNT rows,
  while the other click diagnostics are None there.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Mapping, Optional

from .contract import T2, T3, T4, T5
from .grammar import CLICK, CLICK_COUNT, COUNT, parse_answer
from .grid import Cell, Grid, Region, keys_string_sorted, parse_cells, region_from_params

__all__ = ["ITEM_FIELDS", "score_item", "region_of", "metadata_dict"]

# Templates on which "answered the global question instead" is diagnosed (§7.5).
_LOCAL_TEMPLATES = frozenset({T2, T3, T4, T5})
_NO_API_ERROR = frozenset({None, "", "None"})

ITEM_FIELDS: tuple[str, ...] = (
    "item_id", "scene_id", "image_id", "model", "rose_subset", "rose_split", "primitive_type",
    "task_template", "task_mode", "region_type", "region_case", "cue_type", "difficulty", "rows", "cols",
    "region_cell_count", "raw_text", "api_error", "api_error_text", "format_valid", "format_error",
    "parse_error", "invalid_action_tokens", "pass", "unified_soft", "count_applicable", "click_applicable",
    "submit_applicable", "gt_count", "pred_count", "count_exact", "count_mae", "count_bias", "count_soft",
    "gt_clicks", "pred_clicks_all", "pred_clicks_valid", "pred_clicks_valid_unique", "pred_clicks_invalid",
    "pred_click_count_raw", "pred_click_count_valid", "pred_click_count_unique", "invalid_coordinate_count",
    "duplicate_click_count", "click_exact_set", "click_exact_set_strict", "click_precision", "click_recall",
    "click_f1", "click_f1_strict", "click_iou", "click_iou_strict", "submit_count", "submit_exact",
    "click_submit_consistency", "region_violation_count", "region_ok", "outside_distractor_hit_count",
    "missed_target_count", "false_positive_count", "over_click_count", "under_click_count",
    "near_miss_count", "near_miss_rate", "global_default_error", "exclusion_failure", "all_target_cells",
    "region_target_cells", "out_region_target_cells", "ground_truth_formal_answer",
)


def metadata_dict(value: Any) -> dict:
    """A dict-valued metadata field that may arrive as a JSON string (Parquet form) or null."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, Mapping):
        raise ValueError(f"expected an object, got {type(value).__name__}")
    return dict(value)


def region_of(meta: Mapping[str, Any]) -> Region:
    """The task region of a metadata row (``region_params`` as dict or JSON string)."""
    region_type, params = str(meta.get("region_type")), meta.get("region_params")
    try:  # regions recur across items: build each distinct one once
        return _cached_region(region_type, _hashable(params))
    except TypeError:  # a parameter value that cannot be a cache key: build it uncached
        return _region(region_type, params)


_SCALARS = (str, int, float, bool, type(None))


def _hashable(value: Any, depth: int = 0) -> Any:
    """A JSON-like value as a cache key: objects (nested at most 3 deep) become tuples of pairs;
    anything else raises TypeError."""
    if type(value) is dict and depth < 3:
        return tuple((k, _hashable(v, depth + 1)) for k, v in value.items())
    if type(value) in _SCALARS:
        return value
    raise TypeError("not a JSON scalar or object")


def _region(region_type: str, params: Any) -> Region:
    return region_from_params(region_type, metadata_dict(params))


@lru_cache(maxsize=4096)
def _cached_region(region_type: str, key: Any) -> Region:
    return _region(region_type, _unhashable(key))


def _unhashable(key: Any) -> Any:
    return {k: _unhashable(v) for k, v in key} if type(key) is tuple else key  # tuples only ever come from dicts


@lru_cache(maxsize=4096)
def _grid(rows: int, cols: int) -> Grid:
    return Grid(rows, cols)


def _prf(pred: frozenset[Cell], gold: frozenset[Cell]) -> tuple[float, float, float]:
    if not pred and not gold:
        return 1.0, 1.0, 1.0
    if not pred or not gold:
        return 0.0, 0.0, 0.0
    overlap = len(pred & gold)
    precision = overlap / len(pred)
    recall = overlap / len(gold)
    f1 = 2.0 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _iou(pred: frozenset[Cell], gold: frozenset[Cell]) -> float:
    if not pred and not gold:
        return 1.0
    return len(pred & gold) / len(pred | gold)


def _near_misses(missed: frozenset[Cell], pred: frozenset[Cell], radius: int) -> int:
    return sum(1 for gold in missed if any(gold.l1(p) <= radius for p in pred))


def _has_api_error(error: Any) -> int:
    try:
        return int(error not in _NO_API_ERROR)
    except TypeError:  # unhashable payload (dict/list): certainly an error record
        return 1


def _keys_in_order(cells) -> list[str]:
    return [c.key for c in cells]


def score_item(
    meta: Mapping[str, Any],
    raw_text: Optional[str],
    *,
    model: Any = "",
    api_error_text: Any = None,
    near_miss_l1: int = 1,
) -> dict:
    """The §7.5 per-item record for ``raw_text`` answering the item ``meta``.

    Raises ValueError (or KeyError for a missing ``rows``/``cols``) on malformed
    metadata; model text never raises except for numbers too long for ``int``.
    """
    task_mode = str(meta.get("task_mode"))
    task_template = str(meta.get("task_template"))
    region_type = str(meta.get("region_type"))
    rows, cols = int(meta["rows"]), int(meta["cols"])
    region = region_of(meta)
    grid = _grid(rows, cols)
    region_size = region.size(grid)  # by arithmetic: an item never enumerates its region

    parsed = parse_answer(raw_text, task_mode)

    gt_count = int(meta.get("ground_truth_count") or 0)
    gt_clicks = parse_cells(meta.get("ground_truth_clicks") or [])
    all_targets = parse_cells(meta.get("all_target_cells") or meta.get("target_cells") or [])
    region_targets = parse_cells(meta.get("region_target_cells") or meta.get("ground_truth_clicks") or [])
    out_region_targets = all_targets - region_targets

    valid_clicks = [c for c in parsed.clicks if 1 <= c.row <= rows and 1 <= c.col <= cols]
    invalid_clicks = [c for c in parsed.clicks if not (1 <= c.row <= rows and 1 <= c.col <= cols)]
    pred_set = frozenset(valid_clicks)
    duplicates = len(valid_clicks) - len(pred_set)

    click_applicable = task_mode in (CLICK, CLICK_COUNT)
    count_applicable = task_mode in (COUNT, CLICK_COUNT)
    submit_applicable = task_mode == CLICK_COUNT

    precision, recall, f1 = _prf(pred_set, gt_clicks)
    iou = _iou(pred_set, gt_clicks)
    clean = parsed.valid and not invalid_clicks and duplicates == 0
    f1_strict = (f1 if clean else 0.0) if click_applicable else None
    iou_strict = (iou if clean else 0.0) if click_applicable else None

    if task_mode == COUNT:
        pred_count = parsed.count
    elif task_mode == CLICK_COUNT:
        pred_count = parsed.submit_count
    else:
        pred_count = None
    count_error = abs(pred_count - gt_count) if pred_count is not None else None
    count_bias = pred_count - gt_count if pred_count is not None else None
    if count_applicable:
        count_exact = int(pred_count == gt_count) if pred_count is not None else 0
        count_soft = 1.0 / (1.0 + float(count_error)) if count_error is not None else 0.0
    else:
        count_exact = count_soft = None

    submit = parsed.submit_count
    submit_exact = consistency = None
    if submit_applicable:
        submit_exact = int(submit == gt_count) if submit is not None else 0
        consistency = int(submit == len(pred_set)) if submit is not None else 0

    exact_set = pred_set == gt_clicks
    if task_mode == COUNT:
        passed = int(parsed.valid and parsed.count == gt_count)
    elif task_mode == CLICK:
        passed = int(clean and exact_set)
    elif task_mode == CLICK_COUNT:
        passed = int(clean and exact_set and submit == gt_count and submit == len(pred_set))
    else:
        passed = 0

    if task_mode == COUNT:
        unified_soft = count_soft or 0.0
    elif task_mode == CLICK:
        unified_soft = f1_strict or 0.0
    elif task_mode == CLICK_COUNT:
        unified_soft = ((f1_strict or 0.0) + (count_soft or 0.0) + float(consistency or 0)) / 3.0
    else:
        unified_soft = 0.0

    violations = sum(1 for c in pred_set if not region.contains(c, grid))
    distractor_hits = pred_set & out_region_targets
    missed = gt_clicks - pred_set
    false_positives = pred_set - gt_clicks

    global_count = len(all_targets)
    global_default_error = 0
    if task_template in _LOCAL_TEMPLATES:
        count_global = pred_count is not None and gt_count != global_count and pred_count == global_count
        click_global = gt_clicks != all_targets and pred_set == all_targets
        if task_mode == COUNT:
            global_default_error = int(count_global)
        elif task_mode == CLICK:
            global_default_error = int(click_global)
        elif task_mode == CLICK_COUNT:
            global_default_error = int(click_global or count_global)

    exclusion_failure = 0
    if region_type == "EXCLUSION":
        if click_applicable:
            exclusion_failure = int(bool(distractor_hits))
        elif pred_count is not None and gt_count != global_count:
            exclusion_failure = int(pred_count == global_count)

    near_miss = _near_misses(missed, pred_set, near_miss_l1) if click_applicable else None

    def click_only(value: Any) -> Any:
        return value if click_applicable else None

    return {
        "item_id": meta.get("item_id"),
        "scene_id": meta.get("scene_id"),
        "image_id": meta.get("image_id"),
        "model": model,
        "rose_subset": meta.get("rose_subset"),
        "rose_split": meta.get("split"),
        "primitive_type": meta.get("primitive_type"),
        "task_template": task_template,
        "task_mode": task_mode,
        "region_type": region_type,
        "region_case": meta.get("region_case"),
        "cue_type": meta.get("cue_type"),
        "difficulty": meta.get("difficulty"),
        "rows": rows,
        "cols": cols,
        "region_cell_count": region_size,
        "raw_text": raw_text,
        "api_error": _has_api_error(api_error_text),
        "api_error_text": api_error_text,
        "format_valid": int(parsed.valid),
        "format_error": int(not parsed.valid),
        "parse_error": parsed.parse_error,
        "invalid_action_tokens": list(parsed.invalid_tokens),
        "pass": passed,
        "unified_soft": unified_soft,
        "count_applicable": int(count_applicable),
        "click_applicable": int(click_applicable),
        "submit_applicable": int(submit_applicable),
        "gt_count": gt_count,
        "pred_count": pred_count,
        "count_exact": count_exact,
        "count_mae": count_error,
        "count_bias": count_bias,
        "count_soft": count_soft,
        "gt_clicks": keys_string_sorted(gt_clicks),
        "pred_clicks_all": _keys_in_order(parsed.clicks),
        "pred_clicks_valid": _keys_in_order(valid_clicks),
        "pred_clicks_valid_unique": keys_string_sorted(pred_set),
        "pred_clicks_invalid": _keys_in_order(invalid_clicks),
        "pred_click_count_raw": len(parsed.clicks),
        "pred_click_count_valid": len(valid_clicks),
        "pred_click_count_unique": len(pred_set),
        "invalid_coordinate_count": click_only(len(invalid_clicks)),
        "duplicate_click_count": click_only(duplicates),
        "click_exact_set": click_only(int(exact_set)),
        "click_exact_set_strict": click_only(int(clean and exact_set)),
        "click_precision": click_only(precision),
        "click_recall": click_only(recall),
        "click_f1": click_only(f1),
        "click_f1_strict": f1_strict,
        "click_iou": click_only(iou),
        "click_iou_strict": iou_strict,
        "submit_count": submit,
        "submit_exact": submit_exact,
        "click_submit_consistency": consistency,
        "region_violation_count": click_only(violations),
        "region_ok": click_only(int(not violations)),
        "outside_distractor_hit_count": click_only(len(distractor_hits)),
        "missed_target_count": click_only(len(missed)),
        "false_positive_count": click_only(len(false_positives)),
        "over_click_count": click_only(max(0, len(pred_set) - gt_count)),
        "under_click_count": click_only(max(0, gt_count - len(pred_set))),
        "near_miss_count": near_miss,
        "near_miss_rate": near_miss / max(1, len(gt_clicks)) if near_miss is not None else None,
        "global_default_error": global_default_error,
        "exclusion_failure": exclusion_failure,
        "all_target_cells": keys_string_sorted(all_targets),
        "region_target_cells": keys_string_sorted(region_targets),
        "out_region_target_cells": keys_string_sorted(out_region_targets),
        "ground_truth_formal_answer": meta.get("ground_truth_formal_answer"),
    }
