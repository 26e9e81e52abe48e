"""Scene-clustered bootstrap speed: 10,000 replicates x 30 models on a full-size test split (prints figures).

    python benchmarks/bench_bootstrap.py [--models 30] [--replicates 10000] [--scenes-per-subset 222,222,223,222,223]

The split has the size of ROSE's test split (5,560 items, 1,112 scenes, 5 subsets);
per-item PASS/SOFT/VALID/C-F1/R-OK come from a latent scene difficulty so items of a
scene are correlated, as in the real benchmark.  Prints the time to collapse the
per-item rows into per-scene sums, the bootstrap time (every figure, every model),
and the paired comparison / rank-interval time.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from rose_bench.scoring.contract import SUBSET_IDS, SUBSET_ORDER, TEMPLATE_ORDER, scene_id
from rose_bench.scoring.uncertainty import bootstrap, cluster_table
from rose_bench.scoring.uncertainty_compare import paired_comparisons, rank_intervals


def synthetic_rows(models: int, scenes: list[int], seed: int) -> dict[str, list[dict]]:
    rng = np.random.default_rng(seed)
    ability = rng.normal(0.0, 1.0, models)
    out: dict[str, list[dict]] = {}
    layout = [(subset, scene_id(SUBSET_IDS[subset][0], k + 1)) for subset, n in zip(SUBSET_ORDER, scenes) for k in range(n)]
    difficulty = rng.normal(0.0, 1.0, len(layout))
    for m in range(models):
        rows = []
        for (subset, scene), z in zip(layout, difficulty):
            for t, template in enumerate(TEMPLATE_ORDER):
                p = 1.0 / (1.0 + np.exp(-(ability[m] + z - 0.3 * t)))
                passed = int(rng.random() < p)
                click = int(t >= 2)
                rows.append({"rose_subset": subset, "scene_id": scene, "task_template": template, "pass": passed,
                             "unified_soft": 0.5 + 0.5 * passed, "format_valid": 1, "click_applicable": click,
                             "click_f1_strict": float(passed) if click else None, "region_ok": passed if click else None})
        out[f"model-{m:02d}"] = rows
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=30)
    parser.add_argument("--replicates", type=int, default=10_000)
    parser.add_argument("--scenes-per-subset", default="222,222,223,222,223")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    scenes = [int(x) for x in args.scenes_per_subset.split(",")]
    rows = synthetic_rows(args.models, scenes, args.seed)
    n_items = sum(len(r) for r in rows.values()) // args.models
    print(f"split: {n_items} items, {sum(scenes)} scenes; {args.models} models; {args.replicates} replicates; "
          f"cpus={os.cpu_count()}")
    t0 = time.perf_counter()
    table = cluster_table(rows)
    t1 = time.perf_counter()
    boot = bootstrap(table, replicates=args.replicates, seed=args.seed)
    t2 = time.perf_counter()
    pairs = paired_comparisons(boot)
    ranks = rank_intervals(boot)
    t3 = time.perf_counter()
    print(f"per-scene sums (cluster_table): {t1 - t0:.2f} s")
    print(f"bootstrap, all {len(boot.figures)} figures: {t2 - t1:.2f} s")
    print(f"paired comparisons ({len(pairs)} pairs) + rank intervals ({len(ranks)} models): {t3 - t2:.2f} s")
    print(f"total statistics (sums + bootstrap + pairs + ranks): {t3 - t0:.2f} s")


if __name__ == "__main__":
    main()
