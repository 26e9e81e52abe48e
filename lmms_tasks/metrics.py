"""lmms-eval scoring hooks: thin adapters onto ``rose_bench.scoring``.

``process_results_<kind>`` (one per task kind: all, count, action and the two
bridges) hands the model text, only stripped, to
:func:`rose_bench.scoring.item.score_item` and returns the per-item row (spec
§7.5: item_id, scene_id, rose_subset, task_template, task_mode and every score
field) under the metric ``pass``.  Every other metric gets an :class:`ItemRef`
to that same row: lmms-eval writes each metric value of a sample into the
samples JSONL, and a ref is written as just the item id, so a sample stores its
row once instead of once per figure.

Each ``agg_<figure>`` receives the rows of one task and returns one official
figure computed by ``rose_bench.scoring.aggregate`` (macro over subsets, spec
§8): PASS/SOFT/VALID of Table 1, per-template PASS, C-F1 and R-OK of Table 2,
Counting/Action Avg and the gap of §8.5.  A figure with no rows behind it is
None (lmms-eval prints N/A), never 0.

lmms-eval calls ``process_results`` from several threads: the hook keeps no
state.  The aggregations share one lock-guarded cache, so the figures of a
task are computed once per task rather than once per metric.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence

from rose_bench.scoring import aggregate
from rose_bench.scoring.contract import T1, T2, T3, T4, T5, TEMPLATE_SHORT
from rose_bench.scoring.item import score_item

Document = Mapping[str, Any]

PAYLOAD_METRIC = "pass"
# What lmms-eval puts in place of the answer when the API call failed: the
# runner records such items as errors (raw_text null, api_error 1), so do we.
LMMS_FAILURE_PREFIXES: tuple[str, ...] = ("[LMMS_EVAL_REQUEST_FAILED", "[LMMS_EVAL_BUDGET_EXCEEDED]")


@dataclass(frozen=True, eq=False)
class ItemRef:
    """The same scored row, for the metrics after the first (serialised as the item id)."""

    row: Mapping[str, Any]

    def __str__(self) -> str:
        return str(self.row.get("item_id"))


def score_response(doc: Document, text: str | None, *, model: str = "") -> dict:
    """The §7.5 row for one answer; lmms-eval failure markers become API errors."""
    text = "" if text is None else text.strip()
    if text.startswith(LMMS_FAILURE_PREFIXES):
        return score_item(doc, None, model=model, api_error_text=text)
    return score_item(doc, text, model=model)


# lmms-eval metric name -> (aggregate function, key of its result); the names are the task YAMLs' metrics.
FIGURE_SOURCES: dict[str, tuple[str, str]] = {
    "pass": ("table1", "Avg. PASS"),
    "soft": ("table1", "Avg. SOFT"),
    "valid": ("table1", "VALID"),
    "g_cnt": ("table2", TEMPLATE_SHORT[T1]),
    "l_cnt": ("table2", TEMPLATE_SHORT[T2]),
    "l_clk": ("table2", TEMPLATE_SHORT[T3]),
    "v_clk": ("table2", TEMPLATE_SHORT[T4]),
    "excl_cs": ("table2", TEMPLATE_SHORT[T5]),
    "c_f1": ("table2", "C-F1"),
    "r_ok": ("table2", "R-OK"),
    "counting_avg": ("perception_action_gap", "Counting Avg."),
    "action_avg": ("perception_action_gap", "Action Avg."),
    "gap": ("perception_action_gap", "gap"),
}
FIGURES: tuple[str, ...] = tuple(FIGURE_SOURCES)


# Figures per task kind (key = the dataset config the task reads); the task YAMLs list the same metrics.
# A task must return exactly its own metrics: lmms-eval would print any extra key as an empty result.
TASK_FIGURES: dict[str, tuple[str, ...]] = {
    "all": FIGURES,
    "count": ("pass", "soft", "valid", "g_cnt", "l_cnt", "counting_avg"),
    "action": ("pass", "soft", "valid", "l_clk", "v_clk", "excl_cs", "c_f1", "r_ok", "action_avg"),
    "global_click": ("pass", "soft", "valid", "c_f1", "r_ok"),
    "matched_local_count": ("pass", "soft", "valid"),
}


def per_item(doc: Document, results: Sequence[str], figures: Sequence[str]) -> dict[str, Any]:
    """{figure: payload}: the scored row under PAYLOAD_METRIC, an ItemRef to it under the others."""
    row = score_response(doc, results[0] if results else "")
    ref = ItemRef(row)
    return {name: (row if name == PAYLOAD_METRIC else ref) for name in figures}


def _processor(kind: str) -> Callable[[Document, Sequence[str]], dict[str, Any]]:
    figures = TASK_FIGURES[kind]

    def process_results(doc: Document, results: Sequence[str]) -> dict[str, Any]:
        return per_item(doc, results, figures)

    process_results.__name__ = process_results.__qualname__ = f"process_results_{kind}"
    process_results.__doc__ = f"Scored row of one {kind!r} item under each of {figures}."
    return process_results


process_results_all = _processor("all")
process_results_count = _processor("count")
process_results_action = _processor("action")
process_results_global_click = _processor("global_click")
process_results_matched_local_count = _processor("matched_local_count")


def rows_of(items: Sequence[Any]) -> list[Mapping[str, Any]]:
    return [item.row if isinstance(item, ItemRef) else item for item in items]


class _FigureCache:
    """The figures of the last row list seen (the metrics of one task arrive back to back)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: list[Mapping[str, Any]] = []
        self._figures: dict[str, Optional[float]] = {}

    def figures(self, items: Sequence[Any]) -> dict[str, Optional[float]]:
        rows = rows_of(items)
        with self._lock:
            same = len(rows) == len(self._rows) and all(a is b for a, b in zip(rows, self._rows))
            if not same:
                self._figures = aggregate_figures(rows)
                self._rows = rows
            return self._figures


def aggregate_figures(rows: Sequence[Mapping[str, Any]]) -> dict[str, Optional[float]]:
    """Every figure of FIGURE_SOURCES over ``rows`` (each aggregate table computed once)."""
    tables = {name: getattr(aggregate, name)(rows) for name in {source for source, _ in FIGURE_SOURCES.values()}}
    return {figure: tables[source][key] for figure, (source, key) in FIGURE_SOURCES.items()}


_CACHE = _FigureCache()


def _aggregator(name: str) -> Callable[[Sequence[Any]], Optional[float]]:
    def aggregate_one(items: Sequence[Any]) -> Optional[float]:
        return _CACHE.figures(items)[name]

    aggregate_one.__name__ = aggregate_one.__qualname__ = f"agg_{name}"
    aggregate_one.__doc__ = f"ROSE figure {name!r} over one task's rows."
    return aggregate_one


agg_pass = _aggregator("pass")
agg_soft = _aggregator("soft")
agg_valid = _aggregator("valid")
agg_g_cnt = _aggregator("g_cnt")
agg_l_cnt = _aggregator("l_cnt")
agg_l_clk = _aggregator("l_clk")
agg_v_clk = _aggregator("v_clk")
agg_excl_cs = _aggregator("excl_cs")
agg_c_f1 = _aggregator("c_f1")
agg_r_ok = _aggregator("r_ok")
agg_counting_avg = _aggregator("counting_avg")
agg_action_avg = _aggregator("action_avg")
agg_gap = _aggregator("gap")
