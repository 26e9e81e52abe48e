"""``rose lmms-to-predictions``: lmms-eval samples JSONL -> a ROSE predictions file for ``rose score``.

The conversion itself is ``lmms_tasks.convert``; this module is its command line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rose_bench.lmms_tasks.convert import convert
from rose_bench.scoring.io import write_jsonl
from rose_bench.scoring.paths import check_output

from .outputs import write_file

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "lmms-to-predictions",
        help="turn lmms-eval samples (--log_samples) of rose_* tasks into a predictions file for 'rose score'",
        description="lmms-eval samples JSONL -> a ROSE predictions file (what the reference runner writes and "
        "`rose score` reads). The output is written completely or not at all, and never over an input.",
    )
    parser.add_argument("samples", nargs="+", type=Path, metavar="SAMPLES_JSONL",
                        help="lmms-eval <date>_samples_<task>.jsonl files of one model")
    parser.add_argument("--out", required=True, type=Path, help="predictions JSONL to write")
    parser.add_argument("--model", default="", help="model name to record (default: the samples' folder name)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    check_output(args.out, [("SAMPLES_JSONL", s) for s in args.samples], flag="--out", kind="file",
                 overwrite=args.overwrite)
    rows, dropped = convert(args.samples, args.model)
    write_file(args.out, lambda tmp: write_jsonl(tmp, rows), overwrite=args.overwrite)
    note = f" ({dropped} duplicate samples of the same answers dropped)" if dropped else ""
    print(f"wrote {len(rows)} predictions to {args.out}{note}")
    return 0
