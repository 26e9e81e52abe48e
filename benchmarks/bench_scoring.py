"""Scoring throughput and parser worst cases (prints figures; no assertions).

    python benchmarks/bench_scoring.py [--items 100000] [--seed 0]

1. ``score_item`` on N synthetic T1–T5 items (grids 8–18, mixed right/wrong/invalid
   answers), then every aggregate of ``evaluation_summary.json`` over one shared
   ``aggregate.RowTable`` (as ``rose score``): items/s for each.
   The whole-process comparison with the authors' evaluator is bench_score_vs_official.py.
2. ``parse_answer`` on 10 MB adversarial strings for every task mode: seconds each.
"""

from __future__ import annotations

import argparse
import random
import time

from rose_bench.scoring import aggregate as agg
from rose_bench.scoring.contract import SUBSET_ORDER, TEMPLATE_ORDER
from rose_bench.scoring.grammar import CLICK, CLICK_COUNT, COUNT, format_answer, parse_answer
from rose_bench.scoring.grid import Cell, Grid, region_from_params

_REGIONS = ("ROW_RANGE", "COL_RANGE", "RECTANGLE")
_MODES = {TEMPLATE_ORDER[0]: COUNT, TEMPLATE_ORDER[1]: COUNT, TEMPLATE_ORDER[2]: CLICK, TEMPLATE_ORDER[3]: CLICK,
          TEMPLATE_ORDER[4]: CLICK_COUNT}


def _region(rng: random.Random, template: str, rows: int, cols: int) -> tuple[str, dict]:
    r1, c1 = rng.randint(1, rows - 3), rng.randint(1, cols - 3)
    rect = {"r1": r1, "r2": r1 + rng.randint(0, 3), "c1": c1, "c2": c1 + rng.randint(0, 3)}
    if template == TEMPLATE_ORDER[0]:
        return "GLOBAL", {}
    if template == TEMPLATE_ORDER[3]:
        return "VISUAL_REGION", rect
    if template == TEMPLATE_ORDER[4]:
        return "EXCLUSION", {"exclude_type": "RECTANGLE", "exclude_params": rect}
    kind = rng.choice(_REGIONS)
    return kind, {"ROW_RANGE": {"r1": rect["r1"], "r2": rect["r2"]},
                  "COL_RANGE": {"c1": rect["c1"], "c2": rect["c2"]}, "RECTANGLE": rect}[kind]


def synthetic_items(n: int, seed: int) -> list[tuple[dict, str]]:
    rng = random.Random(seed)
    items = []
    while len(items) < n:
        rows, cols = rng.randint(8, 18), rng.randint(8, 18)
        targets = {Cell(rng.randint(1, rows), rng.randint(1, cols)) for _ in range(rng.randint(1, 8))}
        subset, scene = rng.choice(SUBSET_ORDER), f"S{len(items)}"
        for template in TEMPLATE_ORDER:
            mode = _MODES[template]
            rtype, params = _region(rng, template, rows, cols)
            region = region_from_params(rtype, params).cells(Grid(rows, cols))
            gold = sorted(targets & region)
            meta = {"item_id": f"{scene}-{template}", "scene_id": scene, "rose_subset": subset, "split": "test",
                    "task_template": template, "task_mode": mode, "region_type": rtype, "region_params": params,
                    "rows": rows, "cols": cols, "ground_truth_count": len(gold),
                    "ground_truth_clicks": [c.key for c in gold], "all_target_cells": [c.key for c in sorted(targets)],
                    "region_target_cells": [c.key for c in gold]}
            roll = rng.random()
            if roll < 0.4:
                text = format_answer(mode, gold, len(gold))
            elif roll < 0.8:
                text = format_answer(mode, targets, len(targets))
            else:
                text = rng.choice(["", "COUNT(3).", "CLICK(R1,C1)", "I cannot tell", "CLICK(R99,C1); DONE"])
            items.append((meta, text))
    return items[:n]


ADVERSARIAL = {
    "whitespace run inside a token": {
        COUNT: "COUNT(" + " \t" * 5_000_000 + "1 x",
        CLICK: "CLICK(R" + " " * 10_000_000 + "1,C1); DONE",
        CLICK_COUNT: "CLICK(R" + " " * 10_000_000 + "1,C1) SUBMIT(1); SUBMIT(1)",
    },
    "many padded tokens": {
        COUNT: "COUNT( 1 ) " * 909_090,
        CLICK: ("CLICK( R " + " " * 1000 + "1 , C 2 " + " " * 1000 + ") ;") * 4950 + "DONE.",
        CLICK_COUNT: ("CLICK( R " + " " * 1000 + "1 , C 2 " + " " * 1000 + ") ;") * 4950 + "SUBMIT(1)",
    },
    "separators only": {COUNT: ";" * 10_000_000, CLICK: ";" * 10_000_000, CLICK_COUNT: ";" * 10_000_000},
    "700k valid clicks": {
        COUNT: "COUNT(1)" + " " * 10_000_000,
        CLICK: "CLICK(R1,C1); " * 714_285 + "DONE",
        CLICK_COUNT: "CLICK(R1,C1); " * 714_285 + "SUBMIT(1)",
    },
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-adversarial", action="store_true")
    args = ap.parse_args()

    from rose_bench.scoring.item import score_item

    t0 = time.perf_counter()
    items = synthetic_items(args.items, args.seed)
    t1, c1 = time.perf_counter(), time.process_time()
    rows = [score_item(meta, text, model="bench") for meta, text in items]
    t2, c2 = time.perf_counter(), time.process_time()
    table = agg.RowTable(rows)  # as `rose score` does: columns extracted once, shared by every table
    summary = {
        "overall": agg.summary_for(table),
        "by_subset": agg.group_summary(table, "rose_subset"),
        "by_template": agg.group_summary(table, "task_template"),
        "by_task_mode": agg.group_summary(table, "task_mode"),
        "by_region_type": agg.group_summary(table, "region_type"),
        "table1": agg.table1(table),
        "table2": agg.table2(table),
        "conditioned": agg.scene_conditioned_action(table),
        "primary": agg.primary_table(table),
        "gap": agg.perception_action_gap(table),
    }
    t3, c3 = time.perf_counter(), time.process_time()
    n = len(rows)
    print(f"synthetic items: {n:,} (generated in {t1 - t0:.1f} s)")
    print("                 wall s   items/s (wall)   CPU s   items/s (CPU; the machine may be shared)")
    for label, wall, cpu in (("score_item", t2 - t1, c2 - c1), ("aggregates", t3 - t2, c3 - c2),
                             ("end to end", t3 - t1, c3 - c1)):
        print(f"{label:16s} {wall:7.2f} {n / wall:>12,.0f}   {cpu:7.2f} {n / cpu:>12,.0f}")
    print(f"  overall PASS {summary['overall']['pass_rate']:.4f}, Avg. PASS {summary['table1']['Avg. PASS']:.4f}")

    if args.skip_adversarial:
        return
    print("\nparse_answer on ~10 MB adversarial strings (seconds):")
    for shape, per_mode in ADVERSARIAL.items():
        cells = []
        for mode, text in per_mode.items():
            start = time.process_time()
            parsed = parse_answer(text, mode)
            cells.append(f"{mode} {time.process_time() - start:5.2f}s CPU ({len(text) / 1e6:.1f} MB, "
                         f"{'valid' if parsed.valid else parsed.parse_error})")
        print(f"  {shape:32s} " + "; ".join(cells))


if __name__ == "__main__":
    main()
