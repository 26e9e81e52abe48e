"""The two bridge diagnostics of spec §9.1/§9.2, as pure functions over rows.

* Global-click bridge (T1B): the T1 scene asked as "click all odd cells".
  Separates *finding* the targets (G-Cnt) from *pointing at* them (G-Clk) and
  from pointing inside a cued region (V-Clk): ΔC→G = G-Clk − G-Cnt,
  ΔG→V = V-Clk − G-Clk.
* Matched local count bridge (T2B): the T3 region asked as a count, so
  mL-Cnt and L-Clk see the identical region and target set; L-Clk† (L-Clk
  among pairs whose count was right) isolates count-to-click transfer.

Bridge items are scored by the main per-item scorer (`item.score_item`) and
paired with the model's main per-item rows.  Every reported number is an
equal-weight mean over subsets ("macro_equal_subset"); the pooled item mean
is kept as "micro_pooled".  Key names, orders and None conventions follow
the official analysis scripts so outputs can be compared file for file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from . import contract as C
from .aggregate import table2
from .item import score_item

__all__ = [
    "BridgeError",
    "BridgeResult",
    "REGION_CASE_ORDER",
    "infer_model",
    "index_predictions",
    "score_bridge_items",
    "filter_main_rows",
    "global_click_extras",
    "pair_global_click",
    "summarize_global_click",
    "pair_matched_count",
    "summarize_matched_count",
    "macro_summary",
    "evaluate_global_click",
    "evaluate_matched_count",
]

REGION_CASE_ORDER: tuple[str, ...] = ("zero", "partial", "all")


class BridgeError(ValueError):
    """Inputs that cannot be scored as given (the message says what to fix)."""


@dataclass(frozen=True)
class BridgeResult:
    """Everything a bridge run writes: file name -> rows (JSONL/CSV) or object (JSON)."""

    jsonl: dict[str, list[dict]] = field(default_factory=dict)
    json: dict[str, dict] = field(default_factory=dict)
    csv: dict[str, list[dict]] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    paper: dict = field(default_factory=dict)


# --- small numeric helpers -------------------------------------------------------------------


def _mean(values: Iterable[Any]) -> Optional[float]:
    kept = [float(v) for v in values if v is not None and not isinstance(v, str)]
    return sum(kept) / len(kept) if kept else None


def _pct(value: Optional[float], digits: int) -> Optional[float]:
    return None if value is None else round(100.0 * float(value), digits)


def _diff(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return None if a is None or b is None else float(a) - float(b)


def _is_one(value: Any) -> bool:
    return value == 1


# --- predictions, coverage, per-item scoring ---------------------------------------------------


def infer_model(prediction_rows: Sequence[Mapping[str, Any]], override: str = "") -> str:
    """--model, else the single ``model`` value of the predictions, else ``"model"`` (as the bridge scripts)."""
    if override and override.strip():
        return override.strip()
    names = {str(r["model"]).strip() for r in prediction_rows if r.get("model") is not None and str(r["model"]).strip()}
    if len(names) > 1:
        raise BridgeError(f"several model names in the predictions: {sorted(names)} (fix: pass --model)")
    return next(iter(names)) if names else "model"


def index_predictions(prediction_rows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Mapping[str, Any]], int]:
    """item_id -> prediction row; later duplicates replace earlier ones (returns the duplicate count)."""
    out: dict[str, Mapping[str, Any]] = {}
    duplicates = 0
    for row in prediction_rows:
        if row.get("item_id") is None:
            raise BridgeError("a prediction row has no item_id")
        key = str(row["item_id"])
        duplicates += key in out
        out[key] = row
    return out, duplicates


@dataclass(frozen=True)
class _Scored:
    rows: list[dict]
    coverage: dict[str, Any]


def score_bridge_items(
    metadata_rows: Sequence[Mapping[str, Any]],
    prediction_rows: Sequence[Mapping[str, Any]],
    template: str,
    *,
    model: str,
    allow_partial: bool = False,
    near_miss_l1: int = 1,
) -> _Scored:
    """Score every bridge item that has a prediction, in item_id order.

    Refuses metadata with other templates, duplicate metadata ids, missing
    predictions (unless ``allow_partial``) and zero overlap.
    """
    others = [r for r in metadata_rows if r.get("task_template") != template]
    if others:
        raise BridgeError(
            f"expected only {template} rows in the bridge metadata, found {len(others)} other rows "
            f"(first: item {others[0].get('item_id')!r}, template {others[0].get('task_template')!r})"
        )
    by_id: dict[str, Mapping[str, Any]] = {}
    for row in metadata_rows:
        if row.get("item_id") is None:
            raise BridgeError("a bridge metadata row has no item_id")
        key = str(row["item_id"])
        if key in by_id:
            raise BridgeError(f"duplicate item_id {key!r} in the bridge metadata")
        by_id[key] = row
    predictions, duplicates = index_predictions(prediction_rows)
    matched = sorted(set(by_id) & set(predictions))
    missing = sorted(set(by_id) - set(predictions))
    extra = sorted(set(predictions) - set(by_id))
    if missing and not allow_partial:
        raise BridgeError(
            f"{len(missing)} bridge items have no prediction (first: {missing[0]}) "
            "(fix: predict every item, or pass --allow_partial to score a sample)"
        )
    if not matched:
        raise BridgeError("no prediction item_id matches the bridge metadata (fix: check the --metadata/--predictions pair)")
    rows = []
    for item_id in matched:
        prediction = predictions[item_id]
        # as the official scripts: a prediction's own "model" key wins over the run name
        item_model = prediction.get("model", model)
        try:
            scored = score_item(
                by_id[item_id],
                prediction.get("raw_text"),
                model=item_model,
                api_error_text=prediction.get("error"),
                near_miss_l1=near_miss_l1,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BridgeError(
                f"bridge metadata item {item_id!r} cannot be scored: {exc!r} (fix: run `rose validate` on the metadata)"
            ) from exc
        rows.append(scored)
    coverage = {
        "num_expected": len(by_id),
        "num_predictions_loaded": len(prediction_rows),
        "num_predictions_used": len(rows),
        "num_missing": len(missing),
        "num_extra": len(extra),
        "num_duplicate_prediction_rows": duplicates,
    }
    return _Scored(rows, coverage)


def filter_main_rows(main_rows: Iterable[Mapping[str, Any]], model: str) -> list[Mapping[str, Any]]:
    """The main per-item rows of one model (all rows when ``model`` is empty)."""
    return [r for r in main_rows if not model or str(r.get("model")) == model]


def _indexes(rows: Iterable[Mapping[str, Any]], template: str):
    chosen = [r for r in rows if r.get("task_template") == template]
    by_item = {str(r["item_id"]): r for r in chosen if r.get("item_id") is not None}
    by_scene = {(str(r.get("rose_subset")), str(r["scene_id"])): r for r in chosen if r.get("scene_id") is not None}
    return by_item, by_scene


def _clean(row: Mapping[str, Any]) -> int:
    """Grammar-valid with no out-of-grid and no duplicate click."""
    return int(
        row.get("format_valid") == 1
        and int(row.get("invalid_coordinate_count") or 0) == 0
        and int(row.get("duplicate_click_count") or 0) == 0
    )


def macro_summary(by_subset: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Equal-weight mean over subsets of every metric (keys sorted; each over subsets where defined)."""
    keys = sorted({k for summary in by_subset.values() for k in summary if k != "n"})
    out: dict[str, Any] = {
        "n": sum(int(s.get("n") or 0) for s in by_subset.values()),
        "num_subsets": len(by_subset),
    }
    for key in keys:
        out[key] = _mean(s.get(key) for s in by_subset.values())
    return out


