"""The board's standings: every row's figures with scene-clustered intervals, paired pairs, ranks and tiers.

A pure function of the board's stored per-item scores plus its seed and
replicate count (recorded in ``board.json``), so the same board always gives
the same standings and the same page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from rose_bench.scoring.uncertainty import FIGURES, HEADLINE, bootstrap, cluster_table
from rose_bench.scoring.uncertainty_compare import (
    Pair, competition_ranks, minimum_detectable_difference, paired_comparisons, rank_intervals, tiers,
)

from .board import Board

__all__ = ["Row", "Standings", "standings", "observed_ranks"]


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    organisation: str
    open_weights: bool
    parameters: Optional[int]
    baseline: bool
    partial: bool
    variants_tried: int
    scorer_version: str
    figures: dict[str, tuple[float, float, float]]  # figure -> (point, lower, upper)
    rank: tuple[int, int, int]  # observed, lower, upper
    tier: int
    hidden_rank: Optional[int] = None


@dataclass(frozen=True)
class Standings:
    rows: tuple[Row, ...]  # best first
    pairs: tuple[Pair, ...]
    template_cells: dict[str, dict[str, float]]  # id -> template short -> PASS
    mdd: Optional[float]  # headline difference detectable at 80% power (median paired SE)
    replicates: int
    seed: int
    scenes: int
    items: int


def _num(x: float) -> float:
    return float(x) if x is not None and not math.isnan(float(x)) else float("nan")


def standings(board: Board) -> Standings:
    ids = board.ids()
    rows_by_id = {i: board.score_rows(i) for i in ids}
    replicates, seed = int(board.config["replicates"]), int(board.config["seed"])
    if not ids:
        return Standings((), (), {}, None, replicates, seed, 0, 0)
    table = cluster_table(rows_by_id)
    boot = bootstrap(table, replicates=replicates, seed=seed)
    lo, hi = boot.interval()
    pairs = paired_comparisons(boot) if len(ids) > 1 else []
    ranks = rank_intervals(boot)
    point_head, reps_head = boot.column(HEADLINE)
    tier_of = tiers(dict(zip(ids, point_head)), pairs)
    mdd = None
    if len(ids) > 1:
        sds = [np.nanstd(reps_head[:, i] - reps_head[:, j]) for i in range(len(ids)) for j in range(i + 1, len(ids))]
        sds = [s for s in sds if s > 0]
        mdd = minimum_detectable_difference(float(np.median(sds))) if sds else None
    hidden_ranks = _hidden_ranks(board, ids)
    out = []
    for m, sub_id in enumerate(ids):
        meta = board.submission(sub_id)
        summary = board.summary(sub_id)
        figures = {f: (_num(boot.point[m, k]), _num(lo[m, k]), _num(hi[m, k])) for k, f in enumerate(FIGURES)}
        out.append(Row(
            id=sub_id, name=meta["model"]["name"], organisation=meta["model"]["organisation"],
            open_weights=bool(meta["model"]["open_weights"]), parameters=meta["model"].get("parameters"),
            baseline=bool(meta["baseline"]), partial=bool(summary["coverage"]["partial"]),
            variants_tried=int(meta["variants_tried"]), scorer_version=summary["scorer_version"],
            figures=figures, rank=ranks[sub_id], tier=tier_of[sub_id], hidden_rank=hidden_ranks.get(sub_id),
        ))
    out.sort(key=lambda r: (r.rank[0], r.name, r.id))
    templates = {r.id: {f: r.figures[f][0] for f in FIGURES[:5]} for r in out}
    n_items = len(rows_by_id[ids[0]])
    return Standings(tuple(out), tuple(pairs), templates, mdd, replicates, seed, len(table.scene_ids), n_items)


def _hidden_ranks(board: Board, ids: list[str]) -> dict[str, int]:
    """Observed headline rank on the hidden re-draw, among the rows that have one."""
    from rose_bench.scoring.io import parquet_rows

    from rose_bench.scoring.uncertainty import point_figures

    have = [i for i in ids if (board.folder(i) / "hidden" / "scores.parquet").is_file()]
    if not have:
        return {}
    table = cluster_table({i: list(parquet_rows(board.folder(i) / "hidden" / "scores.parquet")) for i in have})
    head = point_figures(table)[:, FIGURES.index(HEADLINE)]
    return competition_ranks(dict(zip(have, map(float, head))))


def observed_ranks(board: Board) -> dict[str, int]:
    """Headline rank of each row from its stored summary (what `rose leaderboard list` shows), without a bootstrap."""
    return competition_ranks({i: board.summary(i)["figures"]["table1"]["Avg. PASS"] for i in board.ids()})
