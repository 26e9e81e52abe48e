"""Time the pure planning step of ``rose build`` (scenes, regions, tasks, rows; no rendering)
and print the T3 region-case shares next to the published ones (protocol §4.2).

    .venv/bin/python benchmarks/builder_plan.py [--scale 1.0] [--seed 20260619]

Uses the installed sources (pairs only; nothing is rendered).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from rose_bench.dataset_builder.options import DEFAULT_SEED
from rose_bench.dataset_builder.plan import plan_subset
from rose_bench.dataset_builder.sources.registry import get_source
from rose_bench.dataset_builder.subset_specs import load_subsets
from rose_bench.dataset_builder.template_specs import load_templates

# protocol §4.2, T3 test counts over all subsets
OBSERVED_T3 = {"zero": 159, "partial": 555, "all": 89, "fallback_zero_wanted_partial": 127,
               "fallback_zero_wanted_all": 77, "fallback_partial_wanted_all": 72, "fallback_all_wanted_partial": 33}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    specs, config = load_subsets(), load_templates()
    cases: Counter = Counter()
    for name, spec in specs.items():
        t0 = time.perf_counter()
        source = get_source(name)
        t1 = time.perf_counter()
        plan = plan_subset(spec, config, source, args.seed, scale=args.scale)
        t2 = time.perf_counter()
        cases.update(r["region_case"] for r in plan.rows if r["task_template"] == "T3_CLICK_LOCAL_NUMERIC")
        print(f"{name:20s} scenes={len(plan.scenes):4d} rows={len(plan.rows):5d} "
              f"source load {t1 - t0:6.2f} s  plan {t2 - t1:6.2f} s ({1000 * (t2 - t1) / len(plan.scenes):.1f} ms/scene)")
    total, obs_total = sum(cases.values()), sum(OBSERVED_T3.values())
    print("\nT3 region_case share (%): built vs published")
    for label in sorted(set(cases) | set(OBSERVED_T3)):
        print(f"  {label:32s} {100 * cases[label] / total:5.1f}  {100 * OBSERVED_T3.get(label, 0) / obs_total:5.1f}")


if __name__ == "__main__":
    main()
