"""The I/O edge of the bridge analyses: their output file names and writing them.

The names are the official analysis scripts' names, so outputs can be diffed
file for file.  Each file holds one part of a `BridgeResult`: the per-item
rows, a named row selection, the summary, the paper-table row (JSON and a
one-row CSV) or a table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import contract as C
from .bridge_pipeline import BridgeResult
from .io import publish

__all__ = ["BRIDGE_FILES", "bridge_outputs", "output_groups", "write_bridge_outputs"]

# template -> part of the result -> file name (the suffix says the format)
BRIDGE_FILES: dict[str, dict[str, str]] = {
    C.T1B: {
        "rows": "per_item_global_click_eval.jsonl",
        "error_cases": "global_click_error_cases.jsonl",
        "summary": "global_click_summary.json",
        "paper": "global_click_paper_table.json",
        "by_subset": "global_click_by_subset.csv",
        "paper_row": "global_click_paper_table.csv",
    },
    C.T2B: {
        "rows": "per_item_matched_count_eval.jsonl",
        "error_cases": "matched_count_error_cases.jsonl",
        "mlcnt_correct_lclk_wrong": "mlcnt_correct_lclk_wrong.jsonl",
        "summary": "matched_count_summary.json",
        "paper": "matched_count_paper_table.json",
        "by_subset": "matched_count_by_subset.csv",
        "by_region_case": "matched_count_by_region_case.csv",
        "paper_row": "matched_count_paper_table.csv",
    },
}


def bridge_outputs(result: BridgeResult) -> dict[str, Any]:
    """File name -> content for every part of ``result``; a part without a file name is an error."""
    parts: dict[str, Any] = {
        "rows": result.rows,
        **result.row_sets,
        "summary": result.summary,
        "paper": result.paper,
        **result.tables,
        "paper_row": [result.paper],
    }
    names = BRIDGE_FILES[result.template]
    if set(parts) != set(names):
        raise ValueError(f"{result.template} parts {sorted(parts)} do not match its output files {sorted(names)}")
    return {names[part]: content for part, content in parts.items()}


def output_groups(result: BridgeResult) -> dict[str, dict[str, Any]]:
    """`bridge_outputs` grouped by format, as `io.publish` takes them: ``{"jsonl": {...}, "json": ..., "csv": ...}``."""
    groups: dict[str, dict[str, Any]] = {"jsonl": {}, "json": {}, "csv": {}}
    for name, content in bridge_outputs(result).items():
        groups[Path(name).suffix.lstrip(".")][name] = content
    return groups


def write_bridge_outputs(out_dir: Path | str, result: BridgeResult) -> list[Path]:
    """Write every output file of ``result`` into ``out_dir`` (other files there are left alone)."""
    return publish(out_dir, **output_groups(result))
