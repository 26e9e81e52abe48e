"""Reference-solver speed and baseline PASS per template on a build.

    python benchmarks/solver_baselines.py --build DIR            # an existing 'rose build' output
    python benchmarks/solver_baselines.py --scale 0.25           # builds ChineseGlyph into a temp dir first

Prints items/s for every policy and a PASS table (policy x template; PASS pooled over the
items of a template, not the macro over subsets of the ROSE tables).  The
solver must be 1.000 everywhere; the baselines show what each failure mode
costs: 'global' (region ignored), 'count-only' (one-cell shift), 'empty',
'random'.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from rose_bench.cli import main as rose
from rose_bench.solver.certify import certify
from rose_bench.solver.policies import POLICIES
from rose_bench.scoring.contract import BRIDGE_TEMPLATES, TEMPLATE_ORDER

SHORT = {
    "T1_COUNT_GLOBAL": "G-Cnt",
    "T2_COUNT_LOCAL_NUMERIC": "L-Cnt",
    "T3_CLICK_LOCAL_NUMERIC": "L-Clk",
    "T4_CLICK_VISUAL_REGION": "V-Clk",
    "T5_CLICK_COUNT_EXCLUSION": "Excl-CS",
    "T1B_CLICK_GLOBAL": "G-Clk",
    "T2B_COUNT_LOCAL_MATCHED": "mL-Cnt",
}


def run(build: Path, splits: list[str], policies: list[str]) -> int:
    templates = list(TEMPLATE_ORDER + BRIDGE_TEMPLATES)
    print(f"build: {build}  splits: {', '.join(splits)}")
    header = f"{'policy':<11} {'items':>6} {'items/s':>8} " + " ".join(f"{SHORT[t]:>7}" for t in templates) + f" {'all':>7}"
    print(header)
    for name in policies:
        start = time.perf_counter()
        cert = certify(build, policy=name, splits=splits)
        elapsed = time.perf_counter() - start
        rates = [cert["by_template"].get(t, {}).get("pass_rate") for t in templates]
        cells = " ".join(f"{r:>7.3f}" if r is not None else f"{'-':>7}" for r in rates)
        print(f"{name:<11} {cert['items']:>6} {cert['items'] / elapsed:>8.1f} {cells} {cert['pass_rate']:>7.3f}")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--build", type=Path, help="existing build directory")
    source.add_argument("--scale", type=float, help="build ROSE-ChineseGlyph at this scale into a temp dir")
    parser.add_argument("--subsets", default="ROSE-ChineseGlyph", help="subsets for --scale (default: ROSE-ChineseGlyph)")
    parser.add_argument("--split", action="append", choices=["dev", "test"], help="default: both")
    parser.add_argument("--policies", default=",".join(POLICIES), help=f"comma list (default: {','.join(POLICIES)})")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    splits = args.split or ["dev", "test"]
    policies = [p for p in args.policies.split(",") if p]
    if args.build:
        sys.exit(run(args.build, splits, policies))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "build"
        code = rose(["build", "--out", str(out), "--subsets", args.subsets, "--scale", str(args.scale), "--no-progress"])
        if code:
            sys.exit(code)
        sys.exit(run(out, splits, policies))
