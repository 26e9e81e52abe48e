"""Downloads of the standings: CSV, JSON, Markdown and the paper's Table 1 / Table 2 LaTeX rows."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from rose_bench.scoring.numeric import format_percent
from rose_bench.scoring.report import table1_latex_row, table2_latex_row
from rose_bench.scoring.uncertainty import FIGURES, HEADLINE

from .board import Board
from .standings import Standings

__all__ = ["csv_text", "json_text", "markdown_text", "write_exports"]


def _num(x: float):
    return None if math.isnan(x) else round(x, 6)


def _records(st: Standings) -> list[dict]:
    out = []
    for r in st.rows:
        rec = {"id": r.id, "model": r.name, "organisation": r.organisation, "open_weights": r.open_weights,
               "parameters": r.parameters, "baseline": r.baseline, "partial": r.partial,
               "variants_tried": r.variants_tried, "rank": r.rank[0], "rank_lower": r.rank[1], "rank_upper": r.rank[2],
               "tier": r.tier, "hidden_rank": r.hidden_rank, "scorer_version": r.scorer_version}
        for name in FIGURES:
            p, lo, hi = r.figures[name]
            rec[name], rec[f"{name} lower"], rec[f"{name} upper"] = _num(p), _num(lo), _num(hi)
        out.append(rec)
    return out


def csv_text(st: Standings) -> str:
    records = _records(st)
    buffer = io.StringIO(newline="")
    if records:
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return buffer.getvalue()


def json_text(board: Board, st: Standings) -> str:
    doc = {
        "board_revision": board.config["revision"], "dataset_fingerprint": board.fingerprint, "split": board.split,
        "replicates": st.replicates, "seed": st.seed, "headline": HEADLINE,
        "minimum_detectable_difference": None if st.mdd is None else round(st.mdd, 6),
        "rows": _records(st),
        "pairs": [{"a": p.a, "b": p.b, "difference": _num(p.difference), "lower": _num(p.lower),
                   "upper": _num(p.upper), "p_value": _num(p.p_value), "p_holm": _num(p.p_holm)} for p in st.pairs],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


NO_FIGURE = "–"  # how the page and the exports print a figure with no rows behind it


def pct(x: float | None) -> str:
    """A fraction as a percentage with one decimal (``scoring.numeric.format_percent``), ``–`` when missing."""
    return format_percent(x, 1, missing=NO_FIGURE)


def markdown_text(st: Standings) -> str:
    head = ["Rank [95%]", "Tier", "Model", HEADLINE + " [95%]", "Counting", "Action", "Gap", *FIGURES[:5]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in st.rows:
        p, lo, hi = r.figures[HEADLINE]
        cells = [f"{r.rank[0]} [{r.rank[1]}–{r.rank[2]}]", str(r.tier), r.name.replace("|", "\\|")
                 + (" (baseline)" if r.baseline else ""), f"{pct(p)} [{pct(lo)}, {pct(hi)}]",
                 *(pct(r.figures[f][0]) for f in ("Counting Avg.", "Action Avg.", "gap")),
                 *(pct(r.figures[f][0]) for f in FIGURES[:5])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_exports(out: Path, board: Board, st: Standings) -> None:
    (out / "leaderboard.csv").write_text(csv_text(st), encoding="utf-8")
    (out / "leaderboard.json").write_text(json_text(board, st), encoding="utf-8")
    (out / "leaderboard.md").write_text(markdown_text(st), encoding="utf-8")
    t1 = [table1_latex_row(r.name, board.summary(r.id)["figures"]["table1"]) for r in st.rows]
    t2 = [table2_latex_row(r.name, board.summary(r.id)["figures"]["table2"]) for r in st.rows]
    (out / "table1.tex").write_text("\n".join(t1) + "\n", encoding="utf-8")
    (out / "table2.tex").write_text("\n".join(t2) + "\n", encoding="utf-8")
