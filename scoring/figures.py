"""The headline figures of a ROSE run, declared once: name, source table, key, direction.

Every figure is one value of an `aggregate` table (macro over subsets,
protocol §8.2-§8.5).  The lmms-eval hooks (`lmms_tasks.metrics`: one
``agg_<name>`` per figure) and the task YAMLs' ``metric_list`` come from this
table; a test fails when a YAML disagrees with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from . import aggregate
from .contract import T1, T2, T3, T4, T5, TEMPLATE_SHORT

__all__ = ["Figure", "FIGURES", "FIGURE", "SOURCES", "compute_figures"]


@dataclass(frozen=True)
class Figure:
    name: str  # metric name (lmms-eval metric_list, hook agg_<name>)
    source: str  # function of `aggregate` that computes the table holding it
    key: str  # key of the figure in that table
    higher_is_better: bool
    description: str


FIGURES: tuple[Figure, ...] = (
    Figure("pass", "table1", "Avg. PASS", True, "Table 1 Avg. PASS: strict success, macro over subsets"),
    Figure("soft", "table1", "Avg. SOFT", True, "Table 1 Avg. SOFT: partial credit, macro over subsets"),
    Figure("valid", "table1", "VALID", True, "Table 1 VALID: answers in the formal grammar"),
    Figure("g_cnt", "table2", TEMPLATE_SHORT[T1], True, "Table 2 PASS of T1 (global count)"),
    Figure("l_cnt", "table2", TEMPLATE_SHORT[T2], True, "Table 2 PASS of T2 (local count)"),
    Figure("l_clk", "table2", TEMPLATE_SHORT[T3], True, "Table 2 PASS of T3 (local click)"),
    Figure("v_clk", "table2", TEMPLATE_SHORT[T4], True, "Table 2 PASS of T4 (visual-region click)"),
    Figure("excl_cs", "table2", TEMPLATE_SHORT[T5], True, "Table 2 PASS of T5 (exclusion click + submit)"),
    Figure("c_f1", "table2", "C-F1", True, "Table 2 C-F1: strict click F1 on click items"),
    Figure("r_ok", "table2", "R-OK", True, "Table 2 R-OK: clicks inside the region"),
    Figure("counting_avg", "perception_action_gap", "Counting Avg.", True, "mean PASS of the counting templates"),
    Figure("action_avg", "perception_action_gap", "Action Avg.", True, "mean PASS of the action templates"),
    Figure("gap", "perception_action_gap", "gap", False, "Counting Avg. - Action Avg. (perception-to-action gap)"),
)

FIGURE: dict[str, Figure] = {f.name: f for f in FIGURES}
SOURCES: tuple[str, ...] = tuple(dict.fromkeys(f.source for f in FIGURES))


def compute_figures(rows: Sequence[Mapping[str, Any]]) -> dict[str, Optional[float]]:
    """Every figure over ``rows`` (each source table computed once); None where no row is behind a figure."""
    tables = {source: getattr(aggregate, source)(rows) for source in SOURCES}
    return {f.name: tables[f.source][f.key] for f in FIGURES}