def _by_known_subset(rows: Sequence[dict], summarize: Callable[[Sequence[dict]], dict]) -> dict[str, dict]:
    buckets: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        buckets[str(row.get("rose_subset"))].append(row)
    return {s: summarize(buckets[s]) for s in C.SUBSET_ORDER if s in buckets}


# --- §9.1 global-click bridge ------------------------------------------------------------------

GLOBAL_CLICK_NOTES = {
    "G-Clk": "Strict exact-set PASS for clicking every odd cell of the whole grid.",
    "Card-Exact": "The clean answer's number of unique in-grid clicks equals the target count.",
    "Loc-Exact|Card-Exact": "Exact-set PASS among items with the right click cardinality.",
    "G-Clk|G-Cnt correct": "Bridge PASS on paired scenes whose main T1 count passed.",
    "delta_C_to_G": "G-Clk - G-Cnt (macro values).",
    "delta_G_to_V": "V-Clk - G-Clk, V-Clk = Table-2 T4 PASS of the main per-item rows.",
}


def global_click_extras(ev: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, Any]:
    """Cardinality fields of one scored T1B item (appended after the §7.5 fields)."""
    clean = _clean(ev)
    predicted = int(ev.get("pred_click_count_unique") or 0)
    target = int(ev.get("gt_count") or 0)
    return {
        "source_item_id": meta.get("source_item_id"),
        "bridge_type": meta.get("bridge_type"),
        "clean_action": clean,
        "predicted_click_cardinality": predicted,
        "target_click_cardinality": target,
        "cardinality_error": predicted - target,
        "cardinality_abs_error": abs(predicted - target),
        "cardinality_exact_nonstrict": int(predicted == target),
        "cardinality_exact": int(clean == 1 and predicted == target),
    }


