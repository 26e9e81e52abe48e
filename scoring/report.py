"""Human-readable renderings of a scoring run: LaTeX table rows and a Markdown summary.

The LaTeX rows are the official ``table1_row.txt`` / ``table2_row.txt`` format
(``Model`` newline ``& v1 & v2 ... \\\\``, percentages with ``digits`` decimals,
``--`` for a missing value).  The Markdown summary is what ``rose score`` prints.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from . import aggregate as agg
from .contract import SUBSET_ORDER, SUBSET_SHORT, TEMPLATE_ORDER, TEMPLATE_SHORT
from .numeric import format_percent

__all__ = ["fmt_pct", "table1_latex_row", "table2_latex_row", "TABLE2_KEYS", "markdown_summary", "markdown_table"]

TABLE2_KEYS: tuple[str, ...] = (*(TEMPLATE_SHORT[t] for t in TEMPLATE_ORDER), "C-F1", "R-OK", "Avg. PASS")


def fmt_pct(value: Optional[float], digits: int = 1) -> str:
    """A fraction as a percentage string; ``--`` when missing (`numeric.format_percent`)."""
    return format_percent(value, digits)


def table1_latex_row(model_name: str, table: Mapping[str, Any], digits: int = 1) -> str:
    cells: list[str] = []
    for subset in SUBSET_ORDER:
        record = table["by_subset"][subset]
        cells += [fmt_pct(record.get("PASS"), digits), fmt_pct(record.get("SOFT"), digits)]
    cells += [fmt_pct(table.get(k), digits) for k in ("Avg. PASS", "Avg. SOFT", "VALID")]
    return model_name + "\n& " + " & ".join(cells) + r" \\"


def table2_latex_row(model_name: str, table: Mapping[str, Any], digits: int = 1) -> str:
    return model_name + "\n& " + " & ".join(fmt_pct(table.get(k), digits) for k in TABLE2_KEYS) + r" \\"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Markdown table lines: the first column left-aligned, the figures right-aligned."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def markdown_summary(summary: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], digits: int = 1) -> str:
    """Primary table, Table 1, Table 2, counting-vs-action gap and coverage, as Markdown."""
    name = summary.get("display_name") or summary.get("model") or "model"
    paper = summary["paper_metrics"]
    t1, t2 = paper["table1"], paper["table2"]
    primary = agg.primary_table(rows)
    gap = agg.perception_action_gap(rows)
    cond = paper["scene_conditioned_action_available_rows"]["macro"]
    cov = summary["coverage"]
    pct = lambda v: fmt_pct(v, digits)  # noqa: E731

    out = [f"## ROSE results: {name} ({summary.get('model')}), split {summary.get('split')}", ""]
    out += ["### Primary table (PASS %)", ""]
    out += markdown_table(["Model", *agg.PRIMARY_COLUMNS], [[name, *(pct(primary[c]) for c in agg.PRIMARY_COLUMNS)]])
    out += ["", "### Table 1 (per subset PASS / SOFT %)", ""]
    header = ["Model"] + [f"{SUBSET_SHORT[s]} {m}" for s in SUBSET_ORDER for m in ("PASS", "SOFT")]
    header += ["Avg. PASS", "Avg. SOFT", "VALID"]
    cells = [pct(t1["by_subset"][s][m]) for s in SUBSET_ORDER for m in ("PASS", "SOFT")]
    cells += [pct(t1[k]) for k in ("Avg. PASS", "Avg. SOFT", "VALID")]
    out += markdown_table(header, [[name, *cells]])
    out += ["", "### Table 2 (per template PASS, C-F1, R-OK %)", ""]
    out += markdown_table(["Model", *TABLE2_KEYS], [[name, *(pct(t2[k]) for k in TABLE2_KEYS)]])
    out += ["", "### Perception-to-action gap", ""]
    fig1 = gap["fig1"]
    out += markdown_table(
        ["Counting Avg.", "Action Avg.", "Δ (Counting − Action)", "G-Cnt", "V-Clk", "Δ (V-Clk − G-Cnt)",
         "Action \\| T1 correct"],
        [[pct(gap["Counting Avg."]), pct(gap["Action Avg."]), pct(gap["gap"]), pct(fig1["G-Cnt"]),
          pct(fig1["V-Clk"]), pct(fig1["delta"]), pct(cond.get("Action Avg."))]],
    )
    out += ["", "### Coverage", ""]
    out.append(
        f"{cov['num_evaluated']} of {cov['num_expected']} items evaluated "
        f"({pct(cov['coverage_rate'])}%), {cov['num_missing']} missing, {cov['num_extra']} extra "
        f"prediction ids ignored; complete submission: {'yes' if cov['complete_submission'] else 'no'}."
    )
    if not cov["complete_submission"]:
        out += ["", "**Warning:** " + str(summary["metric_notes"].get("partial_warning"))]
    return "\n".join(out) + "\n"
