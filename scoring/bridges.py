"""The two bridge diagnostics of protocol §9.1/§9.2: one import for callers.

* `bridge_pipeline`: the steps both share (scoring, coverage, pairing,
  per-subset and macro summaries, paper row);
* `bridge_global_click` (§9.1, T1B) and `bridge_matched_count` (§9.2, T2B):
  what each adds (extra fields, pairing rule, metrics, paper columns);
* `bridge_files`: the output file names and writing them (I/O edge).
"""

from __future__ import annotations

from .bridge_files import BRIDGE_FILES, bridge_outputs, write_bridge_outputs
from .bridge_global_click import (
    GLOBAL_CLICK,
    evaluate_global_click,
    global_click_extras,
    pair_global_click,
    summarize_global_click,
)
from .bridge_matched_count import (
    MATCHED_COUNT,
    REGION_CASE_ORDER,
    by_region_case,
    evaluate_matched_count,
    pair_matched_count,
    summarize_matched_count,
)
from .bridge_pipeline import (
    BridgeError,
    BridgeResult,
    BridgeSpec,
    filter_main_rows,
    index_predictions,
    macro_summary,
    run_bridge,
    score_bridge_items,
)
from .models import infer_model

__all__ = [
    "BRIDGE_FILES",
    "BridgeError",
    "BridgeResult",
    "BridgeSpec",
    "GLOBAL_CLICK",
    "MATCHED_COUNT",
    "REGION_CASE_ORDER",
    "bridge_outputs",
    "by_region_case",
    "evaluate_global_click",
    "evaluate_matched_count",
    "filter_main_rows",
    "global_click_extras",
    "index_predictions",
    "infer_model",
    "macro_summary",
    "pair_global_click",
    "pair_matched_count",
    "run_bridge",
    "score_bridge_items",
    "summarize_global_click",
    "summarize_matched_count",
    "write_bridge_outputs",
]