def pair_global_click(rows: Sequence[dict], main_rows: Sequence[Mapping[str, Any]]) -> None:
    """Attach the main T1 result of the same scene (by source_item_id, else (subset, scene_id)); in place."""
    by_item, by_scene = _indexes(main_rows, C.T1)
    for row in rows:
        base = by_item.get(str(row.get("source_item_id")))
        if base is None:
            base = by_scene.get((str(row.get("rose_subset")), str(row.get("scene_id"))))
        row.update(
            {
                "base_gcnt_matched": int(base is not None),
                "base_gcnt_item_id": base.get("item_id") if base else None,
                "base_gcnt_pass": int(base.get("pass") or 0) if base else None,
                "base_gcnt_soft": base.get("unified_soft") if base else None,
            }
        )


def summarize_global_click(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Bridge metrics of one group of scored, paired T1B rows (``{"n": 0}`` when empty)."""
    if not rows:
        return {"n": 0}
    card = [r for r in rows if _is_one(r.get("cardinality_exact"))]
    paired = [r for r in rows if _is_one(r.get("base_gcnt_matched"))]
    gcnt_ok = [r for r in paired if _is_one(r.get("base_gcnt_pass"))]
    out: dict[str, Any] = {
        "n": len(rows),
        "gclk_pass_rate": _mean(r.get("pass") for r in rows),
        "gclk_soft": _mean(r.get("unified_soft") for r in rows),
        "valid_rate": _mean(r.get("format_valid") for r in rows),
        "api_error_rate": _mean(r.get("api_error") for r in rows),
        "cardinality_exact_rate": _mean(r.get("cardinality_exact") for r in rows),
        "cardinality_exact_nonstrict_rate": _mean(r.get("cardinality_exact_nonstrict") for r in rows),
        "cardinality_mae": _mean(r.get("cardinality_abs_error") for r in rows),
        "cardinality_bias": _mean(r.get("cardinality_error") for r in rows),
        "location_exact_given_cardinality": _mean(r.get("pass") for r in card) if card else None,
        "click_precision": _mean(r.get("click_precision") for r in rows),
        "click_recall": _mean(r.get("click_recall") for r in rows),
        "click_f1_strict": _mean(r.get("click_f1_strict") for r in rows),
        "click_iou_strict": _mean(r.get("click_iou_strict") for r in rows),
        "invalid_coordinate_sample_rate": _mean(int((r.get("invalid_coordinate_count") or 0) > 0) for r in rows),
        "duplicate_click_sample_rate": _mean(int((r.get("duplicate_click_count") or 0) > 0) for r in rows),
        "n_cardinality_exact": len(card),
        "n_main_gcnt_matched": len(paired),
        "n_main_gcnt_correct": len(gcnt_ok),
    }
    gcnt = _mean(r.get("base_gcnt_pass") for r in paired) if paired else None
    gclk = _mean(r.get("pass") for r in paired) if paired else None
    out.update(
        {
            "gcnt_pass_rate": gcnt,
            "gclk_pass_on_paired": gclk,
            "gclk_minus_gcnt": _diff(gclk, gcnt),
            "gcnt_to_gclk_drop": _diff(gcnt, gclk),
            "both_correct_rate": (
                _mean(int(_is_one(r.get("base_gcnt_pass")) and _is_one(r.get("pass"))) for r in paired) if paired else None
            ),
            "gcnt_correct_gclk_wrong_rate": (
                _mean(int(_is_one(r.get("base_gcnt_pass")) and not _is_one(r.get("pass"))) for r in paired)
                if paired
                else None
            ),
            "gclk_pass_given_gcnt_correct": _mean(r.get("pass") for r in gcnt_ok) if gcnt_ok else None,
            "cardinality_exact_given_gcnt_correct": _mean(r.get("cardinality_exact") for r in gcnt_ok) if gcnt_ok else None,
            "click_f1_given_gcnt_correct": _mean(r.get("click_f1_strict") for r in gcnt_ok) if gcnt_ok else None,
        }
    )
    return out


def global_click_paper_table(model: str, macro: Mapping[str, Any], digits: int = 1) -> dict[str, Any]:
    """The §9.1 paper-table row (percent)."""
    pick = {
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
    return {"Model": model, **{name: _pct(macro.get(key), digits) for name, key in pick.items()}}


def evaluate_global_click(
    metadata_rows: Sequence[Mapping[str, Any]],
    prediction_rows: Sequence[Mapping[str, Any]],
    main_rows: Sequence[Mapping[str, Any]],
    *,
    model: str = "",
    main_model: str = "",
    split: str = "test",
    allow_partial: bool = False,
    near_miss_l1: int = 1,
    digits: int = 1,
    main_source: Optional[str] = None,
) -> BridgeResult:
    """The whole §9.1 analysis; ``main_rows`` may hold several models (filtered to main_model or model)."""
    name = infer_model(prediction_rows, model)
    scored = score_bridge_items(
        metadata_rows, prediction_rows, C.T1B, model=name, allow_partial=allow_partial, near_miss_l1=near_miss_l1
    )
    meta_by_id = {str(r["item_id"]): r for r in metadata_rows}
    rows = [{**ev, **global_click_extras(ev, meta_by_id[str(ev["item_id"])])} for ev in scored.rows]
    main = filter_main_rows(main_rows, main_model or name)
    pair_global_click(rows, main)

    by_subset = _by_known_subset(rows, summarize_global_click)
    macro = macro_summary(by_subset)
    v_clk = table2(main).get(C.TEMPLATE_SHORT[C.T4]) if main else None
    deltas = {
        "G-Cnt": macro.get("gcnt_pass_rate"),
        "G-Clk": macro.get("gclk_pass_rate"),
        "V-Clk": v_clk,
        "delta_C_to_G": _diff(macro.get("gclk_pass_rate"), macro.get("gcnt_pass_rate")),
        "delta_G_to_V": _diff(v_clk, macro.get("gclk_pass_rate")),
    }
    summary = {
        "task_template": C.T1B,
        "model": name,
        "split": split,
        **scored.coverage,
        "main_eval": main_source,
        "macro_equal_subset": macro,
        "micro_pooled": summarize_global_click(rows),
        "by_subset": by_subset,
        "bridge_deltas": deltas,
        "metric_notes": dict(GLOBAL_CLICK_NOTES),
    }
    paper = global_click_paper_table(name, macro, digits)
    return BridgeResult(
        jsonl={
            "per_item_global_click_eval.jsonl": rows,
            "global_click_error_cases.jsonl": [r for r in rows if r.get("pass") != 1],
        },
        json={"global_click_summary.json": summary, "global_click_paper_table.json": paper},
        csv={
            "global_click_by_subset.csv": [{"model": name, "subset": s, **m} for s, m in by_subset.items()],
            "global_click_paper_table.csv": [paper],
        },
        summary=summary,
        paper=paper,
    )


# --- §9.2 matched local count bridge --------------------------------------------------------

MATCHED_COUNT_NOTES = {
    "mL-Cnt": "Strict COUNT PASS on the same numeric region and target set as the paired main T3 item.",
    "L-Clk|mL-Cnt correct": "Main T3 exact-set PASS over pairs whose matched local count passed.",
    "Transfer failure": "1 - L-Clk|mL-Cnt correct.",
}


def pair_matched_count(rows: Sequence[dict], main_rows: Sequence[Mapping[str, Any]]) -> None:
    """Attach the model's main T3 row (by source_click_item_id, source_item_id, then (subset, scene_id)); in place.

    Raises BridgeError when a pair disagrees on the target count: then the
    bridge and the main run were not built from the same scenes.
    """
    by_item, by_scene = _indexes(main_rows, C.T3)
    mismatches: list[str] = []
    for row in rows:
        base = by_item.get(str(row.get("source_click_item_id")))
        if base is None:
            base = by_item.get(str(row.get("source_item_id")))
        if base is None:
            base = by_scene.get((str(row.get("rose_subset")), str(row.get("scene_id"))))
        if base is None:
            row["base_lclk_matched"] = 0
            continue
        clean = _clean(base)
        gt_count = int(base.get("gt_count") or 0)
        predicted = int(base.get("pred_click_count_unique") or 0)
        if int(row.get("gt_count") or 0) != gt_count:
            mismatches.append(f"{row.get('item_id')} ({row.get('gt_count')}) vs {base.get('item_id')} ({gt_count})")
        bridge_count = row.get("pred_count")
        row.update(
            {
                "base_lclk_matched": 1,
                "base_lclk_item_id": base.get("item_id"),
                "base_lclk_pass": int(base.get("pass") or 0),
                "base_lclk_soft": base.get("unified_soft"),
                "base_lclk_format_valid": int(base.get("format_valid") or 0),
                "base_lclk_clean_action": clean,
                "base_lclk_gt_count": gt_count,
                "base_lclk_pred_click_cardinality": predicted,
                "base_lclk_cardinality_exact": int(clean == 1 and predicted == gt_count),
                "base_lclk_click_f1_strict": base.get("click_f1_strict"),
                "base_lclk_region_violation_count": base.get("region_violation_count"),
                "cross_task_cardinality_consistent": (
                    int(int(bridge_count) == predicted) if bridge_count is not None and clean == 1 else None
                ),
            }
        )
    if mismatches:
        raise BridgeError(
            f"{len(mismatches)} bridge/T3 pairs disagree on gt_count, e.g. {mismatches[0]} "
            "(fix: use the main per-item rows scored on the same dataset build as the bridge metadata)"
        )


def summarize_matched_count(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Bridge metrics of one group of scored, paired T2B rows (``{"n": 0}`` when empty)."""
    if not rows:
        return {"n": 0}
    paired = [r for r in rows if _is_one(r.get("base_lclk_matched"))]
    count_ok = [r for r in paired if _is_one(r.get("pass"))]
    card = [r for r in paired if _is_one(r.get("base_lclk_cardinality_exact"))]
    count_ok_card = [r for r in count_ok if _is_one(r.get("base_lclk_cardinality_exact"))]
    comparable = [r for r in paired if r.get("cross_task_cardinality_consistent") is not None]
    parsed = [r for r in rows if r.get("pred_count") is not None]
    out: dict[str, Any] = {
        "n": len(rows),
        "mlcnt_pass_rate": _mean(r.get("pass") for r in rows),
        "mlcnt_soft": _mean(r.get("unified_soft") for r in rows),
        "mlcnt_valid_rate": _mean(r.get("format_valid") for r in rows),
        "mlcnt_count_mae": _mean(r.get("count_mae") for r in parsed),
        "mlcnt_count_bias": _mean(r.get("count_bias") for r in parsed),
        "n_main_lclk_matched": len(paired),
        "n_mlcnt_correct": len(count_ok),
    }
    if not paired:
        for key in (
            "lclk_pass_rate", "lclk_soft", "lclk_valid_rate", "lclk_cardinality_exact_rate",
            "lclk_location_exact_given_cardinality", "lclk_click_f1_strict", "mlcnt_to_lclk_drop",
            "lclk_pass_given_mlcnt_correct", "transfer_failure_given_mlcnt_correct",
            "lclk_cardinality_exact_given_mlcnt_correct", "lclk_click_f1_given_mlcnt_correct",
            "lclk_location_exact_given_cardinality_and_mlcnt_correct",
            "cross_task_cardinality_consistency_rate", "both_correct_rate", "mlcnt_correct_lclk_wrong_rate",
        ):  # fmt: skip
            out[key] = None
        return out
    mlcnt = _mean(r.get("pass") for r in paired)
    lclk = _mean(r.get("base_lclk_pass") for r in paired)
    out.update(
        {
            "mlcnt_pass_on_paired": mlcnt,
            "lclk_pass_rate": lclk,
            "lclk_soft": _mean(r.get("base_lclk_soft") for r in paired),
            "lclk_valid_rate": _mean(r.get("base_lclk_format_valid") for r in paired),
            "lclk_cardinality_exact_rate": _mean(r.get("base_lclk_cardinality_exact") for r in paired),
            "lclk_location_exact_given_cardinality": _mean(r.get("base_lclk_pass") for r in card) if card else None,
            "lclk_click_f1_strict": _mean(r.get("base_lclk_click_f1_strict") for r in paired),
            "mlcnt_to_lclk_drop": _diff(mlcnt, lclk),
            "both_correct_rate": _mean(int(_is_one(r.get("pass")) and _is_one(r.get("base_lclk_pass"))) for r in paired),
            "mlcnt_correct_lclk_wrong_rate": _mean(
                int(_is_one(r.get("pass")) and not _is_one(r.get("base_lclk_pass"))) for r in paired
            ),
            "cross_task_cardinality_consistency_rate": (
                _mean(r.get("cross_task_cardinality_consistent") for r in comparable) if comparable else None
            ),
        }
    )
    conditioned = _mean(r.get("base_lclk_pass") for r in count_ok) if count_ok else None
    out.update(
        {
            "lclk_pass_given_mlcnt_correct": conditioned,
            "transfer_failure_given_mlcnt_correct": None if conditioned is None else 1.0 - conditioned,
            "lclk_cardinality_exact_given_mlcnt_correct": (
                _mean(r.get("base_lclk_cardinality_exact") for r in count_ok) if count_ok else None
            ),
            "lclk_click_f1_given_mlcnt_correct": (
                _mean(r.get("base_lclk_click_f1_strict") for r in count_ok) if count_ok else None
            ),
            "lclk_location_exact_given_cardinality_and_mlcnt_correct": (
                _mean(r.get("base_lclk_pass") for r in count_ok_card) if count_ok_card else None
            ),
        }
    )
    return out


def matched_count_paper_table(model: str, macro: Mapping[str, Any], digits: int = 1) -> dict[str, Any]:
    """The §9.2 paper-table row (percent)."""
    pick = {
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
    return {"Model": model, **{name: _pct(macro.get(key), digits) for name, key in pick.items()}}


def _subset_sort_key(subset: str) -> tuple[int, str]:
    return (C.SUBSET_ORDER.index(subset), "") if subset in C.SUBSET_ORDER else (len(C.SUBSET_ORDER), subset)


def by_region_case(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
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


def evaluate_matched_count(
    metadata_rows: Sequence[Mapping[str, Any]],
    prediction_rows: Sequence[Mapping[str, Any]],
    main_rows: Sequence[Mapping[str, Any]],
    *,
    model: str = "",
    main_model: str = "",
    split: str = "test",
    allow_partial: bool = False,
    near_miss_l1: int = 1,
    digits: int = 1,
    main_source: Optional[str] = None,
) -> BridgeResult:
    """The whole §9.2 analysis; ``main_rows`` may hold several models (filtered to main_model or model)."""
    name = infer_model(prediction_rows, model)
    scored = score_bridge_items(
        metadata_rows, prediction_rows, C.T2B, model=name, allow_partial=allow_partial, near_miss_l1=near_miss_l1
    )
    meta_by_id = {str(r["item_id"]): r for r in metadata_rows}
    rows = []
    for ev in scored.rows:
        meta = meta_by_id[str(ev["item_id"])]
        rows.append(
            {
                **ev,
                "source_item_id": meta.get("source_item_id"),
                "source_click_item_id": meta.get("source_click_item_id"),
                "bridge_type": meta.get("bridge_type"),
            }
        )
    pair_matched_count(rows, filter_main_rows(main_rows, main_model or name))

    by_subset = _by_known_subset(rows, summarize_matched_count)
    macro = macro_summary(by_subset)
    cases = by_region_case(rows)
    summary = {
        "task_template": C.T2B,
        "source_task_template": C.T3,
        "model": name,
        "split": split,
        **scored.coverage,
        "main_eval": main_source,
        "macro_equal_subset": macro,
        "micro_pooled": summarize_matched_count(rows),
        "by_subset": by_subset,
        "by_region_case": cases,
        "metric_notes": dict(MATCHED_COUNT_NOTES),
    }
    paper = matched_count_paper_table(name, macro, digits)
    return BridgeResult(
        jsonl={
            "per_item_matched_count_eval.jsonl": rows,
            "matched_count_error_cases.jsonl": [r for r in rows if r.get("pass") != 1],
            "mlcnt_correct_lclk_wrong.jsonl": [
                r for r in rows if r.get("pass") == 1 and r.get("base_lclk_matched") == 1 and r.get("base_lclk_pass") != 1
            ],
        },
        json={"matched_count_summary.json": summary, "matched_count_paper_table.json": paper},
        csv={
            "matched_count_by_subset.csv": [{"model": name, "subset": s, **m} for s, m in by_subset.items()],
            "matched_count_by_region_case.csv": [
                {"model": name, "region_case": case, **v["macro_equal_subset"]} for case, v in cases.items()
            ],
            "matched_count_paper_table.csv": [paper],
        },
        summary=summary,
        paper=paper,
    )
