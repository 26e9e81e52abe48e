"""``rose stats BUILD``: compare a build's scene and task statistics with a reference release (v0.1 by default).

Exit 0 when no more attributes fall outside the noise band than chance explains,
1 when more do (the table names them), 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rose_bench.scoring.contract import SPLITS
from rose_bench.scoring.errors import CheckFailed
from rose_bench.scoring.io import InputError
from rose_bench.scoring.paths import check_output

from .args import flag, int_range
from .outputs import write_file

__all__ = ["add_parser", "run"]

MAX_PERMUTATIONS = 100_000


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "stats",
        help="compare a build's scene/task statistics with ROSE v0.1 (TVD, permutation p-values)",
        description=(
            "Per subset, compare the distribution of every scene and region attribute of BUILD's bridge rows "
            "(grid profile, rows, cols, cell size, image size, target count and placement, region type, case, "
            "ratio and cell count, difficulty, content mix, case x difficulty) with a reference: total-variation "
            "distance, a seeded permutation p-value and the means. Exit 1 when more attributes fall outside the "
            "95%% noise band than chance explains."
        ),
    )
    parser.add_argument("build", type=Path, metavar="BUILD", help="a `rose build` output directory")
    parser.add_argument(*flag("reference"), type=Path, nargs="+", default=None, metavar="DIR_OR_FILE",
                        help="reference bridge metadata (.jsonl/.jsonl.gz files, an official release folder, "
                             "or another build); default: the packaged ROSE v0.1 test rows")
    parser.add_argument(*flag("split"), choices=SPLITS, default="test", help="split of BUILD to compare (default test)")
    parser.add_argument(*flag("permutations"), type=int_range(99, MAX_PERMUTATIONS, example=2000), default=2000,
                        help="permutations per attribute (default 2000)")
    parser.add_argument(*flag("seed"), type=int_range(0, 2**63 - 1, example=0), default=0,
                        help="seed of the permutations (default 0)")
    parser.add_argument(*flag("json"), type=Path, default=None, metavar="FILE", help="also write the report as JSON")
    parser.add_argument(*flag("markdown"), type=Path, default=None, metavar="FILE", help="also write the table as Markdown")
    parser.add_argument(*flag("overwrite"), action="store_true", help="replace existing --json/--markdown files")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from rose_bench.dataset_builder import fidelity, fidelity_data

    build = args.build.expanduser()
    if not (build / "data").is_dir():
        raise InputError(build, "not a `rose build` directory (no data/ folder)", fix="pass the --out of `rose build`")
    inputs = [("BUILD", build), *(("--reference", p) for p in args.reference or ())]
    for option, out in (("--json", args.json), ("--markdown", args.markdown)):
        if out is not None:
            check_output(out, inputs, flag=option, kind="file", overwrite=args.overwrite)
    build_rows = fidelity_data.group(fidelity_data.build_rows(build, args.split), args.split)
    reference = fidelity_data.group(fidelity_data.reference_rows(args.reference), None)
    if not build_rows:
        raise InputError(build, f"no T1B/T2B bridge rows in split {args.split!r}", fix="choose --split test")
    verdict = fidelity.compare(build_rows, reference, permutations=args.permutations, seed=args.seed)
    print(fidelity.to_text(verdict), end="")
    if args.json is not None:
        report = fidelity.to_json(verdict, permutations=args.permutations, seed=args.seed)
        write_file(args.json, lambda p: p.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"),
                   overwrite=args.overwrite)
    if args.markdown is not None:
        write_file(args.markdown, lambda p: p.write_text(fidelity.to_markdown(verdict), encoding="utf-8"), overwrite=args.overwrite)
    if not verdict.passed:
        raise CheckFailed(fidelity.summary_line(verdict))
    return 0
