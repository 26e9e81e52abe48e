"""The pipeline both bridge diagnostics share (protocol §9.1, §9.2), as pure functions over rows.

A bridge asks a main item's scene again in another form.  Both bridges run the
same steps; a :class:`BridgeSpec` supplies only what differs:

1. score every bridge item that has a prediction with the main per-item scorer
   (`item.score_item`), in item_id order, after the coverage checks;
2. append the bridge's extra fields to each scored row and pair it with the
   model's main per-item row of the same scene (in place);
3. summarise per subset, then an equal-weight mean over subsets
   ("macro_equal_subset"; the pooled item mean is kept as "micro_pooled");
4. the paper-table row (percent) and the bridge's extra summary sections.

Key names, orders and None conventions follow the official analysis scripts so
outputs can be compared file for file.  Output file names are chosen at the
I/O edge (`bridge_files`), never here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from . import contract as C
from .errors import UsageError
from .item import score_item
from .models import BRIDGE_FALLBACK_MODEL, infer_model
from .numeric import mean, percent

__all__ = [
    "BridgeError",
    "BridgeSpec",
    "BridgeResult",
    "index_predictions",
    "score_bridge_items",
    "filter_main_rows",
    "main_indexes",
    "find_main",
    "share",
    "clean_action",
    "click_cardinality",
    "is_one",
    "where_one",
    "mean_over",
    "macro_summary",
    "by_known_subset",
    "paper_row",
    "run_bridge",
]

Row = Mapping[str, Any]


class BridgeError(UsageError):
    """Inputs that cannot be scored as given (the message says what to fix)."""


@dataclass(frozen=True)
class BridgeSpec:
    """What one bridge adds to the shared pipeline."""

    template: str  # the bridge template (T1B, T2B)
    extras: Callable[[Row, Row], dict]  # (scored row, metadata row) -> fields appended to the scored row
    pair: Callable[[Sequence[dict], Sequence[Row]], None]  # attach the paired main rows, in place
    summarize: Callable[[Sequence[Row]], dict]  # metrics of one group of paired rows
    paper_columns: Mapping[str, str]  # paper-table column -> key of the macro summary
    notes: Mapping[str, str]  # summary "metric_notes"
    summary_head: Mapping[str, Any] = field(default_factory=dict)  # keys right after task_template
    details: Callable[[Sequence[dict], Mapping[str, Any], Sequence[Row]], dict] = lambda rows, macro, main: {}
    row_sets: Mapping[str, Callable[[Row], bool]] = field(default_factory=dict)  # named selections of scored rows
    tables: Callable[[str, Mapping[str, Any]], dict] = lambda model, summary: {}  # extra CSV tables


@dataclass(frozen=True)
class BridgeResult:
    """Everything a bridge run computed; `bridge_files` names and writes it."""

    template: str
    rows: list[dict]  # scored, paired per-item rows
    summary: dict
    paper: dict  # the paper-table row (percent)
    row_sets: dict[str, list[dict]] = field(default_factory=dict)  # "error_cases" and the bridge's selections
    tables: dict[str, list[dict]] = field(default_factory=dict)  # "by_subset" and the bridge's tables


def is_one(value: Any) -> bool:
    return value == 1


def where_one(rows: Sequence[Row], key: str) -> list[Row]:
    """The rows whose ``key`` is 1 (a passed item, a matched pair, an exact cardinality)."""
    return [r for r in rows if is_one(r.get(key))]


def mean_over(rows: Sequence[Row], key: str) -> Optional[float]:
    """Mean of ``key`` over ``rows``; None when there are no rows."""
    return mean(r.get(key) for r in rows) if rows else None


def share(rows: Sequence[Row], test: Callable[[Row], Any]) -> Optional[float]:
    """Share of ``rows`` for which ``test`` holds; None when there are no rows."""
    return mean(int(bool(test(r))) for r in rows) if rows else None


def clean_action(row: Row) -> int:
    """Grammar-valid with no out-of-grid and no duplicate click."""
    return int(
        row.get("format_valid") == 1
        and int(row.get("invalid_coordinate_count") or 0) == 0
        and int(row.get("duplicate_click_count") or 0) == 0
    )


def click_cardinality(row: Row) -> tuple[int, int, int, int]:
    """(clean, unique in-grid clicks, target count, cardinality exact) of one scored click row (§9)."""
    clean = clean_action(row)
    predicted = int(row.get("pred_click_count_unique") or 0)
    target = int(row.get("gt_count") or 0)
    return clean, predicted, target, int(clean == 1 and predicted == target)


# --- predictions, coverage, per-item scoring ---------------------------------------------------


def index_predictions(prediction_rows: Sequence[Row]) -> tuple[dict[str, Row], int]:
    """item_id -> prediction row; later duplicates replace earlier ones (returns the duplicate count)."""
    out: dict[str, Row] = {}
    duplicates = 0
    for row in prediction_rows:
        if row.get("item_id") is None:
            raise BridgeError("a prediction row has no item_id")
        key = str(row["item_id"])
        duplicates += key in out
        out[key] = row
    return out, duplicates


def _index_metadata(metadata_rows: Sequence[Row], template: str) -> dict[str, Row]:
    others = [r for r in metadata_rows if r.get("task_template") != template]
    if others:
        raise BridgeError(
            f"expected only {template} rows in the bridge metadata, found {len(others)} other rows "
            f"(first: item {others[0].get('item_id')!r}, template {others[0].get('task_template')!r})"
        )
    by_id: dict[str, Row] = {}
    for row in metadata_rows:
        if row.get("item_id") is None:
            raise BridgeError("a bridge metadata row has no item_id")
        key = str(row["item_id"])
        if key in by_id:
            raise BridgeError(f"duplicate item_id {key!r} in the bridge metadata")
        by_id[key] = row
    return by_id


@dataclass(frozen=True)
class _Scored:
    rows: list[dict]
    coverage: dict[str, Any]


def score_bridge_items(
    metadata_rows: Sequence[Row],
    prediction_rows: Sequence[Row],
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
    by_id = _index_metadata(metadata_rows, template)
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
        try:
            scored = score_item(
                by_id[item_id],
                prediction.get("raw_text"),
                model=prediction.get("model", model),  # as the official scripts: the row's own model wins
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


# --- pairing and summaries ---------------------------------------------------------------------


def filter_main_rows(main_rows: Iterable[Row], model: str) -> list[Row]:
    """The main per-item rows of one model (all rows when ``model`` is empty)."""
    return [r for r in main_rows if not model or str(r.get("model")) == model]


def main_indexes(rows: Iterable[Row], template: str) -> tuple[dict[str, Row], dict[tuple[str, str], Row]]:
    """The main rows of ``template`` by item_id and by (subset, scene_id)."""
    chosen = [r for r in rows if r.get("task_template") == template]
    by_item = {str(r["item_id"]): r for r in chosen if r.get("item_id") is not None}
    by_scene = {(str(r.get("rose_subset")), str(r["scene_id"])): r for r in chosen if r.get("scene_id") is not None}
    return by_item, by_scene


def find_main(row: Row, by_item: Mapping[str, Row], by_scene: Mapping[tuple[str, str], Row],
              id_fields: Sequence[str]) -> Optional[Row]:
    """The main row a bridge row pairs with: by each of its ``id_fields`` in turn, else by (subset, scene_id)."""
    for name in id_fields:
        base = by_item.get(str(row.get(name)))
        if base is not None:
            return base
    return by_scene.get((str(row.get("rose_subset")), str(row.get("scene_id"))))


def macro_summary(by_subset: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Equal-weight mean over subsets of every metric (keys sorted; each over subsets where defined)."""
    keys = sorted({k for summary in by_subset.values() for k in summary if k != "n"})
    out: dict[str, Any] = {
        "n": sum(int(s.get("n") or 0) for s in by_subset.values()),
        "num_subsets": len(by_subset),
    }
    for key in keys:
        out[key] = mean(s.get(key) for s in by_subset.values())
    return out


