"""lmms-eval scoring hooks: thin adapters onto ``rose_bench.scoring``.

``process_results`` hands the model text, only stripped, to
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


def _figure_table() -> dict[str, Callable[[Sequence[Mapping[str, Any]]], Optional[float]]]:
    return aggregate.lmms_figures()


FIGURES: tuple[str, ...] = (
    "pass", "soft", "valid", "g_cnt", "l_cnt", "l_clk", "v_clk", "excl_cs", "c_f1", "r_ok",
    "counting_avg", "action_avg", "gap",
)


def process_results(doc: Document, results: Sequence[str]) -> dict[str, Any]:
    row = score_response(doc, results[0] if results else "")
    ref = ItemRef(row)
    return {name: (row if name == PAYLOAD_METRIC else ref) for name in FIGURES}


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
    raise NotImplementedError


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
