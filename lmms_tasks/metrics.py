"""lmms-eval scoring hooks: thin adapters onto ``rose_bench.scoring``.

``process_results_<kind>`` (one per task kind: all, count, action and the two
bridges) hands the model text, only stripped, to
:func:`rose_bench.scoring.item.score_item` and returns the per-item row (protocol
§7.5: item_id, scene_id, rose_subset, task_template, task_mode and every score
field) under the metric ``pass``.  Every other metric gets an :class:`ItemRef`
to that same row: lmms-eval writes each metric value of a sample into the
samples JSONL, and a ref is written as just the item id, so a sample stores its
row once instead of once per figure.

Each ``agg_<figure>`` receives the rows of one task and returns one official
figure of the table ``rose_bench.scoring.figures`` (macro over subsets, protocol
§8): PASS/SOFT/VALID of Table 1, per-template PASS, C-F1 and R-OK of Table 2,
Counting/Action Avg and the gap of §8.5.  The hooks are made from that table,
and so are the task YAMLs' ``metric_list`` (`task_yaml`).  A figure with no rows behind it is
None (lmms-eval prints N/A), never 0.

On a withheld split (``rose withhold``: the public rows carry no answer
column) nothing can be scored: ``process_results`` stores the item's identity
and the answer text (``withheld_row``), every figure is None, and one warning
says how to get the figures -- ``rose lmms-to-predictions`` on the saved
samples, then ``rose score --answer-key``.

lmms-eval calls ``process_results`` from several threads: the hook keeps no
state.  The aggregations share one lock-guarded cache, so the figures of a
task are computed once per task rather than once per metric.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence

from rose_bench.scoring.answer_key import is_withheld
from rose_bench.scoring.figures import FIGURES as FIGURE_TABLE
from rose_bench.scoring.figures import compute_figures
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


WITHHELD_WARNING = (
    "the rows of this ROSE split are withheld (a public build made by `rose withhold`: no answer columns), so "
    "lmms-eval reports every ROSE figure as None. The answers are kept in the samples (run with --log_samples); "
    "the figures need the answer key: `rose lmms-to-predictions SAMPLES.jsonl --out predictions.jsonl` then "
    "`rose score --predictions predictions.jsonl --dataset-root PUBLIC_BUILD --answer-key KEY`"
)
# the identity of an item, as score_item names it (rose_split is the row's split)
WITHHELD_FIELDS: tuple[str, ...] = (
    "item_id", "scene_id", "image_id", "model", "rose_subset", "rose_split", "primitive_type", "task_template",
    "task_mode", "region_type", "cue_type", "raw_text", "api_error_text", "withheld",
)
_log = logging.getLogger(__name__)


def withheld_row(doc: Document, raw_text: str | None, *, model: str = "", api_error_text: str | None = None) -> dict:
    """What can be kept of an answer to a withheld item: who it answers and what it said, no score."""
    row = {name: doc.get(name) for name in WITHHELD_FIELDS}
    row.update(model=model, rose_split=doc.get("split"), raw_text=raw_text, api_error_text=api_error_text, withheld=True)
    return row


def score_response(doc: Document, text: str | None, *, model: str = "") -> dict:
    """The §7.5 row for one answer (the identity only on a withheld split); lmms-eval failure markers become API errors."""
    text = "" if text is None else text.strip()
    answer, error = (None, text) if text.startswith(LMMS_FAILURE_PREFIXES) else (text, None)
    if is_withheld(doc):
        return withheld_row(doc, answer, model=model, api_error_text=error)
    return score_item(doc, answer, model=model, api_error_text=error)


WITHHELD_TARGET = "[withheld]"


def doc_to_target(doc: Document) -> str:
    """The formal answer lmms-eval logs as a sample's target; ``[withheld]`` on a withheld split."""
    return WITHHELD_TARGET if is_withheld(doc) else str(doc.get("answer"))


# lmms-eval metric name -> (aggregate function, key of its result), from scoring.figures.
FIGURE_SOURCES: dict[str, tuple[str, str]] = {f.name: (f.source, f.key) for f in FIGURE_TABLE}
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


# process_results_all, process_results_count, ... (the names the task YAMLs import)
for _kind in TASK_FIGURES:
    globals()[f"process_results_{_kind}"] = _processor(_kind)


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


@functools.cache
def _warn_withheld() -> None:
    """Log the withheld-split warning once per process, however many tasks and metrics ask."""
    _log.warning("%s", WITHHELD_WARNING)


def aggregate_figures(rows: Sequence[Mapping[str, Any]]) -> dict[str, Optional[float]]:
    """Every figure of the table over ``rows`` (each aggregate table computed once); all None on a withheld split."""
    if any(row.get("withheld") for row in rows):
        _warn_withheld()
        return {name: None for name in FIGURES}
    return compute_figures(rows)


_CACHE = _FigureCache()


def _aggregator(name: str) -> Callable[[Sequence[Any]], Optional[float]]:
    def aggregate_one(items: Sequence[Any]) -> Optional[float]:
        return _CACHE.figures(items)[name]

    aggregate_one.__name__ = aggregate_one.__qualname__ = f"agg_{name}"
    aggregate_one.__doc__ = f"ROSE figure {name!r} over one task's rows."
    return aggregate_one


# agg_pass, agg_soft, ..., agg_gap: one per figure of the table (the names the task YAMLs import)
for _figure in FIGURES:
    globals()[f"agg_{_figure}"] = _aggregator(_figure)