def by_known_subset(rows: Sequence[Row], summarize: Callable[[Sequence[Row]], dict]) -> dict[str, dict]:
    """``summarize`` per ROSE subset that has rows, in subset order."""
    buckets: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        buckets[str(row.get("rose_subset"))].append(row)
    return {s: summarize(buckets[s]) for s in C.SUBSET_ORDER if s in buckets}


def paper_row(model: str, macro: Mapping[str, Any], columns: Mapping[str, str], digits: int = 1) -> dict[str, Any]:
    """A paper-table row: the model, then each column's macro value in percent."""
    return {"Model": model, **{name: percent(macro.get(key), digits) for name, key in columns.items()}}


# --- the whole run -----------------------------------------------------------------------------


def run_bridge(
    spec: BridgeSpec,
    metadata_rows: Sequence[Row],
    prediction_rows: Sequence[Row],
    main_rows: Sequence[Row],
    *,
    model: str = "",
    main_model: str = "",
    split: str = "test",
    allow_partial: bool = False,
    near_miss_l1: int = 1,
    digits: int = 1,
    main_source: Optional[str] = None,
) -> BridgeResult:
    """One bridge analysis; ``main_rows`` may hold several models (filtered to main_model, else the model)."""
    name = infer_model(prediction_rows, model, fallback=BRIDGE_FALLBACK_MODEL)
    scored = score_bridge_items(
        metadata_rows, prediction_rows, spec.template, model=name, allow_partial=allow_partial, near_miss_l1=near_miss_l1
    )
    meta_by_id = {str(r["item_id"]): r for r in metadata_rows}
    rows = [{**ev, **spec.extras(ev, meta_by_id[str(ev["item_id"])])} for ev in scored.rows]
    main = filter_main_rows(main_rows, main_model or name)
    spec.pair(rows, main)

    by_subset = by_known_subset(rows, spec.summarize)
    macro = macro_summary(by_subset)
    summary = {
        "task_template": spec.template,
        **spec.summary_head,
        "model": name,
        "split": split,
        **scored.coverage,
        "main_eval": main_source,
        "macro_equal_subset": macro,
        "micro_pooled": spec.summarize(rows),
        "by_subset": by_subset,
        **spec.details(rows, macro, main),
        "metric_notes": dict(spec.notes),
    }
    row_sets = {"error_cases": [r for r in rows if r.get("pass") != 1]}
    row_sets.update({key: [r for r in rows if keep(r)] for key, keep in spec.row_sets.items()})
    tables = {"by_subset": [{"model": name, "subset": s, **m} for s, m in by_subset.items()]}
    tables.update(spec.tables(name, summary))
    return BridgeResult(
        template=spec.template,
        rows=rows,
        summary=summary,
        paper=paper_row(name, macro, spec.paper_columns, digits),
        row_sets=row_sets,
        tables=tables,
    )
