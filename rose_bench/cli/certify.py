"""``rose certify``: prove a build solvable by answering every row from pixels and prompts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rose_bench.scoring.contract import SPLITS
from rose_bench.scoring.paths import check_output
from rose_bench.solver.certify import CONFIG_TEMPLATES, certify
from rose_bench.solver.policies import POLICIES

from .args import int_range
from .outputs import write_file

__all__ = ["add_parser", "run", "format_report"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "certify",
        help="answer every row of a build with the reference solver and report PASS per subset and template",
        description="Answer every row of BUILD_DIR from its image and prompts only, score it with the official "
        "rules and list every failing item. Exit 0 only if every row passes (1 otherwise, 2 on bad input). "
        "With --policy <baseline> the same run reports that baseline's PASS figures.",
    )
    parser.add_argument("build_dir", type=Path, help="directory written by 'rose build --out'")
    parser.add_argument("--split", action="append", choices=SPLITS, help="split to check (repeatable; default: all)")
    parser.add_argument(
        "--templates",
        help=f"comma-separated templates or config names (default: all of {', '.join(CONFIG_TEMPLATES)})",
    )
    parser.add_argument("--policy", default="solver", choices=sorted(POLICIES), help="answer policy (default: solver)")
    parser.add_argument("--json", type=Path, help="also write the certificate to this JSON file (checked before the run)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --json file")
    parser.add_argument("--max-failures", type=int_range(0, example=50), default=50,
                        help="failures listed on stdout (default: 50; all in --json)")
    parser.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    parser.set_defaults(func=run)


def format_report(cert: dict) -> str:
    lines = [f"rose certify: policy {cert['policy']}, splits {', '.join(cert['splits'])}"]
    lines.append(f"{'subset':<22} {'template':<28} {'items':>6} {'PASS':>7}")
    for subset, per_template in cert["by_subset_template"].items():
        for template, stats in per_template.items():
            lines.append(f"{subset:<22} {template:<28} {stats['items']:>6} {stats['pass_rate']:>7.3f}")
    for subset, stats in cert["by_subset"].items():
        lines.append(f"{subset:<22} {'(all templates)':<28} {stats['items']:>6} {stats['pass_rate']:>7.3f}")
    for template, stats in cert["by_template"].items():
        lines.append(f"{'(all subsets)':<22} {template:<28} {stats['items']:>6} {stats['pass_rate']:>7.3f}")
    lines.append(f"TOTAL {cert['passed']}/{cert['items']} PASS = {cert['pass_rate']:.4f} -> {'OK' if cert['ok'] else 'FAILED'}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.json is not None:  # before the run, which can take minutes
        check_output(args.json, [("BUILD_DIR", args.build_dir)], flag="--json", kind="file", overwrite=args.overwrite)
    templates = [t.strip() for t in args.templates.split(",") if t.strip()] if args.templates else None
    bar = None
    try:
        if args.progress:
            from tqdm import tqdm

            bar = tqdm(unit="item", file=sys.stderr)
        cert = certify(
            args.build_dir,
            policy=args.policy,
            splits=args.split or list(SPLITS),
            templates=templates,
            progress=bar.update if bar else None,
        )
    finally:
        if bar is not None:
            bar.close()
    print(format_report(cert))
    failures = cert["failures"]
    for failure in failures[: args.max_failures]:
        print(f"FAIL {failure['item_id']} [{failure['task_template']}, {failure['split']}]: {failure['reason']}")
    if len(failures) > args.max_failures:
        print(f"... {len(failures) - args.max_failures} more failures (see --json)")
    if args.json is not None:
        text = json.dumps(cert, ensure_ascii=False, indent=2) + "\n"
        write_file(args.json, lambda tmp: tmp.write_text(text, encoding="utf-8"), overwrite=args.overwrite)
    return 0 if cert["ok"] else 1
